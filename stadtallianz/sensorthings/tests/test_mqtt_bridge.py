"""The `stadtallianz mqtt-bridge` command against the shared broker at 127.0.0.1:1883: what a
device publishes is stored once, announced on the standard topics, and bad messages are
dropped (acknowledged) rather than retried forever.

Each test has an ingest prefix of its own (standing in for the device listener's mount_point,
see test_mqtt_broker.py for the real one), so test runs never read each other's messages."""

import json
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel
from stadtallianz.sensorthings.mqtt.payload import BadMessage, dedupe_key, parse

from .mqtt_support import Subscriber, publisher, running_bridge, unique_prefix, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

URL = "mqtt://127.0.0.1:1883"


def publish(client, topic: str, body, qos: int = 1):
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    client.publish(topic, payload, qos=qos).wait_for_publish(10)


# An hourly aggregation window that stays open while the tests run (a closed window takes no
# values) and lies within the plausible future of observations (one day).
OPEN_HOUR = (datetime.now(UTC) + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)


def open_window(minutes: int) -> str:
    return f"{OPEN_HOUR + timedelta(minutes=minutes):%Y-%m-%dT%H:%M:%SZ}"


def count(datastream) -> int:
    return sta.Observation.objects.filter(datastream=datastream).count()


def test_a_published_observation_is_stored_once_and_announced(lab, make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    prefix = unique_prefix()
    value = round(random.uniform(1e6, 9e6), 6)
    body = {"phenomenonTime": "2026-11-26T10:00:00Z", "result": value,
            "parameters": {"battery": 87}}
    listener = Subscriber([f"v1.1/Datastreams({datastream.pk})/Observations"])
    device = publisher()
    try:
        with running_bridge(URL, prefix) as bridge_thread:
            topic = f"{prefix}v1.1/Datastreams({datastream.pk})/Observations"
            publish(device, topic, body)
            publish(device, topic, body)  # the same message again (a publisher's resend)
            # And once over v1.1/Observations, the datastream in the payload.
            publish(device, f"{prefix}v1.1/Observations",
                    {**body, "phenomenonTime": "2026-11-26T10:01:00Z",
                     "Datastream": {"@iot.id": datastream.pk}})
            wait_until(lambda: count(datastream) == 2, 30)
            wait_until(lambda: len(listener.containing(str(value))) == 2, 30)
            assert bridge_thread.is_alive()
    finally:
        device.disconnect()
        listener.close()
    observation = sta.Observation.objects.filter(datastream=datastream).earliest("pk")
    assert observation.result == value
    assert observation.parameters == {"battery": 87}
    assert observation.phenomenon_time_start == datetime(2026, 11, 26, 10, tzinfo=UTC)
    assert observation.dedupe_key == dedupe_key(datastream.pk, body)
    assert observation.feature_of_interest_id is not None  # generated from the location
    assert count(datastream) == 2
    payloads = [payload for _topic, payload in listener.containing(str(value))]
    assert sorted(p["phenomenonTime"] for p in payloads) == [
        "2026-11-26T10:00:00Z", "2026-11-26T10:01:00Z"]


def test_bad_messages_are_dropped_once_and_good_ones_beside_them_stored(
        lab, make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.AGGREGATED,
                                 aggregation_window=3600)
    prefix, client_id = unique_prefix(), f"test-bridge-{uuid.uuid4().hex[:8]}"
    topic = f"{prefix}v1.1/Datastreams({datastream.pk})/Observations"
    device = publisher()
    try:
        with running_bridge(URL, prefix, client_id=client_id):
            publish(device, topic, b"{not json")
            publish(device, f"{prefix}v1.1/Datastreams(999999)/Observations", {"result": 1})
            publish(device, topic, {"result": "text"})  # aggregated: numbers only
            publish(device, topic, {"result": 1, "colour": "red"})  # unknown property
            publish(device, topic, {"phenomenonTime": "yesterday", "result": 1})
            publish(device, f"{prefix}v1.1/Observations", {"result": 1})  # no datastream
            publish(device, topic, {"phenomenonTime": open_window(0), "result": 4})
            wait_until(lambda: count(datastream) == 1, 30)
        # Restarted with the same session: the bad messages were acknowledged, so the broker
        # delivers nothing again; a new good message is folded into the same window.
        with running_bridge(URL, prefix, client_id=client_id):
            publish(device, topic, {"phenomenonTime": open_window(30), "result": 6})
            wait_until(lambda: sta.Observation.objects.filter(
                datastream=datastream, bucket_count=2).exists(), 30)
    finally:
        device.disconnect()
    window = sta.Observation.objects.get(datastream=datastream)
    assert (window.bucket_count, window.bucket_sum) == (2, 10)


def test_messages_published_while_the_bridge_is_away_are_stored_when_it_is_back(
        lab, make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    prefix, client_id = unique_prefix(), f"test-bridge-{uuid.uuid4().hex[:8]}"
    topic = f"{prefix}v1.1/Datastreams({datastream.pk})/Observations"
    device = publisher()
    start = datetime(2026, 11, 1, tzinfo=UTC)
    try:
        with running_bridge(URL, prefix, client_id=client_id):
            publish(device, topic, {"phenomenonTime": start.isoformat(), "result": 0})
            wait_until(lambda: count(datastream) == 1, 30)
        for i in range(1, 201):  # the bridge is stopped: the broker keeps them in its session
            publish(device, topic, {"phenomenonTime": (start + timedelta(minutes=i)).isoformat(),
                                    "result": i})
        assert count(datastream) == 1
        with running_bridge(URL, prefix, client_id=client_id):
            wait_until(lambda: count(datastream) == 201, 60)
    finally:
        device.disconnect()
    assert sorted(sta.Observation.objects.filter(datastream=datastream)
                  .values_list("result_number", flat=True)) == list(range(201))


def test_the_command_refuses_to_run_without_a_broker_or_a_prefix(settings):
    settings.MQTT_URL = ""
    with pytest.raises(CommandError, match="MQTT_URL"):
        call_command("mqtt-bridge")
    with pytest.raises(CommandError, match="must not be empty"):
        call_command("mqtt-bridge", url=URL, prefix="")


def test_payloads_are_read_as_post_observations_bodies():
    observation = parse(b'{"phenomenonTime": "2026-11-26T10:00:00+01:00/PT1H", "result": 2,'
                        b' "FeatureOfInterest": {"@iot.id": 5}, "resultTime": '
                        b'"2026-11-26T11:00:00Z"}', 3)
    assert observation.phenomenon_time_start == datetime(2026, 11, 26, 9, tzinfo=UTC)
    assert observation.phenomenon_time_end == datetime(2026, 11, 26, 10, tzinfo=UTC)
    assert (observation.feature_of_interest_id, observation.datastream_id) == (5, 3)
    assert observation.dedupe_key is not None and 0 <= observation.dedupe_key < 2 ** 63
    # Without a phenomenonTime the server's time is used, and exactly once is not possible.
    assert parse(b'{"result": 1}', 3).dedupe_key is None
    # The same content in another key order is the same message.
    assert (parse(b'{"result": 1, "phenomenonTime": "2026-01-01T00:00:00Z"}', 3).dedupe_key
            == parse(b'{"phenomenonTime": "2026-01-01T00:00:00Z", "result": 1}', 3).dedupe_key)
    assert (parse(b'{"result": 1, "phenomenonTime": "2026-01-01T00:00:00Z"}', 3).dedupe_key
            != parse(b'{"result": 1, "phenomenonTime": "2026-01-01T00:00:00Z"}', 4).dedupe_key)
    # Keyed with the server's secret: without it, a key cannot be recomputed from a guess.
    body = {"result": 1, "phenomenonTime": "2026-01-01T00:00:00Z"}
    with override_settings(SECRET_KEY="another-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"):
        elsewhere = dedupe_key(3, body)
    assert dedupe_key(3, body) != elsewhere
    # A FeatureOfInterest inline is a deep insert: ingest.store checks and creates it.
    assert parse(b'{"result": 1, "FeatureOfInterest": {"name": "new"}}', 3).new_feature == {
        "name": "new"}
    for bad in (b"[1]", b'{"result": 1, "Datastream": {"@iot.id": 4}}',
                b'{"result": 1, "FeatureOfInterest": "new"}', b"\xff",
                b'{"result": NaN, "phenomenonTime": "2026-01-01T00:00:00Z"}'):
        with pytest.raises(BadMessage):
            parse(bad, 3)


def test_bridges_sharing_a_subscription_store_each_message_once(lab, make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    prefix, group = unique_prefix(), f"g{uuid.uuid4().hex[:8]}"
    topic = f"{prefix}v1.1/Datastreams({datastream.pk})/Observations"
    device = publisher()
    start = datetime(2026, 11, 1, tzinfo=UTC)
    try:
        with running_bridge(URL, prefix, share=group), running_bridge(URL, prefix, share=group):
            for i in range(300):
                device.publish(topic, json.dumps(
                    {"phenomenonTime": (start + timedelta(seconds=i)).isoformat(),
                     "result": i}), qos=1)
            wait_until(lambda: count(datastream) >= 300, 60)
    finally:
        device.disconnect()
    assert sorted(sta.Observation.objects.filter(datastream=datastream)
                  .values_list("result_number", flat=True)) == list(range(300))


def test_a_retained_message_is_not_read_again_on_every_reconnect(lab, make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    prefix = unique_prefix()
    topic = f"{prefix}v1.1/Datastreams({datastream.pk})/Observations"
    device = publisher()
    try:
        with running_bridge(URL, prefix):
            device.publish(topic, json.dumps({"result": 5}), qos=1,
                           retain=True).wait_for_publish(10)
            wait_until(lambda: count(datastream) == 1, 30)
        # A new session (and every reconnect) subscribes again: the broker would send the
        # retained message, which has no phenomenonTime and would be stored again.
        with running_bridge(URL, prefix):
            device.publish(topic, json.dumps({"result": 6}), qos=1).wait_for_publish(10)
            wait_until(lambda: count(datastream) >= 2, 30)
    finally:
        device.publish(topic, b"", qos=1, retain=True).wait_for_publish(10)  # clears it
        device.disconnect()
    assert observations_of(datastream) == [5, 6]


def observations_of(datastream) -> list[float]:
    return sorted(sta.Observation.objects.filter(datastream=datastream)
                  .values_list("result_number", flat=True))


def test_a_message_delivered_twice_to_an_aggregated_datastream_is_counted_once(
        lab, make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.AGGREGATED,
                                 aggregation_window=3600)
    prefix = unique_prefix()
    topic = f"{prefix}v1.1/Datastreams({datastream.pk})/Observations"
    device = publisher()
    body = {"phenomenonTime": open_window(10), "result": 4}
    try:
        with running_bridge(URL, prefix):
            publish(device, topic, body)
            publish(device, topic, body)  # the broker's (or the device's) second delivery
            publish(device, topic, {**body, "phenomenonTime": open_window(20)})
            # A message for the next window, after the others on the same topic: once it is
            # stored, the bridge has handled every message before it (no fixed wait for a
            # second count that might still come).
            publish(device, topic, {**body, "phenomenonTime": open_window(80)})
            wait_until(lambda: sta.Observation.objects.filter(
                datastream=datastream, phenomenon_time_start__gt=OPEN_HOUR).exists(), 30)
    finally:
        device.disconnect()
    window = sta.Observation.objects.get(datastream=datastream, phenomenon_time_start=OPEN_HOUR)
    assert (window.bucket_count, window.bucket_sum) == (2, 8)


def test_the_bridge_is_quiet_while_idle_and_reports_its_rate_while_busy(lab, make_datastream,
                                                                       caplog):
    """Issue 12, item 6: no log line every few seconds when nothing arrives."""
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    prefix = unique_prefix()
    device = publisher()
    caplog.set_level("INFO", logger="stadtallianz.mqtt.bridge")

    def progress_lines() -> int:
        return sum("messages/s" in record.getMessage() for record in caplog.records)

    try:
        with running_bridge(URL, prefix):  # a progress line every 2 s at most
            time.sleep(4.5)
            assert progress_lines() == 0
            device.publish(f"{prefix}v1.1/Datastreams({datastream.pk})/Observations",
                           json.dumps({"phenomenonTime": "2026-11-26T10:00:00Z", "result": 1}),
                           qos=1).wait_for_publish(10)
            wait_until(lambda: progress_lines() == 1, 10)
            time.sleep(4.5)
            assert progress_lines() == 1
    finally:
        device.disconnect()
        device.loop_stop()
