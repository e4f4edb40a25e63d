"""Exactly once under load: N uniquely timed messages are published at QoS 1 while (a) the broker
restarts, (b) the database goes away (PostgreSQL: the bridge's connections are terminated again
and again; SQLite: another connection holds the write lock for seconds). Every message must be
stored exactly once."""

import json
import sqlite3
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel

from .mqtt_support import (
    Broker,
    free_port,
    publisher,
    running_bridge,
    simple_broker_conf,
    unique_prefix,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)

N = 3000
START = datetime(2026, 11, 1, tzinfo=UTC)


def publish_all(client, topic: str, count: int, done: threading.Event, pace: float = 0.0005):
    """Publishes `count` messages, each with its own phenomenonTime (paho keeps and resends
    unacknowledged ones across reconnects)."""
    for i in range(count):
        body = {"phenomenonTime": (START + timedelta(seconds=i)).isoformat(), "result": i}
        client.publish(topic, json.dumps(body), qos=1)
        if pace:
            time.sleep(pace)
    done.set()


def stored_exactly_once(datastream, count: int):
    times = list(sta.Observation.objects.filter(datastream=datastream)
                 .values_list("phenomenon_time_start", flat=True))
    assert len(times) == count, f"{len(times)} rows for {count} messages"
    assert set(times) == {START + timedelta(seconds=i) for i in range(count)}


def stored(datastream) -> int:
    try:
        return sta.Observation.objects.filter(datastream=datastream).count()
    except Exception:  # noqa: BLE001 - SQLite locked by the test itself a moment ago
        connection.close()
        return -1


def test_every_message_is_stored_once_while_the_broker_restarts(tmp_path, lab, make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    port = free_port()
    broker = Broker(tmp_path, simple_broker_conf(tmp_path, port), port).start()
    prefix = "ingest/"
    topic = f"{prefix}v1.1/Datastreams({datastream.pk})/Observations"
    client_id = f"test-bridge-{uuid.uuid4().hex[:8]}"
    device = None
    try:
        with running_bridge(f"mqtt://127.0.0.1:{port}", prefix, client_id=client_id):
            # A persistent publisher session: what it sent before the restart and had not
            # seen acknowledged, it sends again (the broker may then hold it twice).
            device = publisher(port, client_id=f"test-device-{uuid.uuid4().hex[:8]}",
                               clean_session=False)
            done = threading.Event()
            threading.Thread(target=publish_all, args=(device, topic, N, done),
                             daemon=True).start()
            for _restart in range(2):
                wait_until(lambda: stored(datastream) > 300 or done.is_set(), 60)
                broker.stop()
                time.sleep(1)
                broker.start()
                time.sleep(1.5)
            wait_until(done.is_set, 120, message="publishing")
            wait_until(lambda: stored(datastream) >= N, 180,
                       message=f"{N} stored (have {stored(datastream)})")
            time.sleep(2)  # redeliveries still under way would show up as extra rows
    finally:
        if device is not None:
            device.disconnect()
            device.loop_stop()
        broker.stop()
    stored_exactly_once(datastream, N)


def test_every_message_is_stored_once_while_the_database_goes_away(lab, make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    prefix = unique_prefix()
    topic = f"{prefix}v1.1/Datastreams({datastream.pk})/Observations"
    device = publisher(client_id=f"test-device-{uuid.uuid4().hex[:8]}", clean_session=False)
    try:
        with running_bridge("mqtt://127.0.0.1:1883", prefix):
            done = threading.Event()
            threading.Thread(target=publish_all, args=(device, topic, N, done),
                             daemon=True).start()
            wait_until(lambda: stored(datastream) > 200, 60)
            if connection.vendor == "postgresql":
                terminate_other_connections(seconds=4)
            else:
                hold_the_sqlite_write_lock(seconds=3)
            wait_until(done.is_set, 120, message="publishing")
            wait_until(lambda: stored(datastream) >= N, 180,
                       message=f"{N} stored (have {stored(datastream)})")
            time.sleep(2)
    finally:
        device.disconnect()
        device.loop_stop()
    stored_exactly_once(datastream, N)


def terminate_other_connections(seconds: float):
    """Every 0.3 s, ends every other session on the test database (the bridge's), as a
    PostgreSQL restart would."""
    deadline, terminated = time.monotonic() + seconds, 0
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            terminated += cursor.fetchone()[0]
            time.sleep(0.3)
    assert terminated > 0


def execute_when_unlocked(database: sqlite3.Connection, statement: str, within: float = 10):
    deadline = time.monotonic() + within
    while True:
        try:
            database.execute(statement)
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def hold_the_sqlite_write_lock(seconds: float):
    """Another connection takes the write lock, as a long write elsewhere would: the bridge
    gets "database table is locked" until it is released."""
    name = connection.settings_dict["NAME"]
    test_name = connection.settings_dict.get("TEST", {}).get("NAME") or name
    locker = sqlite3.connect(str(test_name), uri=str(test_name).startswith("file:"),
                             isolation_level=None, check_same_thread=False)
    try:
        locker.execute("BEGIN IMMEDIATE")
        # The in-memory test database uses a shared cache, whose table locks are refused at once
        # ("table is locked") rather than waited for while the bridge is reading that table, so
        # the locker waits its turn as a real writer would.
        for statement in ("UPDATE sensorthings_datastream SET name = name WHERE id = -1",
                          "UPDATE sensorthings_observation SET result_number = 0 WHERE id = -1"):
            execute_when_unlocked(locker, statement)
        time.sleep(seconds)
        locker.execute("ROLLBACK")
    finally:
        locker.close()


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="a bridge process of its own cannot open SQLite's in-memory test "
                           "database; the thread-based tests above cover SQLite")
def test_a_bridge_process_killed_under_load_loses_and_repeats_nothing(tmp_path, lab,
                                                                      make_datastream):
    """The real command as its own process, killed with SIGKILL (no clean shutdown: committed
    batches may be unacknowledged) and started again, then stopped with SIGTERM. On a broker
    of its own with the recommended settings: Mosquitto's default keeps only 1,000 messages
    for a client that is away, and drops the rest."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    prefix, client_id = unique_prefix(), f"test-bridge-{uuid.uuid4().hex[:8]}"
    database = connection.settings_dict
    port = free_port()
    broker = Broker(tmp_path, simple_broker_conf(tmp_path, port), port).start()
    environment = {**os.environ, "LOG_LEVEL": "INFO", "MQTT_URL": f"mqtt://127.0.0.1:{port}",
                   "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:"
                                   f"{database['PORT']}/{database['NAME']}"}
    manage = Path(__file__).resolve().parents[3] / "manage.py"

    def start():
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, str(manage), "mqtt-bridge", "--prefix", prefix,
             "--client-id", client_id], env=environment, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
        reader.start()
        wait_until(lambda: any("connected" in line for line in lines)
                   or process.poll() is not None, 60)
        time.sleep(0.5)  # subscribed just after connecting
        return process, lines, reader

    device = publisher(port, client_id=f"test-device-{uuid.uuid4().hex[:8]}",
                       clean_session=False)
    process, lines, _reader = start()
    try:
        done = threading.Event()
        threading.Thread(target=publish_all, args=(
            device, f"{prefix}v1.1/Datastreams({datastream.pk})/Observations", N, done),
            daemon=True).start()
        wait_until(lambda: stored(datastream) > 500, 60)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        process, lines, reader = start()
        wait_until(done.is_set, 120, message="publishing")
        wait_until(lambda: stored(datastream) >= N, 180,
                   message=f"{N} stored (have {stored(datastream)})")
        time.sleep(2)
        process.send_signal(signal.SIGTERM)
        try:
            assert process.wait(30) == 0
        except subprocess.TimeoutExpired:
            pytest.fail("the bridge did not stop within 30 s of SIGTERM:\n"
                        + "".join(lines[-30:]))
        reader.join(10)
        assert any(line.startswith("Stopped:") for line in lines), lines[-5:]
    finally:
        if process.poll() is None:
            process.kill()
        device.disconnect()
        device.loop_stop()
        broker.stop()
    stored_exactly_once(datastream, N)
