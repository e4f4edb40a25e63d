"""/healthz/processes: what an operator's monitoring reads to know that every process beside the
web servers is alive and doing its work, and who may read it."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from stadtallianz.core import heartbeat
from stadtallianz.core.models import KeptMail, ProcessHeartbeat
from stadtallianz.sensorthings.models import PendingAnnouncement

pytestmark = pytest.mark.django_db

TOKEN = "ops-token-for-tests-0123456789-abcdefghij"
URL = "/healthz/processes"


@pytest.fixture(autouse=True)
def _expectations(settings):
    settings.OPS_TOKEN = TOKEN
    settings.OPS_EXPECTED_PROCESSES = {"worker": 120, "mqtt-bridge:b1": 120,
                                       "job:send_pending_notifications": 900}


def ask(client, token=TOKEN):
    return client.get(URL, **({"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}))


def beat(name, *, seen_ago=0, success_ago=None, error=None, error_ago=0, state=None):
    now = timezone.now()
    ProcessHeartbeat.objects.update_or_create(name=name, defaults={
        "started_at": now - timedelta(hours=1), "last_seen": now - timedelta(seconds=seen_ago),
        "last_success": (now - timedelta(seconds=success_ago)
                         if success_ago is not None else None),
        "last_error": error or "",
        "last_error_at": now - timedelta(seconds=error_ago) if error else None,
        "state": state or {}})


def all_fresh():
    beat("worker", success_ago=5)
    beat("mqtt-bridge:b1", success_ago=5, state={"broker_connected": True, "lag_seconds": 0.2})
    beat("job:send_pending_notifications", seen_ago=60, success_ago=60)


def by_name(body):
    return {process["name"]: process for process in body["processes"]}


def test_all_processes_fresh_is_healthy(client):
    all_fresh()
    response = ask(client)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["problems"] == []
    processes = by_name(body)
    assert processes["mqtt-bridge:b1"]["status"] == "ok"
    assert processes["mqtt-bridge:b1"]["state"]["lag_seconds"] == 0.2
    assert processes["job:send_pending_notifications"]["age_seconds"] == pytest.approx(60, abs=5)
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_stale_worker_makes_it_unhealthy_with_the_reason(client):
    all_fresh()
    beat("worker", seen_ago=300, success_ago=300)
    response = ask(client)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert by_name(body)["worker"]["status"] == "stale"
    assert len(body["problems"]) == 1
    assert re.fullmatch(r"worker: stale \(last seen 30\d s ago, expected within 120 s\)",
                        body["problems"][0])


def test_a_process_that_never_reported_is_missing(client):
    all_fresh()
    ProcessHeartbeat.objects.filter(name="mqtt-bridge:b1").delete()
    response = ask(client)
    assert response.status_code == 503
    assert by_name(response.json())["mqtt-bridge:b1"]["status"] == "missing"
    assert response.json()["problems"] == ["mqtt-bridge:b1: never reported"]


def test_a_job_whose_last_run_failed_is_failing_though_it_ran_recently(client):
    all_fresh()
    with pytest.raises(RuntimeError), heartbeat.job("send_pending_notifications"):
        raise RuntimeError("SMTP server refused the login")
    response = ask(client)
    assert response.status_code == 503
    job = by_name(response.json())["job:send_pending_notifications"]
    assert job["status"] == "failing"
    assert job["last_error"] == "RuntimeError: SMTP server refused the login"
    assert "SMTP server refused the login" in response.json()["problems"][0]


def test_a_job_is_stale_when_it_has_not_succeeded_within_its_schedule(client):
    all_fresh()
    # Seen a minute ago (it ran) but its last success is an hour old: still stale.
    beat("job:send_pending_notifications", seen_ago=60, success_ago=3600)
    response = ask(client)
    assert response.status_code == 503
    assert by_name(response.json())["job:send_pending_notifications"]["status"] == "stale"


def test_a_successful_run_of_the_real_command_makes_the_job_fresh(client, settings):
    settings.OPS_EXPECTED_PROCESSES = {"job:send_pending_notifications": 900}
    assert ask(client).status_code == 503
    call_command("send_pending_notifications", stdout=io.StringIO())
    response = ask(client)
    assert response.status_code == 200, response.json()
    assert by_name(response.json())["job:send_pending_notifications"]["status"] == "ok"


def test_a_process_nobody_expects_is_reported_but_never_unhealthy(client):
    all_fresh()
    beat("mqtt-bridge:retired", seen_ago=86400)
    response = ask(client)
    assert response.status_code == 200
    retired = by_name(response.json())["mqtt-bridge:retired"]
    assert retired["expected_within_seconds"] is None and retired["status"] == "ok"


def test_the_backlog_counts_what_waits(client, settings):
    all_fresh()
    now = timezone.now()
    KeptMail.objects.create(subject="s", body="b", to=["a@example.org"],
                            next_attempt_at=now + timedelta(minutes=5))
    KeptMail.objects.create(subject="s", body="b", to=["a@example.org"], attempts=12,
                            next_attempt_at=None, last_error="gave up")
    PendingAnnouncement.objects.create(bridge="b1", entity="Observations", ids=[1, 2])
    backlog = ask(client).json()["backlog"]
    assert backlog["kept_mails"]["waiting"] == 1
    assert backlog["kept_mails"]["failed"] == 1
    assert backlog["pending_announcements"]["rows"] == 1
    assert backlog["pending_announcements"]["oldest_age_seconds"] < 60
    assert backlog["tasks"] == {"queued": 0, "oldest_age_seconds": None}


def test_tasks_waiting_too_long_make_it_unhealthy_while_a_worker_is_expected(client, settings):
    from django_tasks_db.models import DBTaskResult

    from stadtallianz.notifications.tasks import send_notification_email

    all_fresh()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    send_notification_email.enqueue(1)
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(hours=1))
    body = ask(client).json()
    assert body["backlog"]["tasks"]["queued"] == 1
    assert body["backlog"]["tasks"]["oldest_age_seconds"] >= 3600
    assert body["status"] == "unhealthy"
    assert body["problems"][0].startswith("tasks: the oldest has waited")


# -- who may read it --------------------------------------------------------------------------

def test_without_credentials_the_answer_is_401_and_names_bearer(client):
    all_fresh()
    response = ask(client, token=None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "processes" not in response.json()


def test_a_wrong_token_is_403(client):
    response = ask(client, token=TOKEN[:-1] + "x")
    assert response.status_code == 403
    assert "processes" not in response.json()


def test_no_token_is_valid_while_ops_token_is_unset(client, settings):
    settings.OPS_TOKEN = ""
    assert ask(client, token="").status_code == 401
    assert client.get(URL, HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_a_logged_in_person_who_is_no_superuser_is_403(client, coordinator):
    client.force_login(coordinator)
    assert ask(client, token=None).status_code == 403


def test_a_superusers_session_may_read_it(client, superuser):
    all_fresh()
    client.force_login(superuser)
    assert ask(client, token=None).status_code == 200


def test_the_public_probe_does_not_depend_on_the_processes(client):
    """A stale worker must not take every web node out of the load balancer."""
    beat("worker", seen_ago=3600)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert set(response.json()) <= {"status", "database", "cache"}
