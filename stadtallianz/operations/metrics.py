"""Prometheus metrics (docs/monitoring.md): requests counted and timed by route in each web
process, and, at scrape time, gauges read from the database (health.take: a fixed handful of
queries) for what the other processes do.

Under gunicorn each worker is a process of its own: with PROMETHEUS_MULTIPROC_DIR set (a
directory emptied at each start of the web service), prometheus_client keeps every process's
values in files there and /metrics adds them up, so a scrape sees all workers, including those
gunicorn has since replaced. Without it, the process's own registry is shown (runserver, one
worker)."""

import logging
import os
import time

from django.db import DatabaseError
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from . import health

log = logging.getLogger("stadtallianz.operations")

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUESTS = Counter("stadtallianz_http_requests", "HTTP requests answered, by route.",
                   ["route", "method", "status"])
LATENCY = Histogram("stadtallianz_http_request_duration_seconds",
                    "Time from the request reaching Django to its answer, by route.",
                    ["route", "method"],
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))


def route_of(request) -> str:
    """The URL pattern's name (or, unnamed, its pattern), never the path: one label per route,
    however many objects, languages or made-up addresses are asked for."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"  # a 404 before any route, a redirect of CommonMiddleware, …
    return match.view_name if match.url_name else (match.route or "unmatched")


class RequestMetrics:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        status = 500  # should anything below raise instead of answering
        try:
            response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            route = route_of(request)
            method = request.method if request.method in METHODS else "other"
            REQUESTS.labels(route, method, f"{status // 100}xx").inc()
            LATENCY.labels(route, method).observe(time.perf_counter() - started)


def _gauge(name: str, documentation: str, value, labels: dict | None = None):
    family = GaugeMetricFamily(name, documentation, labels=list(labels or {}))
    if value is not None:
        family.add_metric(list((labels or {}).values()), value)
    return family


class DatabaseMetrics:
    """What the database says at scrape time."""

    BRIDGE_COUNTERS = {  # heartbeat state key -> metric
        "received": ("stadtallianz_mqtt_messages_received",
                     "Device messages the bridge received since it started."),
        "stored": ("stadtallianz_mqtt_observations_stored",
                   "Observations the bridge stored since it started."),
        "duplicates": ("stadtallianz_mqtt_duplicates",
                       "Device messages skipped as already stored, since the bridge started."),
        "rejected": ("stadtallianz_mqtt_messages_rejected",
                     "Device messages rejected (dead letters) since the bridge started."),
        "batches": ("stadtallianz_mqtt_batches", "Batches stored since the bridge started."),
    }

    def describe(self):
        return []  # registering must not query the database; collect() does at scrape time

    def collect(self):
        try:
            snapshot = health.take()
        except DatabaseError as error:
            log.warning("metrics: the database did not answer: %s", error,
                        extra={"error": type(error).__name__})
            yield _gauge("stadtallianz_database_up", "Whether the scrape could read the "
                         "database.", 0)
            return
        yield _gauge("stadtallianz_database_up", "Whether the scrape could read the database.", 1)
        yield from self._processes(snapshot)
        yield from self._bridges(snapshot)
        yield from self._backlog(snapshot)
        yield _gauge("stadtallianz_active_device_tokens",
                     "Device tokens not revoked (devices that may publish).",
                     snapshot.active_device_tokens)

    @staticmethod
    def _processes(snapshot):
        labels = ["process"]
        age = GaugeMetricFamily("stadtallianz_process_heartbeat_age_seconds",
                                "Seconds since the process's last heartbeat.", labels=labels)
        success = GaugeMetricFamily("stadtallianz_process_last_success_age_seconds",
                                    "Seconds since the process (or job) last succeeded.",
                                    labels=labels)
        stale = GaugeMetricFamily("stadtallianz_process_unhealthy",
                                  "1 when an expected process is missing, stale or failing "
                                  "(what /healthz/processes reports).", labels=labels)
        for report in snapshot.processes:
            beat = report.heartbeat
            if beat is not None:
                age.add_metric([report.name], (snapshot.now - beat.last_seen).total_seconds())
                if beat.last_success:
                    success.add_metric([report.name],
                                       (snapshot.now - beat.last_success).total_seconds())
            if report.max_age is not None:
                stale.add_metric([report.name], 1 if report.problem else 0)
        yield from (age, success, stale)

    def _bridges(self, snapshot):
        labels = ["bridge"]
        counters = {key: CounterMetricFamily(name, text, labels=labels)
                    for key, (name, text) in self.BRIDGE_COUNTERS.items()}
        lag = GaugeMetricFamily("stadtallianz_mqtt_bridge_lag_seconds",
                                "From a message's arrival to its commit, oldest of the last "
                                "batch.", labels=labels)
        connected = GaugeMetricFamily("stadtallianz_mqtt_broker_connected",
                                      "1 while the bridge is connected to the broker.",
                                      labels=labels)
        for report in snapshot.bridges():
            bridge = report.name.removeprefix(health.BRIDGE_PREFIX)
            state = report.heartbeat.state or {}
            for key, family in counters.items():
                if isinstance(state.get(key), int):
                    family.add_metric([bridge], state[key])
            if state.get("lag_seconds") is not None:
                lag.add_metric([bridge], state["lag_seconds"])
            connected.add_metric([bridge], 1 if state.get("broker_connected") else 0)
        yield from counters.values()
        yield from (lag, connected)

    # (metric, help, where in Snapshot.backlog); an age that is None (nothing waiting) is 0.
    BACKLOG_GAUGES = (
        ("stadtallianz_tasks_queued", "Background tasks due and not yet started.",
         ("tasks", "queued")),
        ("stadtallianz_tasks_oldest_age_seconds",
         "Seconds the oldest due background task has waited.", ("tasks", "oldest_age_seconds")),
        ("stadtallianz_notification_emails_due",
         "Notification e-mails due to be sent (first try failed or not yet sent).",
         ("notification_emails", "due")),
        ("stadtallianz_notification_emails_failed",
         "Notification e-mails given up after every attempt failed.",
         ("notification_emails", "failed")),
        ("stadtallianz_kept_mails_waiting",
         "E-mails that could not be sent and wait for their next attempt.",
         ("kept_mails", "waiting")),
        ("stadtallianz_kept_mails_failed", "Kept e-mails given up after every attempt failed.",
         ("kept_mails", "failed")),
        ("stadtallianz_kept_mails_oldest_age_seconds",
         "Seconds the oldest waiting kept e-mail has waited.",
         ("kept_mails", "oldest_age_seconds")),
        ("stadtallianz_mqtt_outbox_rows",
         "MQTT notifications the bridges still owe (PendingAnnouncement).",
         ("pending_announcements", "rows")),
        ("stadtallianz_mqtt_outbox_oldest_age_seconds",
         "Seconds the oldest owed MQTT notification has waited.",
         ("pending_announcements", "oldest_age_seconds")),
    )

    def _backlog(self, snapshot):
        for name, documentation, (queue, figure) in self.BACKLOG_GAUGES:
            yield _gauge(name, documentation, snapshot.backlog[queue][figure] or 0)

def render() -> bytes:
    """The exposition text: the requests of every web process, then the database's gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        requests = CollectorRegistry()
        MultiProcessCollector(requests)
    else:
        requests = REGISTRY
    database = CollectorRegistry()
    database.register(DatabaseMetrics())
    return generate_latest(requests) + generate_latest(database)
