"""`stadtallianz db_worker`: django-tasks-db's worker (TASKS_BACKEND=database), made to outlive a
database restart.

django-tasks-db's worker re-raises any database error other than a locked SQLite database, so
a PostgreSQL restart ended the process, and systemd gives up on a service that fails five times
in ten seconds. This command (it takes the place of django-tasks-db's, this app being listed
first) keeps the same options and, when the database is away, closes the broken connection and
tries again with back-off (core/recovery.py) until it answers or the worker is told to stop.
A task that was running when the connection broke is marked as failed when its result can be
written, as django-tasks-db does with any failing task.

Each turn of the worker's loop is its heartbeat (`worker`, core/heartbeat.py, at most one write
every 20 s): the operator's health endpoint calls the worker stale when the loop stops turning,
for whatever reason (hung, killed, a task running for minutes)."""

import logging
import threading
import time

from django.db import close_old_connections
from django_tasks_db.management.commands import db_worker

from stadtallianz.core import heartbeat, recovery

log = logging.getLogger("stadtallianz.recovery")


class Worker(db_worker.Worker):
    # django-tasks-db's loop (run) has no hook of its own: it reads `self.running` once at the
    # top of every turn, outside any transaction, so that read is where the heartbeat beats.
    @property
    def running(self) -> bool:
        if self._running and not self._in_signal_handler:
            # The loop closes a connection the server dropped only after this read: close it
            # first, or the heartbeat's write fails on it and logs a spurious warning.
            close_old_connections()
            self._heartbeat.beat(state={"worker_id": self.worker_id,
                                        "tasks_run": self._run_tasks})
        return self._running

    @running.setter
    def running(self, value: bool) -> None:
        if not hasattr(self, "_heartbeat"):
            self._heartbeat = heartbeat.Heartbeat("worker")
            self._in_signal_handler = False
        self._running = value

    def shutdown(self, signum, frame) -> None:
        # The handler interrupts the loop anywhere, possibly inside a transaction: no write.
        self._in_signal_handler = True
        try:
            super().shutdown(signum, frame)
        finally:
            self._in_signal_handler = False

    def run(self) -> None:
        delay = 0.5
        while self.running:
            started = time.monotonic()
            try:
                return super().run()
            except recovery.DATABASE_UNAVAILABLE as error:
                if time.monotonic() - started > 60:
                    delay = 0.5  # a new outage, not the same one continuing
                log.warning("task worker: database unavailable (%s); retrying in %.1f s",
                            recovery.first_line(error), delay)
                recovery.drop_connection()
                # A sleep that SIGTERM cuts short: shutdown() exits while no task runs.
                threading.Event().wait(delay)
                delay = min(delay * 2, recovery.MAX_DATABASE_DELAY)
        return None


class Command(db_worker.Command):
    help = db_worker.Command.help + " Outlives database restarts."

    def handle(self, *args, **options):
        original, db_worker.Worker = db_worker.Worker, Worker
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = original
