"""``manage.py regroup_ideas``: group the golden ideas into themes again, now.

The same work as the staff's "regroup" button and the nightly `celery beat` run
(proposals.themes.tasks.regroup_all_estates): unpinned ideas are grouped again; staff names,
merges and placed ideas stay.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from covenant.models import Community
from proposals.themes.services import regroup_ideas


class Command(BaseCommand):
    help = "Group each estate's golden ideas into themes (staff corrections are kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--estate", help="Only this estate (its name).")

    def handle(self, *args: Any, **options: Any) -> None:
        estates = Community.objects.order_by("pk")
        if options["estate"]:
            estates = estates.filter(name=options["estate"])
            if not estates.exists():
                raise CommandError(f"No estate named {options['estate']!r}.")
        for community in estates:
            started = time.perf_counter()
            result = regroup_ideas(community=community)
            self.stdout.write(
                f"{community.name}: {result.ideas} ideas in {result.themes} themes "
                f"({result.new_themes} new) in {time.perf_counter() - started:.1f} s"
            )
