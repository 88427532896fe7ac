"""The outbox's door to the broker: queueing notices' Celery tasks by name.

The modules that write the outbox (services, attachments, delivery) sit below
notices.tasks, whose task bodies call them: tasks → delivery → mail → services →
dispatch. So they cannot import the tasks they queue. They name them here instead, and
Celery finds the registered task by its name (notices/apps.py imports notices.tasks, so
every process that can queue has them); in-process (CELERY_TASK_ALWAYS_EAGER) the task
runs at once, as `.delay()` on the imported task would.

A broker that is down fails fast: the ids stay pending, the "missed the broker" note is
left, and the next sign of a broker (an enqueue that works, a worker connecting, a
sweep) sends them.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from datetime import datetime

from celery import current_app
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from kombu.exceptions import KombuError, OperationalError
from redis.exceptions import RedisError

from covenant.models import Heartbeat

logger = logging.getLogger(__name__)

# What publishing to a broker that is down or hung may raise.
BROKER_ERRORS = (OperationalError, KombuError, RedisError, OSError, TimeoutError)
# The Heartbeat row that says mail is waiting because the broker could not be reached.
BROKER_MISSED = "outbox-missed-broker"
CHUNK = 100

# The tasks of notices.tasks that the modules below it queue.
PROCESS_ATTACHMENT = "notices.tasks.process_attachment"
SEND_DELIVERIES = "notices.tasks.send_deliveries"
SEND_DELIVERY = "notices.tasks.send_delivery"
SEND_DIGEST = "notices.tasks.send_digest"
SEND_DIGESTS_BATCH = "notices.tasks.send_digests_batch"
CATCH_UP_OUTBOX = "notices.tasks.catch_up_outbox"


def task(name: str):
    """The registered task called `name` (a KeyError if notices.tasks was never imported,
    which notices/apps.py makes impossible)."""
    return current_app.tasks[name]


# --- What the broker missed ---------------------------------------------------------------------


def note_broker_missed() -> None:
    """Mail is waiting because the broker could not be told: the next sign that it is
    back (a successful enqueue, a worker connecting, a sweep) sends it at once."""
    try:
        Heartbeat.objects.update_or_create(name=BROKER_MISSED, defaults={"at": timezone.now()})
    except DatabaseError:
        logger.warning("could not note that mail missed the broker; the sweeper finds it")


def broker_was_missed() -> bool:
    try:
        return Heartbeat.objects.filter(name=BROKER_MISSED).exists()
    except DatabaseError:
        return False


def broker_reached() -> None:
    """Told after mail was queued: if earlier mail missed the broker, it is back, and
    that mail goes now rather than at the sweeper's age threshold."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # in-process: there is no broker to miss
    if broker_was_missed():
        with contextlib.suppress(BROKER_ERRORS):
            task(CATCH_UP_OUTBOX).delay()


# --- Queueing -----------------------------------------------------------------------------------


def enqueue_in_chunks(name: str, ids: Sequence[int]) -> int:
    """Queue ids in chunks of CHUNK; a broker that is down leaves the rest for the
    catch-up. Returns how many were queued."""
    for start in range(0, len(ids), CHUNK):
        try:
            task(name).delay(list(ids[start : start + CHUNK]))
        except BROKER_ERRORS:
            logger.warning("broker unreachable: %s %s wait", len(ids) - start, name)
            note_broker_missed()
            return start
    return len(ids)


def enqueue_one(name: str, pk: int) -> bool:
    """Queue one row's task; False (and the note for the catch-up) if the broker is down."""
    try:
        task(name).delay(pk)
    except BROKER_ERRORS:
        logger.warning("broker unreachable: the sweeper runs %s %s", name, pk)
        note_broker_missed()
        return False
    return True


def schedule(name: str, pk: int, when: datetime) -> None:
    """Ask the broker to run a row's task again at `when`; in-process (no broker) the
    sweeper does."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    try:
        task(name).apply_async((pk,), eta=when)
    except BROKER_ERRORS:
        logger.warning("broker unreachable: the sweeper retries %s %s", name, pk)
        note_broker_missed()
