"""What the operator's endpoints report, read from the database in a fixed handful of queries
whatever the amount of data: the heartbeats of the processes (core/heartbeat.py) held against
what the settings expect (OPS_EXPECTED_PROCESSES), and the backlogs of the queues the worker,
the periodic jobs and the MQTT bridge work off."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from stadtallianz.core.models import (
    KEPT_MAIL_GIVEN_UP,
    KEPT_MAIL_WAITING,
    KeptMail,
    ProcessHeartbeat,
)
from stadtallianz.livinglabs.models import LabToken
from stadtallianz.notifications.models import EMAIL_GIVEN_UP, Notification, email_due
from stadtallianz.sensorthings.models import PendingAnnouncement

BRIDGE_PREFIX = "mqtt-bridge:"
JOB_PREFIX = "job:"


def _age(now: datetime, then: datetime | None) -> float | None:
    return round((now - then).total_seconds(), 1) if then else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@dataclass
class ProcessReport:
    name: str
    heartbeat: ProcessHeartbeat | None
    max_age: int | None  # None: not expected (reported, never unhealthy)
    now: datetime

    @property
    def is_job(self) -> bool:
        return self.name.startswith(JOB_PREFIX)

    @property
    def age(self) -> float | None:
        """Seconds since the process was last seen, or (a job) last succeeded."""
        if self.heartbeat is None:
            return None
        return _age(self.now, self.heartbeat.last_success if self.is_job
                    else self.heartbeat.last_seen)

    @property
    def stale(self) -> bool:
        if self.max_age is None:
            return False
        return self.age is None or self.age > self.max_age

    @property
    def failing(self) -> bool:
        return self.max_age is not None and self.heartbeat is not None and self.heartbeat.failing

    @property
    def problem(self) -> str | None:
        beat = self.heartbeat
        if self.max_age is None:
            return None
        if beat is None:
            return f"{self.name}: never reported"
        if self.failing:
            return f"{self.name}: failing since {_iso(beat.last_error_at)}: {beat.last_error}"
        if self.stale:
            what = "succeeded" if self.is_job else "seen"
            when = f"{self.age:.0f} s ago" if self.age is not None else "never"
            return f"{self.name}: stale (last {what} {when}, expected within {self.max_age} s)"
        return None

    def as_json(self) -> dict:
        beat = self.heartbeat
        return {
            "name": self.name,
            "expected_within_seconds": self.max_age,
            "status": ("missing" if beat is None and self.max_age is not None
                       else "failing" if self.failing else "stale" if self.stale else "ok"),
            "age_seconds": self.age,
            "started_at": _iso(beat.started_at) if beat else None,
            "last_seen": _iso(beat.last_seen) if beat else None,
            "last_success": _iso(beat.last_success) if beat else None,
            "last_error": beat.last_error if beat and beat.last_error else None,
            "last_error_at": _iso(beat.last_error_at) if beat else None,
            "state": beat.state if beat else {},
        }


@dataclass
class Snapshot:
    now: datetime
    processes: list[ProcessReport]  # the expected ones first, then any other that reported
    backlog: dict = field(default_factory=dict)
    active_device_tokens: int = 0

    @property
    def problems(self) -> list[str]:
        found = [report.problem for report in self.processes if report.problem]
        tasks = self.backlog["tasks"]
        if ("worker" in settings.OPS_EXPECTED_PROCESSES and tasks["oldest_age_seconds"]
                and tasks["oldest_age_seconds"] > settings.OPS_TASK_MAX_WAIT):
            found.append(f"tasks: the oldest has waited {tasks['oldest_age_seconds']:.0f} s "
                         f"(more than {settings.OPS_TASK_MAX_WAIT} s)")
        return found

    def bridges(self) -> list[ProcessReport]:
        return [report for report in self.processes
                if report.name.startswith(BRIDGE_PREFIX) and report.heartbeat is not None]


def take(now: datetime | None = None) -> Snapshot:
    """Six queries, whatever is stored."""
    now = now or timezone.now()
    beats = {beat.name: beat for beat in ProcessHeartbeat.objects.all()}
    expected = settings.OPS_EXPECTED_PROCESSES
    processes = [ProcessReport(name, beats.get(name), max_age, now)
                 for name, max_age in sorted(expected.items())]
    processes += [ProcessReport(name, beat, None, now)
                  for name, beat in sorted(beats.items()) if name not in expected]

    tasks = DBTaskResult.objects.ready().aggregate(queued=Count("pk"),
                                                   oldest=Min("enqueued_at"))
    emails = Notification.objects.filter(emailed_at__isnull=True).aggregate(
        due=Count("pk", filter=email_due(now)), failed=Count("pk", filter=EMAIL_GIVEN_UP))
    kept = KeptMail.objects.filter(sent_at__isnull=True).aggregate(
        waiting=Count("pk", filter=KEPT_MAIL_WAITING),
        failed=Count("pk", filter=KEPT_MAIL_GIVEN_UP),
        oldest=Min("created_at", filter=KEPT_MAIL_WAITING))
    announcements = PendingAnnouncement.objects.aggregate(rows=Count("pk"),
                                                          oldest=Min("queued_at"))
    return Snapshot(
        now=now, processes=processes,
        backlog={
            "tasks": {"queued": tasks["queued"],
                      "oldest_age_seconds": _age(now, tasks["oldest"])},
            "notification_emails": {"due": emails["due"], "failed": emails["failed"]},
            "kept_mails": {"waiting": kept["waiting"], "failed": kept["failed"],
                           "oldest_age_seconds": _age(now, kept["oldest"])},
            "pending_announcements": {"rows": announcements["rows"],
                                      "oldest_age_seconds": _age(now, announcements["oldest"])},
        },
        active_device_tokens=LabToken.objects.active().count())
