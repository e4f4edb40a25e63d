"""The figures' cache: one version for all entries, replaced (after the commit) whenever a
counted model changes, so a change shows on the next request; entries also expire after a
day, which bounds what moves with time alone (the last 30 days, the last 12 months) together
with the nightly `compute_impact_figures`."""

import uuid

from django.core.cache import cache as django_cache
from django.db import transaction

VERSION_KEY = "impact:version"
# The data availability reads 90 days of hourly counts: it has a version of its own, replaced
# only when a datastream, sensor or lab changes (and nightly), not by every new registration.
STREAMS_VERSION_KEY = "impact:streams-version"
TIMEOUT = 26 * 3600


def version(name: str = VERSION_KEY) -> str:
    current = django_cache.get(name)
    if current is None:
        django_cache.add(name, uuid.uuid4().hex, None)
        current = django_cache.get(name)
    return current


def key(*parts) -> str:
    return ":".join(["impact", version(), *(str(part) for part in parts)])


def streams_key(*parts) -> str:
    return ":".join(["impact-streams", version(STREAMS_VERSION_KEY),
                     *(str(part) for part in parts)])


def get(cache_key: str):
    return django_cache.get(cache_key)


def put(cache_key: str, value) -> None:
    django_cache.set(cache_key, value, TIMEOUT)


def invalidate(*, streams: bool = False) -> None:
    django_cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    if streams:
        django_cache.set(STREAMS_VERSION_KEY, uuid.uuid4().hex, None)


def invalidate_on_commit(*args, **kwargs) -> None:
    """A signal receiver: the figures are stale once the change is committed."""
    transaction.on_commit(invalidate)


def invalidate_streams_on_commit(*args, **kwargs) -> None:
    transaction.on_commit(lambda: invalidate(streams=True))
