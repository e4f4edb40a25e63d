"""Notifications on the standard SensorThings MQTT topics through the real broker at
127.0.0.1:1883: what a visitor may read is published once the transaction commits; observations
of aggregated and restricted datastreams and restricted datastreams never are.

Other test runs may publish to the same broker (with the same ids), so every assertion looks
for values unique to this test."""

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from stadtallianz.sensorthings import ingest
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel
from stadtallianz.sensorthings.mqtt import notify, topics

from .mqtt_support import Subscriber, free_port, wait_until

pytestmark = pytest.mark.django_db


def marker() -> float:
    """A result no other test publishes."""
    return round(random.uniform(1e6, 9e6), 6)


@pytest.fixture
def everything():
    subscriber = Subscriber(["v1.1/#", "#"])
    yield subscriber
    subscriber.close()


def store(datastream, value, when=None):
    when = when or datetime.now(UTC).replace(microsecond=0)
    return ingest.store([ingest.NewObservation(datastream_id=datastream.pk,
                                               phenomenon_time_start=when, result=value)],
                        lab_id=None)


def test_a_new_observation_goes_to_its_set_datastream_and_feature_topics(
        lab, make_datastream, everything, django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://daten.example.org"
    settings.MQTT_SELECT_TOPICS = []  # the $select topics: test_mqtt_topics.py
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    value = marker()
    with django_capture_on_commit_callbacks(execute=True):
        [observation_id] = store(datastream, value)
    observation = sta.Observation.objects.get(pk=observation_id)

    found = wait_until(lambda: len(everything.containing(str(value))) >= 3 and
                       everything.containing(str(value)), 15)
    by_topic = dict(found)
    assert set(by_topic) == {
        "v1.1/Observations",
        f"v1.1/Datastreams({datastream.pk})/Observations",
        f"v1.1/FeaturesOfInterest({observation.feature_of_interest_id})/Observations",
    }
    payload = by_topic["v1.1/Observations"]
    assert payload["@iot.id"] == observation_id
    assert payload["result"] == value
    assert payload["@iot.selfLink"] == (
        f"https://daten.example.org/sta/v1.1/Observations({observation_id})")
    assert not {"bucket_count", "dedupe_key", "lab"} & set(payload)


def test_nothing_is_published_before_the_commit_nor_after_a_rollback(
        lab, make_datastream, everything, django_capture_on_commit_callbacks):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    rolled_back, committed = marker(), marker()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        store(datastream, rolled_back)
    assert callbacks  # registered, and dropped here as a rollback would
    with django_capture_on_commit_callbacks(execute=True):
        store(datastream, committed)
    wait_until(lambda: everything.containing(str(committed)), 15)
    assert everything.containing(str(rolled_back)) == []


def test_aggregated_and_restricted_observations_and_restricted_datastreams_are_never_published(
        lab, make_datastream, everything, django_capture_on_commit_callbacks):
    restricted = make_datastream(lab, name=f"Geheim {marker()}",
                                 privacy_level=PrivacyLevel.RESTRICTED)
    aggregated = make_datastream(lab, name="Passanten", privacy_level=PrivacyLevel.AGGREGATED,
                                 counts_people=True, aggregation_window=3600)
    public = make_datastream(lab, name="Wassertemperatur", privacy_level=PrivacyLevel.PUBLIC)
    secret, counted, sentinel = marker(), marker(), marker()
    an_hour_ago = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        notify.announce("Datastream", [restricted.pk, public.pk])
        store(restricted, secret)
        # A closed window of people counts above k: still never announced over MQTT.
        store(aggregated, counted, when=an_hour_ago)
        notify.announce("Observation", list(
            sta.Observation.objects.filter(datastream=aggregated).values_list("pk", flat=True)),
            created=False)
        store(public, sentinel)
    # The public observation was announced after the others: once it is here, they would be.
    wait_until(lambda: everything.containing(str(sentinel)), 15)
    wait_until(lambda: everything.containing(f"Datastreams({public.pk})\""), 15)
    assert everything.containing(str(secret)) == []
    assert everything.containing(str(counted)) == []
    assert everything.containing(restricted.name) == []


def test_a_feature_a_device_sent_is_announced_only_with_a_readable_observation(
        lab, make_datastream, everything, django_capture_on_commit_callbacks):
    restricted = make_datastream(lab, name="Geheim", privacy_level=PrivacyLevel.RESTRICTED)
    public = make_datastream(lab, name="Offen", privacy_level=PrivacyLevel.PUBLIC)
    hidden_name, shown_name = f"Erfassung {marker()}", f"Messpunkt {marker()}"
    hidden, shown = (sta.FeatureOfInterest.objects.create(
        lab=lab, name=name, description="Ort einer Erfassung",
        feature={"type": "Point", "coordinates": [7.6001, 51.9501]})
        for name in (hidden_name, shown_name))
    now = datetime.now(UTC)
    with django_capture_on_commit_callbacks(execute=True):
        ingest.store([ingest.NewObservation(restricted.pk, now, 1.0,
                                            feature_of_interest_id=hidden.pk),
                      ingest.NewObservation(public.pk, now, 2.0,
                                            feature_of_interest_id=shown.pk)], lab_id=lab.pk)
        notify.announce("FeatureOfInterest", [hidden.pk, shown.pk])
    wait_until(lambda: everything.containing(shown_name), 15)
    assert everything.containing(hidden_name) == []


def test_changed_entities_go_to_their_own_topic_and_new_ones_to_their_collections(
        lab, make_datastream, everything, django_capture_on_commit_callbacks):
    datastream = make_datastream(lab, name=f"Strom {marker()}")
    thing = datastream.thing
    location = thing.locations.get()
    thing.name = f"Station {marker()}"
    thing.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify.announce("Thing", [thing.pk], created=False)
        notify.announce("Datastream", [datastream.pk])
        notify.announce("Location", [location.pk])
    wait_until(lambda: everything.containing(thing.name), 15)
    assert [topic for topic, _payload in everything.containing(thing.name)] == [
        f"v1.1/Things({thing.pk})"]
    wait_until(lambda: len(everything.containing(datastream.name)) >= 4, 15)
    assert {topic for topic, _payload in everything.containing(datastream.name)} == {
        "v1.1/Datastreams", f"v1.1/Things({thing.pk})/Datastreams",
        f"v1.1/Sensors({datastream.sensor_id})/Datastreams",
        f"v1.1/ObservedProperties({datastream.observed_property_id})/Datastreams"}
    location_topics = {topic for topic, payload in everything.received()
                       if f"/Locations({location.pk})\"".encode() in payload}
    wait_until(lambda: {topic for topic, payload in everything.received()
                        if f"/Locations({location.pk})\"".encode() in payload}
               >= {"v1.1/Locations", f"v1.1/Things({thing.pk})/Locations"}, 15)
    assert location_topics <= {"v1.1/Locations", f"v1.1/Things({thing.pk})/Locations"}


def test_messages_build_one_query_per_many_to_many_navigation_whatever_the_number(
        lab, make_datastream, django_assert_max_num_queries, settings):
    settings.MQTT_SELECT_TOPICS = []
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    now = datetime.now(UTC).replace(microsecond=0)
    ids = ingest.store([ingest.NewObservation(datastream_id=datastream.pk,
                                              phenomenon_time_start=now + timedelta(seconds=i),
                                              result=i) for i in range(50)], lab_id=None)
    # Their datastreams, which of them are public, then the observations.
    with django_assert_max_num_queries(3):
        messages = notify.messages("Observation", ids)
    assert len(messages) == 150
    payload = json.loads(messages[0][1])
    assert payload["result"] == 0
    things = [make_datastream(lab, name=f"S{i}").thing_id for i in range(5)]
    with django_assert_max_num_queries(2):  # the things, then their locations
        messages = notify.messages("Thing", things)
    assert {topic for topic, _payload in messages} >= {"v1.1/Things"}
    assert len([t for t, _p in messages if t.startswith("v1.1/Locations(")]) == 5


def test_a_broker_that_is_down_never_breaks_the_write(
        lab, make_datastream, settings, django_capture_on_commit_callbacks, caplog):
    settings.MQTT_URL = f"mqtt://127.0.0.1:{free_port()}"  # nobody listens there
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    with django_capture_on_commit_callbacks(execute=True):
        [observation_id] = store(datastream, 1.5)
    assert sta.Observation.objects.filter(pk=observation_id).exists()


def test_no_broker_configured_means_no_notification(lab, make_datastream, settings,
                                                    django_capture_on_commit_callbacks):
    settings.MQTT_URL = ""
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        store(datastream, 2.5)
    assert not [callback for callback in callbacks
                if callback.__qualname__.startswith("announce.")]
    settings.MQTT_URL = "mqtt://127.0.0.1:1883"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        store(datastream, 3.5)
    assert [callback for callback in callbacks if callback.__qualname__.startswith("announce.")]


def test_ingest_topics_are_recognised_only_under_the_prefix():
    assert topics.parse_ingest("ingest/v1.1/Datastreams(17)/Observations", "ingest/") == (
        topics.IngestTopic(17))
    assert topics.parse_ingest("ingest/v1.1/Observations", "ingest/") == topics.IngestTopic(None)
    assert topics.parse_ingest("v1.1/Datastreams(17)/Observations", "ingest/") is None
    assert topics.parse_ingest("ingest/v1.1/Datastreams(x)/Observations", "ingest/") is None
    assert topics.parse_ingest("ingest/v1.1/Things(1)/Datastreams", "ingest/") is None


def test_a_thing_created_through_the_api_is_announced_and_a_restricted_datastream_is_not(
        lab, lab_key, client, everything, django_capture_on_commit_callbacks):
    from .conftest import bearer

    def create(thing_name, datastream_name):
        body = {"name": thing_name, "description": "Boje", "Datastreams": [{
            "name": datastream_name, "description": "d",
            "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/"
                               "OM_Measurement",
            "unitOfMeasurement": {"name": "Grad", "symbol": "°C", "definition": "u"},
            "Sensor": {"name": "S", "description": "d", "encodingType": "text/html",
                       "metadata": "m"},
            "ObservedProperty": {"name": "T", "definition": "https://example.org/t",
                                 "description": "d"}}]}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/sta/v1.1/Things", body, content_type="application/json",
                                   **bearer(lab_key))
        assert response.status_code == 201, response.content

    public_thing, public_name = f"Station {marker()}", f"Öffentlich {marker()}"
    create(public_thing, public_name)
    # The lab's new datastreams are restricted from now on.
    lab.default_privacy_level = PrivacyLevel.RESTRICTED
    lab.save()
    secret_thing, secret_name = f"Station {marker()}", f"Geheim {marker()}"
    create(secret_thing, secret_name)
    assert sta.Datastream.objects.get(name=secret_name).privacy_level == PrivacyLevel.RESTRICTED

    wait_until(lambda: everything.containing(public_name) and everything.containing(secret_thing),
               15)
    assert "v1.1/Things" in {topic for topic, _payload in everything.containing(public_thing)}
    assert "v1.1/Datastreams" in {topic for topic, _p in everything.containing(public_name)}
    # The thing is public metadata; its restricted datastream is announced nowhere.
    assert everything.containing(secret_name) == []
