"""Helpers for tests of every app."""

import threading
import time

from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext


def query_count(callable_, *args, **kwargs) -> int:
    """How many SQL queries one call makes: for assertions that a page's count does not grow."""
    with CaptureQueriesContext(connection) as context:
        callable_(*args, **kwargs)
    return len(context.captured_queries)


def field_errors(response) -> set[str]:
    """The field names a 422 answer of the API names (the last part of each `loc`)."""
    assert response.status_code == 422, response.content
    return {str(item["loc"][-1]) for item in response.json()["detail"]}


def in_open_transaction(work):
    """Runs `work` on a second connection (a thread) and keeps its transaction open for half a
    second after the caller was told it has run, so that the caller's own attempt overlaps with
    it: the way race tests make two requests meet on PostgreSQL. Returns the thread (join it)
    and the list of errors `work` raised."""
    done, errors = threading.Event(), []

    def run():
        try:
            with transaction.atomic():
                work()
                done.set()
                time.sleep(0.5)
        except Exception as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
            done.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    assert done.wait(10)
    return thread, errors
