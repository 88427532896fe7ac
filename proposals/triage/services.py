"""Triage of golden ideas: status changes follow the allowed transitions and leave a public
timeline entry; assignment, staff notes and bulk triage.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from covenant.models import User
from proposals import notifications
from proposals.models import (
    Category,
    Idea,
    StaffNote,
    TimelineEntry,
    TriageChange,
)
from proposals.triage import selectors

logger = logging.getLogger(__name__)
Status = Idea.Status

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
