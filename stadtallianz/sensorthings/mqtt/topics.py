"""MQTT topics of the SensorThings API (Part 1, section 14 "SensorThings MQTT Extension").

Devices create observations by publishing to `v1.1/Datastreams(<id>)/Observations`, to
`v1.1/FeaturesOfInterest(<id>)/Observations` or to `v1.1/Observations` (the datastream named in
the payload for the last two), as §14.1 lists. In the recommended deployment their
listener has a `mount_point` (MQTT_INGEST_PREFIX, e.g. `ingest/`), so the broker files their
messages under `ingest/v1.1/…`, which only the bridge may read. The platform's notifications go
to the plain `v1.1/…` topics, which anyone may subscribe to: a raw device payload never reaches
a subscriber.

With the publisher plugin (contrib/mosquitto/stadtallianz_publisher.c, MQTT_PUBLISHER_PLUGIN) the
broker files a device's message under `ingest/from/<token user name>/v1.1/…`: the bridge then
knows which token sent it and checks it against that token's lab, so that a device may use every
topic of §14.1 (the datastream named in the payload too) and a new datastream can receive at
once.
"""

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

VERSION = "v1.1"

_DATASTREAM_OBSERVATIONS = re.compile(rf"^{re.escape(VERSION)}/Datastreams\((\d{{1,18}})\)"
                                      r"/Observations$")
_FEATURE_OBSERVATIONS = re.compile(rf"^{re.escape(VERSION)}/FeaturesOfInterest\((\d{{1,18}})\)"
                                   r"/Observations$")
_OBSERVATIONS = f"{VERSION}/Observations"
# What the publisher plugin puts between the ingest prefix and the publisher's user name.
PUBLISHER_MARK = "from/"
# The create topics of §14.1 as topic filters (`+` is `Datastreams(7)`, `FeaturesOfInterest(3)`,
# and anything else in that level, which parse_ingest refuses).
DEVICE_TOPIC_FILTERS = (f"{VERSION}/+/Observations", _OBSERVATIONS)


@dataclass(frozen=True)
class IngestTopic:
    # The datastream named by the topic; None where the payload names it.
    datastream_id: int | None
    # The feature of interest named by `v1.1/FeaturesOfInterest(<id>)/Observations`.
    feature_of_interest_id: int | None = None
    # The broker user (lab token) that published it, where the publisher plugin names it.
    publisher: str | None = None


def ingest_subscriptions(prefix: str, share: str = "", *,
                         named_publishers: bool = False) -> list[str]:
    """The topic filters the bridge subscribes to (a wildcard is a whole topic level, so
    `Datastreams(+)` cannot be one: parse_ingest picks the datastreams out). With `share`,
    an MQTT 5 shared subscription: the broker hands each message to one of the bridges of
    that group. With `named_publishers`, only what the publisher plugin filed under a user
    name: a message without one is never read."""
    group = f"$share/{share}/" if share else ""
    base = f"{prefix}{PUBLISHER_MARK}+/" if named_publishers else prefix
    return [f"{group}{base}{topic}" for topic in DEVICE_TOPIC_FILTERS]


def publisher_of(topic: str, prefix: str) -> str | None:
    """The user name the publisher plugin filed the message under, if any."""
    head = f"{prefix}{PUBLISHER_MARK}"
    if not topic.startswith(head):
        return None
    name, separator, _rest = topic[len(head):].partition("/")
    return name if separator and name else None


def parse_ingest(topic: str, prefix: str, *, named_publishers: bool = False) -> IngestTopic | None:
    """The ingest topic a message arrived on, or None when it is none of ours."""
    if not topic.startswith(prefix):
        return None
    rest = topic[len(prefix):]
    publisher = None
    if named_publishers:
        publisher = publisher_of(topic, prefix)
        if publisher is None:
            return None
        rest = rest[len(PUBLISHER_MARK) + len(publisher) + 1:]
    if rest == _OBSERVATIONS:
        return IngestTopic(None, publisher=publisher)
    if match := _DATASTREAM_OBSERVATIONS.match(rest):
        return IngestTopic(int(match[1]), publisher=publisher)
    if match := _FEATURE_OBSERVATIONS.match(rest):
        return IngestTopic(None, int(match[1]), publisher=publisher)
    return None


def device_topic(datastream_id: int) -> str:
    """The topic a device publishes an observation of this datastream to."""
    return f"{VERSION}/Datastreams({datastream_id})/Observations"


def entity_set(set_name: str) -> str:
    """New entities of a set: `v1.1/Things`."""
    return f"{VERSION}/{set_name}"


def entity(set_name: str, entity_id: int) -> str:
    """Changes of one entity: `v1.1/Things(1)`."""
    return f"{VERSION}/{set_name}({entity_id})"


def navigation(set_name: str, entity_id: int, navigation_name: str) -> str:
    """New entities related to one: `v1.1/Datastreams(1)/Observations`."""
    return f"{VERSION}/{set_name}({entity_id})/{navigation_name}"


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool


def broker_address(url: str) -> BrokerAddress:
    """mqtt://user:password@host:1883 or mqtts://… (TLS, port 8883 by default)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
        raise ValueError(f"MQTT_URL must start with mqtt:// or mqtts://, not {url!r}")
    tls = parsed.scheme in ("mqtts", "ssl")
    return BrokerAddress(
        host=parsed.hostname or "127.0.0.1", port=parsed.port or (8883 if tls else 1883),
        username=unquote(parsed.username) if parsed.username else None,
        password=unquote(parsed.password) if parsed.password else None, tls=tls)
