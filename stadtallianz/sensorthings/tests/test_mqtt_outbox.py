"""The bridge's outbox of notifications (PendingAnnouncement, mqtt/notify.py): what it stores is
owed to subscribers in the same transaction, the debt is settled once the broker took the
messages, and a bridge killed in between announces what it owes when it starts again with the
same client id — never what another bridge owes. Through the real broker at 127.0.0.1:1883."""

import json
import random
import uuid
from datetime import UTC, datetime

import pytest

from stadtallianz.sensorthings import ingest
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel

from .mqtt_support import Subscriber, publisher, running_bridge, unique_prefix, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

URL = "mqtt://127.0.0.1:1883"


def marker() -> float:
    return round(random.uniform(1e6, 9e6), 6)


def announced_results(subscriber: Subscriber, datastream) -> set[float]:
    topic = f"v1.1/Datastreams({datastream.pk})/Observations"
    return {json.loads(payload)["result"] for received, payload in subscriber.received()
            if received == topic}


def test_what_the_bridge_stores_is_owed_until_announced(lab, make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    prefix, values = unique_prefix(), [marker() for _ in range(5)]
    subscriber = Subscriber([f"v1.1/Datastreams({datastream.pk})/Observations"])
    device = publisher()
    try:
        with running_bridge(URL, prefix):
            for second, value in enumerate(values):
                device.publish(f"{prefix}v1.1/Datastreams({datastream.pk})/Observations",
                               json.dumps({"phenomenonTime": f"2026-11-26T10:00:0{second}Z",
                                           "result": value}), qos=1).wait_for_publish(10)
            wait_until(lambda: announced_results(subscriber, datastream) == set(values), 30)
            wait_until(lambda: not sta.PendingAnnouncement.objects.exists(), 10,
                       message="the outbox emptied once announced")
    finally:
        device.disconnect()
        device.loop_stop()
        subscriber.close()


def test_a_restarted_bridge_announces_what_it_stored_before_it_was_killed(lab, make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    mine, theirs = marker(), marker()
    ids = ingest.store([ingest.NewObservation(
        datastream_id=datastream.pk, result=value,
        phenomenon_time_start=datetime(2026, 11, 26, 10, minute, tzinfo=UTC))
        for minute, value in enumerate((mine, theirs))], lab_id=None)
    client_id = f"test-bridge-{uuid.uuid4().hex[:8]}"
    # What a bridge killed between its commit and its announcement leaves behind; the second
    # row is owed by another bridge of the same shared subscription, still running.
    sta.PendingAnnouncement.objects.create(bridge=client_id, entity="Observation", ids=ids[:1])
    other = sta.PendingAnnouncement.objects.create(bridge="another-bridge", entity="Observation",
                                                   ids=ids[1:])
    subscriber = Subscriber([f"v1.1/Datastreams({datastream.pk})/Observations"])
    try:
        with running_bridge(URL, unique_prefix(), client_id=client_id):
            wait_until(lambda: announced_results(subscriber, datastream) == {mine}, 30)
            wait_until(lambda: list(sta.PendingAnnouncement.objects.values_list("pk", flat=True))
                       == [other.pk], 10)
    finally:
        subscriber.close()
    assert announced_results(subscriber, datastream) == {mine}
