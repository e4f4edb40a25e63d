"""Mosquitto with the recommended configuration and the publisher plugin
(contrib/mosquitto/stadtallianz_publisher.c, MQTT_PUBLISHER_PLUGIN), started on free ports: a lab
token may use every MQTT create topic of SensorThings 1.1 (the datastream or the feature named
in the payload or the topic), a datastream created after the ACL was written receives at once,
and the bridge holds each message to the lab of the token that sent it, which a device cannot
forge."""

import json

import pytest
from django.utils import timezone

from stadtallianz.livinglabs.models import LabToken
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel

from .mqtt_support import Subscriber, running_bridge, wait_until
from .test_mqtt_broker import BRIDGE_PASSWORD, BRIDGE_USER, credentials, device

pytestmark = pytest.mark.django_db(transaction=True)

AASEE = {"type": "Point", "coordinates": [7.6105, 51.9535]}

def publish(client, topic: str, body: dict):
    client.publish(topic, json.dumps(body), qos=1).wait_for_publish(10)


def results(datastream) -> list[float]:
    return sorted(sta.Observation.objects.filter(datastream=datastream)
                  .values_list("result_number", flat=True))


def connected(port: int, key: str):
    client = device(port, key)
    assert not isinstance(client, str) and hasattr(client, "publish"), client
    return client


def test_a_lab_token_creates_on_every_topic_of_the_standard(broker_with_plugin, lab,
                                                              make_datastream):
    write, broker, _public_port, device_port, url = broker_with_plugin
    token, key = LabToken.issue(lab=lab, name="Boje")
    write()
    wait_until(lambda: hasattr(device(device_port, key), "publish"), 10)
    assert not (broker.directory / "acl").exists()
    # Created after the broker's files were written, which are not written again: no waiting.
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    feature = sta.FeatureOfInterest.objects.create(lab=lab, name="Steg", description="Steg",
                                                   feature=AASEE)
    client = connected(device_port, key)
    try:
        with running_bridge(url, "ingest/"):
            publish(client, f"v1.1/Datastreams({datastream.pk})/Observations",
                    {"phenomenonTime": "2026-11-26T10:00:00Z", "result": 1})
            publish(client, "v1.1/Observations",
                    {"phenomenonTime": "2026-11-26T10:01:00Z", "result": 2,
                     "Datastream": {"@iot.id": datastream.pk}})
            publish(client, f"v1.1/FeaturesOfInterest({feature.pk})/Observations",
                    {"phenomenonTime": "2026-11-26T10:02:00Z", "result": 3,
                     "Datastream": {"@iot.id": datastream.pk}})
            publish(client, "v1.1/Observations",  # deep insert of a new feature
                    {"phenomenonTime": "2026-11-26T10:03:00Z", "result": 4,
                     "Datastream": {"@iot.id": datastream.pk},
                     "FeatureOfInterest": {"name": "Ufer", "description": "Am Ufer",
                                           "encodingType": "application/geo+json",
                                           "feature": AASEE}})
            wait_until(lambda: results(datastream) == [1, 2, 3, 4], 30)
    finally:
        client.disconnect()
        client.loop_stop()
    assert sta.Observation.objects.filter(datastream=datastream, feature_of_interest=feature
                                          ).count() >= 1
    assert not sta.RejectedMessage.objects.exists()


def test_a_token_writes_no_other_labs_datastream_or_feature_whatever_it_names(
        broker_with_plugin, lab, other_lab, make_datastream):
    write, broker, _public_port, device_port, url = broker_with_plugin
    own = make_datastream(lab, name="Eigene", privacy_level=PrivacyLevel.PUBLIC)
    foreign = make_datastream(other_lab, name="Fremde", privacy_level=PrivacyLevel.PUBLIC)
    hidden = make_datastream(other_lab, name="Verborgen", privacy_level=PrivacyLevel.RESTRICTED)
    foreign_feature = sta.FeatureOfInterest.objects.create(
        lab=other_lab, name="Fremder Ort", description="", feature=AASEE)
    token, key = LabToken.issue(lab=lab, name="Boje")
    write()
    client = connected(device_port, key)
    attempts = [
        ("v1.1/Observations", {"result": 10, "Datastream": {"@iot.id": foreign.pk}}),
        ("v1.1/Observations", {"result": 11, "Datastream": {"@iot.id": hidden.pk}}),
        (f"v1.1/Datastreams({foreign.pk})/Observations", {"result": 12}),
        (f"v1.1/FeaturesOfInterest({foreign_feature.pk})/Observations",
         {"result": 13, "Datastream": {"@iot.id": own.pk}}),
        ("v1.1/Observations", {"result": 14, "Datastream": {"@iot.id": own.pk},
                               "FeatureOfInterest": {"@iot.id": foreign_feature.pk}}),
    ]
    try:
        with running_bridge(url, "ingest/"):
            for topic, body in attempts:
                publish(client, topic, {"phenomenonTime": "2026-11-26T10:00:00Z", **body})
            publish(client, f"v1.1/Datastreams({own.pk})/Observations",  # the sentinel
                    {"phenomenonTime": "2026-11-26T11:00:00Z", "result": 1})
            wait_until(lambda: results(own) == [1]
                       and sta.RejectedMessage.objects.count() == len(attempts), 30)
    finally:
        client.disconnect()
        client.loop_stop()
    assert results(foreign) == [] and results(hidden) == []
    assert sta.Observation.objects.filter(feature_of_interest=foreign_feature).count() == 0
    # Each refusal is recorded for the lab whose token sent it, under that token's name only,
    # and another lab's restricted datastream is not confirmed to exist.
    records = list(sta.RejectedMessage.objects.order_by("id"))
    assert {(r.lab_id, r.username) for r in records} == {(lab.pk, token.username)}
    assert "another living lab" in records[0].reason
    assert "another living lab" not in records[1].reason
    assert all(r.topic.startswith(f"ingest/from/{token.username}/v1.1/") for r in records)


def test_the_publisher_cannot_be_forged_and_a_revoked_token_is_refused_at_once(
        broker_with_plugin, lab, other_lab, make_datastream):
    write, broker, public_port, device_port, url = broker_with_plugin
    own = make_datastream(lab, name="Eigene", privacy_level=PrivacyLevel.PUBLIC)
    foreign = make_datastream(other_lab, name="Fremde", privacy_level=PrivacyLevel.PUBLIC)
    token, key = LabToken.issue(lab=lab, name="Boje")
    other_token, _other_key = LabToken.issue(lab=other_lab, name="Zähler")
    write()
    spy = Subscriber(["ingest/#"], port=public_port, username=BRIDGE_USER,
                     password=BRIDGE_PASSWORD)
    forged = {"phenomenonTime": "2026-11-26T10:00:00Z", "result": 66,
              "Datastream": {"@iot.id": foreign.pk}}
    try:
        with running_bridge(url, "ingest/"):
            # Naming another token in the topic, on the device listener and (without its
            # mount point) on the subscribers' listener: the ACL drops both and closes the
            # connection.
            for port, topic in ((device_port, f"from/{other_token.username}/v1.1/Observations"),
                                (public_port,
                                 f"ingest/from/{other_token.username}/v1.1/Observations")):
                intruder = connected(port, key)
                intruder.publish(topic, json.dumps(forged), qos=1)
                wait_until(lambda intruder=intruder: not intruder.is_connected(), 15)
                intruder.loop_stop()
            # Written straight under the ingest prefix on the subscribers' listener: filed
            # under the sender's own name all the same.
            honest = connected(public_port, key)
            publish(honest, f"ingest/v1.1/Datastreams({own.pk})/Observations",
                    {"phenomenonTime": "2026-11-26T10:00:00Z", "result": 1})
            wait_until(lambda: results(own) == [1], 30)
            # Revoked in the database, before the broker's files are written again: the bridge
            # refuses what that token still sends.
            token.revoked_at = timezone.now()
            token.save()
            publish(honest, f"ingest/v1.1/Datastreams({own.pk})/Observations",
                    {"phenomenonTime": "2026-11-26T10:05:00Z", "result": 2})
            wait_until(lambda: sta.RejectedMessage.objects.exists(), 30)
            honest.disconnect()
            honest.loop_stop()
    finally:
        spy.close()
    assert results(own) == [1] and results(foreign) == []
    rejected = sta.RejectedMessage.objects.get()
    assert (rejected.lab_id, rejected.username) == (lab.pk, token.username)
    assert "not active" in rejected.reason
    assert not [topic for topic, _payload in spy.received()
                if other_token.username in topic], spy.received()
    assert {topic for topic, _payload in spy.received()} == {
        f"ingest/from/{token.username}/v1.1/Datastreams({own.pk})/Observations"}
    assert credentials(key)[0] == token.username
