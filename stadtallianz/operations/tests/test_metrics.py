"""/metrics: Prometheus's view of the platform, for the operator only, and correct when gunicorn
runs several worker processes."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from stadtallianz.core.models import KeptMail, ProcessHeartbeat
from stadtallianz.sensorthings.models import PendingAnnouncement

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "ops-token-for-tests-0123456789-abcdefghij"


@pytest.fixture(autouse=True)
def _token(settings):
    settings.OPS_TOKEN = TOKEN
    settings.OPS_EXPECTED_PROCESSES = {"worker": 120, "mqtt-bridge:b1": 120}


def samples(text: str) -> dict:
    """{(name, (label pairs…)): value} of an exposition text."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def scrape(client) -> dict:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return samples(response.content.decode())


def value(found: dict, name: str, **labels) -> float | None:
    return found.get((name, tuple(sorted(labels.items()))))


@pytest.mark.django_db
def test_a_request_is_counted_under_its_route_never_its_path(client):
    before = scrape(client)
    for slug in ("one-partner", "another-partner"):
        client.get(f"/de/partners/{slug}/")
    client.get("/no/such/address/at/all")
    found = scrape(client)
    count = "stadtallianz_http_requests_total"
    labels = {"method": "GET", "status": "4xx"}
    partner_routes = [key for key in found if key[0] == count and
                      ("route", "partners:detail") in key[1]]
    assert partner_routes, sorted(k for k in found if k[0] == count)
    assert (value(found, count, route="partners:detail", **labels)
            - (value(before, count, route="partners:detail", **labels) or 0)) == 2
    assert (value(found, count, route="unmatched", **labels)
            - (value(before, count, route="unmatched", **labels) or 0)) == 1
    # No label carries a path.
    assert not any("one-partner" in str(key) or "/no/such" in str(key) for key in found)
    histogram = "stadtallianz_http_request_duration_seconds_count"
    assert value(found, histogram, route="partners:detail", method="GET") >= 2


@pytest.mark.django_db
def test_without_credentials_or_with_a_wrong_token_nothing_is_shown(client, citizen):
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer " + "x" * 40)
    assert wrong.status_code == 403
    assert b"stadtallianz_" not in wrong.content
    client.force_login(citizen)
    assert client.get("/metrics").status_code == 403


@pytest.mark.django_db
def test_the_gauges_reflect_the_rows(client):
    now = timezone.now()
    ProcessHeartbeat.objects.create(
        name="mqtt-bridge:b1", started_at=now, last_seen=now - timedelta(seconds=30),
        last_success=now, state={"received": 120, "stored": 100, "duplicates": 5,
                                 "rejected": 15, "batches": 7, "lag_seconds": 0.75,
                                 "broker_connected": True})
    KeptMail.objects.create(subject="s", body="b", to=["a@example.org"],
                            next_attempt_at=now + timedelta(minutes=5))
    PendingAnnouncement.objects.create(bridge="b1", entity="Observations", ids=[1])
    found = scrape(client)
    assert value(found, "stadtallianz_database_up") == 1
    assert value(found, "stadtallianz_mqtt_observations_stored_total", bridge="b1") == 100
    assert value(found, "stadtallianz_mqtt_messages_rejected_total", bridge="b1") == 15
    assert value(found, "stadtallianz_mqtt_bridge_lag_seconds", bridge="b1") == 0.75
    assert value(found, "stadtallianz_mqtt_broker_connected", bridge="b1") == 1
    assert value(found, "stadtallianz_process_heartbeat_age_seconds",
                 process="mqtt-bridge:b1") == pytest.approx(30, abs=5)
    assert value(found, "stadtallianz_process_unhealthy", process="mqtt-bridge:b1") == 0
    assert value(found, "stadtallianz_process_unhealthy", process="worker") == 1  # missing
    assert value(found, "stadtallianz_kept_mails_waiting") == 1
    assert value(found, "stadtallianz_mqtt_outbox_rows") == 1


@pytest.mark.django_db
def test_a_scrape_costs_the_same_few_queries_whatever_is_stored(client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            scrape(client)
        return len(captured)

    empty = queries()
    now = timezone.now()
    for number in range(30):
        ProcessHeartbeat.objects.create(name=f"mqtt-bridge:b{number}", started_at=now,
                                        last_seen=now, state={"stored": number})
        KeptMail.objects.create(subject="s", body="b", to=["a@example.org"],
                                next_attempt_at=now)
        PendingAnnouncement.objects.create(bridge=f"b{number}", entity="Things", ids=[1])
    assert queries() == empty <= 8


def free_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return listener.getsockname()[1]


def test_under_gunicorn_every_worker_process_is_counted(tmp_path):
    """Two gunicorn workers, each replaced after five requests: /metrics still counts all the
    requests, whichever process answered them and whether it still lives."""
    port, metrics_dir = free_port(), tmp_path / "prometheus"
    metrics_dir.mkdir()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "REDIS_URL": "",
           "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "OPS_TOKEN": TOKEN,
           "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", "DEBUG": "false"}
    server = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).with_name("gunicorn")), "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--max-requests", "5", "config.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        # Up once /metrics refuses a request without the token (a route of its own, so that a
        # slow first answer, given up and asked again, is not among the requests counted).
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/metrics", timeout=30)  # noqa: S310
            except urllib.error.HTTPError as refused:
                assert refused.code == 401
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        for _ in range(24):
            urllib.request.urlopen(f"{base}/healthz", timeout=30).read()  # noqa: S310
        request = urllib.request.Request(  # noqa: S310 - http to the test's own server
            f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        text = urllib.request.urlopen(request, timeout=10).read().decode()  # noqa: S310
        request = urllib.request.Request(  # noqa: S310 - http to the test's own server
            f"{base}/healthz/processes", headers={"Authorization": f"Bearer {TOKEN}"})
        with pytest.raises(urllib.error.HTTPError) as unhealthy:
            urllib.request.urlopen(request, timeout=10)  # noqa: S310
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    found = samples(text)
    # 24 answered /healthz, across at least five worker processes (five requests each at most).
    assert value(found, "stadtallianz_http_requests_total", route="healthz", method="GET",
                 status="2xx") == 24
    assert len(list(metrics_dir.glob("counter_*.db"))) >= 5
    # The database of this instance is not migrated: the scrape says so instead of failing.
    assert value(found, "stadtallianz_database_up") == 0
    # And the health endpoint answers in its own format, not with an error page.
    assert unhealthy.value.code == 503
    assert json.loads(unhealthy.value.read()) == {
        "status": "unhealthy", "problems": ["database: unavailable (OperationalError)"]}
