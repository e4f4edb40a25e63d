"""Every process beside the web servers reports through core/heartbeat.py: throttled, never
breaking the process that writes it, and with what the operator needs to know."""

import io
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from stadtallianz.core import heartbeat
from stadtallianz.core.models import ProcessHeartbeat
from stadtallianz.operations.logformat import JsonFormatter
from stadtallianz.sensorthings.tests.conftest import lab, make_datastream  # noqa: F401
from stadtallianz.sensorthings.tests.mqtt_support import (
    publisher,
    running_bridge,
    unique_prefix,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[3]


def row(name: str) -> ProcessHeartbeat:
    return ProcessHeartbeat.objects.get(name=name)


@pytest.mark.django_db
def test_a_loop_writes_at_most_once_per_period_but_a_recovery_at_once():
    beat = heartbeat.Heartbeat("loop", every=3600)
    assert beat.beat(state={"turn": 1})
    assert not beat.beat(state={"turn": 2})  # throttled
    assert row("loop").state == {"turn": 1}
    assert beat.failed("the broker is away")
    assert not beat.failed("the broker is away")  # the same error again: throttled
    assert row("loop").failing
    assert beat.beat(state={"turn": 3})  # the recovery is news: written at once
    assert not row("loop").failing
    assert row("loop").state == {"turn": 3}


@pytest.mark.django_db
def test_a_heartbeat_that_cannot_be_written_never_breaks_its_process(caplog):
    with caplog.at_level(logging.WARNING, logger="stadtallianz.heartbeat"):
        written = heartbeat.record("odd", started_at=heartbeat.Heartbeat("odd").started_at,
                                   state={"not json": object()})
    assert written is False
    assert not ProcessHeartbeat.objects.filter(name="odd").exists()
    assert caplog.records[-1].heartbeat == "odd"
    # The connection is still usable for the process's own work.
    assert heartbeat.record("odd", started_at=heartbeat.Heartbeat("odd").started_at)


@pytest.mark.django_db
def test_a_loop_whose_heartbeat_cannot_be_written_tries_once_per_period(caplog):
    """With the database away an idle bridge ticks several times a second: it must not try
    (and log) on every tick."""
    beat = heartbeat.Heartbeat("unwritable", every=3600)
    with caplog.at_level(logging.WARNING, logger="stadtallianz.heartbeat"):
        for _ in range(5):
            beat.beat(state={"not json": object()})
    assert len([r for r in caplog.records if r.heartbeat == "unwritable"]) == 1
    assert not beat.due()


@pytest.mark.django_db
def test_alive_without_success_keeps_the_error_so_the_recovery_is_written_at_once():
    beat = heartbeat.Heartbeat("flaky", every=3600)
    assert beat.failed("the database is away")
    assert beat.beat(success=False, force=True)  # alive, its work not done yet
    assert beat.beat()  # the recovery: written at once, not after the period
    assert not row("flaky").failing


@pytest.mark.django_db
def test_two_writers_of_one_name_leave_one_row_with_the_last_write():
    first, second = heartbeat.Heartbeat("job:twice"), heartbeat.Heartbeat("job:twice")
    assert first.beat(state={"by": "timer"})
    assert second.beat(state={"by": "hand"})
    assert ProcessHeartbeat.objects.filter(name="job:twice").count() == 1
    assert row("job:twice").state == {"by": "hand"}


@pytest.mark.django_db
def test_each_periodic_job_records_its_success():
    for command in ("send_pending_notifications", "send_event_reminders",
                    "send_notification_digests", "apply_retention"):
        call_command(command, stdout=io.StringIO())
        beat = row(f"job:{command}")
        assert beat.last_success is not None and not beat.failing
        assert "duration_seconds" in beat.state


@pytest.mark.django_db
def test_a_failed_job_records_its_error_and_no_success():
    with pytest.raises(ZeroDivisionError), heartbeat.job("apply_retention"):
        1 / 0  # noqa: B018
    beat = row("job:apply_retention")
    assert beat.last_success is None and beat.failing
    assert beat.last_error == "ZeroDivisionError: division by zero"


# Committed transactions, as in production: the worker takes its tasks in a transaction of its
# own, which PostgreSQL refuses inside a test's.
@pytest.mark.django_db(transaction=True)
def test_the_task_worker_beats_from_its_loop(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("db_worker", batch=True, startup_delay=False, stdout=io.StringIO())
    beat = row("worker")
    assert beat.last_success is not None and not beat.failing
    assert set(beat.state) == {"worker_id", "tasks_run"}


@pytest.mark.django_db
def test_mosquitto_config_records_each_check_and_its_last_error(tmp_path, settings):
    settings.MQTT_PUBLISHER_PLUGIN = ""
    files = {"password_file": tmp_path / "passwd", "acl_file": tmp_path / "acl"}
    with pytest.raises(CommandError, match="not told to reload"):
        call_command("mosquitto-config", pid_file=tmp_path / "no-such.pid", **files,
                     stdout=io.StringIO())
    beat = row("mosquitto-config")
    assert beat.failing and "not told to reload" in beat.last_error
    call_command("mosquitto-config", **files, stdout=io.StringIO())
    beat = row("mosquitto-config")
    assert not beat.failing
    assert beat.state == {"tokens": 0, "datastreams": 0}


@pytest.mark.django_db(transaction=True)
def test_the_mqtt_bridge_reports_its_counters_connection_and_lag(lab, make_datastream):  # noqa: F811
    datastream = make_datastream(lab)
    prefix, client_id = unique_prefix(), f"test-heartbeat-{os.getpid()}-{time.time_ns()}"
    name = f"mqtt-bridge:{client_id}"
    device = publisher()
    try:
        with running_bridge("mqtt://127.0.0.1:1883", prefix, client_id=client_id):
            wait_until(lambda: ProcessHeartbeat.objects.filter(
                name=name, state__broker_connected=True).exists(), 30,
                message="a heartbeat saying the bridge is connected")
            topic = f"{prefix}v1.1/Datastreams({datastream.pk})/Observations"
            device.publish(topic, json.dumps({"phenomenonTime": "2026-11-26T10:00:00Z",
                                              "result": 1.5}), qos=1).wait_for_publish(10)
            device.publish(topic, b"not json", qos=1).wait_for_publish(10)
            wait_until(lambda: datastream.observations.count() == 1, 30)
    finally:
        device.disconnect()
    # The last heartbeat, written as it stopped, has the run's figures.
    state = row(name).state
    assert (state["received"], state["stored"], state["rejected"]) == (2, 1, 1)
    assert state["batches"] >= 1
    assert 0 <= state["lag_seconds"] < 10
    assert state["outbox_rows"] == 0 and state["outbox_oldest_age_seconds"] is None


def test_json_logs_are_one_object_per_line_with_fields(tmp_path):
    """LOG_FORMAT=json, as an operator would run the commands: every line on standard error is
    a JSON object with time (UTC), level, logger, message and the fields of the call."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_FORMAT": "json",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "REDIS_URL": ""}
    command = [str(Path(sys.executable).with_name("stadtallianz"))]
    subprocess.run([*command, "migrate", "-v0"], cwd=ROOT, env=env, check=True,  # noqa: S603
                   capture_output=True, timeout=120)
    job = subprocess.run([*command, "send_event_reminders"], cwd=ROOT, env=env,  # noqa: S603
                         capture_output=True, text=True, timeout=60, check=True)
    prefix = unique_prefix()
    bridge = subprocess.Popen(  # noqa: S603
        [*command, "mqtt-bridge", "--prefix", prefix, "--client-id", f"test-json-{prefix[5:15]}",
         "--session-expiry", "60", "--progress-every", "0.5"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    bridge_lines: list[str] = []
    reader = threading.Thread(target=lambda: bridge_lines.extend(bridge.stderr), daemon=True)
    reader.start()
    device = publisher()
    try:
        # A message published before the bridge has subscribed is not kept for it: publish
        # (to a datastream that does not exist) until its progress line says it read one.
        deadline = time.monotonic() + 60
        while not any("messages/s" in line for line in bridge_lines):
            assert time.monotonic() < deadline, bridge_lines
            device.publish(f"{prefix}v1.1/Datastreams(999999)/Observations", b"{}",
                           qos=1).wait_for_publish(10)
            time.sleep(1)
    finally:
        device.disconnect()
        bridge.send_signal(signal.SIGTERM)
        bridge.wait(30)
        reader.join(10)
    bridge_stderr = "".join(bridge_lines)
    lines = [json.loads(line) for line in (job.stderr + bridge_stderr).splitlines() if line]
    for entry in lines:
        assert {"time", "level", "logger", "message"} <= set(entry)
        assert entry["time"].endswith("Z") and "T" in entry["time"]
    done = next(entry for entry in lines if entry["message"].startswith("job "))
    assert done["heartbeat"] == "job:send_event_reminders" and "duration_seconds" in done
    progress = next(entry for entry in lines if "messages/s" in entry["message"])
    assert progress["logger"] == "stadtallianz.mqtt.bridge"
    assert progress["received"] >= 1 and progress["rejected"] == progress["received"]
    assert "lag_seconds" in progress and "messages_per_second" in progress


def test_the_json_format_carries_the_exception_text():
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed: %s", ("job",),
                                   sys.exc_info())
    record.heartbeat = "job:x"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "failed: job" and entry["heartbeat"] == "job:x"
    assert "ZeroDivisionError: division by zero" in entry["exception"]


def test_the_json_format_names_a_request_without_its_query_string(rf):
    request = rf.get("/de/notifications/unsubscribe/", {"token": "secret-token-value"})
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s",
                               (request.path,), None)
    record.request, record.status_code = request, 404
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["method"], entry["path"], entry["status_code"]) == (
        "GET", "/de/notifications/unsubscribe/", 404)
    assert "secret-token-value" not in json.dumps(entry)
