"""Reaching one's captain: a resident's message, the captain's one answer, read receipts."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from covenant.models import Household, User
from volunteers import notifications
from volunteers.models import CaptainMessage

logger = logging.getLogger(__name__)


def message_captain(
    *, sender: User, captain: User, household: Household, body: str
) -> CaptainMessage:
    body = body.strip()
    if not body:
        raise ValidationError(_("Write a message first."))
    message = CaptainMessage.objects.create(
        sender=sender, captain=captain, household=household, body=body
    )
    logger.info("message %s to captain %s", message.pk, captain.pk)
    return message


def reply_to_captain_message(*, captain: User, message_id: int, body: str) -> CaptainMessage:
    """The captain answers a resident's message once; the resident is notified. The caller
    checks volunteers.reply_to_captain_message."""
    body = body.strip()
    if not body:
        raise ValidationError(_("Write an answer first."))
    with transaction.atomic():
        # Locked: two taps on "send" make one answer and one notification, not two.
        message = CaptainMessage.objects.select_for_update().get(pk=message_id, captain=captain)
        if message.replied_at is not None:
            raise ValidationError(_("You have answered this message already."))
        message.reply = body
        message.replied_at = timezone.now()
        message.read_at = message.read_at or message.replied_at
        message.save(update_fields=["reply", "replied_at", "read_at"])
        notifications.tell_captain_replied(message=message)
    logger.info("captain %s answered message %s", captain.pk, message.pk)
    return message


def mark_messages_read(*, captain: User, shown: list[CaptainMessage]) -> int:
    ids = [message.pk for message in shown if message.read_at is None]
    if not ids:
        return 0
    return CaptainMessage.objects.filter(captain=captain, pk__in=ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )
