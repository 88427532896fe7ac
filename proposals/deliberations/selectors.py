"""Reads of three-party deliberations, with visibility applied."""

from __future__ import annotations

from django.db.models import (
    Count,
    Prefetch,
    QuerySet,
)
from django.utils import timezone

from covenant.models import Party, Role, RoleGrant, User
from covenant.pagination import KeysetPage, keyset_paginate
from proposals.ideas import search
from proposals.ideas.selectors import OPEN_STATUSES, ideas_visible_to, in_estates_of
from proposals.models import (
    ActionItem,
    Category,
    Deliberation,
    DeliberationPost,
    Idea,
    Meeting,
    Moderation,
    Representative,
    ResolutionVersion,
)
from proposals.votes.selectors import result_of_counted, votes_visible_to, with_counts

# --- Deliberations -------------------------------------------------------------------

DELIBERATIONS_PER_PAGE = 20
POSTS_PER_PAGE = 30
IDEAS_FOR_LINKING = 100
ROLE_OF_PARTY = {
    Party.PARTY_BRANCH: Role.PARTY_BRANCH,
    Party.RESIDENTS: Role.CAPTAIN,
    Party.PROPERTY: Role.PROPERTY_STAFF,
}


def deliberations_visible_to(user: User, *, listed: bool = True) -> QuerySet[Deliberation]:
    """The list counterpart of `proposals.read_deliberation`: every deliberation of the
    listed estates (all the user's, for a page), for verified residents and the estate's
    role holders."""
    if not user.has_perm("proposals.browse_deliberations"):
        return Deliberation.objects.none()
    return Deliberation.objects.filter(in_estates_of(user, listed=listed))


def deliberation_page(*, user: User, status: str = "", cursor: str | None) -> KeysetPage:
    deliberations = deliberations_visible_to(user).annotate(linked_ideas=Count("ideas"))
    if status in Deliberation.Status.values:
        deliberations = deliberations.filter(status=status)
    return keyset_paginate(
        deliberations, ordering=("-created_at", "-id"), cursor=cursor,
        per_page=DELIBERATIONS_PER_PAGE,
    )  # fmt: skip


def _thread(deliberation: Deliberation, kinds: list[str], cursor: str | None) -> KeysetPage:
    return keyset_paginate(
        DeliberationPost.objects.filter(deliberation=deliberation, kind__in=kinds).select_related(
            "author", "building"
        ),
        ordering=("created_at", "id"),
        cursor=cursor,
        per_page=POSTS_PER_PAGE,
    )


def representatives_thread(*, deliberation: Deliberation, cursor: str | None = None) -> KeysetPage:
    return _thread(deliberation, [DeliberationPost.Kind.REPRESENTATIVE], cursor)


def residents_thread(*, deliberation: Deliberation, cursor: str | None = None) -> KeysetPage:
    kinds = [DeliberationPost.Kind.RESIDENT, DeliberationPost.Kind.BUILDING_POINT]
    return _thread(deliberation, kinds, cursor)


def _with_resolution(deliberations: QuerySet[Deliberation]) -> QuerySet[Deliberation]:
    return deliberations.select_related("resolution").prefetch_related(
        Prefetch(
            "resolution__versions",
            queryset=ResolutionVersion.objects.select_related("written_by").prefetch_related(
                "sign_offs__signed_by"
            ),
        ),
        Prefetch(
            "resolution__action_items",
            queryset=ActionItem.objects.select_related("owner"),
        ),
    )


def deliberation_for_detail(
    *,
    user: User,
    deliberation_id: int,
    thread_after: str | None = None,
    residents_after: str | None = None,
) -> Deliberation | None:
    """The deliberation with everything its page shows, in a fixed number of queries (of
    any estate of the user's: a link opens whichever estate they work in)."""
    deliberation = (
        _with_resolution(deliberations_visible_to(user, listed=False))
        .select_related("opened_by")
        .prefetch_related(
            Prefetch("representatives", queryset=Representative.objects.select_related("user")),
            Prefetch(
                "meetings",
                queryset=Meeting.objects.select_related("minutes_recorded_by").prefetch_related(
                    "attendance"
                ),
            ),
            Prefetch(
                "owners_votes",
                queryset=with_counts(votes_visible_to(user, listed=False)).order_by(
                    "-closes_at", "-pk"
                ),
                to_attr="linked_votes",
            ),
        )
        .filter(pk=deliberation_id)
        .first()
    )
    if deliberation is None:
        return None
    deliberation.linked_ideas = list(
        deliberation.ideas.filter(moderation=Moderation.VISIBLE)
        .select_related("category", "building")
        .order_by("-support_count", "-id")
    )
    deliberation.thread_page = representatives_thread(
        deliberation=deliberation, cursor=thread_after
    )
    deliberation.residents_page = residents_thread(
        deliberation=deliberation, cursor=residents_after
    )
    deliberation.history = list(deliberation.status_changes.select_related("actor"))
    for vote in deliberation.linked_votes:
        vote.result = result_of_counted(vote)
    _describe(deliberation)
    return deliberation


def _describe(deliberation: Deliberation) -> None:
    """Attach the resolution's current text, older versions and sign-offs by party."""
    resolution = getattr(deliberation, "resolution", None)
    deliberation.current_resolution = resolution
    if resolution is None:
        return
    versions = list(resolution.versions.all())  # newest first
    resolution.current = versions[0] if versions else None
    resolution.older_versions = versions[1:]
    resolution.items = list(resolution.action_items.all())
    sign_offs = {s.party: s for s in resolution.current.sign_offs.all()} if versions else {}
    resolution.by_party = [(party, label, sign_offs.get(party)) for party, label in Party.choices]
    resolution.awaiting = [label for party, label, s in resolution.by_party if s is None]


def upcoming_meeting(deliberation: Deliberation):
    now = timezone.now()
    return next((m for m in deliberation.meetings.all() if m.starts_at >= now), None)


def public_record_page(*, user: User, cursor: str | None) -> KeysetPage:
    """Every deliberation of the user's estates with its resolution and action items."""
    page = keyset_paginate(
        _with_resolution(deliberations_visible_to(user)),
        ordering=("-created_at", "-id"),
        cursor=cursor,
        per_page=DELIBERATIONS_PER_PAGE,
    )
    for deliberation in page.items:
        _describe(deliberation)
    return page


def ideas_for_linking(
    *, user: User, deliberation: Deliberation, category: Category | None, query: str
) -> QuerySet[Idea]:
    """Open, public ideas of the deliberation's estate not linked yet, matching the filters.
    Done, declined and withdrawn ideas are settled: a deliberation does not reopen them."""
    ideas = (
        ideas_visible_to(user)
        .filter(
            community_id=deliberation.community_id,
            moderation=Moderation.VISIBLE,
            duplicate_of__isnull=True,
            status__in=OPEN_STATUSES,
        )
        .exclude(deliberations=deliberation)
    )
    if category is not None:
        ideas = ideas.filter(category=category)
    if query.strip():
        ideas = search.filter_by_keywords(ideas, query)
    return ideas.select_related("category", "building").order_by("-support_count", "-id")


def representative_candidates(*, deliberation: Deliberation, party: str) -> QuerySet[User]:
    """People holding the party's role in the deliberation's estate."""
    grants = RoleGrant.objects.filter(
        community_id=deliberation.community_id, role=ROLE_OF_PARTY[party]
    )
    return User.objects.filter(is_active=True, pk__in=grants.values("user_id")).order_by("name")
