"""MQTT notifications of new and changed entities, as the SensorThings MQTT extension defines
them: a new entity goes to its set's topic (`v1.1/Observations`) and to the collections it joins
(`v1.1/Datastreams(1)/Observations`, `v1.1/FeaturesOfInterest(2)/Observations`,
`v1.1/Things(3)/Datastreams`, …); a changed one to its own topic (`v1.1/Things(3)`).

Only what a visitor may read is published (privacy.py with a visitor's Caller): never an
observation of an aggregated or restricted datastream, never a restricted datastream. The
payload is the entity's JSON as a GET would answer it.

Notifications are published after the transaction commits. From a web request they go out at
QoS 0: publishing never slows down or breaks the request that wrote the data (one connection
per process, mqtt/wire.py, opened lazily; a broker that is down is logged and its notifications
are missed, the data itself is in the database and a query catches up).

The bridge announces what it stores from a thread of its own, at QoS 2 on a session of its own
(mqtt/wire.py), and never gives up on a notification: when the database is away while the
notification is built, the thread replaces its connection and tries again (core/recovery.py);
when the broker is away or restarts in the middle of a batch, the batch goes on from where it
was once the broker is back, so nothing is lost and nothing is delivered twice. What it owes is
also written to the database in the transaction that stores the entities (PendingAnnouncement,
deleted once the broker took every message): a bridge killed between its commit and its
announcement sends the rest when it starts again. Meanwhile the
bridge waits (the backlog is small), so storing and announcing resume together. Subscribers
that must not miss a notification across a broker restart subscribe at QoS 1 or 2 with a
persistent session (docs/deployment.md).
"""

import contextlib
import json
import logging
import os
import queue
import socket
import threading
import time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from stadtallianz.core import recovery

from .. import privacy
from ..auth import Caller
from ..entities import ENTITY_TYPES, EntityType
from . import topics, wire

log = logging.getLogger(__name__)

# After a failed connection, notifications are dropped for this many seconds before the next
# attempt, so a broker that is down does not cost every request a connection attempt.
RECONNECT_DELAY = 5.0
# Writes whose notifications wait for the background thread. Small on purpose: when the
# notifications fall behind, the bridge slows down to their pace instead of building a backlog
# that a restart would have to drain (and that would flatter its ingest rate).
BACKGROUND_BACKLOG = 4
# The longest wait between two attempts of the background thread (database or broker away).
MAX_RETRY_DELAY = 2.0
# When the bridge stops, the notifications still waiting get this long together for a broker
# that is away; what is left stays in the outbox for the next run.
RELEASE_GRACE = 10.0


class Publisher:
    """One connection per process (a forked worker makes its own), shared by all threads,
    written with wire.PublishingConnection. The bridge asks for a background thread with
    `use()`."""

    def __init__(self):
        self._lock = threading.Lock()
        self._connection = None
        self._pid = None
        self._url = None
        self._retry_at = 0.0
        self._failed_url = None
        self.bridge_url = None
        self._last_warning = 0.0
        self._worker = None
        self._queue = None
        self._released = threading.Event()
        self._give_up_at = 0.0  # when the bridge stops: the end of RELEASE_GRACE
        self._stop = threading.Event()  # the bridge's stop signal (use())
        self._flow_connection = None  # the background thread's own (QoS 2, kept session)
        self._flow_client_id = "stadtallianz-bridge-notify"
        self._bridge_id = None  # the bridge's client id, whose outbox rows this process owns
        self._owed_here: set[int] = set()  # outbox rows written by this process
        self.last_failure = ""

    def use(self, url: str, *, background: bool = False, client_id: str = "",
            stop: threading.Event | None = None) -> None:
        """The bridge's broker (its --url, with its credentials) instead of MQTT_URL. With
        `background`, notifications are built and sent by a thread of their own (with its own
        database connection), so the bridge goes on storing meanwhile. `stop`: the bridge's own
        stop signal; once it is set, a notification that finds the thread's queue full is left
        to the outbox rather than waited for."""
        with self._lock:
            self._stop = stop or threading.Event()
            self.bridge_url = url
            # The session of the bridge's notifications (QoS 2 flows resume in it).
            self._flow_client_id = f"{client_id or 'stadtallianz-bridge'}-notify"
            if background and self._worker is None:
                self._bridge_id = client_id or "stadtallianz-bridge"
                self._released = threading.Event()
                self._queue = queue.Queue(maxsize=BACKGROUND_BACKLOG)
                self._worker = threading.Thread(target=self._work, args=(self._queue,),
                                                name="mqtt-notify", daemon=True)
                self._worker.start()

    def release(self) -> None:
        """Stops the background thread after the notifications still waiting are sent."""
        with self._lock:
            worker, work = self._worker, self._queue
            self._worker = self._queue = None
        if worker is not None:
            self._give_up_at = time.monotonic() + RELEASE_GRACE
            self._released.set()
            # A thread stuck in an attempt leaves the queue full: what it owes stays in the
            # outbox for the next run.
            with contextlib.suppress(queue.Full):
                work.put(None, timeout=RELEASE_GRACE)
            # A daemon thread: one stuck in an attempt does not keep the process alive.
            worker.join(RELEASE_GRACE + 5)
        with self._lock:
            self.bridge_url = None
            self._bridge_id = None

    def owe(self, entity_name: str, ids: list[int]) -> int | None:
        """In the bridge: writes the creations to announce into the outbox, in the transaction
        that stores them; returns the row's id (None outside the bridge)."""
        from ..models import PendingAnnouncement

        if self._queue is None or self._bridge_id is None:
            return None
        owed = PendingAnnouncement.objects.create(bridge=self._bridge_id, entity=entity_name,
                                                  ids=ids).pk
        self._owed_here.add(owed)
        return owed

    def submit(self, entity_name: str, ids: list[int], created: bool,
               changed: dict[int, set[str]] | None = None, owed: int | None = None) -> None:
        """Called after the commit: in the background thread if there is one, else here."""
        work = self._queue
        if work is not None:
            # Waits when far behind: nothing is dropped. Once the bridge is stopping, a
            # notification that is owed (in the outbox) is not waited for: the next run sends it.
            while True:
                try:
                    work.put((entity_name, ids, created, changed, owed), timeout=1)
                    return
                except queue.Full:
                    if owed is not None and self._stop.is_set():
                        log.warning("stopping: %d %s left to the outbox", len(ids), entity_name)
                        return
        else:
            _publish_safely(entity_name, ids, created, changed)

    def _work(self, work: "queue.Queue") -> None:
        try:
            self._announce_leftovers()
            while (item := work.get()) is not None:
                *notification, owed = item
                if self._announce_until_done(*notification) and owed is not None:
                    self._forget(owed)
        finally:
            recovery.drop_connection()
            if self._flow_connection is not None:
                self._flow_connection.close()
                self._flow_connection = None

    def _announce_leftovers(self) -> None:
        """Announces what an earlier run of this bridge committed but did not announce (it was
        killed in between): the outbox rows of its client id that this process did not write."""
        from ..models import PendingAnnouncement

        def leftovers():
            return list(PendingAnnouncement.objects.filter(bridge=self._bridge_id)
                        .exclude(pk__in=self._owed_here).order_by("pk")
                        .values_list("pk", "entity", "ids"))

        try:
            rows = recovery.with_database(leftovers, self._released, what="the outbox")
        except recovery.Stopping:
            return
        except Exception:  # noqa: BLE001 - the thread must go on announcing the new ones
            log.exception("reading the notifications an earlier run owes failed")
            return
        if rows:
            log.info("announcing %d batch(es) an earlier run stored but did not announce",
                     len(rows))
        for pk, entity_name, ids in rows:
            if self._announce_until_done(entity_name, ids, True, None):
                self._forget(pk)

    def _forget(self, owed: int) -> None:
        """Deletes an outbox row once its notifications went out."""
        from ..models import PendingAnnouncement

        try:
            recovery.with_database(
                lambda: PendingAnnouncement.objects.filter(pk=owed).delete(), self._released,
                what="the outbox")
        except recovery.Stopping:
            return  # announced again by the next run: at least once
        except Exception:  # noqa: BLE001 - the thread must go on announcing
            log.exception("deleting the announced outbox row %s failed", owed)
            return
        self._owed_here.discard(owed)

    def _announce_until_done(self, entity_name: str, ids: list[int], created: bool,
                             changed: dict[int, set[str]] | None) -> bool:
        """Builds and publishes the notifications, trying again while the database or the
        broker is away; gives up only when the bridge stops and they still cannot go out.
        True when done (sent, or impossible to build: never tried again), False when given
        up."""
        built, delay, reason = None, 0.1, "the bridge is stopping"
        while True:
            # One deadline for everything still waiting once the bridge stops, checked before
            # each attempt (one may wait seconds for a broker that does not answer): what is
            # left stays in the outbox and the next run announces it.
            if self._released.is_set() and time.monotonic() > self._give_up_at:
                log.error("stopping: %s, notifications of %d %s not announced (the next run "
                          "announces them)", reason, len(ids), entity_name)
                return False
            try:
                if built is None:
                    built = wire.flows(messages(entity_name, ids, created=created,
                                                changed=changed))
                while built and self.deliver(built[0]):
                    built.pop(0)
                if not built:
                    return True
                reason = f"the MQTT broker is unreachable ({self.last_failure})"
            except recovery.DATABASE_UNAVAILABLE as error:
                reason = f"the database is unavailable ({recovery.first_line(error)})"
                recovery.drop_connection()
            except Exception:  # noqa: BLE001 - a notification that cannot be built
                log.exception("MQTT notification of %s %s failed", entity_name, ids[:10])
                return True
            log.warning("announcing %d %s: %s; trying again in %.1f s", len(ids), entity_name,
                        reason, delay)
            time.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_DELAY)

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None

    def _current(self, url: str, *, wait_after_failure: bool = True):
        """The process's connection, connected when needed; None while the broker is away
        (retried after RECONNECT_DELAY, so a broker that is down costs a request rarely; the
        background thread has its own back-off and does not wait)."""
        if self._connection is not None and self._pid == os.getpid() and self._url == url:
            return self._connection
        if self._pid == os.getpid():
            self._drop()
        self._connection = None
        if (wait_after_failure and url == self._failed_url
                and time.monotonic() < self._retry_at):
            return None
        try:
            self._connection = wire.PublishingConnection(
                topics.broker_address(url),
                f"stadtallianz-notify-{socket.gethostname()}-{os.getpid()}")
        except OSError:
            self._failed_url, self._retry_at = url, time.monotonic() + RECONNECT_DELAY
            return None
        self._pid, self._url = os.getpid(), url
        return self._connection

    def deliver(self, flow: "wire.Flow") -> bool:
        """Publishes the flow at QoS 2 on the bridge's own session; False while the broker is
        unreachable or went away before the flow was complete (it goes on from where it was on
        the next call)."""
        url = self.bridge_url or settings.MQTT_URL
        if not url:
            return True
        if self._flow_connection is None:
            try:
                self._flow_connection = wire.PublishingConnection(
                    topics.broker_address(url), self._flow_client_id, clean_session=False)
            except OSError as error:
                self.last_failure = str(error) or type(error).__name__
                return False
            if not self._flow_connection.session_present:
                flow.forgotten()
        try:
            self._flow_connection.deliver(flow)
        except wire.NotConfirmed as error:
            self.last_failure = str(error)
            self._flow_connection.close()
            self._flow_connection = None
            return False
        return True

    def publish(self, messages: list[tuple[str, bytes]]) -> None:
        url = self.bridge_url or settings.MQTT_URL
        if not url or not messages:
            return
        with self._lock:
            connection = self._current(url)
            try:
                if connection is not None:
                    connection.publish_many(messages)
                    return
            except OSError:
                self._drop()
                self._retry_at = 0.0  # a broker that restarted: connect again at once
                connection = self._current(url)
                if connection is not None:
                    try:
                        connection.publish_many(messages)
                        return
                    except OSError:
                        self._drop()
        if time.monotonic() - self._last_warning > 60:
            # At most once a minute: a broker that is down would otherwise flood the log.
            self._last_warning = time.monotonic()
            log.warning("MQTT broker unreachable: %d notifications not published",
                        len(messages))


PUBLISHER = Publisher()


def announce(entity_name: str, ids, *, created: bool = True,
             changed: dict[int, set[str]] | None = None) -> None:
    """Publishes the entities to the standard topics once the transaction commits. `changed`:
    for an update, the properties each entity's update set (their property topics)."""
    if not (settings.MQTT_URL or PUBLISHER.bridge_url):
        return
    ids = [pk for pk in ids if pk is not None]
    if not ids:
        return
    owed = PUBLISHER.owe(entity_name, ids) if created and changed is None else None
    transaction.on_commit(lambda: PUBLISHER.submit(entity_name, ids, created, changed, owed),
                          robust=True)


def _publish_safely(entity_name: str, ids: list[int], created: bool,
                    changed: dict[int, set[str]] | None = None) -> None:
    try:
        PUBLISHER.publish(messages(entity_name, ids, created=created, changed=changed))
    except Exception:  # noqa: BLE001
        # The data is committed; a notification that cannot be built or sent must not turn
        # the request into an error.
        log.exception("MQTT notification of %s %s failed", entity_name, ids[:10])


def base_url() -> str:
    from django.urls import reverse

    return settings.SITE_URL.rstrip("/") + reverse("sensorthings:root").rstrip("/")


def visible(entity: EntityType, ids):
    """The entities among `ids` that a visitor may read."""
    ids = list(ids)
    low, high = min(ids), max(ids)
    if high - low < 4 * len(ids):
        # The ids of one write are nearly consecutive: a range is far cheaper to send and plan
        # than a list of a thousand parameters (the few others in it are dropped in messages()).
        rows = entity.model.objects.filter(pk__gte=low, pk__lte=high)
    else:
        rows = entity.model.objects.filter(pk__in=ids)
    visitor = Caller(AnonymousUser())
    if entity.name == "Observation":
        # Observations of aggregated datastreams are windows that change until they close:
        # never announced, whatever the window (docs/privacy.md). The datastreams are checked
        # in a query of their own: joined to the id range, the planner may walk every row of
        # each datastream when its statistics lag behind a bulk load (250 ms instead of 1 ms).
        from ..models import Datastream, PrivacyLevel

        streams = set(rows.values_list("datastream_id", flat=True).order_by().distinct())
        public = list(Datastream.objects.filter(
            privacy.datastreams(visitor), pk__in=streams,
            privacy_level=PrivacyLevel.PUBLIC).values_list("pk", flat=True))
        rows = rows.filter(datastream_id__in=public)
    elif entity.name == "Datastream":
        rows = rows.filter(privacy.datastreams(visitor))
    elif entity.name == "FeatureOfInterest":
        rows = rows.filter(privacy.features(visitor))
    return rows


def _collections(entity: EntityType):
    """(navigation of the entity, set name of the related entity, its navigation back to
    us) for each collection a new entity joins, e.g. Observation → (Datastream,
    "Datastreams", "Observations")."""
    for nav in entity.navigations.values():
        target = ENTITY_TYPES[nav.target]
        for back in target.navigations.values():
            if back.target == entity.name and back.to_many:
                yield nav, target.set_name, back.name


def select_topics(entity: EntityType) -> list[tuple[str, tuple[str, ...]]]:
    """The `$select` topics announced for this entity type (settings.MQTT_SELECT_TOPICS, e.g.
    `Observations?$select=result,phenomenonTime`): (query suffix, selected properties).
    Mosquitto does not tell the platform what is subscribed, so only the selections listed
    there are published, on every topic the entity is announced on (docs/standards.md)."""
    out = []
    for configured in settings.MQTT_SELECT_TOPICS:
        set_name, _sep, query = configured.partition("?")
        names = query.removeprefix("$select=")
        if set_name == entity.set_name and names:
            selected = tuple(names.split(","))
            out.append((f"?$select={names}", selected))
    return out


def messages(entity_name: str, ids, *, created: bool = True,
             changed: dict[int, set[str]] | None = None) -> list[tuple[str, bytes]]:
    """(topic, payload) of every notification for these entities: a new one on its set's topic
    and the collections it joins, a changed one on its own topic and the topics of the
    properties that changed (§14.2.1–14.2.3); each also with the configured `$select` topics
    (§14.2.4)."""
    from ..query.serialize import model_fields, row_json

    entity = ENTITY_TYPES[entity_name]
    rows_query = visible(entity, ids)
    collections = list(_collections(entity)) if created else []
    to_one = [nav.accessor for nav, _set, _back in collections if not nav.to_many]
    wanted = set(ids)
    rows = [row for row in rows_query.values(*model_fields(entity), *to_one)
            if row["id"] in wanted]
    if not rows:
        return []
    related: dict[str, dict[int, list[int]]] = {}
    for nav, _set, _back in collections:
        if nav.to_many:  # one query per many-to-many navigation, whatever the number of rows
            pairs = related.setdefault(nav.accessor, {})
            for pk, other in (entity.model.objects.filter(pk__in=[r["id"] for r in rows])
                              .values_list("pk", nav.accessor)):
                if other is not None:
                    pairs.setdefault(pk, []).append(other)
    selections = select_topics(entity)
    root = base_url()
    out = []

    def encode(value) -> bytes:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()

    for row in rows:
        whole = row_json(entity, row, root)
        payload = encode(whole)
        if created:
            topics_of_row = [topics.entity_set(entity.set_name)]
            for nav, set_name, back in collections:
                others = (related[nav.accessor].get(row["id"], []) if nav.to_many
                          else [row[nav.accessor]] if row[nav.accessor] is not None else [])
                topics_of_row.extend(topics.navigation(set_name, other, back)
                                     for other in others)
        else:
            topics_of_row = [topics.entity(entity.set_name, row["id"])]
            for name in sorted((changed or {}).get(row["id"], ())):
                if name in entity.properties:
                    out.append((f"{topics_of_row[0]}/{name}",
                                encode({name: whole.get(name)})))
        out.extend((topic, payload) for topic in topics_of_row)
        for suffix, selected in selections:
            part = encode(row_json(entity, row, root, properties=selected, navigations=()))
            out.extend((topic + suffix, part) for topic in topics_of_row)
    return out
