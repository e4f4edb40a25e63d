"""A device links its observations only to features of interest its lab may know of. A feature
another lab's device sent with restricted values is shown to nobody outside that lab; if a token
of another lab could link a public observation to it, the feature (perhaps where one person was
counted) would become readable by everyone. Such a link is answered like a missing feature, on
every path that names a feature by id: POST, CreateObservations and MQTT (ingest.store)."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from stadtallianz.sensorthings import ingest
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.errors import StaError
from stadtallianz.sensorthings.models import PrivacyLevel
from stadtallianz.sensorthings.mqtt import payload
from stadtallianz.sensorthings.tests.conftest import bearer

pytestmark = pytest.mark.django_db
ROOT = "/sta/v1.1"
WHEN = (datetime.now(UTC) - timedelta(hours=1)).isoformat()


def post(client, path, body, key):
    return client.post(f"{ROOT}/{path}", json.dumps(body), content_type="application/json",
                       **bearer(key))


@pytest.fixture
def hidden_feature(other_lab, make_datastream):
    """A feature the other lab's device sent with a restricted value: only that lab sees it."""
    stream = make_datastream(other_lab, name="Erfassung", privacy_level=PrivacyLevel.RESTRICTED)
    feature = sta.FeatureOfInterest.objects.create(
        lab=other_lab, name="Haustür", description="Erfasst", encoding_type="application/geo+json",
        feature={"type": "Point", "coordinates": [7.61, 51.96]})
    sta.Observation.objects.create(datastream=stream, feature_of_interest=feature,
                                   phenomenon_time_start=datetime.now(UTC), result_number=1)
    return feature


@pytest.fixture
def public_stream(lab, make_datastream):
    return make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)


def feature_is_hidden(client, feature) -> bool:
    return client.get(f"{ROOT}/FeaturesOfInterest({feature.pk})").status_code == 404


def test_a_feature_the_lab_may_not_know_is_refused_on_every_path(client, lab, lab_key,
                                                               public_stream, hidden_feature):
    assert feature_is_hidden(client, hidden_feature)
    missing = f"There is no FeatureOfInterest with id {hidden_feature.pk}"
    body = {"result": 1, "phenomenonTime": WHEN, "Datastream": {"@iot.id": public_stream.pk},
            "FeatureOfInterest": {"@iot.id": hidden_feature.pk}}
    response = post(client, "Observations", body, lab_key)
    assert response.status_code == 400 and missing in response.json()["message"]
    del body["Datastream"]
    response = post(client, f"Datastreams({public_stream.pk})/Observations", body, lab_key)
    assert response.status_code == 400 and missing in response.json()["message"]
    rows = {"Datastream": {"@iot.id": public_stream.pk},
            "components": ["phenomenonTime", "result", "FeatureOfInterest/id"],
            "dataArray": [[WHEN, 1, hidden_feature.pk]]}
    response = post(client, "CreateObservations", [rows], lab_key)
    assert response.status_code == 400 and missing in response.json()["message"]
    # MQTT: the bridge's payload names the feature by id and goes through ingest.store, which
    # judges by the datastream's lab (the broker does not say who published).
    observation = payload.parse(json.dumps({
        "result": 1, "phenomenonTime": WHEN,
        "FeatureOfInterest": {"@iot.id": hidden_feature.pk}}).encode(), public_stream.pk)
    for lab_id in (lab.pk, None):
        with pytest.raises(StaError) as error:
            ingest.store([observation], lab_id=lab_id)
        assert missing in error.value.message
    assert not sta.Observation.objects.filter(datastream=public_stream).exists()
    assert feature_is_hidden(client, hidden_feature)


def test_features_the_lab_may_know_are_still_linked(client, lab, lab_key, other_lab,
                                                    public_stream, hidden_feature,
                                                    make_datastream):
    # Its own lab's feature, and another lab's that everyone may read (it has a public value).
    own = sta.FeatureOfInterest.objects.create(
        lab=lab, name="Steg", description="Steg", encoding_type="application/geo+json",
        feature={"type": "Point", "coordinates": [7.60, 51.95]})
    shared = sta.FeatureOfInterest.objects.create(
        lab=other_lab, name="Ufer", description="Ufer", encoding_type="application/geo+json",
        feature={"type": "Point", "coordinates": [7.62, 51.95]})
    sta.Observation.objects.create(datastream=make_datastream(other_lab, name="Pegel"),
                                   feature_of_interest=shared,
                                   phenomenon_time_start=datetime.now(UTC), result_number=2)
    for feature in (own, shared):
        body = {"result": 1, "phenomenonTime": WHEN,
                "Datastream": {"@iot.id": public_stream.pk},
                "FeatureOfInterest": {"@iot.id": feature.pk}}
        assert post(client, "Observations", body, lab_key).status_code == 201
    # The other lab's own device still links its hidden feature.
    stream = hidden_feature.observations.get().datastream
    observation = payload.parse(json.dumps({
        "result": 3, "phenomenonTime": WHEN,
        "FeatureOfInterest": {"@iot.id": hidden_feature.pk}}).encode(), stream.pk)
    assert ingest.store([observation], lab_id=other_lab.pk)[0] is not None
