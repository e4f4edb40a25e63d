"""`stadtallianz db_worker`: django-tasks-db's worker (TASKS_BACKEND=database), made to outlive a
database restart.

django-tasks-db's worker re-raises any database error other than a locked SQLite database, so
a PostgreSQL restart ended the process, and systemd gives up on a service that fails five times
in ten seconds. This command (it takes the place of django-tasks-db's, this app being listed
first) keeps the same options and, when the database is away, closes the broken connection and
tries again with back-off (core/recovery.py) until it answers or the worker is told to stop.
A task that was running when the connection broke is marked as failed when its result can be
written, as django-tasks-db does with any failing task."""

import logging
import threading
import time

from django_tasks_db.management.commands import db_worker

from stadtallianz.core import recovery

log = logging.getLogger("stadtallianz.recovery")


class Worker(db_worker.Worker):
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
