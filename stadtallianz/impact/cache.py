"""The figures' cache: one version for all entries, replaced (after the commit) whenever a
counted model changes, so a change shows on the next request; entries also expire after a
day, which bounds what moves with time alone (the last 30 days, the last 12 months) together
with the nightly `compute_impact_figures`."""

import uuid

from django.core.cache import cache as django_cache
from django.db import transaction

VERSION_KEY = "impact:version"
TIMEOUT = 26 * 3600


def version() -> str:
    current = django_cache.get(VERSION_KEY)
    if current is None:
        django_cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        current = django_cache.get(VERSION_KEY)
    return current


def key(*parts) -> str:
    return ":".join(["impact", version(), *(str(part) for part in parts)])


def get(cache_key: str):
    return django_cache.get(cache_key)


def put(cache_key: str, value) -> None:
    django_cache.set(cache_key, value, TIMEOUT)


def invalidate() -> None:
    django_cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def invalidate_on_commit(*args, **kwargs) -> None:
    """A signal receiver: the figures are stale once the change is committed."""
    transaction.on_commit(invalidate)
