"""Where idea photos are kept: outside MEDIA_ROOT, never served by the proxy. They are
streamed by `proposals.ideas.views.idea_photo` to those who may read the idea, so a photo
of a hidden or withdrawn idea stops reaching those who may no longer see it, however its
address was passed on.

The location is `settings.IDEAS_PRIVATE_ROOT` if set, else the environment variable of
that name, else `BASE_DIR/private/ideas`. It is read at each use, so a test (or a settings
override) can move it. Files stored under MEDIA_ROOT before are moved here by the
migration `0012_private_idea_photos` (or `manage.py move_idea_photos`).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_root() -> Path:
    configured = getattr(settings, "IDEAS_PRIVATE_ROOT", None) or os.environ.get(
        "IDEAS_PRIVATE_ROOT"
    )
    return Path(configured) if configured else Path(settings.BASE_DIR) / "private" / "ideas"


class PrivateIdeasStorage(FileSystemStorage):
    """A file system storage with no URL: `url()` raises, so no template can link a photo
    past the access check by mistake (`IdeaPhoto.url` is the checked address)."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(private_root())

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Idea photos are served by proposals.ideas.views.idea_photo.")

    def deconstruct(self):
        return ("proposals.storage.PrivateIdeasStorage", (), {})


_storage = PrivateIdeasStorage()


def private_storage() -> PrivateIdeasStorage:
    return _storage


def move_to_private_storage(photos) -> int:
    """Move the files of these IdeaPhoto rows (any model with `image` and `thumbnail`
    file fields) from the public default storage to the private one, keeping their names.
    A file already private, or missing from MEDIA_ROOT, is left alone. Returns how many
    files moved."""
    from django.core.files.storage import storages

    public, private = storages["default"], private_storage()
    moved = 0
    for photo in photos:
        changed = []
        for field in ("image", "thumbnail"):
            name = getattr(photo, field).name
            if not name or private.exists(name) or not public.exists(name):
                continue
            with public.open(name, "rb") as source:
                saved = private.save(name, source)
            public.delete(name)
            moved += 1
            if saved != name:
                setattr(photo, field, saved)
                changed.append(field)
        if changed:
            photo.save(update_fields=changed)
    return moved
