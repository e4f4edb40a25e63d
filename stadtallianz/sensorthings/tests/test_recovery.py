"""Storing and announcing outlive a database restart and a broker restart (issue 11, item 4).

The real bridge command runs as its own process against a PostgreSQL cluster and a Mosquitto
that the test started itself (so the shared services of CI are never disturbed). A device
publishes steadily at QoS 1 while PostgreSQL is restarted and then the broker; afterwards every
message must be stored exactly once and announced exactly once on the datastream's topic to a
subscriber with a persistent session. After its restart the broker sends the subscriber again
what it had not seen acknowledged, marked DUP (MQTT's at-least-once towards a QoS 1
subscriber); such a copy may also be the subscriber's first. So "announced once" is: no
observation reaches the subscriber twice without the DUP mark.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection

from stadtallianz.sensorthings.models import PrivacyLevel

from .mqtt_support import (
    POSTGRES_BIN,
    Broker,
    PrivatePostgres,
    Subscriber,
    free_port,
    publisher,
    simple_broker_conf,
    wait_until,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="runs in the PostgreSQL pass of CI: the bridge process is pointed "
                              "at a private PostgreSQL cluster made from the test database"),
    pytest.mark.skipif(not (POSTGRES_BIN / "initdb").exists(),
                       reason=f"the PostgreSQL server binaries are not in {POSTGRES_BIN}"),
]

N = 2500
START = datetime(2026, 11, 1, tzinfo=UTC)
MANAGE = Path(__file__).resolve().parents[3] / "manage.py"


def publish_steadily(client, topic: str, done: threading.Event):
    for i in range(N):
        body = {"phenomenonTime": (START + timedelta(seconds=i)).isoformat(), "result": i}
        client.publish(topic, json.dumps(body), qos=1)
        time.sleep(0.003)
    done.set()


class BridgeProcess:
    def __init__(self, environment: dict):
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, str(MANAGE), "mqtt-bridge", "--prefix", "ingest/",
             "--client-id", f"test-bridge-{uuid.uuid4().hex[:8]}", "--progress-every", "2"],
            env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.process.stdout),
                                       daemon=True)
        self.reader.start()
        wait_until(lambda: any("connected to the MQTT broker" in line for line in self.lines)
                   or self.process.poll() is not None, 60, message="the bridge's connection")
        assert self.process.poll() is None, "".join(self.lines)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(60)
        self.reader.join(10)
        return code

    def log(self) -> str:
        return "".join(self.lines)


def test_storing_and_announcing_resume_after_database_and_broker_restarts(
        tmp_path, lab, make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    database = PrivatePostgres().init()
    port = free_port()
    broker = Broker(tmp_path, simple_broker_conf(tmp_path, port), port).start()
    device = subscriber = bridge = None
    try:
        database.copy_from(connection.settings_dict)  # migrated schema, the lab, the datastream
        environment = {**os.environ, "DATABASE_URL": database.url(), "LOG_LEVEL": "INFO",
                       "MQTT_URL": f"mqtt://127.0.0.1:{port}"}
        bridge = BridgeProcess(environment)
        subscriber = Subscriber([f"v1.1/Datastreams({datastream.pk})/Observations"], port,
                                persistent=True)

        def stored() -> int:
            return database.query("SELECT count(*) FROM sensorthings_observation "
                                  "WHERE datastream_id = %s", datastream.pk) or 0

        def announced() -> list[int]:
            return [json.loads(payload)["result"] for _topic, payload in subscriber.received()]

        device = publisher(port, client_id=f"test-device-{uuid.uuid4().hex[:8]}",
                           clean_session=False)
        done = threading.Event()
        threading.Thread(target=publish_steadily, daemon=True, args=(
            device, f"ingest/v1.1/Datastreams({datastream.pk})/Observations", done)).start()

        try:
            wait_until(lambda: stored() > 300, 30, message="storing before the restarts")
        except AssertionError as error:
            raise AssertionError(f"{error}\n{bridge.log()[-3000:]}") from None
        database.stop()  # every session ends, as when the service restarts
        time.sleep(1.5)
        database.start()
        before = stored()
        wait_until(lambda: stored() > before + 300 and len(announced()) > before + 300, 30,
                   message="storing and announcing after the database restart")

        across_database_restart = announced()
        broker.stop()
        time.sleep(1)
        broker.start()
        after = stored()
        wait_until(lambda: stored() > after + 300 and len(announced()) > after + 300, 30,
                   message="storing and announcing after the broker restart")

        wait_until(done.is_set, 60, message="publishing")
        wait_until(lambda: stored() >= N and len(set(announced())) >= N, 60,
                   message=f"{N} stored and announced (have {stored()}, "
                           f"{len(set(announced()))})")
        time.sleep(2)  # what is still under way would show up as extra rows or announcements
        assert bridge.stop() == 0
        log = bridge.log()
        rows = stored()
        distinct_times = database.query(
            "SELECT count(DISTINCT phenomenon_time_start) FROM sensorthings_observation "
            "WHERE datastream_id = %s", datastream.pk)
    finally:
        for client in (device, subscriber):
            if client is not None:
                client.close() if client is subscriber else client.disconnect()
        if bridge is not None and bridge.process.poll() is None:
            bridge.process.kill()
        broker.stop()
        database.destroy()

    assert rows == distinct_times == N, f"{rows} rows, {distinct_times} times, {N} messages"
    results = announced()
    # Each observation announced, none twice across the database restart, and none sent twice
    # by the bridge: every copy beyond the first that the subscriber got is the broker's DUP.
    assert set(results) == set(range(N)), f"{len(set(results))} of {N} announced"
    assert len(across_database_restart) == len(set(across_database_restart)), (
        "an announcement repeated across the database restart")
    not_marked = Counter(result for result, dup in zip(results, subscriber.dup_flags, strict=True)
                         if not dup)
    twice = sorted(result for result, count in not_marked.items() if count > 1)
    assert not twice, (f"{len(twice)} observations announced twice without the DUP mark "
                       f"({len(results)} announcements, {subscriber.redelivered} marked DUP)")
    assert "storing: database unavailable" in log, "the restart did not reach the bridge"
    assert "Stopped:" in log


def test_the_task_worker_outlives_a_database_restart(lab):
    """`db_worker` (TASKS_BACKEND=database) on a private cluster: jobs queued before and after
    a PostgreSQL restart are all taken, and the worker is still running."""
    database = PrivatePostgres().init()
    worker = None
    try:
        database.copy_from(connection.settings_dict)
        environment = {**os.environ, "DATABASE_URL": database.url(), "LOG_LEVEL": "INFO",
                       "TASKS_BACKEND": "database", "MQTT_URL": ""}

        def enqueue(count: int):
            subprocess.run(  # noqa: S603
                [sys.executable, str(MANAGE), "shell", "-c",
                 "from stadtallianz.notifications.tasks import send_notification_email as t\n"
                 f"for _ in range({count}): t.enqueue(0)"],
                env=environment, check=True, capture_output=True, timeout=60)

        def waiting() -> int | None:
            return database.query("SELECT count(*) FROM django_tasks_database_dbtaskresult "
                                  "WHERE status = 'READY'")

        enqueue(3)
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, str(MANAGE), "db_worker", "--interval", "0.2", "--no-reload",
             "--no-startup-delay"], env=environment, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        wait_until(lambda: waiting() == 0, 30, message="the first jobs")
        database.stop()
        time.sleep(2)  # the worker polls meanwhile and meets the missing server
        database.start()
        enqueue(2)
        wait_until(lambda: waiting() == 0, 30, message="the jobs after the restart")
        assert worker.poll() is None, "the worker ended with the database restart"
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
        assert database.query("SELECT count(*) FROM django_tasks_database_dbtaskresult") == 5
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
        database.destroy()
    assert "database unavailable" in output, output[-2000:]
