"""Daily and weekly digests, built in bounded batches.

A digest is one row per person, frequency and period (unique), made before anything is
mailed; the items waiting for it are attached to it in the same transaction. Running a
digest twice, or after a worker died half-way, finds the rows there and makes no second
one; items already in a digest or read are never taken again.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from notices.models import Digest, Notification

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


def period_of(frequency: str, when: datetime.datetime | None = None) -> datetime.date:
    """The local day, or the Monday of the local week."""
    day = timezone.localdate(when or timezone.now())
    if frequency == Digest.Frequency.WEEKLY:
        return day - datetime.timedelta(days=day.weekday())
    return day


def waiting_items(frequency: str):
    return Notification.objects.filter(email=frequency, digest__isnull=True, read_at__isnull=True)


def build_digests(
    *,
    frequency: str,
    period: datetime.date | None = None,
    batch_size: int = BATCH_SIZE,
    among=None,
) -> list[int]:
    """Make this period's digests for everyone with items waiting (or only those of
    `among`, a User queryset: the benchmark's); return the ids of those not sent yet.
    Three queries a batch, whatever the number of items."""
    period = period or period_of(frequency)
    waiting = waiting_items(frequency)
    if among is not None:
        waiting = waiting.filter(recipient__in=among)
    user_ids = list(
        waiting.order_by("recipient_id").values_list("recipient_id", flat=True).distinct()
    )
    pending: list[int] = []
    for start in range(0, len(user_ids), batch_size):
        batch = user_ids[start : start + batch_size]
        with transaction.atomic():
            Digest.objects.bulk_create(
                [Digest(user_id=user_id, frequency=frequency, period=period) for user_id in batch],
                ignore_conflicts=True,
            )
            # Items join only a digest not sent yet; one that was sent already this
            # period leaves them waiting for the next.
            open_digest = Digest.objects.filter(
                user_id=OuterRef("recipient_id"),
                frequency=frequency,
                period=period,
                state=Digest.State.PENDING,
            ).values("pk")[:1]
            waiting_items(frequency).filter(recipient_id__in=batch).update(
                digest_id=Subquery(open_digest)
            )
        pending += Digest.objects.filter(
            user_id__in=batch, frequency=frequency, period=period, state=Digest.State.PENDING
        ).values_list("pk", flat=True)
    logger.info("%s digests of %s: %s to send", frequency, period, len(pending))
    return pending
