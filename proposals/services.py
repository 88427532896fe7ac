"""Every change to golden ideas: submitting, supporting, discussing, moderating, triaging.

Views check permissions; these functions keep the invariants: counters stay right under
concurrent requests, status changes follow the allowed transitions and leave a public
timeline entry, moderation leaves an audit entry, and photos are processed after commit.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from covenant.models import Building, Community, Household, Membership, Party, Role, User
from covenant.rules import is_estate_participant, parties_represented_by, roles_of
from covenant.uploads import store_in_quarantine
from proposals import notifications, search, selectors, themes
from proposals.models import (
    ActionItem,
    Ballot,
    Campaign,
    Category,
    Comment,
    Deliberation,
    DeliberationPost,
    DeliberationStatusChange,
    Idea,
    IdeaBoxSettings,
    IdeaPhoto,
    Meeting,
    MeetingAttendance,
    Moderation,
    ModerationAction,
    OpenDataLink,
    OwnersVote,
    Priority,
    ProgressEntry,
    Report,
    Representative,
    Resolution,
    ResolutionVersion,
    SignOff,
    StaffNote,
    Support,
    Theme,
    ThemeEdit,
    ThemeMembership,
    TimelineEntry,
    TriageChange,
    VoteRollEntry,
)

logger = logging.getLogger(__name__)

Status = Idea.Status
Action = ModerationAction.Action
THEME_BATCH_SIZE = 2000

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.SUBMITTED: {Status.ACCEPTED, Status.DECLINED, Status.REFERRED, Status.WITHDRAWN},
    Status.ACCEPTED: {
        Status.IN_PROGRESS,
        Status.DONE,
        Status.DECLINED,
        Status.REFERRED,
        Status.WITHDRAWN,
    },
    Status.IN_PROGRESS: {Status.DONE, Status.DECLINED, Status.REFERRED},
    Status.REFERRED: {Status.ACCEPTED, Status.IN_PROGRESS, Status.DONE, Status.DECLINED},
    Status.DONE: {Status.IN_PROGRESS},
    Status.DECLINED: {Status.ACCEPTED},
    Status.WITHDRAWN: set(),
}

AUTO_HIDE_AFTER_REPORTS = 3
STAFF_ROLES = {Role.PROPERTY_STAFF, Role.PARTY_BRANCH, Role.COMMUNITY_ADMIN}


# --- Submitting ----------------------------------------------------------------------


def premoderation_is_on(community) -> bool:
    return IdeaBoxSettings.objects.filter(community=community, premoderation=True).exists()


def submit_idea(
    *,
    author: User,
    title: str,
    body: str,
    category: Category,
    hide_name: bool = False,
    campaign: Campaign | None = None,
    photos: Sequence[UploadedFile] = (),
    recorded_by: User | None = None,
    household: Household | None = None,
    resident_name: str = "",
) -> Idea:
    """File a new idea in the estate of the author's household (`selectors.filing_place`),
    or of the household a captain records it for; building and floor come from it."""
    if household is not None:
        community_id = household.building.community_id
    elif recorded_by is not None:
        raise ValidationError(_("This resident has no verified household yet."))
    else:
        community_id, household = selectors.filing_place(author)
        if community_id is None:
            raise ValidationError(
                _("Only residents and the estate's role holders can submit ideas.")
            )
    if campaign is not None and campaign.community_id != community_id:
        raise ValidationError(_("This campaign is another estate's."))
    if campaign is not None and not campaign.is_open():
        raise ValidationError(_("This campaign is closed; the idea goes to the standing idea box."))
    now = timezone.now()
    with transaction.atomic():
        idea = Idea.objects.create(
            community_id=community_id,
            campaign=campaign,
            category=category,
            title=title.strip(),
            body=body.strip(),
            author=author,
            recorded_by=recorded_by,
            resident_name=resident_name.strip(),
            household=household,
            building=household.building if household else None,
            floor=household.floor if household else None,
            hide_name=hide_name,
            moderation=(
                Moderation.PENDING if premoderation_is_on(community_id) else Moderation.VISIBLE
            ),
            search_tokens=search.search_tokens_for(title, body),
            created_at=now,
            status_changed_at=now,
            last_activity_at=now,
        )
        attach_photos(idea=idea, photos=photos)
        if idea.moderation == Moderation.PENDING:
            notifications.tell_moderators(item=idea)
    logger.info("idea %s submitted by user %s", idea.pk, author.pk)
    return idea


def attach_photos(*, idea: Idea, photos: Sequence[UploadedFile]) -> list[IdeaPhoto]:
    """Quarantine the (already validated) uploads and process them after commit."""
    from proposals.tasks import enqueue_photo

    start = idea.photos.count()
    created = []
    for offset, upload in enumerate(photos):
        photo = IdeaPhoto.objects.create(
            idea=idea,
            position=start + offset,
            quarantined_name=store_in_quarantine(upload, folder="ideas"),
        )
        transaction.on_commit(partial(enqueue_photo, photo.pk))
        created.append(photo)
    return created


def withdraw_idea(*, idea: Idea, actor: User) -> Idea:
    if idea.duplicates.exists():
        # Merged residents' support now lives here; withdrawing would silence them.
        raise ValidationError(
            _("Other ideas were merged into this one, so it can no longer be withdrawn.")
        )
    return change_status(idea=idea, actor=actor, to_status=Status.WITHDRAWN, public_reply="")


# --- Supports ------------------------------------------------------------------------


def set_support(*, idea: Idea, user: User, supported: bool) -> int:
    """Support or stop supporting; returns the idea's support count.

    The wanted state is explicit (not a toggle), so a double click or a retried request
    cannot undo itself; the unique constraint and F() updates keep the count exact when
    the same person's requests race.
    """
    with transaction.atomic():
        if supported:
            try:
                with transaction.atomic():
                    Support.objects.create(idea=idea, user=user)
            except IntegrityError:
                pass  # already supported: another request of theirs won the race
            else:
                Idea.objects.filter(pk=idea.pk).update(
                    support_count=F("support_count") + 1, last_activity_at=timezone.now()
                )
        else:
            deleted, _ = Support.objects.filter(idea=idea, user=user).delete()
            if deleted:
                Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") - 1)
    return Idea.objects.values_list("support_count", flat=True).get(pk=idea.pk)


# --- Comments ------------------------------------------------------------------------


def add_comment(*, idea: Idea, author: User, body: str, parent: Comment | None = None) -> Comment:
    if parent is not None:
        if parent.idea_id != idea.pk:
            raise ValidationError(_("That comment belongs to another idea."))
        # One level of replies: a reply to a reply joins its parent's thread.
        if parent.parent_id is not None:
            parent = parent.parent
    moderation = (
        Moderation.PENDING if premoderation_is_on(idea.community_id) else Moderation.VISIBLE
    )
    with transaction.atomic():
        comment = Comment.objects.create(
            idea=idea, author=author, body=body.strip(), parent=parent, moderation=moderation
        )
        if moderation == Moderation.VISIBLE:
            _count_comment(idea.pk, +1)
            notifications.tell_comment(comment=comment)
        else:
            notifications.tell_moderators(item=comment)
    return comment


def _count_comment(idea_id: int, delta: int) -> None:
    Idea.objects.filter(pk=idea_id).update(
        comment_count=F("comment_count") + delta, last_activity_at=timezone.now()
    )


def edit_comment(*, comment: Comment, body: str) -> Comment:
    """Change a comment's text; under pre-moderation the new text waits for a moderator
    again, or an approved comment could be rewritten into anything."""
    with transaction.atomic():
        locked = _lock(comment)
        locked.body = body.strip()
        locked.edited_at = timezone.now()
        locked.save(update_fields=["body", "edited_at"])
        if locked.moderation == Moderation.VISIBLE and premoderation_is_on(
            locked.idea.community_id
        ):
            _set_moderation(locked, Moderation.PENDING, actor=None, action=Action.EDITED)
    return locked


# --- Reports and moderation ----------------------------------------------------------


def _is_staff_content(item: Idea | Comment) -> bool:
    """Written by the property staff, the Party branch or an admin of the item's own
    estate: a role held in another estate makes an author one more resident here."""
    community_id = _idea_of(item).community_id
    return bool(roles_of(item.author).roles_in(community_id) & STAFF_ROLES)


def report_item(
    *,
    reporter: User,
    item: Idea | Comment,
    reason: str,
    note: str = "",
) -> bool:
    """Record a report; returns False if this person had reported the item already.

    Three reports from different people of the item's estate hide it until a moderator
    decides, except content from the estate's property staff, Party branch or admins.
    Someone who takes no part in the item's estate (a role held elsewhere) cannot report.
    """
    if not is_estate_participant(reporter, _idea_of(item)):
        raise PermissionDenied(_("Only people of this estate report its ideas and comments."))
    model = type(item)
    target = {"idea": item} if isinstance(item, Idea) else {"comment": item}
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=item.pk)
        try:
            with transaction.atomic():
                Report.objects.create(reporter=reporter, reason=reason, note=note, **target)
        except IntegrityError:
            return False
        locked.report_count = F("report_count") + 1
        locked.save(update_fields=["report_count"])
        locked.refresh_from_db(fields=["report_count"])
        if isinstance(locked, Comment):
            locked.idea = item.idea
        auto_hide = (
            locked.report_count >= AUTO_HIDE_AFTER_REPORTS
            and locked.moderation == Moderation.VISIBLE
            and not _is_staff_content(locked)
        )
        if auto_hide:
            _set_moderation(locked, Moderation.AUTO_HIDDEN, actor=None, action=Action.AUTO_HIDE)
        if auto_hide or locked.report_count == 1:
            # Moderators hear of an item's first report and of it being hidden, not
            # of every further report.
            notifications.tell_moderators(item=locked)
    return True


def _idea_of(item: Idea | Comment) -> Idea:
    return item if isinstance(item, Idea) else item.idea


def _log(item: Idea | Comment, *, actor: User | None, action: str, reason: str = "") -> None:
    ModerationAction.objects.create(
        idea=_idea_of(item),
        comment=item if isinstance(item, Comment) else None,
        actor=actor,
        action=action,
        reason=reason,
    )


def _set_moderation(
    item: Idea | Comment, state: str, *, actor: User | None, action: str, reason: str = ""
) -> None:
    was_counted = item.moderation == Moderation.VISIBLE
    item.moderation = state
    item.hidden_reason = reason if state == Moderation.HIDDEN else ""
    fields = ["moderation", "hidden_reason"]
    if actor is not None:
        # A moderator's decision settles the open reports.
        item.report_count = 0
        fields.append("report_count")
        _resolve_reports(item)
    item.save(update_fields=fields)
    if isinstance(item, Comment) and was_counted != (state == Moderation.VISIBLE):
        _count_comment(item.idea_id, +1 if state == Moderation.VISIBLE else -1)
    _log(item, actor=actor, action=action, reason=reason)


def _resolve_reports(item: Idea | Comment) -> None:
    reports = item.reports.filter(resolved_at__isnull=True)
    reports.update(resolved_at=timezone.now())


def _lock(item: Idea | Comment) -> Idea | Comment:
    locked = type(item).objects.select_for_update().get(pk=item.pk)
    if isinstance(locked, Comment):
        locked.idea = item.idea
    return locked


def hide_item(*, item: Idea | Comment, actor: User, reason: str) -> None:
    if not reason.strip():
        raise ValidationError(_("Say why the item is hidden; its author will see the reason."))
    with transaction.atomic():
        locked = _lock(item)
        _set_moderation(
            locked, Moderation.HIDDEN, actor=actor, action=Action.HIDE, reason=reason.strip()
        )
        notifications.tell_moderated(item=locked, actor=actor, reason=reason.strip())


def restore_item(*, item: Idea | Comment, actor: User) -> None:
    """Make a hidden, auto-hidden or waiting item visible (approve it) and settle reports."""
    with transaction.atomic():
        locked = _lock(item)
        action = Action.APPROVE if locked.moderation == Moderation.PENDING else Action.RESTORE
        if locked.moderation == Moderation.VISIBLE:
            action = Action.DISMISS
        _set_moderation(locked, Moderation.VISIBLE, actor=actor, action=action)
        if action == Action.APPROVE and isinstance(locked, Comment):
            notifications.tell_comment(comment=locked)


def mark_duplicate(*, idea: Idea, original: Idea, actor: User, reason: str = "") -> None:
    """Merge an idea into an earlier one: its supporters, and its author, now support the
    original, each counted once."""
    if original.pk == idea.pk:
        raise ValidationError(_("An idea cannot be a duplicate of itself."))
    if original.duplicate_of_id is not None:
        raise ValidationError(
            _("That idea is itself a duplicate; choose the one it was merged into.")
        )
    with transaction.atomic():
        # Both rows, in id order, so two merges in opposite directions cannot deadlock.
        locked = {
            i.pk: i
            for i in Idea.objects.select_for_update()
            .filter(pk__in=[idea.pk, original.pk])
            .order_by("pk")
        }
        duplicate, target = locked[idea.pk], locked[original.pk]
        if duplicate.duplicate_of_id is not None:
            raise ValidationError(_("This idea has been merged already."))
        # Checked again under the lock: the original may have been hidden, withdrawn or
        # merged itself since the form was read.
        if target.duplicate_of_id is not None:
            raise ValidationError(
                _("That idea is itself a duplicate; choose the one it was merged into.")
            )
        if target.moderation != Moderation.VISIBLE or target.status == Status.WITHDRAWN:
            raise ValidationError(_("Merge only into an idea everyone can see and support."))
        supporters = set(Support.objects.filter(idea=duplicate).values_list("user_id", flat=True))
        supporters.add(duplicate.author_id)
        supporters.discard(target.author_id)
        Support.objects.bulk_create(
            [Support(idea=target, user_id=user_id) for user_id in supporters],
            ignore_conflicts=True,
        )
        target.support_count = Support.objects.filter(idea=target).count()
        target.last_activity_at = timezone.now()
        target.save(update_fields=["support_count", "last_activity_at"])
        duplicate.duplicate_of = target
        duplicate.save(update_fields=["duplicate_of"])
        # Ideas merged into this one earlier follow it, so no chain of duplicates forms.
        Idea.objects.filter(duplicate_of=duplicate).update(duplicate_of=target)
        _log(duplicate, actor=actor, action=Action.MERGE, reason=reason or f"#{target.pk}")
        notifications.tell_merged(duplicate=duplicate, original=target, actor=actor)


# --- Triage --------------------------------------------------------------------------


def change_status(
    *, idea: Idea, actor: User, to_status: str, public_reply: str = "", tell: bool = True
) -> Idea:
    """Move an idea along its workflow; a decline needs a public reason.

    `tell=False` when the caller tells the idea's people itself, in its own words (a
    deliberation taking the idea up or adopting a resolution about it).
    """
    public_reply = public_reply.strip()
    if to_status == Status.DECLINED and not public_reply:
        raise ValidationError(
            {"public_reply": _("Give residents the reason in a public reply when declining.")}
        )
    with transaction.atomic():
        locked = Idea.objects.select_for_update().get(pk=idea.pk)
        if to_status not in ALLOWED_TRANSITIONS[locked.status]:
            raise ValidationError(
                _("An idea that is “%(from)s” cannot become “%(to)s”.")
                % {"from": locked.get_status_display(), "to": Status(to_status).label}
            )
        now = timezone.now()
        TimelineEntry.objects.create(
            idea=locked,
            actor=actor,
            from_status=locked.status,
            to_status=to_status,
            public_reply=public_reply,
            created_at=now,
        )
        locked.status = to_status
        locked.status_changed_at = now
        locked.last_activity_at = now
        locked.save(update_fields=["status", "status_changed_at", "last_activity_at"])
        if tell and to_status != Status.WITHDRAWN:
            notifications.tell_status_changed(idea=locked, actor=actor)
    return locked


def post_public_reply(*, idea: Idea, actor: User, text: str) -> TimelineEntry:
    if not text.strip():
        raise ValidationError({"public_reply": _("Write the reply.")})
    with transaction.atomic():
        entry = TimelineEntry.objects.create(idea=idea, actor=actor, public_reply=text.strip())
        Idea.objects.filter(pk=idea.pk).update(last_activity_at=entry.created_at)
        notifications.tell_public_reply(idea=idea, actor=actor)
    return entry


def _shown(field: str, value) -> str:
    # Stored as shown at the time, so the history reads the same after a rename.
    if value is None:
        return ""
    if field == "priority":
        return str(Idea.Priority(value).label)
    if field == "assignee":
        return str(value.display_name)
    return str(value.label if hasattr(value, "label") else value)


def _triage_changes(idea: Idea, actor: User, changes: dict) -> list[TriageChange]:
    return [
        TriageChange(
            idea=idea,
            actor=actor,
            field=field,
            old_value=_shown(field, getattr(idea, field)),
            new_value=_shown(field, value),
        )
        for field, value in changes.items()
        if getattr(idea, field) != value
    ]


def _require_assignable(assignee: User | None, ideas: Iterable[Idea]) -> None:
    """Only the property staff and admins of an idea's own estate are assigned it."""
    if assignee is None:
        return
    elsewhere = [
        idea.pk for idea in ideas if not selectors.may_be_assigned(assignee, idea.community_id)
    ]
    if elsewhere:
        raise ValidationError(
            {
                "assignee": _("%(name)s does not work in the estate of idea %(ideas)s.")
                % {
                    "name": assignee.display_name,
                    "ideas": ", ".join(f"#{pk}" for pk in elsewhere),
                }
            }
        )


def update_triage(
    *,
    idea: Idea,
    actor: User,
    category: Category,
    priority: int,
    assignee: User | None,
) -> Idea:
    _require_assignable(assignee, [idea])
    changes = {"category": category, "priority": priority, "assignee": assignee}
    with transaction.atomic():
        TriageChange.objects.bulk_create(_triage_changes(idea, actor, changes))
        for field, value in changes.items():
            setattr(idea, field, value)
        idea.save(update_fields=list(changes))
    return idea


def triage(
    *,
    idea: Idea,
    actor: User,
    category: Category,
    priority: int,
    assignee: User | None,
    to_status: str,
    public_reply: str = "",
) -> Idea:
    """One save of the triage form: all of it, or (a refused status change) none of it."""
    with transaction.atomic():
        update_triage(
            idea=idea, actor=actor, category=category, priority=priority, assignee=assignee
        )
        if to_status != idea.status:
            idea = change_status(
                idea=idea, actor=actor, to_status=to_status, public_reply=public_reply
            )
        elif public_reply.strip():
            post_public_reply(idea=idea, actor=actor, text=public_reply)
    return idea


def add_staff_note(*, idea: Idea, author: User, body: str) -> StaffNote:
    return StaffNote.objects.create(idea=idea, author=author, body=body.strip())


def bulk_triage(
    *,
    ideas: Iterable[Idea],
    actor: User,
    category: Category | None = None,
    assignee: User | None = None,
) -> int:
    """Set the category and/or assignee of many ideas at once; returns how many changed.
    Each changed idea gets its history rows, in one INSERT."""
    changes = {}
    if category is not None:
        changes["category"] = category
    if assignee is not None:
        changes["assignee"] = assignee
    if not changes:
        return 0
    ideas = list(
        Idea.objects.filter(pk__in=[idea.pk for idea in ideas]).select_related(
            "category", "assignee"
        )
    )
    _require_assignable(assignee, ideas)
    with transaction.atomic():
        history = [row for idea in ideas for row in _triage_changes(idea, actor, changes)]
        TriageChange.objects.bulk_create(history)
        count = Idea.objects.filter(pk__in=[idea.pk for idea in ideas]).update(**changes)
    logger.info("user %s bulk-triaged %s ideas: %s", actor.pk, count, sorted(changes))
    return count


# --- Deliberations -------------------------------------------------------------------
# Every write locks the deliberation's row first, so a post, a sign-off or an edit of the
# resolution cannot slip in beside a closing or an adoption.

DStatus = Deliberation.Status

DELIBERATION_TRANSITIONS: dict[str, set[str]] = {
    DStatus.OPEN: {DStatus.IN_SESSION, DStatus.RESOLUTION_PROPOSED, DStatus.CLOSED},
    DStatus.IN_SESSION: {DStatus.RESOLUTION_PROPOSED, DStatus.CLOSED},
    DStatus.RESOLUTION_PROPOSED: {DStatus.RESOLVED, DStatus.CLOSED},
    DStatus.RESOLVED: set(),
    DStatus.CLOSED: set(),
}
# What a referred idea becomes when its deliberation's resolution is adopted: work to do
# if the resolution carries action items, a decision taken if not.
IDEA_STATUS_ON_ADOPTION = {True: Status.IN_PROGRESS, False: Status.ACCEPTED}


def _lock_deliberation(deliberation: Deliberation) -> Deliberation:
    return Deliberation.objects.select_for_update().get(pk=deliberation.pk)


def _require_posts_accepted(deliberation: Deliberation) -> None:
    if not deliberation.accepts_posts:
        raise ValidationError(_("This deliberation is over; it accepts nothing more."))


def _move_deliberation(
    deliberation: Deliberation, *, actor: User, to_status: str, reason: str = ""
) -> None:
    """Change the (locked) deliberation's status and write its history row."""
    if to_status == deliberation.status:
        return
    if to_status not in DELIBERATION_TRANSITIONS[deliberation.status]:
        raise ValidationError(
            _("A deliberation that is “%(from)s” cannot become “%(to)s”.")
            % {"from": deliberation.get_status_display(), "to": DStatus(to_status).label}
        )
    now = timezone.now()
    DeliberationStatusChange.objects.create(
        deliberation=deliberation,
        actor=actor,
        from_status=deliberation.status,
        to_status=to_status,
        reason=reason,
        created_at=now,
    )
    deliberation.status = to_status
    deliberation.status_changed_at = now
    deliberation.closing_reason = reason if to_status == DStatus.CLOSED else ""
    deliberation.save(update_fields=["status", "status_changed_at", "closing_reason"])


def open_deliberation(
    *,
    opener: User,
    community: Community,
    topic: str,
    background: str = "",
    open_to_residents: bool = True,
) -> Deliberation:
    """Open a deliberation; an opener who speaks for exactly one party takes its seat."""
    with transaction.atomic():
        deliberation = Deliberation.objects.create(
            community=community,
            topic=topic.strip(),
            background=background.strip(),
            open_to_residents=open_to_residents,
            opened_by=opener,
        )
        DeliberationStatusChange.objects.create(
            deliberation=deliberation, actor=opener, to_status=DStatus.OPEN
        )
        held = parties_represented_by(opener, community.pk)
        own_parties = [party for party in Party.values if party in held]
        if len(own_parties) == 1:
            Representative.objects.create(
                deliberation=deliberation, user=opener, party=own_parties[0], named_by=opener
            )
    logger.info("deliberation %s opened by user %s", deliberation.pk, opener.pk)
    return deliberation


def update_deliberation(
    *, deliberation: Deliberation, topic: str, background: str, open_to_residents: bool
) -> Deliberation:
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _require_posts_accepted(locked)
        locked.topic = topic.strip()
        locked.background = background.strip()
        locked.open_to_residents = open_to_residents
        locked.save(update_fields=["topic", "background", "open_to_residents"])
    return locked


def link_ideas(*, deliberation: Deliberation, ideas: Iterable[Idea], actor: User) -> int:
    """Bring ideas into the deliberation; those whose workflow allows it become "referred".

    Returns how many ideas were newly linked. Their authors and supporters hear of it once,
    in the deliberation's words, not as a bare status change.
    """
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _require_posts_accepted(locked)
        already = set(locked.ideas.values_list("pk", flat=True))
        new = [
            idea
            for idea in ideas
            if idea.pk not in already
            and idea.community_id == locked.community_id
            and idea.duplicate_of_id is None
        ]
        locked.ideas.add(*new)
        reply = _("Taken up in the deliberation [%(topic)s](%(url)s).") % {
            "topic": locked.topic,
            "url": locked.get_absolute_url(),
        }
        for idea in new:
            if Status.REFERRED in ALLOWED_TRANSITIONS[idea.status]:
                change_status(
                    idea=idea, actor=actor, to_status=Status.REFERRED, public_reply=reply,
                    tell=False,
                )  # fmt: skip
            notifications.tell_idea_taken_up(idea=idea, deliberation=locked, actor=actor)
    logger.info("user %s linked %s ideas to deliberation %s", actor.pk, len(new), locked.pk)
    return len(new)


def unlink_idea(*, deliberation: Deliberation, idea: Idea, actor: User) -> None:
    """Take an idea off a deliberation. An idea no other deliberation holds goes back to
    the status it had before it was referred, so a link made by mistake undoes cleanly."""
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _require_posts_accepted(locked)
        locked.ideas.remove(idea)
        idea = Idea.objects.select_for_update().get(pk=idea.pk)
        if idea.status != Status.REFERRED or idea.deliberations.exists():
            return
        referral = idea.timeline.filter(to_status=Status.REFERRED).order_by("-created_at", "-pk")
        previous = getattr(referral.first(), "from_status", "") or Status.SUBMITTED
        now = timezone.now()
        TimelineEntry.objects.create(
            idea=idea,
            actor=actor,
            from_status=Status.REFERRED,
            to_status=previous,
            public_reply=_("No longer taken up in the deliberation “%(topic)s”.")
            % {"topic": locked.topic},
            created_at=now,
        )
        idea.status = previous
        idea.status_changed_at = now
        idea.save(update_fields=["status", "status_changed_at"])


def name_representative(
    *, deliberation: Deliberation, user: User, party: str, actor: User
) -> Representative:
    """Seat `user` for `party`. They must hold that party's role, and sit for no other
    party here: one person cannot agree on behalf of two of the three sides. The role
    must be held in the deliberation's estate, not in another one."""
    if party not in parties_represented_by(user, deliberation.community_id):
        raise ValidationError(
            _("%(name)s does not hold a role of “%(party)s” in this estate.")
            % {"name": user.display_name, "party": Party(party).label}
        )
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _require_posts_accepted(locked)
        seats = Representative.objects.filter(deliberation=locked, user=user)
        if seats.exclude(party=party).exists():
            raise ValidationError(
                _("%(name)s already represents another party in this deliberation.")
                % {"name": user.display_name}
            )
        seat, _created = Representative.objects.get_or_create(
            deliberation=locked, user=user, party=party, defaults={"named_by": actor}
        )
    return seat


def remove_representative(*, seat: Representative) -> None:
    with transaction.atomic():
        locked = _lock_deliberation(seat.deliberation)
        _require_posts_accepted(locked)
        seat.delete()


def add_deliberation_post(
    *,
    deliberation: Deliberation,
    author: User,
    body: str,
    kind: str,
    party: str = "",
    building: Building | None = None,
) -> DeliberationPost:
    """A post in the representatives' thread (for `party`) or in the residents' section
    (a resident's post, or a captain's point from a building they look after)."""
    from proposals.rules import parties_user_may_post_for, seats_of

    Kind = DeliberationPost.Kind
    if not body.strip():
        raise ValidationError({"body": _("Write something first.")})
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _require_posts_accepted(locked)
        on_behalf = False
        if kind == Kind.REPRESENTATIVE:
            if party not in parties_user_may_post_for(author, locked):
                raise PermissionDenied(_("You do not speak for this party here."))
            on_behalf = party not in seats_of(author, locked)
            building = None
        elif kind == Kind.BUILDING_POINT:
            if building is None or not roles_of(author).captains(building.pk):
                raise PermissionDenied(_("Bring points only from a building you look after."))
            if building.community_id != locked.community_id:
                raise PermissionDenied(
                    _("Bring points only from a building of this deliberation's estate.")
                )
            party = ""
        else:
            if not locked.open_to_residents:
                raise PermissionDenied(_("This deliberation is not open to residents' posts."))
            party, building = "", None
        return DeliberationPost.objects.create(
            deliberation=locked,
            author=author,
            kind=kind,
            party=party,
            on_behalf=on_behalf,
            building=building,
            body=body.strip(),
        )


def start_session(*, deliberation: Deliberation, actor: User) -> Deliberation:
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _move_deliberation(locked, actor=actor, to_status=DStatus.IN_SESSION)
    return locked


def close_deliberation(*, deliberation: Deliberation, actor: User, reason: str) -> Deliberation:
    """Close without a resolution; every linked idea's timeline says so, with the reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the deliberation closes without a resolution.")}
        )
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _move_deliberation(locked, actor=actor, to_status=DStatus.CLOSED, reason=reason)
        note = _(
            "The deliberation [%(topic)s](%(url)s) closed without a resolution: %(reason)s"
        ) % {
            "topic": locked.topic,
            "url": locked.get_absolute_url(),
            "reason": reason,
        }
        for idea in locked.ideas.all():
            post_public_reply(idea=idea, actor=actor, text=note)
    return locked


def schedule_meeting(
    *, deliberation: Deliberation, actor: User, starts_at, place: str, agenda: str
) -> Meeting:
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _require_posts_accepted(locked)
        meeting = Meeting.objects.create(
            deliberation=locked,
            starts_at=starts_at,
            place=place.strip(),
            agenda=agenda.strip(),
            scheduled_by=actor,
        )
        notifications.tell_meeting_scheduled(meeting=meeting, actor=actor)
    return meeting


def record_minutes(
    *, meeting: Meeting, actor: User, minutes: str, attendance: dict[str, str]
) -> Meeting:
    """Write (or correct) a meeting's minutes and who attended for each party. Minutes may
    be recorded after the deliberation ended: the record of a meeting is not a new post."""
    if not minutes.strip():
        raise ValidationError({"minutes": _("Write the minutes.")})
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        locked.minutes = minutes.strip()
        locked.minutes_recorded_by = actor
        locked.minutes_recorded_at = timezone.now()
        locked.save(update_fields=["minutes", "minutes_recorded_by", "minutes_recorded_at"])
        MeetingAttendance.objects.filter(meeting=locked).delete()
        MeetingAttendance.objects.bulk_create(
            MeetingAttendance(meeting=locked, party=party, attendees=names.strip())
            for party, names in attendance.items()
            if names.strip()
        )
    return locked


def propose_resolution(*, deliberation: Deliberation, author: User, text: str) -> ResolutionVersion:
    """Propose the resolution's text, or change it: the old text stays as a version, and
    every party signs again, since they agreed to words that are no longer the proposal."""
    if not text.strip():
        raise ValidationError({"text": _("Write the text of the resolution.")})
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _require_posts_accepted(locked)
        resolution, _created = Resolution.objects.get_or_create(
            deliberation=locked, defaults={"proposed_by": author}
        )
        latest = resolution.versions.order_by("-number").first()
        if latest is not None and latest.text == text.strip():
            return latest
        version = ResolutionVersion.objects.create(
            resolution=resolution,
            number=latest.number + 1 if latest else 1,
            text=text.strip(),
            written_by=author,
        )
        _move_deliberation(locked, actor=author, to_status=DStatus.RESOLUTION_PROPOSED)
        notifications.tell_sign_off_awaited(deliberation=locked, actor=author, parties=Party.values)
    return version


def sign_resolution(
    *,
    deliberation: Deliberation,
    user: User,
    party: str,
    decision: str,
    comment: str = "",
    version_read: int | None = None,
) -> SignOff:
    """One party's answer to the current text. Adopted when all three parties agree.

    `version_read` is the version the signer was shown; if the text changed since, the
    answer is refused rather than recorded against words they did not read."""
    from proposals.rules import parties_user_may_sign_for

    if decision == SignOff.Decision.OBJECT and not comment.strip():
        raise ValidationError({"comment": _("Say what your party objects to.")})
    with transaction.atomic():
        locked = _lock_deliberation(deliberation)
        _require_posts_accepted(locked)
        if party not in parties_user_may_sign_for(user, locked):
            raise PermissionDenied(_("You do not sign for this party here."))
        resolution = Resolution.objects.filter(deliberation=locked).first()
        version = resolution.versions.order_by("-number").first() if resolution else None
        if version is None:
            raise ValidationError(_("There is no resolution to sign yet."))
        if version_read is not None and version_read != version.number:
            raise ValidationError(
                _(
                    "The text was changed while you were reading it. Read version %(number)s "
                    "and answer again."
                )
                % {"number": version.number}
            )
        sign_off, _created = SignOff.objects.update_or_create(
            version=version,
            party=party,
            defaults={
                "signed_by": user,
                "decision": decision,
                "comment": comment.strip(),
                "created_at": timezone.now(),
            },
        )
        agreeing = set(
            version.sign_offs.filter(decision=SignOff.Decision.AGREE).values_list(
                "party", flat=True
            )
        )
        if agreeing == set(Party.values):
            _adopt(locked, resolution, actor=user)
    return sign_off


def _adopt(deliberation: Deliberation, resolution: Resolution, *, actor: User) -> None:
    resolution.adopted_at = timezone.now()
    resolution.save(update_fields=["adopted_at"])
    _move_deliberation(deliberation, actor=actor, to_status=DStatus.RESOLVED)
    to_status = IDEA_STATUS_ON_ADOPTION[resolution.action_items.exists()]
    reply = _("The three parties adopted the resolution of [%(topic)s](%(url)s).") % {
        "topic": deliberation.topic,
        "url": deliberation.get_absolute_url(),
    }
    ideas = list(deliberation.ideas.all())
    for idea in ideas:
        # Only ideas still waiting on the deliberation move; one already done or declined
        # meanwhile keeps its status and just hears of the resolution.
        if idea.status == Status.REFERRED and to_status in ALLOWED_TRANSITIONS[idea.status]:
            change_status(
                idea=idea, actor=actor, to_status=to_status, public_reply=reply, tell=False
            )
        else:
            post_public_reply(idea=idea, actor=actor, text=reply)
    notifications.tell_resolution_adopted(deliberation=deliberation, ideas=ideas, actor=actor)
    logger.info("resolution of deliberation %s adopted", deliberation.pk)


def add_action_item(
    *,
    resolution: Resolution,
    title: str,
    owner_party: str,
    owner: User | None = None,
    due_on=None,
    actor: User,
) -> ActionItem:
    with transaction.atomic():
        if _lock_deliberation(resolution.deliberation).status == DStatus.CLOSED:
            raise ValidationError(
                _("This deliberation was closed without a resolution: it has nothing to carry out.")
            )
        return ActionItem.objects.create(
            resolution=resolution,
            title=title.strip(),
            owner_party=owner_party,
            owner=owner,
            due_on=due_on,
            updated_by=actor,
        )


def update_action_item(
    *, item: ActionItem, actor: User, status: str, progress_note: str
) -> ActionItem:
    with transaction.atomic():
        locked = ActionItem.objects.select_for_update().get(pk=item.pk)
        locked.status = status
        locked.progress_note = progress_note.strip()
        locked.updated_by = actor
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "progress_note", "updated_by", "updated_at"])
    return locked


def leave_deliberations(user: User) -> None:
    """What deliberations forget of a person who deletes their account (a deletion handler
    of covenant.personal_data): their seats in deliberations still running and the action
    items named after them. What they said and signed stays, as a former resident's."""
    Representative.objects.filter(
        user=user,
        deliberation__status__in=[DStatus.OPEN, DStatus.IN_SESSION, DStatus.RESOLUTION_PROPOSED],
    ).delete()
    ActionItem.objects.filter(owner=user).update(owner=None)


# --- Open data share links -------------------------------------------------------------


def create_open_data_link(*, community, label: str, actor: User) -> OpenDataLink:
    link = OpenDataLink.objects.create(community=community, label=label.strip(), created_by=actor)
    logger.info("user %s shared open data of estate %s as link %s", actor.pk, community.pk, link.pk)
    return link


def revoke_open_data_link(*, link: OpenDataLink, actor: User) -> OpenDataLink:
    """Stop a link; revoking twice keeps the first revocation's time and person."""
    with transaction.atomic():
        # Locked so that two admins revoking at once record one revocation, not two.
        locked = OpenDataLink.objects.select_for_update().get(pk=link.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.revoked_by = actor
            locked.save(update_fields=["revoked_at", "revoked_by"])
    return locked


def record_open_data_use(*, link: OpenDataLink) -> None:
    OpenDataLink.objects.filter(pk=link.pk).update(
        last_used_at=timezone.now(), use_count=F("use_count") + 1
    )


# --- Owners' votes (业主表决) -----------------------------------------------------------


def _check_deliberation_of_estate(deliberation, community_id: int) -> None:
    if deliberation is not None and deliberation.community_id != community_id:
        raise ValidationError(_("A vote can only come from a deliberation of its own estate."))


def create_vote(
    *,
    community,
    title: str,
    question: str,
    matter: str,
    closes_at,
    created_by: User,
    deliberation=None,
) -> OwnersVote:
    """A draft; nobody but the admins sees it until it is opened."""
    _check_deliberation_of_estate(deliberation, community.pk)
    vote = OwnersVote.objects.create(
        community=community,
        title=title.strip(),
        question=question.strip(),
        matter=matter,
        closes_at=closes_at,
        created_by=created_by,
        deliberation=deliberation,
    )
    logger.info("owners' vote %s drafted by user %s", vote.pk, created_by.pk)
    return vote


def edit_vote(
    *, vote_id: int, title: str, question: str, matter: str, closes_at, deliberation=None
) -> OwnersVote:
    with transaction.atomic():
        vote = OwnersVote.objects.select_for_update().get(pk=vote_id)
        if vote.status != OwnersVote.Status.DRAFT:
            raise ValidationError(_("An opened vote can no longer be edited."))
        _check_deliberation_of_estate(deliberation, vote.community_id)
        vote.title, vote.question = title.strip(), question.strip()
        vote.matter, vote.closes_at = matter, closes_at
        vote.deliberation = deliberation
        vote.save(update_fields=["title", "question", "matter", "closes_at", "deliberation"])
    return vote


def open_vote(*, vote_id: int, actor: User) -> OwnersVote:
    """Open a draft: the estate's households and their floor areas become the vote's
    roll, fixed from now on, and every verified owner is told."""
    with transaction.atomic():
        # Locked so that two admins opening at once write one roll.
        vote = OwnersVote.objects.select_for_update().get(pk=vote_id)
        if vote.status != OwnersVote.Status.DRAFT:
            raise ValidationError(_("This vote has been opened already."))
        now = timezone.now()
        if vote.closes_at <= now:
            raise ValidationError(_("Set a closing time in the future before opening the vote."))
        households = list(
            Household.objects.filter(building__community_id=vote.community_id).values_list(
                "pk", "floor_area"
            )
        )
        if not households:
            raise ValidationError(_("The estate has no households to vote."))
        VoteRollEntry.objects.bulk_create(
            [VoteRollEntry(vote=vote, household_id=pk, floor_area=area) for pk, area in households],
            batch_size=1000,
        )
        vote.electorate_households = len(households)
        vote.electorate_area = sum((area for _pk, area in households), Decimal(0))
        vote.status, vote.opens_at = OwnersVote.Status.OPEN, now
        vote.save(update_fields=["status", "opens_at", "electorate_households", "electorate_area"])
        notifications.tell_vote_opened(vote=vote, actor=actor)
    logger.info(
        "owners' vote %s opened by user %s: %s households", vote.pk, actor.pk, len(households)
    )
    return vote


def close_vote(*, vote_id: int, actor: User | None = None) -> bool:
    """Close an open vote: at its closing time (actor None, from the beat task) or early
    by an admin. Returns False if there was nothing to close. The participants are told
    the result once: the row lock and the status make a second call do nothing."""
    with transaction.atomic():
        vote = OwnersVote.objects.select_for_update().get(pk=vote_id)
        now = timezone.now()
        if vote.status != OwnersVote.Status.OPEN:
            return False
        if actor is None and vote.closes_at > now:
            return False
        vote.status = OwnersVote.Status.CLOSED
        vote.closed_at = min(now, vote.closes_at)
        vote.save(update_fields=["status", "closed_at"])
        notifications.tell_vote_results(vote=vote)
    logger.info("owners' vote %s closed by %s", vote.pk, actor.pk if actor else "its closing time")
    return True


def close_due_votes() -> int:
    due = OwnersVote.objects.filter(
        status=OwnersVote.Status.OPEN, closes_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    return sum(close_vote(vote_id=pk) for pk in list(due))


def cast_ballot(*, vote: OwnersVote, household: Household, user: User, choice: str) -> Ballot:
    """The household's vote, cast or cast again by one of its verified owners."""
    is_owner = Membership.objects.filter(
        user=user,
        household=household,
        relation=Membership.Relation.OWNER,
        status=Membership.Status.VERIFIED,
    ).exists()
    if not is_owner:
        raise PermissionDenied(_("Only a verified owner of this unit can vote for it."))
    return _record_ballot(vote, household, choice=choice, cast_by=user, on_paper=False)


def record_paper_ballot(
    *, vote: OwnersVote, household: Household, choice: str, recorded_by: User
) -> Ballot:
    """A paper ballot collected at the door, entered by an admin (who checked it was
    signed by an owner). It never replaces a ballot the household cast online."""
    return _record_ballot(vote, household, choice=choice, cast_by=recorded_by, on_paper=True)


def _record_ballot(
    vote: OwnersVote, household: Household, *, choice: str, cast_by: User, on_paper: bool
) -> Ballot:
    if choice not in Ballot.Choice.values:
        raise ValidationError(_("Choose agree, object or abstain."))
    with transaction.atomic():
        # Ballots and the closing take turns on the vote's row: no ballot is counted
        # or changed once the vote has closed.
        vote = OwnersVote.objects.select_for_update().get(pk=vote.pk)
        now = timezone.now()
        if vote.state_at(now) != OwnersVote.Status.OPEN:
            raise ValidationError(
                _("This vote is not open: ballots can no longer be changed."), code="vote_not_open"
            )
        entry = VoteRollEntry.objects.filter(vote=vote, household=household).first()
        if entry is None:
            raise ValidationError(_("This unit was not on the roll when the vote opened."))
        ballot = Ballot.objects.filter(vote=vote, household=household).first()
        if ballot is None:
            ballot = Ballot.objects.create(
                vote=vote, household=household, floor_area=entry.floor_area, choice=choice,
                cast_by=cast_by, on_paper=on_paper, first_cast_at=now, cast_at=now,
            )  # fmt: skip
        else:
            if on_paper and not ballot.on_paper:
                raise ValidationError(_("This unit has voted online; its online ballot stands."))
            ballot.choice, ballot.cast_by, ballot.on_paper = choice, cast_by, on_paper
            ballot.cast_at, ballot.change_count = now, ballot.change_count + 1
            ballot.save(update_fields=["choice", "cast_by", "on_paper", "cast_at", "change_count"])
    logger.info("ballot on vote %s for household %s by user %s", vote.pk, household.pk, cast_by.pk)
    return ballot


# --- Themes and priority work (issue 7) ------------------------------------------------


@dataclass(frozen=True)
class _Corpus:
    """The estate's counted ideas as the grouping sees them."""

    documents: list[themes.Document]
    vectors: dict[int, themes.Vector]

    @cached_property
    def words(self) -> dict[int, tuple[str, ...]]:
        return {document.id: document.words for document in self.documents}

    @cached_property
    def supports(self) -> dict[int, int]:
        return {document.id: document.supports for document in self.documents}


def _corpus(community: Community) -> _Corpus:
    rows = (
        Idea.objects.filter(selectors.counted_in_themes(), community=community)
        .order_by("pk")
        .values_list("pk", "category_id", "title", "body", "support_count")
    )
    documents = [
        themes.Document(pk, category_id, themes.words_of(f"{title}\n{body}"), supports)
        for pk, category_id, title, body, supports in rows
    ]
    return _Corpus(documents, themes.vectorise(documents))


def _lock_estate(community: Community) -> None:
    # Regroupings and staff edits of one estate take turns: a move committed while a
    # regrouping runs would otherwise be lost when it rewrites the unpinned memberships.
    Community.objects.select_for_update().filter(pk=community.pk).first()


def _describe(
    corpus: _Corpus, members_by_theme: dict[int, list[ThemeMembership]], themes_by_id
) -> None:
    """Keywords, automatic names, closeness and ranks of the given themes, in memory."""
    for theme_id, memberships in members_by_theme.items():
        theme = themes_by_id[theme_id]
        counted = [m for m in memberships if m.idea_id in corpus.vectors]
        if not counted:
            continue
        description = themes.describe([m.idea_id for m in counted], corpus.vectors, corpus.words)
        theme.keywords = " ".join(description.keywords)
        theme.shared_keywords = " ".join(description.shared)
        if not theme.named_by_staff:
            theme.name = (description.name or theme.category.name)[:60]
        for membership in counted:
            membership.centrality = description.centrality[membership.idea_id]
        counted.sort(
            key=lambda m: (-m.centrality, -corpus.supports[m.idea_id], m.idea_id),
        )
        for rank, membership in enumerate(counted, start=1):
            membership.rank = rank


def _matching_theme(members: list[int], current: dict[int, tuple[int, bool]]) -> int | None:
    """The theme most of a computed group's ideas were in: a group keeps its theme's
    identity (its name, its priority) from one regrouping to the next."""
    held = Counter(current[idea_id][0] for idea_id in members if idea_id in current)
    if not held:
        return None
    return max(held, key=lambda theme_id: (held[theme_id], -theme_id))


@dataclass(frozen=True)
class RegroupResult:
    ideas: int
    themes: int
    new_themes: int


def regroup_ideas(*, community: Community, actor: User | None = None) -> RegroupResult:
    """Group the estate's counted ideas into themes again (proposals/themes.py).

    What the staff decided stays: pinned ideas stay in their theme, staff names stay,
    and a computed group goes to the theme most of its ideas were already in, so merged
    themes stay merged and every theme keeps its identity. Only unpinned ideas move.
    """
    with transaction.atomic():
        _lock_estate(community)
        corpus = _corpus(community)
        groups = themes.group_documents(corpus.documents, corpus.vectors)
        memberships = ThemeMembership.objects.filter(theme__community=community)
        current = {
            idea_id: (theme_id, pinned)
            for idea_id, theme_id, pinned in memberships.values_list(
                "idea_id", "theme_id", "pinned"
            )
        }
        existing = Theme.objects.filter(community=community).select_related("category")
        themes_by_id = {theme.pk: theme for theme in existing}
        categories = Category.objects.in_bulk()
        now = timezone.now()
        placed: list[tuple[int, Theme]] = []
        new_themes: list[Theme] = []
        for category_id, members in groups:
            theme_id = _matching_theme(members, current)
            if theme_id is None:
                theme = Theme(
                    community=community,
                    category=categories[category_id],
                    name=categories[category_id].name,
                    created_at=now,
                )
                new_themes.append(theme)
            else:
                theme = themes_by_id[theme_id]
            placed += [
                (idea_id, theme) for idea_id in members if not current.get(idea_id, (0, False))[1]
            ]
        Theme.objects.bulk_create(new_themes)
        themes_by_id.update({theme.pk: theme for theme in new_themes})

        memberships.filter(pinned=False).delete()
        pinned = list(memberships.filter(pinned=True))
        fresh = [ThemeMembership(idea_id=idea_id, theme=theme) for idea_id, theme in placed]
        members_by_theme: dict[int, list[ThemeMembership]] = defaultdict(list)
        for membership in (*pinned, *fresh):
            members_by_theme[membership.theme_id].append(membership)
        _describe(corpus, members_by_theme, themes_by_id)
        ThemeMembership.objects.bulk_create(fresh, batch_size=THEME_BATCH_SIZE)
        ThemeMembership.objects.bulk_update(
            pinned, ["centrality", "rank"], batch_size=THEME_BATCH_SIZE
        )
        described = [themes_by_id[theme_id] for theme_id in members_by_theme]
        for theme in described:
            theme.updated_at = now
        Theme.objects.bulk_update(
            described, ["name", "keywords", "shared_keywords", "updated_at"], batch_size=500
        )
        # Themes left without ideas go, unless they are priority work.
        Theme.objects.filter(
            community=community, memberships__isnull=True, priority__isnull=True
        ).delete()
        themes_left = Theme.objects.filter(community=community).count()
        ThemeEdit.objects.create(
            community=community,
            actor=actor,
            action=ThemeEdit.Action.REGROUP,
            detail=f"{len(corpus.documents)} / {themes_left}",
        )
    return RegroupResult(len(corpus.documents), themes_left, len(new_themes))


def _redescribe(community: Community, theme_ids: Iterable[int]) -> None:
    corpus = _corpus(community)
    chosen = Theme.objects.filter(community=community, pk__in=list(theme_ids))
    themes_by_id = {theme.pk: theme for theme in chosen.select_related("category")}
    memberships = list(ThemeMembership.objects.filter(theme_id__in=themes_by_id))
    members_by_theme: dict[int, list[ThemeMembership]] = defaultdict(list)
    for membership in memberships:
        members_by_theme[membership.theme_id].append(membership)
    _describe(corpus, members_by_theme, themes_by_id)
    ThemeMembership.objects.bulk_update(memberships, ["centrality", "rank"], batch_size=500)
    now = timezone.now()
    for theme in themes_by_id.values():
        theme.updated_at = now
    Theme.objects.bulk_update(
        themes_by_id.values(), ["name", "keywords", "shared_keywords", "updated_at"]
    )


def _theme_edit(theme: Theme, actor: User, action: str, detail: str = "") -> None:
    ThemeEdit.objects.create(
        community_id=theme.community_id, theme=theme, actor=actor, action=action, detail=detail
    )


def rename_theme(*, theme: Theme, name: str, actor: User) -> Theme:
    with transaction.atomic():
        _lock_estate(theme.community)
        old = theme.name
        theme.name = name.strip()[:60]
        theme.named_by_staff = True
        theme.updated_at = timezone.now()
        theme.save(update_fields=["name", "named_by_staff", "updated_at"])
        _theme_edit(theme, actor, ThemeEdit.Action.RENAME, f"{old} → {theme.name}")
    return theme


def merge_themes(*, source: Theme, target: Theme, actor: User) -> Theme:
    """All ideas of `source` join `target`, pinned there; `source` is gone."""
    if source.pk == target.pk or source.community_id != target.community_id:
        raise ValidationError(_("Choose another theme of the estate to merge with."))
    if Priority.objects.filter(theme=source).exists():
        raise ValidationError(
            _("“%(name)s” is priority work; merge the other theme into it instead.")
            % {"name": source.name}
        )
    with transaction.atomic():
        _lock_estate(source.community)
        moved = ThemeMembership.objects.filter(theme=source).update(theme=target, pinned=True)
        _theme_edit(
            target, actor, ThemeEdit.Action.MERGE, f"{source.name} → {target.name} ({moved})"
        )
        ThemeEdit.objects.filter(theme=source).update(theme=target)
        source.delete()
        _redescribe(target.community, [target.pk])
    target.refresh_from_db()
    return target


def move_ideas(
    *,
    theme: Theme,
    idea_ids: Sequence[int],
    actor: User,
    target: Theme | None = None,
    new_name: str = "",
) -> Theme:
    """Move some of a theme's ideas to another theme, or split them off into a new one
    (named `new_name`). Moved ideas are pinned where the staff put them; after a split,
    the ideas that stayed are pinned too, so that a regrouping does not join the two
    halves again."""
    if target is not None and (target.pk == theme.pk or target.community_id != theme.community_id):
        raise ValidationError(_("Choose another theme of the estate."))
    with transaction.atomic():
        _lock_estate(theme.community)
        chosen = ThemeMembership.objects.filter(theme=theme, idea_id__in=list(idea_ids))
        if not chosen.exists():
            raise ValidationError(_("Choose at least one idea of this theme."))
        if target is None:
            target = Theme.objects.create(
                community=theme.community,
                category=theme.category,
                name=new_name.strip()[:60],
                named_by_staff=True,
            )
            action = ThemeEdit.Action.SPLIT
            ThemeMembership.objects.filter(theme=theme).exclude(pk__in=chosen).update(pinned=True)
        else:
            action = ThemeEdit.Action.MOVE
        moved = chosen.update(theme=target, pinned=True)
        _theme_edit(theme, actor, action, f"{theme.name} → {target.name} ({moved})")
        _redescribe(theme.community, [theme.pk, target.pk])
    return target


def promote_theme(
    *,
    theme: Theme,
    actor: User,
    title: str,
    owner: User,
    goals: str,
    status: str = Priority.Status.PLANNED,
    activities: Iterable = (),
    deliberations: Iterable[Deliberation] = (),
) -> Priority:
    _require_owner_of_estate(owner, theme.community_id)
    deliberations = _of_the_estate(deliberations, theme.community_id)
    activities = _activities_of_the_estate(activities, theme.community_id)
    with transaction.atomic():
        # The theme's row is the lock: two promotions at once meet here, not in a 500.
        Theme.objects.select_for_update().filter(pk=theme.pk).first()
        if Priority.objects.filter(theme=theme).exists():
            raise ValidationError(_("This theme is priority work already."))
        priority = Priority.objects.create(
            community_id=theme.community_id,
            theme=theme,
            title=title,
            owner=owner,
            goals=goals,
            status=status,
            created_by=actor,
        )
        priority.activities.set(activities)
        priority.deliberations.set(deliberations)
        _theme_edit(theme, actor, ThemeEdit.Action.PROMOTE, title)
    return priority


def _of_the_estate(deliberations: Iterable[Deliberation], community_id: int) -> list:
    deliberations = list(deliberations)
    if any(d.community_id != community_id for d in deliberations):
        raise ValidationError(
            {"deliberations": _("Only deliberations of the same estate can be linked.")}
        )
    return deliberations


def _require_owner_of_estate(owner: User, community_id: int) -> None:
    """Priority work is owned by a role holder of its estate (`priority_owner_choices`)."""
    if not roles_of(owner).roles_in(community_id):
        raise ValidationError({"owner": _("The owner must hold a role in this estate.")})


def _activities_of_the_estate(activities: Iterable, community_id: int) -> list:
    activities = list(activities)
    if any(activity.community_id != community_id for activity in activities):
        raise ValidationError(
            {"activities": _("Only volunteer activities of the same estate can be linked.")}
        )
    return activities


def update_priority(
    *,
    priority: Priority,
    fields: dict,
    activities: Iterable,
    deliberations: Iterable[Deliberation] = (),
) -> Priority:
    if "owner" in fields and fields["owner"].pk != priority.owner_id:
        _require_owner_of_estate(fields["owner"], priority.community_id)
    deliberations = _of_the_estate(deliberations, priority.community_id)
    activities = _activities_of_the_estate(activities, priority.community_id)
    for name, value in fields.items():
        setattr(priority, name, value)
    priority.updated_at = timezone.now()
    with transaction.atomic():
        priority.save()
        priority.activities.set(activities)
        priority.deliberations.set(deliberations)
    return priority


def add_progress(
    *, priority: Priority, author: User, happened_on, we_did: str, you_said: str = ""
) -> ProgressEntry:
    with transaction.atomic():
        entry = ProgressEntry.objects.create(
            priority=priority,
            author=author,
            happened_on=happened_on,
            you_said=you_said,
            we_did=we_did,
        )
        Priority.objects.filter(pk=priority.pk).update(updated_at=timezone.now())
    return entry
