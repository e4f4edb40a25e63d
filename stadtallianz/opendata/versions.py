"""The catalogue's version: one token that changes whenever anything a cached answer shows
could have changed (a dataset or distribution saved or deleted, a publisher renamed), whatever
the change (a contact replaced at an account's erasure does not move `modified`). The DCAT
pages, CKAN's facets and each dataset's CKAN package dict are cached under it (dcat_views,
ckan.facets_for, ckan.package_cache_key).

It changes at once, so that a request in the same transaction sees no old page, and again
after the commit, so that a page another request made from the data before the commit, and
cached under the first new token, is not kept."""

import uuid

from django.core.cache import cache
from django.db import transaction

KEY = "opendata:catalogue-version"


def catalogue_version() -> str:
    version = cache.get(KEY)
    if version is None:
        cache.add(KEY, uuid.uuid4().hex, None)
        version = cache.get(KEY) or ""
    return version


def _new_version() -> None:
    cache.set(KEY, uuid.uuid4().hex, None)


def catalogue_changed(sender=None, **kwargs) -> None:
    _new_version()
    transaction.on_commit(_new_version, robust=True)
