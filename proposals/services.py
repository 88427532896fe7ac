"""Every change to golden ideas: submitting, supporting, discussing, moderating, triaging.

Views check permissions; these functions keep the invariants: counters stay right under
concurrent requests, status changes follow the allowed transitions and leave a public
timeline entry, moderation leaves an audit entry, and photos are processed after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from covenant.models import Household, Membership, Role, RoleGrant, User
from covenant.rules import roles_of
from covenant.uploads import store_in_quarantine
from proposals import notifications, search
from proposals.models import (
    Ballot,
    Campaign,
    Category,
    Comment,
    Idea,
    IdeaBoxSettings,
    IdeaPhoto,
    Moderation,
    ModerationAction,
    OwnersVote,
    Report,
    StaffNote,
    Support,
    TimelineEntry,
    TriageChange,
    VoteRollEntry,
)

logger = logging.getLogger(__name__)

Status = Idea.Status
Action = ModerationAction.Action

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


def household_of(user: User) -> Household | None:
    """The household an idea is filed under: the author's first verified one."""
    membership = (
        Membership.objects.filter(user=user, status=Membership.Status.VERIFIED)
        .select_related("household__building")
        .order_by("requested_at", "pk")
        .first()
    )
    return membership.household if membership else None


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
    """File a new idea; building and floor come from the author's household."""
    household = household or household_of(author)
    if household is None and recorded_by is not None:
        raise ValidationError(_("This resident has no verified household yet."))
    if campaign is not None and not campaign.is_open():
        raise ValidationError(_("This campaign is closed; the idea goes to the standing idea box."))
    community = household.building.community if household else _community_of_role(author)
    now = timezone.now()
    with transaction.atomic():
        idea = Idea.objects.create(
            community=community,
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
            moderation=Moderation.PENDING if premoderation_is_on(community) else Moderation.VISIBLE,
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


def _community_of_role(user: User):
    grant = RoleGrant.objects.filter(user=user).select_related("community").first()
    if grant is None:
        raise ValidationError(_("Only residents and the estate's role holders can submit ideas."))
    return grant.community


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
    return bool(roles_of(item.author).estate_roles & STAFF_ROLES)


def report_item(
    *,
    reporter: User,
    item: Idea | Comment,
    reason: str,
    note: str = "",
) -> bool:
    """Record a report; returns False if this person had reported the item already.

    Three reports from different people hide the item until a moderator decides, except
    content from the property staff, the Party branch or admins.
    """
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


def change_status(*, idea: Idea, actor: User, to_status: str, public_reply: str = "") -> Idea:
    """Move an idea along its workflow; a decline needs a public reason."""
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
        if to_status != Status.WITHDRAWN:
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


def update_triage(
    *,
    idea: Idea,
    actor: User,
    category: Category,
    priority: int,
    assignee: User | None,
) -> Idea:
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
    with transaction.atomic():
        history = [row for idea in ideas for row in _triage_changes(idea, actor, changes)]
        TriageChange.objects.bulk_create(history)
        count = Idea.objects.filter(pk__in=[idea.pk for idea in ideas]).update(**changes)
    logger.info("user %s bulk-triaged %s ideas: %s", actor.pk, count, sorted(changes))
    return count


# --- Owners' votes (业主表决) -----------------------------------------------------------


def create_vote(
    *, community, title: str, question: str, matter: str, closes_at, created_by: User
) -> OwnersVote:
    """A draft; nobody but the admins sees it until it is opened."""
    vote = OwnersVote.objects.create(
        community=community,
        title=title.strip(),
        question=question.strip(),
        matter=matter,
        closes_at=closes_at,
        created_by=created_by,
    )
    logger.info("owners' vote %s drafted by user %s", vote.pk, created_by.pk)
    return vote


def edit_vote(*, vote_id: int, title: str, question: str, matter: str, closes_at) -> OwnersVote:
    with transaction.atomic():
        vote = OwnersVote.objects.select_for_update().get(pk=vote_id)
        if vote.status != OwnersVote.Status.DRAFT:
            raise ValidationError(_("An opened vote can no longer be edited."))
        vote.title, vote.question = title.strip(), question.strip()
        vote.matter, vote.closes_at = matter, closes_at
        vote.save(update_fields=["title", "question", "matter", "closes_at"])
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
