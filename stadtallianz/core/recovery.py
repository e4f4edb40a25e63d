"""What the long-lived threads and processes (the MQTT bridge and its notifications, the
broker-configuration watcher, the task worker) share to outlive a database restart: which
errors mean "the database is away, try again" and how to try again.

A Django connection that broke (the server restarted, a network cut) stays broken: Django
replaces it only between requests, and these threads have no requests. So on such an error
the thread closes its connection (the next query opens a new one) and waits, doubling the wait
up to a limit, until the database answers again.
"""

import contextlib
import logging
import threading

from django.db import InterfaceError, OperationalError, ProgrammingError, connection

log = logging.getLogger("stadtallianz.recovery")

MAX_DATABASE_DELAY = 30.0


def driver_errors(*names: str) -> tuple:
    """The same errors as the database drivers raise them (ingest may use a raw psycopg cursor
    for COPY, whose errors Django does not wrap)."""
    import sqlite3

    found = [getattr(sqlite3, name) for name in names if hasattr(sqlite3, name)]
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return tuple(found)
    return tuple(found + [getattr(psycopg, name) for name in names if hasattr(psycopg, name)])


# The database is away (connection lost, server restarting, SQLite locked) or not ready (a
# missing migration): the work waits and is tried again, never dropped.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, ProgrammingError,
                        *driver_errors("OperationalError", "InterfaceError",
                                        "ProgrammingError"))


class Stopping(Exception):
    """Raised by with_database when the thread is told to stop while the database is away."""


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def drop_connection() -> None:
    """Closes this thread's database connection, broken or not: the next query opens one."""
    with contextlib.suppress(Exception):  # closing a broken connection may fail
        connection.close()


def with_database(call, stop: threading.Event, *, what: str = "database work",
                  on_retry=None, max_delay: float = MAX_DATABASE_DELAY):
    """call() until it does not fail for want of a database; Stopping when `stop` is set
    meanwhile. Every other error goes to the caller."""
    delay = 0.1
    while True:
        try:
            return call()
        except DATABASE_UNAVAILABLE as error:
            if on_retry is not None:
                on_retry()
            log.warning("%s: database unavailable (%s); retrying in %.1f s", what,
                        first_line(error), delay)
            drop_connection()
            if stop.wait(delay):
                raise Stopping() from None
            delay = min(delay * 2, max_delay)
