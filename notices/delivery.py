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
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.db.models import F
from django.utils import timezone

from covenant.models import Heartbeat
from notices import dispatch, mail
from notices.dispatch import BROKER_MISSED
from notices.models import Attachment, Delivery, Digest, EmailMode, Notification

logger = logging.getLogger(__name__)

# What a mail server or the network may throw; anything else is a bug and propagates.
MAIL_ERRORS = (smtplib.SMTPException, OSError)
# A dropped or restarting database: worth reconnecting and trying again.
DATABASE_ERRORS = (OperationalError, InterfaceError)
RECONNECT_PAUSES = (0.2, 0.5, 1.0, 2.0, 3.0)

T = TypeVar("T")


def _persist[T](write: Callable[[], T]) -> T:
    """Run one autocommit query, reconnecting when the database connection was dropped
    (a restart, a failover, a killed backend): above all, a mail server's acceptance
    must be recorded, or the message would go out again. About 7 s, then it raises."""
    for pause in (*RECONNECT_PAUSES, None):
        try:
            return write()
        except DATABASE_ERRORS:
            if pause is None or connection.in_atomic_block:
                raise
            logger.warning("database connection lost; reconnecting in %s s", pause)
            connection.close()
            time.sleep(pause)
    raise AssertionError("unreachable")


def backoff(attempts: int) -> timedelta:
    """1, 4, 16, 64 minutes... after the 1st, 2nd, 3rd, 4th failure."""
    return timedelta(seconds=settings.NOTICES_RETRY_BASE_SECONDS * 4 ** (attempts - 1))


def _claim(model, pk: int) -> bool:
    now = timezone.now()
    return bool(
        _persist(
            lambda: model.objects.filter(pk=pk, state="pending", next_attempt_at__lte=now).update(
                state="sending", claimed_at=now, attempts=F("attempts") + 1
            )
        )
    )


def _failed(model, row, error: Exception) -> timezone.datetime | None:
    """Record a failure; return when to try again, or None when we give up."""
    message = f"{type(error).__name__}: {error}"[:300]
    if row.attempts >= settings.NOTICES_MAX_ATTEMPTS:
        _persist(lambda: model.objects.filter(pk=row.pk).update(state="failed", last_error=message))
        logger.error("%s %s failed for good: %s", model.__name__, row.pk, message)
        return None
    retry_at = timezone.now() + backoff(row.attempts)
    _persist(
        lambda: model.objects.filter(pk=row.pk).update(
            state="pending", next_attempt_at=retry_at, last_error=message
        )
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
    delivery = _persist(
        lambda: Delivery.objects.select_related(
            "notification__recipient", "notification__actor"
        ).get(pk=delivery_id)
    )
    notification = delivery.notification
    if notification.email == EmailMode.OFF or not notification.recipient.is_active:
        _persist(
            lambda: Delivery.objects.filter(pk=delivery_id).update(state=Delivery.State.SKIPPED)
        )
        return "skipped"
    try:
        mail.send(mail.notification_message(notification))
    except MAIL_ERRORS as error:
        retry_at = _failed(Delivery, delivery, error)
        if retry_at is not None:
            dispatch.schedule(dispatch.SEND_DELIVERY, delivery_id, retry_at)
            return "retry"
        return "failed"
    _persist(
        lambda: Delivery.objects.filter(pk=delivery_id, state=Delivery.State.SENDING).update(
            state=Delivery.State.SENT, sent_at=timezone.now()
        )
    )
    return "sent"


def send_digest(digest_id: int) -> str:
    if not _claim(Digest, digest_id):
        return "claimed"
    digest = _persist(lambda: Digest.objects.select_related("user").get(pk=digest_id))
    # Only what is still unread: an item read since the digest was built is left out.
    items = _persist(
        lambda: list(
            Notification.objects.filter(digest=digest, read_at__isnull=True)
            .exclude(email=EmailMode.OFF)
            .select_related("actor")
            .order_by("-urgent", "created_at", "pk")
        )
    )
    if not items or not digest.user.is_active:
        _persist(lambda: Digest.objects.filter(pk=digest_id).update(state=Digest.State.EMPTY))
        return "empty"
    try:
        mail.send(mail.digest_message(digest, items))
    except MAIL_ERRORS as error:
        retry_at = _failed(Digest, digest, error)
        if retry_at is not None:
            dispatch.schedule(dispatch.SEND_DIGEST, digest_id, retry_at)
            return "retry"
        return "failed"
    _persist(
        lambda: Digest.objects.filter(pk=digest_id, state=Digest.State.SENDING).update(
            state=Digest.State.SENT, sent_at=timezone.now()
        )
    )
    return "sent"


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
        stale_ids = list(
            model.objects.filter(state="sending", claimed_at__lt=stale)
            .order_by("pk")
            .values_list("pk", flat=True)[: settings.NOTICES_SWEEP_LIMIT]
        )
        # Released and sent in this same sweep: a claim left by a dead worker waited
        # NOTICES_STALE_CLAIM_SECONDS already, not that plus the sweep's age threshold.
        # (A row its slow worker finished meanwhile is left as it is by the conditional
        # update; its task then finds it sent and does nothing.)
        released = set(stale_ids)
        if released:
            model.objects.filter(pk__in=released, state="sending", claimed_at__lt=stale).update(
                state="pending", next_attempt_at=now
            )
            logger.warning("released %s stale %s claims", len(released), name)
        waiting = list(
            model.objects.filter(state="pending", next_attempt_at__lte=waited)
            .order_by("pk")
            .values_list("pk", flat=True)[: settings.NOTICES_SWEEP_LIMIT]
        )
        found[name] = sorted(released.union(waiting))
    found["attachments"] = list(
        Attachment.objects.filter(state=Attachment.State.PROCESSING, created_at__lte=waited)
        .order_by("pk")
        .values_list("pk", flat=True)[: settings.NOTICES_SWEEP_LIMIT]
    )
    return found


# --- Catching up once the broker is back -----------------------------------------------------


def catch_up() -> dict[str, Sequence[int]]:
    """Everything waiting and due, whatever its age: what the broker missed while it was
    down, and what a lost queue held. Something already queued is found too, and is then
    sent once all the same: each send claims its row first."""
    Heartbeat.objects.filter(name=BROKER_MISSED).delete()
    return sweep(older_than=timedelta(0))
