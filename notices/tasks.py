"""Celery tasks: thin wrappers that take primary keys. The database decides what is
sent (see notices.delivery); a task delivered twice finds its work done.

The top of notices: tasks → delivery → mail → services → dispatch. The modules below
queue these tasks by name through notices.dispatch, never by importing this one."""

from __future__ import annotations

from celery import shared_task

from notices import attachments, delivery, digests, dispatch, services
from notices.dispatch import BROKER_ERRORS, broker_reached

__all__ = ["BROKER_ERRORS", "broker_missed", "broker_reached"]

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


def enqueue_found(found: dict) -> None:
    for attachment_id in found["attachments"]:
        if not dispatch.enqueue_one(dispatch.PROCESS_ATTACHMENT, attachment_id):
            break
    dispatch.enqueue_in_chunks(dispatch.SEND_DELIVERIES, found["deliveries"])
    dispatch.enqueue_in_chunks(dispatch.SEND_DIGESTS_BATCH, found["digests"])


def broker_missed() -> None:
    """Told by whoever failed to queue mail (publishing, scheduling a retry)."""
    dispatch.note_broker_missed()


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
    dispatch.enqueue_in_chunks(dispatch.SEND_DIGESTS_BATCH, pending)
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
    if dispatch.broker_was_missed():
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
