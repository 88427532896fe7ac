"""Withdrawing an idea, and taking the withdrawal back for a short while.

Withdrawing tells nobody (`services.change_status` sends no notice for it), so undoing it
soon after is cheap: no one has been told anything that would now be wrong. For ten
minutes the author may restore the idea to the status it was withdrawn from; the public
timeline keeps both steps. After that a withdrawal stands, as before.

`restore_withdrawn_idea` is the one status change that goes back, so it checks its own
window instead of triage's ALLOWED_TRANSITIONS; the permission, `proposals.restore_idea`,
is in proposals/rules.py with the others.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from covenant.models import User
from proposals.models import Idea, TimelineEntry

UNDO_WINDOW = timedelta(minutes=10)


def _last_status_change(idea: Idea) -> TimelineEntry | None:
    return (
        TimelineEntry.objects.filter(idea=idea)
        .exclude(to_status="")
        .order_by("-created_at", "-pk")
        .first()
    )


def undo_deadline(idea: Idea) -> datetime | None:
    """Until when the idea's withdrawal may be taken back; None if it may not. One query."""
    if idea is None or idea.status != Idea.Status.WITHDRAWN:
        return None
    last = _last_status_change(idea)
    if last is None or last.to_status != Idea.Status.WITHDRAWN or last.actor_id != idea.author_id:
        return None
    deadline = last.created_at + UNDO_WINDOW
    return deadline if timezone.now() < deadline else None


def restore_withdrawn_idea(*, idea: Idea, actor: User) -> Idea:
    """Put a just-withdrawn idea back where it was; its author only, within the window."""
    with transaction.atomic():
        # Locked so that a double click restores once and writes one timeline row.
        locked = Idea.objects.select_for_update().get(pk=idea.pk)
        last = _last_status_change(locked)
        if (
            actor.pk != locked.author_id
            or undo_deadline(locked) is None
            or last is None
            or last.from_status not in {Idea.Status.SUBMITTED, Idea.Status.ACCEPTED}
        ):
            raise ValidationError(_("This withdrawal can no longer be undone."))
        now = timezone.now()
        TimelineEntry.objects.create(
            idea=locked,
            actor=actor,
            from_status=Idea.Status.WITHDRAWN,
            to_status=last.from_status,
            created_at=now,
        )
        locked.status = last.from_status
        locked.status_changed_at = now
        locked.last_activity_at = now
        locked.save(update_fields=["status", "status_changed_at", "last_activity_at"])
    return locked
