"""What the MQTT tests share: a private Mosquitto on free ports (for configuration, ACL and
restart tests), a subscriber that collects messages, the bridge command running in a thread,
and polling with generous time-outs (never a fixed sleep that could be too short)."""

import contextlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
from django.core.management import call_command
from django.db import OperationalError, connection

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
SHARED_BROKER = ("127.0.0.1", 1883)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.05, message: str = ""):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except OperationalError as error:
            # SQLite's shared in-memory test database locks a table while the bridge thread
            # writes to it; such a read is simply tried again.
            if "locked" not in str(error):
                raise
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s: {message or predicate}")
        time.sleep(interval)


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Broker:
    """A Mosquitto of the test's own: `conf` is its configuration text (ports in it)."""

    def __init__(self, directory: Path, conf: str, port: int):
        self.directory, self.port = directory, port
        self.conf_path = directory / "mosquitto.conf"
        if os.geteuid() == 0 and "\nuser " not in conf:
            # Started as root, Mosquitto switches to the user "mosquitto", which could neither
            # read the test's files nor write its persistence file.
            conf += "user root\n"
        self.conf_path.write_text(conf)
        self.process = None

    def start(self):
        log = open(self.directory / "mosquitto.log", "ab")  # noqa: SIM115 - kept by the process
        self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.conf_path)],  # noqa: S603
                                        stdout=log, stderr=log)
        wait_until(lambda: port_open(self.port) or self.process.poll() is not None, 10)
        assert self.process.poll() is None, (self.directory / "mosquitto.log").read_text()
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # saves its persistence file
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def reload(self):
        self.process.send_signal(signal.SIGHUP)

    def log(self) -> str:
        return (self.directory / "mosquitto.log").read_text(errors="replace")


def simple_broker_conf(directory: Path, port: int) -> str:
    """Anonymous, with persistence: for restart tests."""
    return (f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
            f"persistence_location {directory}/\nautosave_interval 1\n"
            "max_queued_messages 0\nmax_queued_bytes 0\n")


class Subscriber:
    """Collects (topic, payload) of every message on the given topic filters."""

    def __init__(self, filters, port: int = 1883, username=None, password=None,
                 persistent: bool = False, qos: int = 1):
        """`persistent`: a session the broker keeps (and fills) while the subscriber is away,
        e.g. across a broker restart; it reconnects within a second."""
        self.messages: list[tuple[str, bytes]] = []
        self.redelivered = 0  # messages the broker marked as sent again (MQTT DUP)
        self.dup_flags: list[bool] = []  # the DUP flag of each of `messages`
        self._lock = threading.Lock()
        self.subscribed = threading.Event()
        self.refused = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2,
                                  client_id=f"test-sub-{uuid.uuid4().hex[:8]}",
                                  protocol=mqtt.MQTTv311, clean_session=not persistent)
        if persistent:
            self.client.reconnect_delay_set(min_delay=0.2, max_delay=1)
        if username:
            self.client.username_pw_set(username, password)
        self.client.on_connect = lambda client, *_a: client.subscribe([(f, qos) for f in filters])
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        wait_until(self.subscribed.is_set, 10, message="subscription")

    def _on_subscribe(self, _client, _userdata, _mid, reason_codes, _properties):
        if any(code.is_failure for code in reason_codes):
            self.refused.set()
        self.subscribed.set()

    def _on_message(self, _client, _userdata, message):
        with self._lock:
            self.messages.append((message.topic, message.payload))
            self.redelivered += bool(message.dup)
            self.dup_flags.append(bool(message.dup))

    def received(self) -> list[tuple[str, bytes]]:
        with self._lock:
            return list(self.messages)

    def containing(self, text: str) -> list[tuple[str, dict]]:
        return [(topic, json.loads(payload)) for topic, payload in self.received()
                if text.encode() in payload]

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


def login(port: int, username: str | None = None, password: str | None = None):
    """A connected MQTT 3.1.1 client, or the CONNACK reason code (equal to a string like "Not
    authorized") when the broker refuses it."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    if username:
        client.username_pw_set(username, password)
    result, done = {}, threading.Event()

    def on_connect(_client, _userdata, _flags, reason_code, _properties):
        result["reason"] = reason_code
        done.set()

    client.on_connect = on_connect
    client.connect("127.0.0.1", port)
    client.loop_start()
    wait_until(done.is_set, 10, message="CONNACK")
    if result["reason"].is_failure:
        client.loop_stop()
        return result["reason"]
    return client


def publisher(port: int = 1883, username=None, password=None, client_id: str = "",
              clean_session: bool = True):
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                         protocol=mqtt.MQTTv311, clean_session=clean_session)
    if username:
        client.username_pw_set(username, password)
    client.max_inflight_messages_set(100)
    client.reconnect_delay_set(min_delay=0.2, max_delay=1)
    connected = threading.Event()
    client.on_connect = lambda *_a: connected.set()
    client.connect("127.0.0.1", port)
    client.loop_start()
    wait_until(connected.is_set, 10, message="publisher connection")
    return client


@contextlib.contextmanager
def running_bridge(url: str, prefix: str, client_id: str | None = None, **options):
    """The real `stadtallianz mqtt-bridge` command in a thread of this process (so it uses the
    test database on SQLite too); stopped at the end like SIGTERM would."""
    stop, ready = threading.Event(), threading.Event()
    errors = []

    def run():
        try:
            call_command("mqtt-bridge", url=url, prefix=prefix,
                         client_id=client_id or f"test-bridge-{uuid.uuid4().hex[:8]}",
                         progress_every=2, stop_event=stop, ready_event=ready,
                         # The shared broker forgets the test's session after ten minutes.
                         session_expiry=options.pop("session_expiry", 600),
                         stdout=io.StringIO(), **options)
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name="mqtt-bridge", daemon=True)
    thread.start()
    try:
        wait_until(lambda: ready.is_set() or not thread.is_alive(), 30,
                   message="the bridge's subscription")
        yield thread
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive(), "the bridge did not stop"
    assert not errors, errors


def unique_prefix() -> str:
    """An ingest prefix of the test's own on the shared broker (stands in for the device
    listener's mount_point), so parallel runs never read each other's messages."""
    return f"test-{uuid.uuid4().hex[:10]}/ingest/"


POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")


class PrivatePostgres:
    """A PostgreSQL cluster of the test's own (initdb in a temporary directory, a free port),
    which it may stop and start without disturbing the shared server. PostgreSQL refuses to
    run as root: as root, the cluster runs as the user "postgres"."""

    def __init__(self):
        import tempfile

        self.directory = Path(tempfile.mkdtemp(prefix="stadtallianz-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.directory, "postgres", "postgres")

    def _run(self, *command: str, **options) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        return subprocess.run([*prefix, *command], check=True, capture_output=True,  # noqa: S603
                              timeout=60, **options)

    def init(self, database: str = "stadtallianz"):
        self._run(str(POSTGRES_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "-A", "trust", "--no-sync", "-E", "UTF8")
        self.start()
        self._run(str(POSTGRES_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                  "-U", "postgres", database)
        self.database = database
        return self

    def start(self):
        # No fsync: the test restarts the server cleanly, it does not pull the plug.
        self._run(str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "30",
                  "-l", str(self.directory / "postgres.log"), "-o",
                  f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                  "-c fsync=off -c full_page_writes=off", "start")

    def stop(self, mode: str = "fast"):
        """`fast` ends every session at once, as a restart of the service does."""
        self._run(str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-m", mode, "stop")

    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.database}"

    def copy_from(self, settings_dict: dict):
        """Schema and rows of another database (the migrated test database with the test's
        fixtures) into this one."""
        source = ["-h", settings_dict["HOST"] or "127.0.0.1", "-p", str(settings_dict["PORT"]
                                                                       or 5432),
                  "-U", settings_dict["USER"] or "postgres"]
        dump = subprocess.run(["pg_dump", "--no-owner", "--no-privileges", *source,  # noqa: S603,S607
                               settings_dict["NAME"]], check=True, capture_output=True,
                              timeout=60).stdout
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",  # noqa: S603,S607
                        "-p", str(self.port), "-U", "postgres", "-d", self.database],
                       input=dump, check=True, capture_output=True, timeout=60)

    def query(self, sql: str, *parameters):
        """The first column of the first row; None while the server is away."""
        import psycopg

        try:
            with psycopg.connect(self.url(), connect_timeout=2) as database:
                return database.execute(sql, parameters).fetchone()[0]
        except psycopg.OperationalError:
            return None

    def destroy(self):
        with contextlib.suppress(Exception):
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)
