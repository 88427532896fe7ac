"""What golden ideas tell people, through the notices app.

Kinds are registered once (`register_kinds`, from the app's ready()); the `tell_*`
functions are called by the services inside their transaction, and notices writes the
notifications in bulk and mails them after commit. Texts are rendered in the reader's
language from stored facts (titles, statuses), never stored as sentences.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy

from covenant.models import Membership, Role, RoleGrant, User
from proposals.models import Ballot, Comment, Idea, OwnersVote

STATUS_CHANGED = "proposals.status_changed"
PUBLIC_REPLY = "proposals.public_reply"
COMMENT = "proposals.comment"
REPLY = "proposals.reply"
MODERATED = "proposals.moderated"
MERGED = "proposals.merged"
NEEDS_MODERATION = "proposals.needs_moderation"
IDEA_TAKEN_UP = "proposals.idea_taken_up"
SIGN_OFF_AWAITED = "proposals.sign_off_awaited"
RESOLUTION_ADOPTED = "proposals.resolution_adopted"
MEETING_SCHEDULED = "proposals.meeting_scheduled"
VOTE_OPENED = "proposals.vote_opened"
VOTE_RESULTS = "proposals.vote_results"


def _status_label(code: str) -> str:
    try:
        return str(Idea.Status(code).label)
    except ValueError:
        return code


def register_kinds() -> None:
    from notices.kinds import NotificationKind, register, register_actor_namer, says
    from notices.models import EmailMode

    # Whatever the kind, a notification about an idea or a comment names its actor as
    # the reader may see them.
    register_actor_namer("proposals.idea", _actor_as_seen_by)
    register_actor_namer("proposals.comment", _actor_as_seen_by)

    # Every kind names its actor as the reader may see them: an idea's author who hid
    # their name is never named to a resident, in the inbox or in mail.

    register(
        NotificationKind(
            actor_as_seen_by=_actor_as_seen_by,
            key=STATUS_CHANGED,
            label=gettext_lazy("A status change on an idea I wrote or support"),
            default_email=EmailMode.IMMEDIATELY,
            render=says(
                gettext_lazy("“%(title)s” is now: %(status)s"),
                status=lambda context: _status_label(context["status"]),
            ),
        )
    )
    register(
        NotificationKind(
            actor_as_seen_by=_actor_as_seen_by,
            key=PUBLIC_REPLY,
            label=gettext_lazy("A public reply on an idea I wrote or support"),
            default_email=EmailMode.DAILY,
            render=says(gettext_lazy("%(actor)s replied publicly to “%(title)s”")),
        )
    )
    register(
        NotificationKind(
            actor_as_seen_by=_actor_as_seen_by,
            key=COMMENT,
            label=gettext_lazy("A comment on my idea"),
            default_email=EmailMode.DAILY,
            render=says(gettext_lazy("%(actor)s commented on your idea “%(title)s”")),
        )
    )
    register(
        NotificationKind(
            actor_as_seen_by=_actor_as_seen_by,
            key=REPLY,
            label=gettext_lazy("A reply to my comment"),
            default_email=EmailMode.DAILY,
            render=says(gettext_lazy("%(actor)s replied to your comment on “%(title)s”")),
        )
    )
    register(
        NotificationKind(
            actor_as_seen_by=_actor_as_seen_by,
            key=MODERATED,
            label=gettext_lazy("A moderator hid something I wrote"),
            default_email=EmailMode.IMMEDIATELY,
            render=says(gettext_lazy("A moderator hid what you wrote on “%(title)s”: %(reason)s")),
        )
    )
    register(
        NotificationKind(
            actor_as_seen_by=_actor_as_seen_by,
            key=MERGED,
            label=gettext_lazy("My idea merged into another"),
            default_email=EmailMode.IMMEDIATELY,
            render=says(
                gettext_lazy(
                    "Your idea “%(title)s” was merged into “%(original)s”; "
                    "your support counts there"
                )
            ),
        )
    )
    register(
        NotificationKind(
            actor_as_seen_by=_actor_as_seen_by,
            key=NEEDS_MODERATION,
            label=gettext_lazy("Ideas and comments waiting in my moderation queue"),
            default_email=EmailMode.DAILY,
            for_deciders=True,
            render=says(gettext_lazy("Waiting in your moderation queue: “%(title)s”")),
        )
    )
    register(
        NotificationKind(
            actor_as_seen_by=_actor_as_seen_by,
            key=IDEA_TAKEN_UP,
            label=gettext_lazy("An idea I wrote or support is taken up in a deliberation"),
            default_email=EmailMode.IMMEDIATELY,
            render=says(
                gettext_lazy("“%(title)s” is taken up in the three-party deliberation “%(topic)s”")
            ),
        )
    )
    register(
        NotificationKind(
            actor_as_seen_by=_actor_as_seen_by,
            key=SIGN_OFF_AWAITED,
            label=gettext_lazy("A resolution awaits my party's sign-off"),
            default_email=EmailMode.IMMEDIATELY,
            render=says(gettext_lazy("The resolution of “%(topic)s” awaits your party's sign-off")),
        )
    )
    register(
        NotificationKind(
            actor_as_seen_by=_actor_as_seen_by,
            key=RESOLUTION_ADOPTED,
            label=gettext_lazy("A resolution adopted on an idea I wrote or support"),
            default_email=EmailMode.IMMEDIATELY,
            render=says(gettext_lazy("The three parties adopted the resolution of “%(topic)s”")),
        )
    )
    register(
        NotificationKind(
            actor_as_seen_by=_actor_as_seen_by,
            key=MEETING_SCHEDULED,
            label=gettext_lazy("A meeting of a deliberation I represent a party in"),
            default_email=EmailMode.IMMEDIATELY,
            render=says(
                gettext_lazy("Meeting on “%(topic)s”: %(starts_at)s, %(place)s"),
                starts_at=lambda context: _local_time(context["starts_at"]),
            ),
        )
    )
    register(
        NotificationKind(
            actor_as_seen_by=_actor_as_seen_by,
            key=VOTE_OPENED,
            label=gettext_lazy("An owners' vote opened"),
            default_email=EmailMode.IMMEDIATELY,
            render=says(gettext_lazy("Owners' vote open until %(closes)s: “%(title)s”")),
        )
    )
    register(
        NotificationKind(
            actor_as_seen_by=_actor_as_seen_by,
            key=VOTE_RESULTS,
            label=gettext_lazy("The result of an owners' vote my household took part in"),
            default_email=EmailMode.IMMEDIATELY,
            render=says(gettext_lazy("The result of the owners' vote “%(title)s” is out")),
        )
    )


# The kinds whose actor wrote a comment: its author is named as on the page's comment.
COMMENT_KINDS = {COMMENT, REPLY}


def _about(idea: Idea, actor: User | None = None) -> dict:
    """What naming the actor needs, stored with the notification so that its text is
    rendered for each reader without a query: whether the actor is the idea's author, and
    whether and where that author hid their name (never who they are)."""
    return {
        "idea": idea.pk,
        "by_author": actor is not None and actor.pk == idea.author_id,
        "hide_name": idea.hide_name,
        "community": idea.community_id,
        "building": idea.building_id,
        "floor": idea.floor,
    }


def _idea_from(facts: dict, actor: User) -> Idea:
    return Idea(
        pk=facts["idea"],
        author_id=actor.pk if facts["by_author"] else None,
        hide_name=facts["hide_name"],
        community_id=facts["community"],
        building_id=facts["building"],
        floor=facts["floor"],
    )


def _idea_of_target(notification) -> tuple[Idea | None, bool]:
    """(the idea, whether the target is a comment) of a notification that does not say
    (one stored before `about_idea`, or another app's about an idea): one query."""
    from django.contrib.contenttypes.models import ContentType

    if not notification.target_type_id:
        return None, False
    # get_for_id is cached: a deliberation's or a vote's notification costs no query.
    model = ContentType.objects.get_for_id(notification.target_type_id).model_class()
    if model is Idea:
        return Idea.objects.filter(pk=notification.target_id).first(), False
    if model is Comment:
        comment = Comment.objects.select_related("idea").filter(pk=notification.target_id).first()
        return (comment.idea if comment is not None else None), True
    return None, False


def _actor_as_seen_by(notification, reader) -> str:
    """The notification's actor as `reader` may see them (`proposals.ideas.names`): the idea's
    author as on its page (on a comment: "the idea's author"), everyone else by name."""
    from proposals.ideas.names import person_as_seen_by

    actor = notification.actor
    facts = (notification.context or {}).get("about_idea")
    if facts:
        idea, wrote_comment = _idea_from(facts, actor), notification.kind in COMMENT_KINDS
    else:
        idea, wrote_comment = _idea_of_target(notification)
    if idea is None:
        return str(actor.display_name)
    item = Comment(idea=idea, author=actor) if wrote_comment else idea
    return person_as_seen_by(actor, idea=idea, reader=reader, item=item)


def _local_time(stored: str) -> str:
    from django.utils import formats, timezone
    from django.utils.dateparse import parse_datetime

    moment = parse_datetime(stored or "")
    if moment is None:
        return stored
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _notify(**kwargs) -> None:
    from notices.services import notify

    notify(**kwargs)


def _people_of(idea: Idea):
    """The author and every supporter of an idea, as one queryset."""
    return User.objects.filter(Q(pk=idea.author_id) | Q(idea_supports__idea=idea)).distinct()


def tell_status_changed(*, idea: Idea, actor: User) -> None:
    _notify(
        recipients=_people_of(idea),
        kind=STATUS_CHANGED,
        target=idea,
        actor=actor,
        context={"title": idea.title, "status": idea.status, "about_idea": _about(idea, actor)},
    )


def tell_public_reply(*, idea: Idea, actor: User) -> None:
    _notify(
        recipients=_people_of(idea), kind=PUBLIC_REPLY, target=idea, actor=actor,
        context={"title": idea.title, "about_idea": _about(idea, actor)},
    )  # fmt: skip


def tell_comment(*, comment: Comment) -> None:
    idea = comment.idea
    context = {"title": idea.title, "about_idea": _about(idea, comment.author)}
    _notify(
        recipients=[idea.author_id],
        kind=COMMENT,
        target=comment,
        actor=comment.author,
        context=context,
    )
    if comment.parent_id and comment.parent.author_id != idea.author_id:
        _notify(
            recipients=[comment.parent.author_id], kind=REPLY, target=comment,
            actor=comment.author, context=context,
        )  # fmt: skip


def tell_moderated(*, item: Idea | Comment, actor: User, reason: str) -> None:
    idea = item if isinstance(item, Idea) else item.idea
    _notify(
        recipients=[item.author_id], kind=MODERATED, target=idea, actor=actor,
        context={"title": idea.title, "reason": reason, "about_idea": _about(idea, actor)},
    )  # fmt: skip


def tell_merged(*, duplicate: Idea, original: Idea, actor: User) -> None:
    _notify(
        recipients=[duplicate.author_id], kind=MERGED, target=original, actor=actor,
        context={
            "title": duplicate.title, "original": original.title,
            "about_idea": _about(original, actor),
        },
    )  # fmt: skip


def moderators_of(idea: Idea):
    """Captains whose grant covers the idea's building and floor, and the estate's admins."""
    covering = Q(role=Role.CAPTAIN, building_id=idea.building_id) & (
        Q(floor_from__isnull=True) | Q(floor_from__lte=idea.floor, floor_to__gte=idea.floor)
    )
    admins = Q(role=Role.COMMUNITY_ADMIN, community_id=idea.community_id)
    grants = RoleGrant.objects.filter(
        (covering if idea.building_id else Q(pk__isnull=True)) | admins
    )
    return User.objects.filter(pk__in=grants.values("user_id"))


def tell_moderators(*, item: Idea | Comment) -> None:
    idea = item if isinstance(item, Idea) else item.idea
    _notify(
        recipients=moderators_of(idea).exclude(pk=item.author_id),
        kind=NEEDS_MODERATION,
        target=item,
        url=_queue_url(),
        context={"title": idea.title, "about_idea": _about(idea)},
    )


def _queue_url() -> str:
    from django.urls import reverse

    return reverse("proposals:moderation_queue")


# --- Deliberations -------------------------------------------------------------------


def _representatives_of(deliberation, parties=None):
    seats = deliberation.representatives.all()
    if parties is not None:
        seats = seats.filter(party__in=parties)
    return User.objects.filter(pk__in=seats.values("user_id"))


def tell_idea_taken_up(*, idea: Idea, deliberation, actor: User) -> None:
    _notify(
        recipients=_people_of(idea), kind=IDEA_TAKEN_UP, target=deliberation, actor=actor,
        context={
            "title": idea.title, "topic": deliberation.topic, "about_idea": _about(idea, actor),
        },
    )  # fmt: skip


def tell_sign_off_awaited(*, deliberation, actor: User, parties) -> None:
    _notify(
        recipients=_representatives_of(deliberation, parties), kind=SIGN_OFF_AWAITED,
        target=deliberation, actor=actor, context={"topic": deliberation.topic},
    )  # fmt: skip


def tell_resolution_adopted(*, deliberation, ideas: list[Idea], actor: User) -> None:
    people = User.objects.filter(
        Q(pk__in=[idea.author_id for idea in ideas])
        | Q(idea_supports__idea__in=ideas)
        | Q(deliberation_seats__deliberation=deliberation)
    ).distinct()
    _notify(
        recipients=people, kind=RESOLUTION_ADOPTED, target=deliberation, actor=actor,
        context={"topic": deliberation.topic},
    )  # fmt: skip


def tell_meeting_scheduled(*, meeting, actor: User) -> None:
    deliberation = meeting.deliberation
    _notify(
        recipients=_representatives_of(deliberation), kind=MEETING_SCHEDULED,
        target=deliberation, actor=actor,
        context={
            "topic": deliberation.topic, "starts_at": meeting.starts_at.isoformat(),
            "place": meeting.place,
        },
    )  # fmt: skip


def _verified_owners(households) -> Q:
    return Q(
        memberships__household__in=households,
        memberships__relation=Membership.Relation.OWNER,
        memberships__status=Membership.Status.VERIFIED,
    )


def tell_vote_opened(*, vote: OwnersVote, actor: User) -> None:
    """Every verified owner of the estate, urgently: a vote must reach every household,
    so the mail goes at once whatever their settings say."""
    from django.utils import timezone

    households = vote.roll.values("household_id")
    closes = timezone.localtime(vote.closes_at).strftime("%Y-%m-%d %H:%M")
    _notify(
        recipients=User.objects.filter(_verified_owners(households)),
        kind=VOTE_OPENED, target=vote, actor=actor, urgent=True,
        context={"title": vote.title, "closes": closes},
    )  # fmt: skip


def tell_vote_results(*, vote: OwnersVote) -> None:
    """The verified owners of every household that took part."""
    from django.urls import reverse

    households = Ballot.objects.filter(vote=vote).values("household_id")
    _notify(
        recipients=User.objects.filter(_verified_owners(households)),
        kind=VOTE_RESULTS, target=vote, url=reverse("votes:vote_result", args=[vote.pk]),
        context={"title": vote.title},
    )  # fmt: skip
