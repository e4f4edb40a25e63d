"""Heartbeats: how the processes beside the web servers (the task worker, the MQTT bridge, the
broker-configuration watcher, the periodic jobs) tell the operator's health and metrics
endpoints (stadtallianz/operations, docs/monitoring.md) that they are alive and doing their work.

Each process has one ProcessHeartbeat row, named after it. A heartbeat is written in a short
transaction of its own, and never breaks the process that writes it: a write that fails (the
database away, locked, not migrated) is logged and the process goes on; the next beat tries
again. A long-running loop writes through `Heartbeat`, at most once every EVERY seconds, so the
database sees a handful of writes a minute at most, whatever the loop's pace; a change between
success and failure is written at once.
"""

import contextlib
import logging
import time
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from . import recovery
from .models import ProcessHeartbeat

log = logging.getLogger("stadtallianz.heartbeat")

# Seconds between two writes of a long-running loop's heartbeat; the health endpoint's default
# expectations give such a process several of these before calling it stale.
EVERY = 20.0
ERROR_LENGTH = 2000


def record(name: str, *, started_at: datetime, state: dict | None = None,
           success: bool = False, error: str | None = None) -> bool:
    """Writes the heartbeat of `name` now: seen, and, with `success`, a success; with `error`,
    that error. `state` (small, JSON) replaces the stored one when given. True when written;
    never raises."""
    now = timezone.now()
    fields = {"started_at": started_at, "last_seen": now}
    if state is not None:
        fields["state"] = state
    if success:
        fields["last_success"] = now
    if error is not None:
        fields["last_error"] = error[:ERROR_LENGTH]
        fields["last_error_at"] = now
    try:
        # One statement (INSERT … ON CONFLICT DO UPDATE): two writers of one name at once — a
        # job started by hand while its timer runs it — both land instead of one failing on
        # the unique name.
        with transaction.atomic():
            ProcessHeartbeat.objects.bulk_create(
                [ProcessHeartbeat(name=name, **fields)], update_conflicts=True,
                unique_fields=["name"], update_fields=list(fields))
    except Exception as failure:  # noqa: BLE001 - a heartbeat must never stop its process
        log.warning("heartbeat of %s not recorded: %s", name, recovery.first_line(failure),
                    extra={"heartbeat": name, "error": type(failure).__name__})
        if isinstance(failure, recovery.DATABASE_UNAVAILABLE) and not connection.in_atomic_block:
            # A broken connection stays broken in a process without requests; the process's
            # next query opens a new one.
            recovery.drop_connection()
        return False
    return True


class Heartbeat:
    """The throttled heartbeat of one long-running process."""

    def __init__(self, name: str, *, every: float = EVERY):
        self.name, self.every = name, every
        self.started_at = timezone.now()
        # time.monotonic() of the last attempt to write, written or not: with the database
        # away, an idle loop that ticks several times a second still tries (and logs) only
        # once every `every` seconds.
        self._attempted_at: float | None = None
        self._last_error: str | None = None  # the error last written, None: a success

    def due(self) -> bool:
        return self._attempted_at is None or time.monotonic() - self._attempted_at >= self.every

    def beat(self, *, state: dict | None = None, success: bool = True,
             force: bool = False) -> bool:
        """Alive (and, by default, doing its work). Written when due, when forced, or at once
        after a reported error (the recovery is news). True when written."""
        if not (force or self.due() or (success and self._last_error is not None)):
            return False
        return self._write(state=state, success=success)

    def failed(self, error: str, *, state: dict | None = None) -> bool:
        """Alive, but its work failed. Written at once unless the same error was written less
        than `every` seconds ago."""
        if error == self._last_error and not self.due():
            return False
        return self._write(state=state, error=error)

    def _write(self, *, state, success: bool = False, error: str | None = None) -> bool:
        self._attempted_at = time.monotonic()
        written = record(self.name, started_at=self.started_at, state=state, success=success,
                         error=error)
        if written and (success or error is not None):
            # Alive without success (success=False, no error) leaves the last error standing,
            # so the next success is still written at once.
            self._last_error = error
        return written


@contextlib.contextmanager
def job(command: str):
    """Records one run of a periodic job (`job:<command>`): its success when the block ends,
    or, when it raises, the error (and no success), which is logged and raised on. A block or,
    as the commands use it, a decorator of their `handle`."""
    name = f"job:{command}"
    started_at, started = timezone.now(), time.monotonic()
    try:
        yield
    except Exception as error:
        duration = round(time.monotonic() - started, 3)
        log.error("job %s failed after %.1f s", command, duration, exc_info=True,
                  extra={"heartbeat": name, "duration_seconds": duration})
        record(name, started_at=started_at, state={"duration_seconds": duration},
               error=f"{type(error).__name__}: {recovery.first_line(error)}")
        raise
    duration = round(time.monotonic() - started, 3)
    record(name, started_at=started_at, state={"duration_seconds": duration}, success=True)
    log.info("job %s done in %.1f s", command, duration,
             extra={"heartbeat": name, "duration_seconds": duration})
