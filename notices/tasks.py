"""Celery tasks: thin wrappers that take primary keys. The database decides what is
sent (see notices.delivery); a task delivered twice finds its work done."""

from __future__ import annotations

import contextlib
import logging

from celery import shared_task
from django.conf import settings
from kombu.exceptions import KombuError, OperationalError
from redis.exceptions import RedisError

from notices import delivery, digests, services

logger = logging.getLogger(__name__)

# What publishing to a broker that is down or hung may raise.
BROKER_ERRORS = (OperationalError, KombuError, RedisError, OSError, TimeoutError)
CHUNK = 100
# A database that stayed away longer than notices.delivery reconnects for: try the
# batch again a little later (each row is claimed, so nothing is sent twice).
DATABASE_RETRY = {
    "autoretry_for": delivery.DATABASE_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 30,
    "max_retries": 8,
}


@shared_task(acks_late=True, ignore_result=True)
def process_attachment(attachment_id: int) -> str:
    from notices import attachments

    return attachments.process(attachment_id)


@shared_task(acks_late=True, ignore_result=True, **DATABASE_RETRY)
def send_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    outcome: dict[str, int] = {}
    for delivery_id in delivery_ids:
        result = delivery.send_delivery(delivery_id)
        outcome[result] = outcome.get(result, 0) + 1
    return outcome


@shared_task(acks_late=True, ignore_result=True, **DATABASE_RETRY)
def send_delivery(delivery_id: int) -> str:
    return delivery.send_delivery(delivery_id)


@shared_task(acks_late=True, ignore_result=True, **DATABASE_RETRY)
def send_digests_batch(digest_ids: list[int]) -> dict[str, int]:
    outcome: dict[str, int] = {}
    for digest_id in digest_ids:
        result = delivery.send_digest(digest_id)
        outcome[result] = outcome.get(result, 0) + 1
    return outcome


@shared_task(acks_late=True, ignore_result=True, **DATABASE_RETRY)
def send_digest(digest_id: int) -> str:
    return delivery.send_digest(digest_id)


def _enqueue(task, ids: list[int]) -> int:
    """Queue ids in chunks; a broker that is down leaves the rest for the catch-up."""
    for start in range(0, len(ids), CHUNK):
        try:
            task.delay(ids[start : start + CHUNK])
        except BROKER_ERRORS:
            logger.warning("broker unreachable: %s %s wait", len(ids) - start, task.name)
            delivery.note_broker_missed()
            return start
    return len(ids)


def enqueue_found(found: dict) -> None:
    for attachment_id in found["attachments"]:
        try:
            process_attachment.delay(attachment_id)
        except BROKER_ERRORS:
            delivery.note_broker_missed()
            break
    _enqueue(send_deliveries, list(found["deliveries"]))
    _enqueue(send_digests_batch, list(found["digests"]))


def broker_missed() -> None:
    """Told by whoever failed to queue mail (publishing, scheduling a retry)."""
    delivery.note_broker_missed()


def broker_reached() -> None:
    """Told after mail was queued: if earlier mail missed the broker, it is back, and
    that mail goes now rather than at the sweeper's age threshold."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # in-process: there is no broker to miss
    if delivery.broker_was_missed():
        with contextlib.suppress(BROKER_ERRORS):
            catch_up_outbox.delay()


@shared_task(ignore_result=True)
def catch_up_outbox() -> dict[str, int]:
    found = delivery.catch_up()
    enqueue_found(found)
    return {name: len(ids) for name, ids in found.items()}


@shared_task(acks_late=True, ignore_result=True)
def build_and_send_digests(frequency: str, period: str | None = None) -> int:
    """Beat runs this at the digest hour; running it again sends nothing twice."""
    import datetime

    day = datetime.date.fromisoformat(period) if period else None
    pending = digests.build_digests(frequency=frequency, period=day)
    _enqueue(send_digests_batch, pending)
    return len(pending)


@shared_task(ignore_result=True)
def send_daily_digests() -> int:
    return build_and_send_digests("daily")


@shared_task(ignore_result=True)
def send_weekly_digests() -> int:
    return build_and_send_digests("weekly")


@shared_task(ignore_result=True)
def sweep_outbox(older_than_seconds: float | None = None) -> dict[str, int]:
    """Re-enqueue what waited too long (the broker was down, a worker died), and tell
    the audience of announcements whose publishing time has come."""
    import datetime

    announced = services.publish_due_announcements()
    if delivery.broker_was_missed():
        found = delivery.catch_up()
    else:
        older_than = (
            datetime.timedelta(seconds=older_than_seconds)
            if older_than_seconds is not None
            else None
        )
        found = delivery.sweep(older_than=older_than)
    enqueue_found(found)
    return {"announced": announced, **{name: len(ids) for name, ids in found.items()}}
