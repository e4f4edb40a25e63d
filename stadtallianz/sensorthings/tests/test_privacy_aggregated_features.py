"""An aggregated datastream's values never come with their own FeatureOfInterest: features are
public metadata, so a feature per value would be a live feed of where each person was counted.
Aggregated datastreams use the feature generated from the thing's location; any other one is
refused (400) on every ingest path (POST, deep insert, CreateObservations, MQTT), and nothing of
the request is stored."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from stadtallianz.sensorthings import ingest
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.errors import StaError
from stadtallianz.sensorthings.models import PrivacyLevel
from stadtallianz.sensorthings.mqtt import payload
from stadtallianz.sensorthings.tests.conftest import bearer
from stadtallianz.sensorthings.tests.test_write_entities import thing_body

pytestmark = pytest.mark.django_db
ROOT = "/sta/v1.1"
RULE = "aggregated datastreams use the thing's location as their feature of interest"
NOW = datetime(2026, 5, 1, 10, 5, tzinfo=UTC).isoformat()
DETECTION = {"name": "Person erkannt", "description": "Erfassung",
             "encodingType": "application/geo+json",
             "feature": {"type": "Point", "coordinates": [7.6001, 51.9501]}}


@pytest.fixture
def people(lab, make_datastream):
    return make_datastream(lab, name="Passanten", privacy_level=PrivacyLevel.AGGREGATED,
                           counts_people=True, k_threshold=5)


def post(client, path, body, key):
    return client.post(f"{ROOT}/{path}", json.dumps(body), content_type="application/json",
                       **bearer(key))


def nothing_stored(before_features: int) -> bool:
    return (sta.FeatureOfInterest.objects.count() == before_features
            and not sta.Observation.objects.exists())


def refused(response) -> bool:
    return response.status_code == 400 and RULE in response.json()["message"]


def test_an_inline_feature_for_an_aggregated_value_is_refused(client, lab, lab_key, people):
    features = sta.FeatureOfInterest.objects.count()
    body = {"result": 1, "phenomenonTime": NOW, "Datastream": {"@iot.id": people.pk},
            "FeatureOfInterest": DETECTION}
    assert refused(post(client, "Observations", body, lab_key))
    del body["Datastream"]
    assert refused(post(client, f"Datastreams({people.pk})/Observations", body, lab_key))
    assert nothing_stored(features)


def test_a_deep_insert_into_an_aggregated_datastream_with_a_feature_stores_nothing(
        client, lab, lab_key):
    lab.default_privacy_level = PrivacyLevel.AGGREGATED
    lab.save()
    body = thing_body()
    body["Datastreams"][0]["Observations"] = [
        {"phenomenonTime": NOW, "result": 1, "FeatureOfInterest": DETECTION}]
    assert refused(post(client, "Things", body, lab_key))
    assert not sta.Thing.objects.exists() and not sta.FeatureOfInterest.objects.exists()
    assert not sta.Datastream.objects.exists()


def test_a_referenced_feature_other_than_the_generated_one_is_refused(client, lab, lab_key,
                                                                      people):
    other = sta.FeatureOfInterest.objects.create(lab=lab, encoding_type="application/geo+json",
                                                 name="Eingang", description="Eingang",
                                                 feature=DETECTION["feature"])
    rows = {"Datastream": {"@iot.id": people.pk},
            "components": ["phenomenonTime", "result", "FeatureOfInterest/id"],
            "dataArray": [[NOW, 1, other.pk]]}
    assert refused(post(client, "CreateObservations", [rows], lab_key))
    body = {"result": 1, "phenomenonTime": NOW, "Datastream": {"@iot.id": people.pk},
            "FeatureOfInterest": {"@iot.id": other.pk}}
    assert refused(post(client, "Observations", body, lab_key))
    # MQTT: the bridge's payload names the feature by id, and goes through ingest.store.
    observation = payload.parse(json.dumps({
        "result": 1, "phenomenonTime": NOW,
        "FeatureOfInterest": {"@iot.id": other.pk}}).encode(), people.pk)
    with pytest.raises(StaError) as error:
        ingest.store([observation], lab_id=lab.pk)
    assert RULE in error.value.message
    assert not sta.Observation.objects.exists()


def test_the_generated_feature_and_none_are_accepted(client, lab, lab_key, people):
    soon = (datetime.now(UTC) + timedelta(hours=2)).isoformat()  # its window stays open
    assert post(client, "Observations", {"result": 1, "phenomenonTime": soon,
                                         "Datastream": {"@iot.id": people.pk}},
                lab_key).status_code == 201
    window = sta.Observation.objects.get(datastream=people)
    generated = window.feature_of_interest
    assert generated.generated_from_id is not None
    rows = {"Datastream": {"@iot.id": people.pk},
            "components": ["phenomenonTime", "result", "FeatureOfInterest/id"],
            "dataArray": [[soon, 1, generated.pk]]}
    assert post(client, "CreateObservations", [rows], lab_key).status_code == 201
    window.refresh_from_db()
    assert window.bucket_sum == 2 and sta.FeatureOfInterest.objects.count() == 1


def test_a_public_datastream_still_takes_its_own_features(client, lab, lab_key,
                                                          make_datastream):
    stream = make_datastream(lab)
    body = {"result": 18.5, "phenomenonTime": NOW, "Datastream": {"@iot.id": stream.pk},
            "FeatureOfInterest": DETECTION}
    response = post(client, "Observations", body, lab_key)
    assert response.status_code == 201
    assert sta.Observation.objects.get().feature_of_interest.name == "Person erkannt"
