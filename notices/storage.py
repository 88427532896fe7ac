"""Where announcement attachments are kept: outside MEDIA_ROOT, never served by the
proxy. Files are streamed by `notices.views.attachment` to those who may read the
announcement.

The location is `settings.NOTICES_PRIVATE_ROOT` if set, else the environment variable
of that name, else `BASE_DIR/private/notices`. It is read at each use, so a test (or a
settings override) can move it.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_root() -> Path:
    configured = getattr(settings, "NOTICES_PRIVATE_ROOT", None) or os.environ.get(
        "NOTICES_PRIVATE_ROOT"
    )
    return Path(configured) if configured else Path(settings.BASE_DIR) / "private" / "notices"


class PrivateNoticesStorage(FileSystemStorage):
    """A file system storage with no URL: `url()` raises, so no template can link a
    file past the access check by mistake."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(private_root())

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Announcement attachments are served by notices.views.attachment.")

    def deconstruct(self):
        return ("notices.storage.PrivateNoticesStorage", (), {})


_storage = PrivateNoticesStorage()


def private_storage() -> PrivateNoticesStorage:
    return _storage
