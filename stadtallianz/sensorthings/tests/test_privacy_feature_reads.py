"""A feature of interest a device sends may be the position of one sensed event (where a person
was counted). It is shown only when it was generated from a thing's location, when it belongs to
the caller's own lab (token) or a lab the caller is an insider of, or when the caller may read
one of its observations — on every read path (collection, by id, navigation, $expand, $filter,
geospatial $filter, $count)."""

from datetime import UTC, datetime, timedelta

import pytest

from stadtallianz.core.testing import query_count
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel

from .conftest import bearer

pytestmark = pytest.mark.django_db

ROOT = "/sta/v1.1"
EVENT_SPOT = {"type": "Point", "coordinates": [7.6001, 51.9501]}


@pytest.fixture
def features(lab, make_datastream, observe):
    """A counted person's position (only a withheld window below k), a feature generated from a
    location (no observations at all) and one of a public datastream."""
    people = make_datastream(lab, name="Passanten", privacy_level=PrivacyLevel.AGGREGATED,
                             counts_people=True, k_threshold=5, aggregation_window=3600)
    event = sta.FeatureOfInterest.objects.create(lab=lab, name="Erfassung", description="x",
                                                 feature=EVENT_SPOT)
    observe(people, [(2, 2)], start=datetime(2026, 3, 1, tzinfo=UTC),
            step=timedelta(hours=1), feature=event)
    public = make_datastream(lab, name="Temperatur")
    shown = sta.FeatureOfInterest.objects.create(lab=lab, name="Boje", description="x",
                                                 feature={"type": "Point",
                                                          "coordinates": [7.61, 51.95]})
    observe(public, [20.5], feature=shown)
    location = public.thing.locations.get()
    generated = sta.FeatureOfInterest.objects.create(
        lab=lab, name="Standort", description="x", feature=location.location,
        generated_from=location)
    observation = sta.Observation.objects.get(feature_of_interest=event)
    return {"event": event, "shown": shown, "generated": generated,
            "observation": observation}


def names(response):
    assert response.status_code == 200, response.content
    return {item["name"] for item in response.json()["value"]}


def test_a_visitor_sees_no_position_of_a_withheld_event(client, features):
    event = features["event"]
    assert names(client.get(f"{ROOT}/FeaturesOfInterest")) == {"Boje", "Standort"}
    assert client.get(f"{ROOT}/FeaturesOfInterest({event.pk})").status_code == 404
    assert client.get(f"{ROOT}/FeaturesOfInterest({event.pk})/feature").status_code == 404
    observation = features["observation"]
    assert client.get(
        f"{ROOT}/Observations({observation.pk})/FeatureOfInterest").status_code == 404
    counted = client.get(f"{ROOT}/FeaturesOfInterest", {"$count": "true", "$top": "0"})
    assert counted.json()["@iot.count"] == 2
    near = client.get(f"{ROOT}/FeaturesOfInterest", {
        "$filter": "st_within(feature, geography'POLYGON((7.5 51.9, 7.7 51.9, 7.7 52.0, "
                   "7.5 52.0, 7.5 51.9))')"})
    assert names(near) == {"Boje", "Standort"}
    by_name = client.get(f"{ROOT}/FeaturesOfInterest", {"$filter": "name eq 'Erfassung'"})
    assert names(by_name) == set()
    expanded = client.get(f"{ROOT}/Datastreams", {"$expand": "Observations/FeatureOfInterest"})
    assert b"7.6001" not in expanded.content
    assert b"Erfassung" not in expanded.content


def test_another_labs_token_sees_no_position_of_a_withheld_event(client, features,
                                                                 other_lab_key):
    headers = bearer(other_lab_key)
    assert names(client.get(f"{ROOT}/FeaturesOfInterest", **headers)) == {"Boje", "Standort"}
    event = features["event"]
    assert client.get(f"{ROOT}/FeaturesOfInterest({event.pk})", **headers).status_code == 404


def test_the_labs_own_token_sees_its_features(client, features, lab_key):
    headers = bearer(lab_key)
    assert names(client.get(f"{ROOT}/FeaturesOfInterest", **headers)) == {
        "Boje", "Standort", "Erfassung"}
    event = features["event"]
    assert client.get(f"{ROOT}/FeaturesOfInterest({event.pk})", **headers).status_code == 200


@pytest.mark.parametrize("who", ["partner_admin", "coordinator"])
def test_insiders_see_the_labs_features(request, client_for, features, who):
    insider = client_for(request.getfixturevalue(who))
    assert names(insider.get(f"{ROOT}/FeaturesOfInterest")) == {
        "Boje", "Standort", "Erfassung"}


@pytest.mark.parametrize("who", ["citizen", "other_admin"])
def test_outsiders_with_an_account_see_no_event_position(request, client_for, features, who):
    outsider = client_for(request.getfixturevalue(who))
    assert names(outsider.get(f"{ROOT}/FeaturesOfInterest")) == {"Boje", "Standort"}


def test_a_feature_becomes_visible_once_one_of_its_windows_is_shown(client, features):
    window = features["observation"]
    window.bucket_count = window.bucket_sum = window.result_number = 7
    window.save()
    assert "Erfassung" in names(client.get(f"{ROOT}/FeaturesOfInterest"))


def test_the_feature_list_takes_the_same_queries_for_more_features(client, features):
    def read():
        assert names(client.get(f"{ROOT}/FeaturesOfInterest",
                                {"$expand": "Observations"})) >= {"Boje", "Standort"}

    few = query_count(read)
    lab = features["event"].lab
    for index in range(20):
        feature = sta.FeatureOfInterest.objects.create(
            lab=lab, name=f"Ort {index}", description="x", feature=EVENT_SPOT,
            generated_from=features["generated"].generated_from)
        sta.Observation.objects.create(
            datastream=features["observation"].datastream, feature_of_interest=feature,
            phenomenon_time_start=datetime(2026, 3, 2, index, tzinfo=UTC),
            phenomenon_time_end=datetime(2026, 3, 2, index + 1, tzinfo=UTC),
            result_number=1, bucket_count=1, bucket_sum=1)
    assert query_count(read) == few
