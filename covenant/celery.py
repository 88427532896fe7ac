"""The Celery app. Without REDIS_URL, tasks run in-process (CELERY_TASK_ALWAYS_EAGER).

Beat runs `HeartbeatScheduler` (CELERY_BEAT_SCHEDULER), which leaves the "beat"
heartbeat that /healthz reads; the worker's comes from `covenant.tasks.worker_heartbeat`,
which beat sends every minute, so it also shows that the queue is moving.
"""

import functools
import os
import time

from celery import Celery
from celery.beat import PersistentScheduler
from celery.worker.consumer import Consumer

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "covenant.settings")

app = Celery("covenant")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

HEARTBEAT_EVERY_SECONDS = 60


class HeartbeatScheduler(PersistentScheduler):
    """Celery's default scheduler, recording in the database that beat is alive."""

    _last_heartbeat = 0.0

    def tick(self, *args, **kwargs):
        now = time.monotonic()
        if now - self._last_heartbeat >= HEARTBEAT_EVERY_SECONDS:
            from covenant.health import BEAT, record_heartbeat

            record_heartbeat(BEAT)
            self._last_heartbeat = now
        # Sleep no longer than until the next heartbeat is due.
        return min(super().tick(*args, **kwargs), HEARTBEAT_EVERY_SECONDS)


class PromptConsumer(Consumer):
    """Celery's consumer, trying the broker again every 2 s while it is away instead of
    backing off to 30 s: once Redis is back, the worker reconnects at once and sends
    what waited (notices.worker). A connection attempt to a local Redis costs nothing."""

    def ensure_connected(self, conn):
        conn.ensure_connection = functools.partial(
            conn.ensure_connection, interval_start=1, interval_step=1, interval_max=2
        )
        return super().ensure_connected(conn)
