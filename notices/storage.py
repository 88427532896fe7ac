"""Where announcement attachments are kept: outside MEDIA_ROOT, never served by the
proxy. Files are streamed by `notices.views.attachment` to those who may read the
announcement.

The location is `settings.NOTICES_PRIVATE_ROOT` if set, else the environment variable
of that name, else `BASE_DIR/private/notices` (covenant/storage.py).
"""

from __future__ import annotations

from covenant.storage import PrivateStorage


class PrivateNoticesStorage(PrivateStorage):
    setting = "NOTICES_PRIVATE_ROOT"
    folder = "notices"
    served_by = "notices.views.attachment"


_storage = PrivateNoticesStorage()


def private_storage() -> PrivateNoticesStorage:
    return _storage
