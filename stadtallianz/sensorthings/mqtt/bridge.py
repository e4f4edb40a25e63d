"""The MQTT bridge (`stadtallianz mqtt-bridge`): stores the observations devices publish, each
exactly once, even when the broker or the database restarts under load.

How:
- One MQTT 5 session with a stable client id that never expires (clean start off), subscribed
  with QoS 1: while the bridge is away the broker keeps its messages, and a message is delivered
  again until the bridge acknowledges it.
- Manual acknowledgements: a message is acknowledged only after its observation is committed.
  A crash between commit and acknowledgement makes the broker deliver it again, and the dedupe
  key (payload.py) makes ingest skip it.
- Messages are taken in batches (up to `batch_size`, or what arrived within `batch_wait`) into
  one ingest.store() call: one transaction per batch.
- The database unavailable (connection lost, server restarting, SQLite locked): the connection
  is closed and the batch tried again with back-off, never dropped, never acknowledged before.
- A message that can never be stored (not JSON, unknown datastream, wrong type) is logged,
  counted and acknowledged: it is not retried forever.
- Acknowledgements go out only on the connection a message came in on. After a reconnect the
  broker delivers the unacknowledged ones again (dedupe skips them), so an acknowledgement can
  never reach a message it was not meant for.
- The broker unreachable: paho reconnects with exponential back-off (1 s doubling to 60 s).
"""

import logging
import queue
import threading
import time
from dataclasses import dataclass, field, replace

from django.db import DataError, IntegrityError, connection

from . import notify, recovery, topics
from .payload import BadMessage, parse

log = logging.getLogger("stadtallianz.mqtt.bridge")

NEVER_EXPIRES = 0xFFFFFFFF  # MQTT 5 session expiry interval: the broker keeps the session
RECEIVE_MAXIMUM = 10_000  # unacknowledged messages the broker may send (its default is 20)


# The database is away or not ready: the batch waits and is tried again, never dropped.
RETRY = recovery.DATABASE_UNAVAILABLE
# Something in the messages themselves: the refused ones are isolated and dropped as bad.
REFUSED = (BadMessage, ValueError, TypeError, IntegrityError, DataError,
           *recovery.driver_errors("IntegrityError", "DataError"))


@dataclass(slots=True)
class Received:
    connection: int  # which connection it arrived on (acknowledged only on that one)
    mid: int
    qos: int
    topic: str
    payload: bytes


@dataclass
class Counters:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    bad: int = 0
    database_retries: int = 0
    connections: int = 0
    since: float = field(default_factory=time.monotonic)


class Bridge:
    def __init__(self, *, url: str, prefix: str, client_id: str, batch_size: int = 1000,
                 batch_wait: float = 0.05, progress_every: float = 10.0,
                 stop: threading.Event | None = None, ready: threading.Event | None = None,
                 share: str = "", session_expiry: int = NEVER_EXPIRES):
        if not prefix:
            # Without a prefix the bridge would read its own notifications as new observations,
            # and subscribers would see raw device payloads.
            raise ValueError("MQTT_INGEST_PREFIX must not be empty (e.g. 'ingest/').")
        self.url, self.prefix, self.client_id, self.share = url, prefix, client_id, share
        self.session_expiry = session_expiry
        self.batch_size, self.batch_wait, self.progress_every = (batch_size, batch_wait,
                                                                 progress_every)
        self.stop = stop or threading.Event()
        self.counters = Counters()
        self.inbox: queue.SimpleQueue[Received] = queue.SimpleQueue()
        self._connection = 0  # increases on every connect and disconnect
        self._ack_lock = threading.Lock()
        self.connected = threading.Event()
        self.ready = ready or threading.Event()  # set once subscribed
        self.client = None

    # -- MQTT ------------------------------------------------------------------------------

    def _make_client(self):
        import paho.mqtt.client as mqtt
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        address = topics.broker_address(self.url)
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=self.client_id,
                             protocol=mqtt.MQTTv5, manual_ack=True)
        if address.username:
            client.username_pw_set(address.username, address.password)
        if address.tls:
            client.tls_set()
        client.reconnect_delay_set(min_delay=1, max_delay=60)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.session_expiry
        properties.ReceiveMaximum = RECEIVE_MAXIMUM
        client.connect_async(address.host, address.port, keepalive=30, clean_start=False,
                             properties=properties)
        return client

    def _on_connect(self, client, _userdata, flags, reason_code, _properties):
        if reason_code.is_failure:
            log.error("MQTT broker refused the connection: %s", reason_code)
            return
        with self._ack_lock:
            self._connection += 1
        self.counters.connections += 1
        log.info("connected to the MQTT broker (session kept: %s)", flags.session_present)
        from paho.mqtt.subscribeoptions import SubscribeOptions

        # Retained messages are not sent on (re)subscribing: a device's retained observation
        # would otherwise come again with every reconnect.
        client.subscribe([(topic, SubscribeOptions(
            qos=1, retainHandling=SubscribeOptions.RETAIN_DO_NOT_SEND))
                          for topic in topics.ingest_subscriptions(self.prefix, self.share)])
        self.connected.set()

    def _on_subscribe(self, _client, _userdata, _mid, reason_codes, _properties):
        refused = [code for code in reason_codes if code.is_failure]
        if refused:
            log.error("the broker refused the subscription: %s (check the ACL)", refused)
            return
        self.ready.set()

    def _on_disconnect(self, _client, _userdata, _flags, reason_code, _properties):
        with self._ack_lock:
            self._connection += 1
        self.connected.clear()
        if not self.stop.is_set():
            log.warning("disconnected from the MQTT broker (%s); reconnecting", reason_code)

    def _on_message(self, _client, _userdata, message):
        self.inbox.put(Received(self._connection, message.mid, message.qos, message.topic,
                                message.payload))

    def _acknowledge(self, batch: list[Received]) -> None:
        with self._ack_lock:
            for item in batch:
                if item.qos and item.connection == self._connection:
                    self.client.ack(item.mid, item.qos)

    # -- the loop ----------------------------------------------------------------------------

    def run(self) -> Counters:
        self.client = self._make_client()
        # Notifications of what we store go to our broker with our credentials, built and sent
        # by a thread of their own while the next batch is stored.
        notify.PUBLISHER.use(self.url, background=True)
        self.client.loop_start()
        log.info("MQTT bridge %s reading %s", self.client_id,
                 ", ".join(topics.ingest_subscriptions(self.prefix, self.share)))
        last_progress, last_received = time.monotonic(), 0
        try:
            while not self.stop.is_set():
                batch = self._next_batch()
                if batch:
                    self._handle(batch)
                if time.monotonic() - last_progress >= self.progress_every:
                    elapsed = time.monotonic() - last_progress
                    rate = (self.counters.received - last_received) / elapsed
                    log.info("%.0f messages/s; %s", rate, self.summary())
                    last_progress, last_received = time.monotonic(), self.counters.received
        finally:
            notify.PUBLISHER.release()
            self.client.disconnect()
            self.client.loop_stop()
            connection.close()
            log.info("MQTT bridge stopped; %s", self.summary())
        return self.counters

    def summary(self) -> str:
        c = self.counters
        return (f"{c.received} received, {c.stored} stored, {c.duplicates} duplicates skipped, "
                f"{c.bad} bad, {c.database_retries} database retries")

    def _next_batch(self) -> list[Received]:
        try:
            first = self.inbox.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.batch_wait
        while len(batch) < self.batch_size:
            remaining = deadline - time.monotonic()
            try:
                batch.append(self.inbox.get(timeout=remaining) if remaining > 0
                             else self.inbox.get_nowait())
            except queue.Empty:
                break
        return batch

    def _handle(self, batch: list[Received]) -> None:
        self.counters.received += len(batch)
        good = []
        for item in batch:
            ingest_topic = topics.parse_ingest(item.topic, self.prefix)
            try:
                if ingest_topic is None:
                    raise BadMessage(f"{item.topic} is not an ingest topic")
                good.append((item, parse(item.payload, ingest_topic.datastream_id)))
            except BadMessage as error:
                self._bad(item, str(error))
        try:
            self._store(good)
        except _Stopping:
            return  # shutting down while the database is away: not acknowledged, delivered again
        self._acknowledge(batch)

    def _bad(self, item: Received, reason: str) -> None:
        self.counters.bad += 1
        log.warning("dropped a message on %s: %s", item.topic, reason)

    def _store(self, items) -> None:
        """Stores the items; isolates (by halving) those ingest refuses, which are bad."""
        from ..errors import StaError

        if not items:
            return
        known = self._with_database(lambda: self._existing_datastreams(
            {observation.datastream_id for _item, observation in items}))
        pending = []
        for item, observation in items:
            if observation.datastream_id in known:
                pending.append((item, observation))
            else:
                self._bad(item, f"Datastream {observation.datastream_id} does not exist")
        parts = [pending] if pending else []
        while parts:
            part = parts.pop()
            try:
                ids = self._with_database(lambda part=part: self._store_part(part))
            except _Stopping:
                raise
            except Exception as error:  # noqa: BLE001 - isolated below, never retried forever
                if not isinstance(error, (StaError, *REFUSED)):
                    # Unexpected: kept apart like a refusal (one message must not stop the
                    # bridge for good), with the traceback for whoever fixes it.
                    log.exception("storing %d message(s) failed", len(part))
                if len(part) == 1:
                    self._bad(part[0][0], getattr(error, "message", None) or str(error))
                else:
                    half = len(part) // 2
                    parts.extend([part[half:], part[:half]])
                continue
            stored = sum(1 for pk in ids if pk is not None)
            self.counters.stored += stored
            self.counters.duplicates += len(ids) - stored

    @staticmethod
    def _existing_datastreams(ids) -> set[int]:
        from ..models import Datastream

        return set(Datastream.objects.filter(pk__in=ids).values_list("pk", flat=True))

    @staticmethod
    def _store_part(part):
        from .. import ingest

        # Copies: ingest fills in generated features, which a failed (rolled back) attempt
        # must not leave behind for the next one.
        return ingest.store([replace(observation) for _item, observation in part], lab_id=None)

    def _with_database(self, call):
        def count():
            self.counters.database_retries += 1

        return recovery.with_database(call, self.stop, what="storing", on_retry=count)


_Stopping = recovery.Stopping
