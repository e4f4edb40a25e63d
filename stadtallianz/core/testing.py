"""Helpers for tests of every app."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def query_count(callable_, *args, **kwargs) -> int:
    """How many SQL queries one call makes: for assertions that a page's count does not grow."""
    with CaptureQueriesContext(connection) as context:
        callable_(*args, **kwargs)
    return len(context.captured_queries)
