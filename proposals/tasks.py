"""The rooms' Celery tasks, gathered where `app.autodiscover_tasks()` looks for them.

Each room keeps its tasks in ``proposals/<room>/tasks.py``; their names stay
``proposals.tasks.<name>`` (beat's schedule in `apps.py` and queued messages use them).
Services never import tasks: they hand work over through `proposals.dispatch`.
"""

from proposals.ideas import tasks as ideas_tasks
from proposals.themes import tasks as themes_tasks
from proposals.votes import tasks as votes_tasks

__all__ = ["ideas_tasks", "themes_tasks", "votes_tasks"]
