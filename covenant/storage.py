"""Private file storage: files kept outside MEDIA_ROOT and never served by the proxy, but
streamed by a view to those who may read what they belong to (an announcement's
attachments, an idea's photos).

An app subclasses ``PrivateStorage`` and names its setting and its folder::

    class PrivateNoticesStorage(PrivateStorage):
        setting = "NOTICES_PRIVATE_ROOT"
        folder = "notices"
        served_by = "notices.views.attachment"

The location is the setting if set, else the environment variable of that name, else
``BASE_DIR/private/<folder>``. It is read at each use, so a test (or a settings override)
can move it. A subclass deconstructs to its own path, so its migrations do not change.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_root(setting: str, folder: str) -> Path:
    configured = getattr(settings, setting, None) or os.environ.get(setting)
    return Path(configured) if configured else Path(settings.BASE_DIR) / "private" / folder


class PrivateStorage(FileSystemStorage):
    """A file system storage with no URL: `url()` raises, so no template can link a file
    past the access check by mistake."""

    setting: str
    folder: str
    served_by: str  # the view that streams the files, named in url()'s refusal

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(private_root(self.setting, self.folder))

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError(f"These files are served by {self.served_by}, never by address.")

    def deconstruct(self):
        return (f"{type(self).__module__}.{type(self).__qualname__}", (), {})
