"""Work handed from services to the workers, after the transaction commits.

Services must not import tasks (tasks call services: the two would import each other),
so they name the task here and Celery finds it among the registered ones.
"""

from __future__ import annotations

import logging
from functools import partial

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def send(task_name: str, *args) -> None:
    """Queue the task now; if the broker is down its sweeper picks the work up later,
    and the request that asked still succeeds."""
    try:
        current_app.tasks[task_name].delay(*args)
    except Exception:
        logger.warning("%s%r not queued; its sweeper will do it", task_name, args, exc_info=True)


def after_commit(task_name: str, *args) -> None:
    """Queue the task once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(send, task_name, *args))
