"""``manage.py close_due_votes``: close the owners' votes whose closing time has passed.

The same work as `celery beat`'s minutely `proposals.votes.tasks.close_due_votes`, for a site
without Redis: run it from cron. Pages already show a vote past its closing time as
closed; closing it also tells the owners who took part the result.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from proposals.votes.services import close_due_votes


class Command(BaseCommand):
    help = "Close the owners' votes whose closing time has passed and tell the participants."

    def handle(self, *args: Any, **options: Any) -> None:
        closed = close_due_votes()
        self.stdout.write(f"closed {closed} owners' vote(s)")
