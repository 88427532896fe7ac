"""Moderating golden ideas: reports, hiding, restoring and merging duplicates; each leaves an
audit entry.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from covenant.models import Role, User
from covenant.rules import is_estate_participant, roles_of
from proposals import notifications
from proposals.models import (
    Comment,
    Idea,
    Moderation,
    ModerationAction,
    Report,
    Support,
)

Status = Idea.Status
Action = ModerationAction.Action

AUTO_HIDE_AFTER_REPORTS = 3
STAFF_ROLES = {Role.PROPERTY_STAFF, Role.PARTY_BRANCH, Role.COMMUNITY_ADMIN}


def count_comment(idea_id: int, delta: int) -> None:
    Idea.objects.filter(pk=idea_id).update(
        comment_count=F("comment_count") + delta, last_activity_at=timezone.now()
    )


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
            set_moderation(locked, Moderation.AUTO_HIDDEN, actor=None, action=Action.AUTO_HIDE)
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


def set_moderation(
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
        count_comment(item.idea_id, +1 if state == Moderation.VISIBLE else -1)
    _log(item, actor=actor, action=action, reason=reason)


def _resolve_reports(item: Idea | Comment) -> None:
    reports = item.reports.filter(resolved_at__isnull=True)
    reports.update(resolved_at=timezone.now())


def lock_item(item: Idea | Comment) -> Idea | Comment:
    locked = type(item).objects.select_for_update().get(pk=item.pk)
    if isinstance(locked, Comment):
        locked.idea = item.idea
    return locked


def hide_item(*, item: Idea | Comment, actor: User, reason: str) -> None:
    if not reason.strip():
        raise ValidationError(_("Say why the item is hidden; its author will see the reason."))
    with transaction.atomic():
        locked = lock_item(item)
        set_moderation(
            locked, Moderation.HIDDEN, actor=actor, action=Action.HIDE, reason=reason.strip()
        )
        notifications.tell_moderated(item=locked, actor=actor, reason=reason.strip())


def restore_item(*, item: Idea | Comment, actor: User) -> None:
    """Make a hidden, auto-hidden or waiting item visible (approve it) and settle reports."""
    with transaction.atomic():
        locked = lock_item(item)
        action = Action.APPROVE if locked.moderation == Moderation.PENDING else Action.RESTORE
        if locked.moderation == Moderation.VISIBLE:
            action = Action.DISMISS
        set_moderation(locked, Moderation.VISIBLE, actor=actor, action=action)
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
