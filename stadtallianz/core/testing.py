"""Helpers for tests of every app."""

import threading
import time

from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext


def migrate_to(targets: list[tuple[str, str]]):
    """Migrates the test database to `targets` ([(app, migration), …]); returns the historical
    models there (`apps.get_model`), for tests of data migrations (a transactional test)."""
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def migrate_to_latest() -> None:
    """Back to the newest migrations, where the other tests expect the database."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def query_count(callable_, *args, **kwargs) -> int:
    """How many SQL queries one call makes: for assertions that a page's count does not grow."""
    with CaptureQueriesContext(connection) as context:
        callable_(*args, **kwargs)
    return len(context.captured_queries)


def field_errors(response) -> set[str]:
    """The field names a 422 answer of the API names (the last part of each `loc`)."""
    assert response.status_code == 422, response.content
    return {str(item["loc"][-1]) for item in response.json()["detail"]}


class _HeldTransaction(threading.Thread):
    """The thread of `in_open_transaction`: joining it also ends the wait for a caller."""

    def __init__(self, target):
        super().__init__(target=target, name="held-transaction")
        self.release = threading.Event()

    def join(self, timeout=None):
        self.release.set()
        super().join(timeout)


def in_open_transaction(work):
    """Runs `work` on a second connection (a thread) and keeps its transaction open until the
    caller's own attempt waits for it, so that the two meet for certain: the way race tests make
    two requests meet on PostgreSQL. PostgreSQL names who waits for whom (pg_blocking_pids), so
    the transaction commits as soon as the caller is seen waiting, not after a fixed time that
    would be too long on a quiet machine and too short on a busy one. An attempt that never has
    to wait (it takes no lock the work holds) runs wholly beside the open transaction: the
    transaction ends when the caller joins the thread. Returns the thread (join it after the
    attempt) and the list of errors `work` raised."""
    done, errors = threading.Event(), []

    def run():
        try:
            with transaction.atomic():
                work()
                done.set()
                _hold_until_waited_for(thread.release)
        except Exception as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
            done.set()
        finally:
            connections.close_all()

    thread = _HeldTransaction(run)
    thread.start()
    assert done.wait(10)
    return thread, errors


def _hold_until_waited_for(release: threading.Event, limit: float = 10.0) -> None:
    """Returns once another connection waits for a lock this one holds, once `release` is set,
    or after `limit` seconds (a test that forgot to join fails on its assertions, not by hanging).
    """
    if connection.vendor != "postgresql":
        # No other database tells who waits for whom; the race tests run on PostgreSQL only.
        release.wait(0.5)
        return
    deadline = time.monotonic() + limit
    with connection.cursor() as cursor:
        while not release.is_set() and time.monotonic() < deadline:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_stat_activity"
                           " WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid)))")
            if cursor.fetchone()[0]:
                return
            release.wait(0.005)
