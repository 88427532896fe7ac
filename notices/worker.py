"""What the Celery worker does each time it (re)connects to the broker: a worker that
starts, or finds Redis back after an outage, sends at once the mail that waited.

Registered as a consumer bootstep in notices/apps.py. Celery restarts the consumer's
steps after every lost broker connection, so `start` runs at the worker's start and
again as soon as the broker answers after an outage.
"""

from __future__ import annotations

import logging

from celery import bootsteps

logger = logging.getLogger(__name__)


def catch_up_now() -> dict[str, int]:
    from django.db import DatabaseError, close_old_connections

    from covenant.health import WORKER, record_heartbeat
    from notices import delivery, tasks

    close_old_connections()
    record_heartbeat(WORKER)
    try:
        found = delivery.catch_up()
    except DatabaseError:
        logger.exception("catch-up after connecting to the broker failed; the sweeper will")
        return {}
    tasks.enqueue_found(found)
    counts = {name: len(ids) for name, ids in found.items()}
    if any(counts.values()):
        logger.warning("caught up after connecting to the broker: %s", counts)
    return counts


class CatchUpOnConnect(bootsteps.StartStopStep):
    requires = ("celery.worker.consumer.tasks:Tasks",)

    def start(self, consumer):
        catch_up_now()
