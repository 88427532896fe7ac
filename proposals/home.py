"""What proposals adds to the signed-in home ("与我有关", covenant.views.home): what
waits for the reader's role, open owners' votes for their units, their ideas and the
ideas they support, and the deliberations they take part in.

Each provider answers in a constant number of queries with bounded LIMITs, and walls
itself with the selectors' estate rules (the listed estates only)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from covenant.models import Membership, Party, Role
from covenant.panels import Panel
from covenant.rules import roles_of
from proposals.deliberations.selectors import deliberations_visible_to
from proposals.ideas.selectors import STAFF_SIDE_ROLES, ideas_visible_to, in_estates_where
from proposals.models import (
    Ballot,
    Deliberation,
    Idea,
    Moderation,
    OwnersVote,
    ResolutionVersion,
    SignOff,
    Support,
    VoteRollEntry,
)
from proposals.moderation.selectors import moderation_queue_size
from proposals.votes.selectors import votes_visible_to

SHOWN = 5
# Who signs a resolution off for which party (docs: the roles table).
SIGNING_PARTIES = {
    Role.PARTY_BRANCH: Party.PARTY_BRANCH,
    Role.PROPERTY_STAFF: Party.PROPERTY,
    Role.CAPTAIN: Party.RESIDENTS,
}


def _is_new(moment, since) -> bool:
    return since is not None and moment is not None and moment > since


def waiting_for_role(*, request, since) -> Panel | None:
    """The counts of what waits for a captain, steward, Party branch member or admin:
    first on the home, as their role is why they come."""
    user = request.user
    roles = roles_of(user)
    rows = []
    if user.has_perm("proposals.see_moderation_queue"):
        rows.append(
            (
                _("Ideas and comments to moderate"),
                moderation_queue_size(user),
                reverse("proposals:moderation_queue"),
            )
        )
    if user.has_perm("proposals.triage_idea"):
        untriaged = (
            Idea.objects.filter(
                in_estates_where(user, *STAFF_SIDE_ROLES),
                status=Idea.Status.SUBMITTED,
                moderation=Moderation.VISIBLE,
            )
            .values("pk")[:100]
            .count()
        )
        rows.append((_("Ideas waiting for a reply"), untriaged, reverse("proposals:triage_board")))
    parties = {
        party
        for role, party in SIGNING_PARTIES.items()
        if roles.estates_where(role) or (role == Role.CAPTAIN and roles.captain_grants)
    }
    if parties:
        signing = roles.estates_where(Role.PARTY_BRANCH, Role.PROPERTY_STAFF) | {
            grant.community_id for grant in roles.captain_grants
        }
        # The resolution's current text, and whether a party of the reader has signed it.
        # Two levels down (deliberation → sign-off → version): OuterRef(OuterRef) reaches
        # the deliberation; a single OuterRef would be the sign-off's own pk.
        current = ResolutionVersion.objects.filter(
            resolution__deliberation=OuterRef(OuterRef("pk"))
        ).order_by("-number")
        signed = SignOff.objects.filter(
            version=Subquery(current.values("pk")[:1]), party__in=parties
        )
        proposed = (
            deliberations_visible_to(user)
            .filter(community_id__in=signing, status=Deliberation.Status.RESOLUTION_PROPOSED)
            .exclude(Exists(signed))
            .count()
        )
        rows.append(
            (
                _("Resolutions waiting for your sign-off"),
                proposed,
                f"{reverse('proposals:deliberation_list')}?status="
                f"{Deliberation.Status.RESOLUTION_PROPOSED}",
            )
        )
    if not rows:
        return None
    return Panel(
        template="proposals/_home_waiting.html",
        context={"rows": rows, "total": sum(count for _label, count, _url in rows)},
        order=10,
        name="proposals_waiting",
    )


def open_votes(*, request, since) -> Panel | None:
    """Open owners' votes with one of the reader's verified-owner units on the roll,
    those they have not voted in first."""
    user = request.user
    if not roles_of(user).has_verified_membership or not user.has_perm("proposals.browse_votes"):
        return None
    owned = Membership.objects.filter(
        user=user, relation=Membership.Relation.OWNER, status=Membership.Status.VERIFIED
    ).values("household_id")
    votes = list(
        votes_visible_to(user)
        .filter(
            status=OwnersVote.Status.OPEN,
            closes_at__gt=timezone.now(),
            pk__in=VoteRollEntry.objects.filter(household_id__in=owned).values("vote_id"),
        )
        .annotate(voted=Exists(Ballot.objects.filter(vote=OuterRef("pk"), household_id__in=owned)))
        .order_by("voted", "closes_at", "pk")[:SHOWN]
    )
    if not votes:
        return None
    for vote in votes:
        vote.is_new = _is_new(vote.opens_at, since)
    return Panel(
        template="proposals/_home_votes.html",
        context={"votes": votes, "has_new": any(v.is_new for v in votes)},
        order=20,
        name="proposals_votes",
    )


def my_ideas(*, request, since) -> Panel | None:
    """The reader's ideas and those they support, most recently active first: a reply,
    a comment or a status change brings one to the top and marks it new."""
    user = request.user
    if not user.has_perm("proposals.browse_ideas"):
        return None
    supported = Support.objects.filter(user=user).values("idea_id")
    ideas = list(
        ideas_visible_to(user)
        .filter(Q(author=user) | Q(pk__in=supported))
        .exclude(status=Idea.Status.WITHDRAWN)
        .only("title", "status", "comment_count", "author", "last_activity_at", "status_changed_at")
        .order_by("-last_activity_at", "-pk")[:SHOWN]
    )
    if not ideas:
        return None
    for idea in ideas:
        idea.is_mine = idea.author_id == user.pk
        idea.is_new = _is_new(idea.last_activity_at, since) or _is_new(
            idea.status_changed_at, since
        )
    return Panel(
        template="proposals/_home_ideas.html",
        context={"ideas": ideas, "has_new": any(i.is_new for i in ideas)},
        order=40,
        name="proposals_ideas",
    )


def followed_deliberations(*, request, since) -> Panel | None:
    """Deliberations the reader represents a party in or has posted in, still running."""
    user = request.user
    if not user.has_perm("proposals.browse_deliberations"):
        return None
    deliberations = list(
        deliberations_visible_to(user)
        .filter(Q(representatives__user=user) | Q(posts__author=user))
        .exclude(status__in=[Deliberation.Status.RESOLVED, Deliberation.Status.CLOSED])
        .distinct()
        .order_by("-status_changed_at", "-pk")[:SHOWN]
    )
    if not deliberations:
        return None
    for deliberation in deliberations:
        deliberation.is_new = _is_new(deliberation.status_changed_at, since)
    return Panel(
        template="proposals/_home_deliberations.html",
        context={
            "deliberations": deliberations,
            "has_new": any(d.is_new for d in deliberations),
        },
        order=60,
        name="proposals_deliberations",
    )
