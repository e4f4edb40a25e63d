"""Datastream.observedArea is kept up to date like phenomenonTime (ingest, changes and deletes
through the API, retention, the privacy level), so the geospatial functions on it work."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import shapely
from shapely.geometry import shape

from stadtallianz.sensorthings import ingest
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel

from .conftest import AASEE, bearer

pytestmark = pytest.mark.django_db

ROOT = "/sta/v1.1/"
CORNERS = [(7.60, 51.95), (7.64, 51.95), (7.62, 51.99)]
INSIDE = "geography'POLYGON((7.5 51.9, 7.7 51.9, 7.7 52.0, 7.5 52.0, 7.5 51.9))'"


def feature(lab, x, y, name="Ort"):
    return sta.FeatureOfInterest.objects.create(
        lab=lab, name=name, description="d", feature={"type": "Point", "coordinates": [x, y]})


def store(datastream, features, start=datetime(2026, 5, 1, tzinfo=UTC)):
    return ingest.store([ingest.NewObservation(
        datastream.pk, start + timedelta(minutes=i), float(i),
        feature_of_interest_id=f.pk if f else None) for i, f in enumerate(features)],
        lab_id=None)


def area(datastream):
    datastream.refresh_from_db()
    return None if datastream.observed_area is None else shape(datastream.observed_area)


def test_ingest_widens_the_area_to_the_hull_of_the_features(client, lab, make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    assert area(datastream) is None
    first = feature(lab, *CORNERS[0])
    store(datastream, [first, first])
    assert area(datastream).equals(shapely.Point(CORNERS[0]))
    store(datastream, [feature(lab, *CORNERS[1])])
    assert area(datastream).equals(shapely.LineString(CORNERS[:2]))
    store(datastream, [feature(lab, *CORNERS[2]), feature(lab, 7.62, 51.96)])  # one inside
    assert area(datastream).equals(shapely.Polygon(CORNERS))
    assert area(datastream).area == pytest.approx(0.0008)
    # Generated from the thing's location when no feature is named.
    other = make_datastream(lab, name="Luft", privacy_level=PrivacyLevel.PUBLIC)
    store(other, [None])
    assert area(other).equals(shape(AASEE))
    body = client.get(ROOT + f"Datastreams({datastream.pk})").json()
    assert body["observedArea"]["type"] == "Polygon"

    def found(condition):
        response = client.get(ROOT + "Datastreams", {"$filter": condition})
        assert response.status_code == 200, response.content
        return {row["@iot.id"] for row in response.json()["value"]}

    assert found(f"st_within(observedArea, {INSIDE})") == {datastream.pk, other.pk}
    assert found("st_contains(observedArea, geography'POINT(7.62 51.96)')") == {datastream.pk}
    assert found("geo.intersects(observedArea, geography'POINT(7.0 50.0)')") == set()
    assert found("geo.distance(observedArea, geography'POINT(7.62 51.99)') lt 0.001") == {
        datastream.pk}


def test_changes_deletes_and_retention_shrink_it(client, lab, lab_key, make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC, retention_days=7)
    near, far = feature(lab, *CORNERS[0]), feature(lab, 8.0, 52.5, "Fern")
    now = datetime.now(UTC).replace(microsecond=0)
    [old] = store(datastream, [far], start=now - timedelta(days=30))
    [recent, moving] = store(datastream, [near, far], start=now - timedelta(hours=1))
    assert area(datastream).equals(shapely.LineString([CORNERS[0], (8.0, 52.5)]))
    response = client.patch(ROOT + f"Observations({moving})",
                            json.dumps({"FeatureOfInterest": {"@iot.id": near.pk}}),
                            content_type="application/json", **bearer(lab_key))
    assert response.status_code == 200
    assert area(datastream).equals(shapely.LineString([CORNERS[0], (8.0, 52.5)]))  # old
    assert ingest.apply_retention(now) == 1
    assert area(datastream).equals(shapely.Point(CORNERS[0]))
    assert sta.Observation.objects.filter(pk=old).count() == 0
    for observation_id in (recent, moving):
        assert client.delete(ROOT + f"Observations({observation_id})",
                             **bearer(lab_key)).status_code == 204
    assert area(datastream) is None
    # Deleting a feature takes its observations and their place in the area.
    store(datastream, [near, far])
    assert client.delete(ROOT + f"FeaturesOfInterest({far.pk})",
                         **bearer(lab_key)).status_code == 204
    assert area(datastream).equals(shapely.Point(CORNERS[0]))


def test_an_aggregated_datastream_shows_only_served_windows(lab, make_datastream, settings):
    settings.AGGREGATION_GRACE_SECONDS = 0
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.AGGREGATED)
    now = datetime.now(UTC)
    store(datastream, [None], start=now)  # an open window: not served, no area
    assert area(datastream) is None
    store(datastream, [None], start=now - timedelta(days=2))  # a closed one
    assert area(datastream).equals(shape(AASEE))


def test_becoming_aggregated_keeps_only_served_windows(lab, make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    store(datastream, [feature(lab, *CORNERS[0]), feature(lab, *CORNERS[1])],
          start=datetime.now(UTC) - timedelta(minutes=5))
    assert area(datastream).geom_type == "LineString"
    ingest.change_privacy(datastream, level=PrivacyLevel.AGGREGATED)
    assert area(datastream) is None  # the only window is still open
