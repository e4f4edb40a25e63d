"""Where uploaded documents are kept: a folder outside MEDIA_ROOT.

The reverse proxy may serve everything under /media/ without asking Django; documents can be
members-only, so they live in PRIVATE_MEDIA_ROOT and leave only through the download view, which
checks who is asking.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateStorage(FileSystemStorage):
    """FileSystemStorage in PRIVATE_MEDIA_ROOT, read on every access (tests change it), with no
    public URL."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Private files have no public URL; use the download view.")


_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    return _storage
