"""``manage.py move_idea_photos``: move idea photos found under MEDIA_ROOT into the private
storage (`IDEAS_PRIVATE_ROOT`), from which only the checking view serves them.

The migration `proposals.0012_private_idea_photos` does this once; run the command after
restoring old files into MEDIA_ROOT (a backup taken before the change). Files already
private, or missing, are left alone, so it may run any number of times.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from proposals.models import IdeaPhoto
from proposals.storage import move_to_private_storage


class Command(BaseCommand):
    help = "Move idea photos from MEDIA_ROOT into the private storage of idea photos."

    def handle(self, *args: Any, **options: Any) -> None:
        moved = move_to_private_storage(IdeaPhoto.objects.exclude(image="").iterator())
        self.stdout.write(f"moved {moved} file(s) into the private storage")
