"""The SensorThings MQTT topics of OGC 18-088 §14 through the real broker at 127.0.0.1:1883.

Create (§14.1): an observation published to `v1.1/Observations` (the Datastream in the body),
`v1.1/Datastreams(id)/Observations`, `v1.1/FeaturesOfInterest(id)/Observations` (the Datastream
in the body) and with its FeatureOfInterest inline (deep insert) is stored by the real bridge.

Receive (§14.2): a creation on the entity set and the collections it joins, an update on the
entity's topic and its properties' topics, and the configured `$select` topics; a feature of
interest generated or sent on ingest is announced when a visitor may read it.

Each test has an ingest prefix and result values of its own, as other runs share the broker."""

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from stadtallianz.sensorthings import ingest
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel
from stadtallianz.sensorthings.mqtt import topics

from .conftest import AASEE, bearer
from .mqtt_support import Subscriber, publisher, running_bridge, unique_prefix, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

URL = "mqtt://127.0.0.1:1883"
NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


def marker() -> float:
    return round(random.uniform(1e6, 9e6), 6)


def at(seconds: int) -> str:
    return f"{NOW + timedelta(seconds=seconds):%Y-%m-%dT%H:%M:%SZ}"


def publish(client, topic: str, body: dict):
    client.publish(topic, json.dumps(body), qos=1).wait_for_publish(10)


def stored(value) -> sta.Observation | None:
    return sta.Observation.objects.filter(result_number=value).first()


@pytest.fixture
def everything():
    subscriber = Subscriber(["v1.1/#"])
    yield subscriber
    subscriber.close()


def test_observations_are_created_on_every_topic_the_standard_lists(
        lab, make_datastream, everything):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    aggregated = make_datastream(lab, name="Zählung", privacy_level=PrivacyLevel.AGGREGATED,
                                 aggregation_window=3600)
    feature = sta.FeatureOfInterest.objects.create(lab=lab, name="Steg", description="Steg",
                                                   feature=AASEE)
    prefix = unique_prefix()
    on_set, on_stream, on_feature, inline, inline_again, sentinel = (marker() for _ in range(6))
    refused = {name: marker() for name in ("two features", "aggregated", "no geometry")}
    new_feature = {"name": f"Messpunkt {marker()}", "description": "Am Ufer",
                   "encodingType": "application/geo+json",
                   "feature": {"type": "Point", "coordinates": [7.61, 51.95]}}
    reference = {"@iot.id": datastream.pk}
    stream_topic = f"{prefix}v1.1/Datastreams({datastream.pk})/Observations"
    feature_topic = f"{prefix}v1.1/FeaturesOfInterest({feature.pk})/Observations"
    device = publisher()
    try:
        with running_bridge(URL, prefix):
            publish(device, f"{prefix}v1.1/Observations",
                    {"Datastream": reference, "phenomenonTime": at(1), "result": on_set})
            publish(device, stream_topic, {"phenomenonTime": at(2), "result": on_stream})
            publish(device, feature_topic,
                    {"Datastream": reference, "phenomenonTime": at(3), "result": on_feature})
            publish(device, stream_topic, {"phenomenonTime": at(4), "result": inline,
                                           "FeatureOfInterest": new_feature})
            publish(device, f"{prefix}v1.1/Observations",
                    {"Datastream": reference, "phenomenonTime": at(5), "result": inline_again,
                     "FeatureOfInterest": new_feature})
            # Refused, each with a reason of its own; nothing of them is stored.
            publish(device, feature_topic, {
                "Datastream": reference, "phenomenonTime": at(6),
                "result": refused["two features"], "FeatureOfInterest": {"@iot.id": feature.pk}})
            publish(device, f"{prefix}v1.1/Datastreams({aggregated.pk})/Observations", {
                "phenomenonTime": at(7), "result": refused["aggregated"],
                "FeatureOfInterest": {**new_feature, "name": "Zählpunkt"}})
            publish(device, stream_topic, {
                "phenomenonTime": at(8), "result": refused["no geometry"],
                "FeatureOfInterest": {"name": "Ohne Ort", "description": "d",
                                      "encodingType": "application/geo+json"}})
            publish(device, stream_topic, {"phenomenonTime": at(9), "result": sentinel})
            wait_until(lambda: stored(sentinel), 30, message="the last message")
            wait_until(lambda: everything.containing(new_feature["name"]), 15,
                       message="the new feature's announcement")
    finally:
        device.disconnect()
        device.loop_stop()

    rows = {value: stored(value) for value in (on_set, on_stream, on_feature, inline,
                                               inline_again)}
    assert all(row is not None and row.datastream_id == datastream.pk for row in rows.values())
    assert rows[on_feature].feature_of_interest_id == feature.pk
    created = sta.FeatureOfInterest.objects.get(name=new_feature["name"])
    # One feature for both messages that carried it, in the datastream's lab.
    assert rows[inline].feature_of_interest_id == rows[inline_again].feature_of_interest_id \
        == created.pk
    assert (created.lab_id, created.feature) == (lab.pk, new_feature["feature"])
    assert all(stored(value) is None for value in refused.values())
    assert not sta.FeatureOfInterest.objects.filter(name__in=["Zählpunkt", "Ohne Ort"]).exists()
    assert "v1.1/FeaturesOfInterest" in {
        topic for topic, _payload in everything.containing(new_feature["name"])}


def test_creations_updates_properties_and_selections_are_announced(
        lab, lab_key, make_datastream, client, everything, settings,
        django_capture_on_commit_callbacks):
    settings.MQTT_SELECT_TOPICS = ["Observations?$select=result,phenomenonTime",
                                   "Datastreams?$select=name"]
    datastream = make_datastream(lab, name=f"Strom {marker()}",
                                 privacy_level=PrivacyLevel.PUBLIC)
    value = marker()
    with django_capture_on_commit_callbacks(execute=True):
        [observation_id] = ingest.store([ingest.NewObservation(
            datastream.pk, NOW, value)], lab_id=None)
    feature_id = sta.Observation.objects.get(pk=observation_id).feature_of_interest_id
    collections = ["v1.1/Observations", f"v1.1/Datastreams({datastream.pk})/Observations",
                   f"v1.1/FeaturesOfInterest({feature_id})/Observations"]
    selected = [f"{topic}?$select=result,phenomenonTime" for topic in collections]
    wait_until(lambda: len(everything.containing(str(value))) >= 6, 15,
               message="six notifications of the observation")
    by_topic = dict(everything.containing(str(value)))
    assert set(by_topic) == {*collections, *selected}
    assert by_topic["v1.1/Observations"]["@iot.id"] == observation_id
    for topic in selected:
        assert by_topic[topic] == {"result": value, "phenomenonTime": f"{NOW:%Y-%m-%dT%H:%M:%SZ}"}

    renamed = f"Umbenannt {marker()}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(f"/sta/v1.1/Datastreams({datastream.pk})", {"name": renamed},
                                content_type="application/json", **bearer(lab_key))
    assert response.status_code == 200, response.content
    entity_topic = f"v1.1/Datastreams({datastream.pk})"
    wait_until(lambda: len(everything.containing(renamed)) >= 3, 15,
               message="the update's notifications")
    by_topic = dict(everything.containing(renamed))
    # The entity, the one property that changed, and the configured selection of the entity;
    # not the properties that did not change.
    assert set(by_topic) == {entity_topic, f"{entity_topic}/name",
                             f"{entity_topic}?$select=name"}
    assert by_topic[f"{entity_topic}/name"] == {"name": renamed}
    assert by_topic[entity_topic]["description"] == datastream.description
    assert by_topic[f"{entity_topic}?$select=name"] == {"name": renamed}


def test_a_feature_generated_on_ingest_is_announced_only_where_a_visitor_may_read_it(
        lab, make_datastream, everything, django_capture_on_commit_callbacks):
    shown, hidden = f"Boje {marker()}", f"Erfassung {marker()}"
    public = make_datastream(lab, name="Offen", privacy_level=PrivacyLevel.PUBLIC)
    public.thing.locations.update(name=shown)
    restricted = make_datastream(lab, name="Geheim", privacy_level=PrivacyLevel.RESTRICTED)
    with django_capture_on_commit_callbacks(execute=True):
        ingest.store([ingest.NewObservation(public.pk, NOW, 1.0)], lab_id=None)
        # A feature sent inline with a restricted value may be where one person was counted.
        ingest.store([ingest.NewObservation(restricted.pk, NOW, 2.0, new_feature={
            "name": hidden, "description": "d", "encodingType": "application/geo+json",
            "feature": {"type": "Point", "coordinates": [7.6, 51.9]}})], lab_id=None)
        sent = sta.FeatureOfInterest.objects.get(name=hidden)
    generated = sta.FeatureOfInterest.objects.get(name=shown)
    assert generated.generated_from_id is not None and sent.generated_from_id is None
    wait_until(lambda: everything.containing(shown), 15, message="the generated feature")
    assert [topic for topic, _payload in everything.containing(shown)
            if topic.startswith("v1.1/FeaturesOfInterest")] == ["v1.1/FeaturesOfInterest"]
    assert everything.containing(hidden) == []


def test_ingest_topics_of_the_standard_are_recognised():
    assert topics.parse_ingest("in/v1.1/FeaturesOfInterest(4)/Observations", "in/") == (
        topics.IngestTopic(None, 4))
    assert topics.parse_ingest("in/v1.1/Datastreams(17)/Observations", "in/") == (
        topics.IngestTopic(17))
    assert topics.parse_ingest("in/v1.1/Observations", "in/") == topics.IngestTopic(None)
    for other in ("in/v1.1/Things(1)/Observations", "in/v1.1/FeaturesOfInterest(x)/Observations",
                  "v1.1/FeaturesOfInterest(4)/Observations"):
        assert topics.parse_ingest(other, "in/") is None


def test_named_publishers_come_only_from_the_plugins_topics():
    def parse(topic):
        return topics.parse_ingest(topic, "in/", named_publishers=True)

    assert parse("in/from/lab_1a2b3c4d/v1.1/Observations") == topics.IngestTopic(
        None, publisher="lab_1a2b3c4d")
    assert parse("in/from/lab_1a2b3c4d/v1.1/Datastreams(17)/Observations") == (
        topics.IngestTopic(17, publisher="lab_1a2b3c4d"))
    assert parse("in/from/lab_1a2b3c4d/v1.1/FeaturesOfInterest(4)/Observations") == (
        topics.IngestTopic(None, 4, publisher="lab_1a2b3c4d"))
    # Without a name (the plugin is not running), with an empty one, or a name followed by
    # what a device wrote to look like another name: none of ours.
    for other in ("in/v1.1/Observations", "in/from//v1.1/Observations",
                  "in/from/lab_1a2b3c4d", "in/from/lab_1a2b3c4d/from/lab_9/v1.1/Observations",
                  "in/from/lab_1a2b3c4d/v1.1/Things(1)/Observations"):
        assert parse(other) is None, other
    assert topics.ingest_subscriptions("in/", named_publishers=True) == [
        "in/from/+/v1.1/+/Observations", "in/from/+/v1.1/Observations"]


def test_the_service_root_advertises_the_subscribers_listener_and_the_devices(client, settings):
    spec = "http://www.opengis.net/spec/iot_sensing/1.1/req/"
    create = spec + "create-observations-via-mqtt/observations-creation"
    receive = spec + "receive-updates-via-mqtt/receive-updates"
    settings.MQTT_URL = "mqtt://stadtallianz-bridge:Geheim-1234@127.0.0.1:1883"
    settings.MQTT_PUBLIC_URL = "mqtt://data.example.org:1884"
    settings.MQTT_SUBSCRIBE_URL = "mqtts://reader:Oops-5678@data.example.org:8883"
    response = client.get("/sta/v1.1")
    body = response.json()["serverSettings"]
    assert body[create]["endpoints"] == ["mqtt://data.example.org:1884"]
    assert body[receive]["endpoints"] == ["mqtts://data.example.org:8883"]
    assert b"Geheim-1234" not in response.content and b"Oops-5678" not in response.content
    settings.MQTT_SUBSCRIBE_URL = ""  # one listener for both
    body = client.get("/sta/v1.1").json()["serverSettings"]
    assert body[receive]["endpoints"] == body[create]["endpoints"]


def test_a_batch_with_the_same_inline_feature_looks_it_up_once(lab, make_datastream):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    stream = make_datastream(lab)
    feature = {"name": "Steg", "description": "Am Steg", "encodingType": "application/geo+json",
               "feature": {"type": "Point", "coordinates": [7.6, 51.95]}}

    def queries_for(count: int, start: int) -> int:
        batch = [ingest.NewObservation(stream.pk, NOW + timedelta(seconds=start + i), float(i),
                                       new_feature=dict(feature)) for i in range(count)]
        with CaptureQueriesContext(connection) as queries:
            ingest.store(batch, lab_id=lab.pk)
        return len(queries)

    queries_for(1, 0)  # the feature exists from here on
    assert queries_for(2, 100) == queries_for(40, 200)
    assert sta.FeatureOfInterest.objects.filter(name="Steg").count() == 1
    assert sta.Observation.objects.filter(datastream=stream).count() == 43
