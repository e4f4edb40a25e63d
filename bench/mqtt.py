"""Benchmark: sustained MQTT ingest in messages per second, with zero loss.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stadtallianz_bench \
        .venv/bin/python bench/mqtt.py                   # PostgreSQL (the target), ..._mqtt
    .venv/bin/python bench/mqtt.py --messages 20000      # SQLite, var/bench-mqtt.sqlite3

Starts a Mosquitto of its own on a free port with the settings docs/deployment.md recommends
(persistence, no queue limit; or uses --url), the real `stadtallianz mqtt-bridge` command as a
separate process (as in production, notifications on), and `--publishers` publisher processes
that send `--messages` observations in total at QoS 1, each with its own phenomenonTime, spread
over `--streams` datastreams. It measures from the first publish until the last observation is
committed, then checks that every message is stored exactly once (zero loss, no duplicate).
"""

import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

from common import ROOT, load_average, parse_arguments, say, setup

PREFIX = "bench-mqtt-"
INGEST = "bench/ingest/"
START = datetime(2026, 1, 1, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"nothing listens on port {port}")


def start_broker(directory: str) -> tuple[subprocess.Popen, str]:
    from stadtallianz.sensorthings.mqtt import brokerconfig

    port, device_port = free_port(), free_port()
    conf = brokerconfig.mosquitto_conf(
        password_path=os.path.join(directory, "passwd"), acl_path=os.path.join(directory, "acl"),
        public_port=port, device_port=device_port, prefix="ingest/",
        persistence_dir=directory + "/", bind="127.0.0.1", log_dest="none")
    # The benchmark's clients are anonymous and publish to the ingest prefix directly: no
    # password or ACL file (what they cost per message is a hash lookup).
    conf = "\n".join(line for line in conf.splitlines()
                     if not line.startswith(("password_file", "acl_file")))
    if os.geteuid() == 0:  # as root Mosquitto switches to "mosquitto", which cannot write here
        conf += "\nuser root\n"
    path = os.path.join(directory, "mosquitto.conf")
    with open(path, "w") as handle:
        handle.write(conf)
    broker = subprocess.Popen([shutil.which("mosquitto") or "/usr/sbin/mosquitto",  # noqa: S603
                               "-c", path])
    wait_for_port(port)
    return broker, f"mqtt://127.0.0.1:{port}"


def datastreams(count: int) -> list[int]:
    from django.db import transaction

    from stadtallianz.livinglabs.models import LivingLab, PrivacyLevel
    from stadtallianz.partners.models import Organisation
    from stadtallianz.sensorthings import models as sta

    existing = list(sta.Datastream.objects.filter(name__startswith=PREFIX).order_by("pk")
                    .values_list("pk", flat=True))
    if len(existing) >= count:
        return existing[:count]
    with transaction.atomic():
        operator, _created = Organisation.objects.get_or_create(
            slug=f"{PREFIX}operator", defaults={
                "name": "Bench-MQTT", "type": Organisation.Type.COMPANY,
                "status": Organisation.Status.PARTNER, "partner_since": START})
        lab, _created = LivingLab.objects.get_or_create(slug=f"{PREFIX}lab", defaults={
            "name_de": "Bench-MQTT", "description_de": "Bench", "starts_on": START.date(),
            "area": {"type": "Point", "coordinates": [7.6, 51.9]}, "operator": operator,
            "contact_name": "Team", "contact_email": "team@example.org"})
        sensor = sta.Sensor.objects.create(lab=lab, name="Sensor", description="d",
                                           encoding_type="text/html", metadata="m")
        observed = sta.ObservedProperty.objects.create(
            lab=lab, name="Temperatur", definition="https://example.org/t", description="d")
        for k in range(len(existing), count):
            location = sta.Location.objects.create(
                lab=lab, name=f"Ort {k}", description="d",
                location={"type": "Point", "coordinates": [7 + k / 1000, 51.9]})
            thing = sta.Thing.objects.create(lab=lab, name=f"Station {k}", description="d")
            thing.locations.add(location)
            sta.Datastream.objects.create(
                lab=lab, thing=thing, sensor=sensor, observed_property=observed,
                name=f"{PREFIX}{k}", description="d", observation_type="OM_Measurement",
                unit_of_measurement={"name": "Grad Celsius", "symbol": "°C", "definition": "u"},
                privacy_level=PrivacyLevel.PUBLIC)
    return datastreams(count)


def publish(url: str, streams: list[int], first: int, count: int, go) -> None:
    """One publisher process: messages first … first+count-1, message k to datastream
    k % len(streams) with phenomenonTime START + k seconds."""
    import paho.mqtt.client as mqtt

    port = int(url.rsplit(":", 1)[1])
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2,
                         client_id=f"bench-publisher-{uuid.uuid4().hex[:8]}",
                         protocol=mqtt.MQTTv311, clean_session=False)
    client.max_inflight_messages_set(1000)
    client.connect("127.0.0.1", port)
    client.loop_start()
    go.wait()
    last = None
    for k in range(first, first + count):
        body = {"phenomenonTime": (START + timedelta(seconds=k)).isoformat(),
                "result": k % 1000 / 10}
        last = client.publish(f"{INGEST}v1.1/Datastreams({streams[k % len(streams)]})"
                              "/Observations", json.dumps(body), qos=1)
    last.wait_for_publish(600)
    while client._out_messages:  # every PUBACK received  # noqa: SLF001
        time.sleep(0.01)
    client.disconnect()
    client.loop_stop()


def publish_with_mosquitto_pub(url: str, streams: list[int], first: int, count: int,
                               go) -> None:
    """The same messages sent by Mosquitto's own C client (`mosquitto_pub -l`, one process per
    datastream, QoS 1): the load generator then takes little of the two cores the bridge,
    the broker and PostgreSQL share, so the figure is the bridge's rather than paho's."""
    port = url.rsplit(":", 1)[1]
    lines: dict[int, list[str]] = {}
    for k in range(first, first + count):
        body = {"phenomenonTime": (START + timedelta(seconds=k)).isoformat(),
                "result": k % 1000 / 10}
        lines.setdefault(streams[k % len(streams)], []).append(json.dumps(body))
    go.wait()
    clients = []
    for stream, bodies in lines.items():
        client = subprocess.Popen(  # noqa: S603
            [shutil.which("mosquitto_pub") or "/usr/bin/mosquitto_pub", "-h", "127.0.0.1",
             "-p", port, "-q", "1", "-l", "-t",
             f"{INGEST}v1.1/Datastreams({stream})/Observations"],
            stdin=subprocess.PIPE)
        clients.append((client, "\n".join(bodies) + "\n"))
    for client, text in clients:
        client.stdin.write(text.encode())
        client.stdin.close()
    for client, _text in clients:
        if client.wait(600):
            sys.exit("mosquitto_pub failed")


def main():
    arguments = parse_arguments(__doc__, {
        "--messages": (100_000, "messages in total"),
        "--publishers": (4, "publisher processes"),
        "--streams": (100, "datastreams the messages are spread over"),
        "--url": ("", "a running broker (default: start one)"),
        "--batch-size": (1000, "the bridge's --batch-size"),
        "--profile": ("", "write a cProfile of the bridge to this file"),
        "--without-notifications": (False, "the bridge publishes no notifications"),
        "--bridges": (1, "bridge processes sharing the subscription (MQTT 5 $share)"),
        "--paho-publishers": (False, "publish with paho in Python instead of mosquitto_pub"),
    }, per="runs", smoke={"messages": 600, "publishers": 2, "streams": 6})
    setup("mqtt", smoke=arguments.smoke)
    from django.db import connection

    from stadtallianz.sensorthings import models as sta

    streams = datastreams(arguments.streams)
    with connection.cursor() as cursor:  # a fresh run: the bench datastreams empty
        cursor.execute(f"DELETE FROM {sta.Observation._meta.db_table} "  # noqa: S608
                       f"WHERE datastream_id IN ({','.join(map(str, streams))})")
        cursor.execute(f"DELETE FROM {sta.HourlyAggregate._meta.db_table} "  # noqa: S608
                       f"WHERE datastream_id IN ({','.join(map(str, streams))})")
    connection.close()

    directory = tempfile.mkdtemp(prefix="bench-mqtt-")
    broker, url = (None, arguments.url) if arguments.url else start_broker(directory)
    environment = {**os.environ, "MQTT_URL": "" if arguments.without_notifications else url,
                   "MQTT_INGEST_PREFIX": INGEST, "LOG_LEVEL": "INFO"}
    log_paths = [os.path.join(directory, f"bridge-{n}.log") for n in range(arguments.bridges)]
    log_path = log_paths[0]
    bridges = []
    for path in log_paths:
        with open(path, "wb") as log:
            bridges.append(subprocess.Popen(  # noqa: S603
                [sys.executable,
                 *(["-m", "cProfile", "-o", arguments.profile] if arguments.profile else []),
                 str(ROOT / "manage.py"), "mqtt-bridge", "--url", url,
                 "--client-id", f"bench-bridge-{uuid.uuid4().hex[:8]}",
                 *(["--share", "bench"] if arguments.bridges > 1 else []),
                 "--batch-size", str(arguments.batch_size), "--progress-every", "5"],
                env=environment, stdout=log, stderr=log))
    try:
        deadline = time.monotonic() + 30
        while not all(b"connected" in open(path, "rb").read()  # noqa: SIM115
                      for path in log_paths):
            if time.monotonic() > deadline or any(b.poll() is not None for b in bridges):
                sys.exit("a bridge did not start:\n" + open(log_path).read())  # noqa: SIM115
            time.sleep(0.1)
        time.sleep(0.5)  # subscribed right after connecting

        total, publishers = arguments.messages, arguments.publishers
        context = multiprocessing.get_context("fork")
        go = context.Event()
        share = total // publishers
        sender = publish if arguments.paho_publishers else publish_with_mosquitto_pub
        processes = [context.Process(target=sender, args=(
            url, streams, p * share, share if p < publishers - 1 else total - p * share, go))
            for p in range(publishers)]
        for process in processes:
            process.start()
        time.sleep(1)  # all connected
        say(f"database: {connection.vendor}; {total:,} messages from {publishers} publishers "
            f"({'paho' if arguments.paho_publishers else 'mosquitto_pub'}, QoS 1) "
            f"over {len(streams)} datastreams; bridge batch {arguments.batch_size}, "
            f"notifications {'off' if arguments.without_notifications else 'on'}, "
            f"{arguments.bridges} bridge process(es)")
        say(f"machine: {os.cpu_count()} cores, load average {load_average()}")
        started = time.perf_counter()
        go.set()

        def stored() -> int:
            return sta.Observation.objects.filter(datastream__in=streams).count()

        published_at, count, last_change, last_count = None, 0, time.monotonic(), -1
        while count < total:
            time.sleep(0.25)
            if published_at is None and not any(p.is_alive() for p in processes):
                published_at = time.perf_counter() - started
            count = stored()
            if count != last_count:
                last_count, last_change = count, time.monotonic()
            elif time.monotonic() - last_change > 60:
                break  # nothing for a minute: report the loss below
        elapsed = time.perf_counter() - started
        for process in processes:
            process.join(60)
        time.sleep(2)  # late duplicates would show now
        count = stored()
        distinct = (sta.Observation.objects.filter(datastream__in=streams)
                    .values("datastream", "phenomenon_time_start").distinct().count())
    finally:
        for process in bridges:
            process.send_signal(signal.SIGTERM)
        for process in bridges:
            process.wait(60)
        if broker is not None:
            broker.send_signal(signal.SIGTERM)
            broker.wait(30)
    say(f"published in {published_at or elapsed:.1f} s "
        f"({total / (published_at or elapsed):,.0f} messages/s accepted by the broker)")
    say(f"stored {count:,} rows, {distinct:,} distinct, in {elapsed:.1f} s: "
        f"{count / elapsed:,.0f} messages/s end to end")
    for path in log_paths:
        bridge_lines = open(path).read().strip().splitlines()  # noqa: SIM115
        say("bridge: " + (bridge_lines[-1] if bridge_lines else "(no log)"))
    say(f"load average at the end: {load_average()}")
    shutil.rmtree(directory, ignore_errors=True)
    if count != total or distinct != total:
        sys.exit(f"LOSS OR DUPLICATES: {total:,} published, {count:,} stored, "
                 f"{distinct:,} distinct")
    say("zero loss, no duplicates")


if __name__ == "__main__":
    main()
