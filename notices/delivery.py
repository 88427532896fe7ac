"""Sending what the outbox holds, exactly once as far as the database can tell.

Every send claims its row first with a conditional UPDATE (pending → sending): a task
delivered twice, or two workers, find the row claimed and send nothing. A worker that
dies between claiming and finishing leaves a stale claim, which the sweeper releases
after NOTICES_STALE_CLAIM_SECONDS. The one window no database can close is between the
mail server accepting a message and our UPDATE to "sent": a crash exactly there sends
that one message again on the next attempt (at least once, never silently lost).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from notices import mail
from notices.models import Delivery, Digest, EmailMode, Notification

logger = logging.getLogger(__name__)

# What a mail server or the network may throw; anything else is a bug and propagates.
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def backoff(attempts: int) -> timedelta:
    """1, 4, 16, 64 minutes... after the 1st, 2nd, 3rd, 4th failure."""
    return timedelta(seconds=settings.NOTICES_RETRY_BASE_SECONDS * 4 ** (attempts - 1))


def _claim(model, pk: int) -> bool:
    now = timezone.now()
    return bool(
        model.objects.filter(pk=pk, state="pending", next_attempt_at__lte=now).update(
            state="sending", claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _failed(model, row, error: Exception) -> timezone.datetime | None:
    """Record a failure; return when to try again, or None when we give up."""
    message = f"{type(error).__name__}: {error}"[:300]
    if row.attempts >= settings.NOTICES_MAX_ATTEMPTS:
        model.objects.filter(pk=row.pk).update(state="failed", last_error=message)
        logger.error("%s %s failed for good: %s", model.__name__, row.pk, message)
        return None
    retry_at = timezone.now() + backoff(row.attempts)
    model.objects.filter(pk=row.pk).update(
        state="pending", next_attempt_at=retry_at, last_error=message
    )
    logger.warning(
        "%s %s failed (attempt %s), retry at %s", model.__name__, row.pk, row.attempts, retry_at
    )
    return retry_at


def send_delivery(delivery_id: int) -> str:
    """Send one notification by email. Returns what happened: sent, skipped, retry,
    failed or claimed (someone else has it)."""
    if not _claim(Delivery, delivery_id):
        return "claimed"
    delivery = Delivery.objects.select_related(
        "notification__recipient", "notification__actor"
    ).get(pk=delivery_id)
    notification = delivery.notification
    if notification.email == EmailMode.OFF or not notification.recipient.is_active:
        Delivery.objects.filter(pk=delivery_id).update(state=Delivery.State.SKIPPED)
        return "skipped"
    try:
        mail.send(mail.notification_message(notification))
    except MAIL_ERRORS as error:
        retry_at = _failed(Delivery, delivery, error)
        if retry_at is not None:
            _schedule("send_delivery", delivery_id, retry_at)
            return "retry"
        return "failed"
    Delivery.objects.filter(pk=delivery_id, state=Delivery.State.SENDING).update(
        state=Delivery.State.SENT, sent_at=timezone.now()
    )
    return "sent"


def send_digest(digest_id: int) -> str:
    if not _claim(Digest, digest_id):
        return "claimed"
    digest = Digest.objects.select_related("user").get(pk=digest_id)
    # Only what is still unread: an item read since the digest was built is left out.
    items = list(
        Notification.objects.filter(digest=digest, read_at__isnull=True)
        .exclude(email=EmailMode.OFF)
        .select_related("actor")
        .order_by("-urgent", "created_at", "pk")
    )
    if not items or not digest.user.is_active:
        Digest.objects.filter(pk=digest_id).update(state=Digest.State.EMPTY)
        return "empty"
    try:
        mail.send(mail.digest_message(digest, items))
    except MAIL_ERRORS as error:
        retry_at = _failed(Digest, digest, error)
        if retry_at is not None:
            _schedule("send_digest", digest_id, retry_at)
            return "retry"
        return "failed"
    Digest.objects.filter(pk=digest_id, state=Digest.State.SENDING).update(
        state=Digest.State.SENT, sent_at=timezone.now()
    )
    return "sent"


def _schedule(task_name: str, pk: int, when) -> None:
    """Ask the broker to retry at `when`; in-process (no broker) the sweeper does."""
    from notices import tasks

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    try:
        getattr(tasks, task_name).apply_async((pk,), eta=when)
    except tasks.BROKER_ERRORS:
        logger.warning("broker unreachable: the sweeper retries %s %s", task_name, pk)


def sweep(*, older_than: timedelta | None = None) -> dict[str, Sequence[int]]:
    """Find what the broker lost: deliveries and digests waiting past their time, and
    claims left by a worker that died. Returns the ids to send again."""
    now = timezone.now()
    waited = now - (
        older_than
        if older_than is not None
        else timedelta(seconds=settings.NOTICES_SWEEP_AFTER_SECONDS)
    )
    stale = now - timedelta(seconds=settings.NOTICES_STALE_CLAIM_SECONDS)
    found = {}
    for name, model in (("deliveries", Delivery), ("digests", Digest)):
        released = model.objects.filter(state="sending", claimed_at__lt=stale).update(
            state="pending", next_attempt_at=now
        )
        if released:
            logger.warning("released %s stale %s claims", released, name)
        found[name] = list(
            model.objects.filter(state="pending", next_attempt_at__lte=waited)
            .order_by("pk")
            .values_list("pk", flat=True)[: settings.NOTICES_SWEEP_LIMIT]
        )
    from notices.models import Attachment

    found["attachments"] = list(
        Attachment.objects.filter(state=Attachment.State.PROCESSING, created_at__lte=waited)
        .order_by("pk")
        .values_list("pk", flat=True)[: settings.NOTICES_SWEEP_LIMIT]
    )
    return found
