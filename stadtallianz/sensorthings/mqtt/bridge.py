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
- A message that can never be stored (not JSON, over an input limit, unknown datastream,
  wrong type) or that fails in any unexpected way is logged, counted, recorded as rejected
  (deadletters.py, shown on the lab's token page) and acknowledged: it is not retried forever,
  and the rest of its batch is stored (the refused part is halved until the bad message is
  alone). Whatever a device sends, the bridge keeps running.
- Acknowledgements go out only on the connection a message came in on. After a reconnect the
  broker delivers the unacknowledged ones again (dedupe skips them), so an acknowledgement can
  never reach a message it was not meant for.
- The broker unreachable: paho reconnects with exponential back-off (1 s doubling to 60 s).
- With `named_publishers` (the broker runs the publisher plugin, MQTT_PUBLISHER_PLUGIN), each
  message carries the user name of the token that sent it in its topic: it is stored only when
  that token is active and its lab may write the datastream (and know the feature) it names, as
  over HTTP; otherwise it is rejected and recorded under that token's lab.
- Its heartbeat (`mqtt-bridge:<client id>`, core/heartbeat.py) carries its counters, whether it
  is connected to the broker, its lag (from a message's arrival to its commit, last batch) and
  the age of the oldest notification it still owes; written from the loop between batches, at
  most every 20 s (at once when the broker connection comes or goes), never inside a batch's
  transaction (docs/monitoring.md).
"""

import logging
import queue
import threading
import time
from dataclasses import dataclass, field, replace

from django.db import DataError, IntegrityError, connection
from django.utils import timezone

from stadtallianz.core import heartbeat, recovery

from . import notify, topics
from .payload import BadMessage, parse

log = logging.getLogger("stadtallianz.mqtt.bridge")

NEVER_EXPIRES = 0xFFFFFFFF  # MQTT 5 session expiry interval: the broker keeps the session
RECEIVE_MAXIMUM = 10_000  # unacknowledged messages the broker may send (its default is 20)
# A bridge without a broker connection for longer than this reports a failure in its heartbeat
# (shorter gaps are the reconnects after a broker restart).
BROKER_GRACE = 30.0


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
    arrived: float = field(default_factory=time.monotonic)  # for the bridge's lag


@dataclass
class Counters:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    bad: int = 0
    database_retries: int = 0
    connections: int = 0
    batches: int = 0
    since: float = field(default_factory=time.monotonic)


class Bridge:
    def __init__(self, *, url: str, prefix: str, client_id: str, batch_size: int = 1000,
                 batch_wait: float = 0.05, progress_every: float = 10.0,
                 stop: threading.Event | None = None, ready: threading.Event | None = None,
                 share: str = "", session_expiry: int = NEVER_EXPIRES,
                 named_publishers: bool = False):
        if not prefix:
            # Without a prefix the bridge would read its own notifications as new observations,
            # and subscribers would see raw device payloads.
            raise ValueError("MQTT_INGEST_PREFIX must not be empty (e.g. 'ingest/').")
        self.url, self.prefix, self.client_id, self.share = url, prefix, client_id, share
        self.session_expiry = session_expiry
        self.named_publishers = named_publishers
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
        self._rejected: list = []  # the current batch's rejected messages (deadletters.py)
        self.heartbeat = heartbeat.Heartbeat(f"mqtt-bridge:{client_id}")
        self.lag: float | None = None  # seconds from arrival to commit, oldest of last batch
        self._disconnected_since: float | None = time.monotonic()  # None while connected
        self._beat_connected: bool | None = None  # the broker connection last reported

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
        self._disconnected_since = None
        log.info("connected to the MQTT broker (session kept: %s)", flags.session_present)
        from paho.mqtt.subscribeoptions import SubscribeOptions

        # Retained messages are not sent on (re)subscribing: a device's retained observation
        # would otherwise come again with every reconnect.
        client.subscribe([(topic, SubscribeOptions(
            qos=1, retainHandling=SubscribeOptions.RETAIN_DO_NOT_SEND))
                          for topic in self._subscriptions()])
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
        self._disconnected_since = time.monotonic()
        if not self.stop.is_set():
            log.warning("disconnected from the MQTT broker (%s); reconnecting", reason_code)

    def _on_message(self, _client, _userdata, message):
        # The topic's raw bytes, decoded leniently: an exception here would end paho's network
        # thread (the broker checks topics are UTF-8, this does not rely on it).
        topic = bytes(message._topic).decode("utf-8", errors="replace")
        self.inbox.put(Received(self._connection, message.mid, message.qos, topic,
                                message.payload))

    def _subscriptions(self) -> list[str]:
        return topics.ingest_subscriptions(self.prefix, self.share,
                                           named_publishers=self.named_publishers)

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
        notify.PUBLISHER.use(self.url, background=True, client_id=self.client_id,
                             stop=self.stop)
        self.client.loop_start()
        log.info("MQTT bridge %s reading %s", self.client_id,
                 ", ".join(self._subscriptions()))
        last_progress, last_received = time.monotonic(), 0
        try:
            while not self.stop.is_set():
                batch = self._next_batch()
                if batch:
                    self._handle_safely(batch)
                    self.counters.batches += 1
                    self.lag = time.monotonic() - min(item.arrived for item in batch)
                # Between batches, never inside one's transaction; throttled.
                self._beat()
                if time.monotonic() - last_progress >= self.progress_every:
                    # Quiet while idle: a line only for a period in which messages arrived.
                    if self.counters.received != last_received:
                        elapsed = time.monotonic() - last_progress
                        rate = (self.counters.received - last_received) / elapsed
                        log.info("%.0f messages/s; %s", rate, self.summary(),
                                 extra={"bridge": self.client_id,
                                        "messages_per_second": round(rate, 1),
                                        **self._figures()})
                    last_progress, last_received = time.monotonic(), self.counters.received
        finally:
            notify.PUBLISHER.release()
            self.client.disconnect()
            self.client.loop_stop()
            self._beat(force=True)
            connection.close()
            log.info("MQTT bridge stopped; %s", self.summary(),
                     extra={"bridge": self.client_id, **self._figures()})
        return self.counters

    def _figures(self) -> dict:
        c = self.counters
        return {"received": c.received, "stored": c.stored, "duplicates": c.duplicates,
                "rejected": c.bad, "batches": c.batches, "database_retries": c.database_retries,
                "connections": c.connections,
                "lag_seconds": round(self.lag, 3) if self.lag is not None else None}

    def _beat(self, *, force: bool = False) -> None:
        """The heartbeat, when due or when the broker connection changed since the last one."""
        connected = self.connected.is_set()
        if not (force or connected != self._beat_connected or self.heartbeat.due()):
            return
        self._beat_connected = connected
        state = {**self._figures(), "broker_connected": connected, **self._outbox()}
        since = self._disconnected_since
        if since is not None and time.monotonic() - since > BROKER_GRACE:
            self.heartbeat.failed(f"not connected to the MQTT broker for more than "
                                  f"{BROKER_GRACE:.0f} s", state=state)
        else:
            self.heartbeat.beat(state=state, success=connected, force=True)

    def _outbox(self) -> dict:
        """How many notifications this bridge still owes, and the age of the oldest."""
        from django.db.models import Count, Min

        from ..models import PendingAnnouncement

        try:
            owed = PendingAnnouncement.objects.filter(bridge=self.client_id).aggregate(
                rows=Count("pk"), oldest=Min("queued_at"))
        except Exception as error:  # noqa: BLE001 - the heartbeat goes without it
            log.warning("reading the notification outbox failed: %s",
                        recovery.first_line(error), extra={"bridge": self.client_id})
            if isinstance(error, RETRY):
                recovery.drop_connection()
            return {}
        oldest = owed["oldest"]
        return {"outbox_rows": owed["rows"],
                "outbox_oldest_age_seconds": (round((timezone.now() - oldest).total_seconds(), 1)
                                              if oldest else None)}

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

    def _handle_safely(self, batch: list[Received]) -> None:
        """_handle, with a last net: should a batch fail in a way nothing below foresaw, its
        messages are handled one by one, and one that still fails is rejected alone."""
        try:
            self._handle(batch)
            return
        except Exception:  # noqa: BLE001 - whatever a device sends, the bridge keeps running
            log.exception("a batch of %d message(s) failed; handling them one by one",
                          len(batch))
        self.counters.received -= len(batch)
        for item in batch:
            try:
                self._handle([item])
            except Exception as error:  # noqa: BLE001
                log.exception("a message on %s failed", item.topic)
                self._rejected = []
                self._bad(item, f"The message could not be handled ({type(error).__name__}).")
                try:
                    self._record_rejected()
                except _Stopping:
                    return  # not acknowledged: delivered again
                self._acknowledge([item])

    def _handle(self, batch: list[Received]) -> None:
        self.counters.received += len(batch)
        self._rejected = []
        good = []
        for item in batch:
            ingest_topic = topics.parse_ingest(item.topic, self.prefix,
                                               named_publishers=self.named_publishers)
            datastream_id = ingest_topic.datastream_id if ingest_topic else None
            try:
                if ingest_topic is None:
                    raise BadMessage(f"{item.topic} is not an ingest topic")
                good.append((item, parse(
                    item.payload, datastream_id,
                    feature_of_interest_id=ingest_topic.feature_of_interest_id)))
            except BadMessage as error:
                self._bad(item, str(error), datastream_id)
            except Exception as error:  # noqa: BLE001 - one message must never stop the bridge
                log.exception("reading a message on %s failed", item.topic)
                self._bad(item, f"The message could not be read ({type(error).__name__}).",
                          datastream_id)
        try:
            self._store(good)
            self._record_rejected()
        except _Stopping:
            return  # shutting down while the database is away: not acknowledged, delivered again
        self._acknowledge(batch)

    def _bad(self, item: Received, reason: str, datastream_id: int | None = None) -> None:
        from ..deadletters import Rejection

        self.counters.bad += 1
        log.warning("dropped a message on %s: %s", item.topic, reason)
        self._rejected.append(Rejection(
            topic=item.topic, payload=item.payload, reason=reason, datastream_id=datastream_id,
            received_at=timezone.now(),
            publisher=topics.publisher_of(item.topic, self.prefix) if self.named_publishers
            else None))

    def _record_rejected(self) -> None:
        """The batch's rejected messages into the dead-letter record, before they are
        acknowledged. Should recording itself fail (not for want of a database), the messages
        are still acknowledged: the log has them, and the bridge goes on."""
        from .. import deadletters

        rejected, self._rejected = self._rejected, []
        if not rejected:
            return
        try:
            self._with_database(lambda: deadletters.record(rejected))
        except _Stopping:
            raise
        except Exception:  # noqa: BLE001 - a record that cannot be written must not stop ingest
            log.exception("recording %d rejected message(s) failed", len(rejected))

    def _store(self, items) -> None:
        """Stores the items; isolates (by halving) those ingest refuses, which are bad."""
        from ..errors import StaError

        if not items:
            return
        try:
            known = self._with_database(lambda: self._existing_datastreams(
                {observation.datastream_id for _item, observation in items}))
        except _Stopping:
            raise
        except Exception:  # noqa: BLE001 - the halving below isolates what fails
            log.exception("looking up the datastreams of %d message(s) failed", len(items))
            known = None
        labs = self._publishers_labs(items)
        pending: dict[int | None, list] = {}  # by the lab that may write them (None: any)
        for item, observation in items:
            lab_id = labs.get(item.topic) if self.named_publishers else None
            if self.named_publishers and lab_id is None:
                self._bad(item, f"The token {topics.publisher_of(item.topic, self.prefix)} is "
                                "not active (revoked or expired).", observation.datastream_id)
            elif known is None or observation.datastream_id in known:
                pending.setdefault(lab_id, []).append((item, observation))
            else:
                self._bad(item, f"Datastream {observation.datastream_id} does not exist",
                          observation.datastream_id)
        parts = [(lab_id, part) for lab_id, part in pending.items()]
        while parts:
            lab_id, part = parts.pop()
            try:
                ids = self._with_database(
                    lambda part=part, lab_id=lab_id: self._store_part(part, lab_id))
            except _Stopping:
                raise
            except Exception as error:  # noqa: BLE001 - isolated below, never retried forever
                if not isinstance(error, (StaError, *REFUSED)):
                    # Unexpected: kept apart like a refusal (one message must not stop the
                    # bridge for good), with the traceback for whoever fixes it.
                    log.exception("storing %d message(s) failed", len(part))
                if len(part) == 1:
                    self._bad(part[0][0], getattr(error, "message", None) or str(error),
                              part[0][1].datastream_id)
                else:
                    half = len(part) // 2
                    parts.extend([(lab_id, part[half:]), (lab_id, part[:half])])
                continue
            stored = sum(1 for pk in ids if pk is not None)
            self.counters.stored += stored
            self.counters.duplicates += len(ids) - stored

    def _publishers_labs(self, items) -> dict[str, int]:
        """Topic -> the lab of the active token that published on it (named publishers)."""
        from .. import labs

        if not self.named_publishers or not items:
            return {}
        by_topic = {item.topic: topics.publisher_of(item.topic, self.prefix)
                    for item, _observation in items}
        lab_of = self._with_database(lambda: labs.directory().labs_of_tokens(
            set(by_topic.values()), active_only=True))
        return {topic: lab_of[name] for topic, name in by_topic.items() if name in lab_of}

    @staticmethod
    def _existing_datastreams(ids) -> set[int]:
        from ..models import Datastream

        return set(Datastream.objects.filter(pk__in=ids).values_list("pk", flat=True))

    @staticmethod
    def _store_part(part, lab_id: int | None):
        from .. import ingest

        # Copies: ingest fills in generated features, which a failed (rolled back) attempt
        # must not leave behind for the next one. lab_id None: the broker's ACL let the device
        # write only its own lab's datastream topics.
        return ingest.store([replace(observation) for _item, observation in part],
                            lab_id=lab_id)

    def _with_database(self, call):
        def count():
            self.counters.database_retries += 1

        return recovery.with_database(call, self.stop, what="storing", on_retry=count)


_Stopping = recovery.Stopping
