"""Who reads a private document: a question knowledge asks and higher apps answer.

A private document (`Document.Visibility.PRIVATE`) has no group, event or article; it is shared
with the people a higher app names, e.g. a funding application's consortium. Knowledge cannot
import those apps, so each registers a function in its `AppConfig.ready`:

    register_private_readers(fn)   # fn(user) -> a queryset of document ids (one column)

A logged-in person reads a private document when any registered function names it for them;
the coordination office reads all. Without any registration only the uploader (and the
office) reads it: a missing answer shares with nobody new, never with everyone.
"""

from collections.abc import Callable

from django.db.models import Q

_readers: list[Callable] = []


def register_private_readers(fn: Callable) -> None:
    """`fn(user)` returns the ids of the private documents `user` may read, as a queryset with
    one column (`.values("document_id")`), so that lists filter in one query. Registering the
    same function again changes nothing."""
    if fn not in _readers:
        _readers.append(fn)


def unregister_private_readers(fn: Callable) -> None:
    """For tests."""
    if fn in _readers:
        _readers.remove(fn)


def registered_readers() -> list[Callable]:
    return list(_readers)


def private_readable(user) -> Q:
    """The condition, on documents, of the private ones a logged-in `user` reads (the caller
    has ruled out anonymous visitors and the office)."""
    if not _readers:
        return Q(created_by=user)
    condition = Q(pk__in=[])
    for fn in _readers:
        condition |= Q(pk__in=fn(user))
    return condition
