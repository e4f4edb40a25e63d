"""Creating, changing and deleting entities through the SensorThings API with a lab token."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from stadtallianz.livinglabs.models import LabToken
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel

from .conftest import AASEE, basic, bearer

pytestmark = pytest.mark.django_db

ROOT = "/sta/v1.1/"
SENSOR = {"name": "PT100", "description": "Thermometer", "encodingType": "text/html",
          "metadata": "https://example.org/pt100"}
PROPERTY = {"name": "Temperatur", "definition": "https://example.org/temperature",
            "description": "Wassertemperatur"}
UNIT = {"name": "Grad Celsius", "symbol": "°C", "definition": "ucum:Cel"}
H10 = datetime(2026, 5, 1, 10, tzinfo=UTC)
MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"


def post(client, path, body, key):
    return client.post(ROOT + path, json.dumps(body), content_type="application/json",
                       **bearer(key))


def send(client, method, path, body, key):
    return getattr(client, method)(ROOT + path, json.dumps(body),
                                   content_type="application/json", **bearer(key))


def thing_body():
    return {
        "name": "Boje 1", "description": "Messboje im Aasee", "properties": {"owner": "Lab"},
        "Locations": [{"name": "Aasee", "description": "Mitte des Sees",
                       "encodingType": "application/geo+json", "location": AASEE}],
        "Datastreams": [{
            "name": "Wassertemperatur", "description": "0,5 m Tiefe",
            "observationType": MEASUREMENT, "unitOfMeasurement": UNIT,
            "Sensor": SENSOR, "ObservedProperty": PROPERTY,
            "Observations": [{"phenomenonTime": "2026-05-01T10:00:00Z", "result": 18.5},
                             {"phenomenonTime": "2026-05-01T10:01:00+02:00", "result": 18.6}],
        }],
    }


def created_id(response) -> int:
    assert response.status_code == 201, response.content
    location = response["Location"]
    assert location == response.json()["@iot.selfLink"]
    return int(location.rsplit("(", 1)[1].rstrip(")"))


def test_deep_insert_of_a_thing_creates_everything_in_the_tokens_lab(client, lab, lab_key):
    response = post(client, "Things", thing_body(), lab_key)
    thing_id = created_id(response)
    assert response["Location"] == f"http://testserver/sta/v1.1/Things({thing_id})"
    body = response.json()
    assert body["name"] == "Boje 1" and body["properties"] == {"owner": "Lab"}
    assert body["Datastreams@iot.navigationLink"].endswith(f"Things({thing_id})/Datastreams")
    thing = sta.Thing.objects.get(pk=thing_id)
    assert thing.lab == lab
    location = thing.locations.get()
    assert location.lab == lab and location.location == AASEE
    historical = thing.historical_locations.get()
    assert list(historical.locations.all()) == [location]
    stream = thing.datastreams.get()
    assert stream.lab == lab and stream.privacy_level == lab.default_privacy_level
    assert stream.sensor.lab == lab and stream.observed_property.name == "Temperatur"
    observations = list(stream.observations.order_by("phenomenon_time_start"))
    assert [o.result for o in observations] == [18.6, 18.5]  # 10:01+02:00 is 08:01Z
    # the feature of interest was generated from the thing's location
    assert observations[0].feature_of_interest.generated_from == location


def test_datastreams_get_the_labs_default_privacy_level(client, other_lab, other_lab_key):
    assert other_lab.default_privacy_level == PrivacyLevel.RESTRICTED
    thing_id = created_id(post(client, "Things", thing_body(), other_lab_key))
    assert sta.Datastream.objects.get(thing_id=thing_id).privacy_level == "restricted"


@pytest.mark.parametrize("set_name, body", [
    ("Sensors", SENSOR),
    ("ObservedProperties", PROPERTY),
    ("Locations", {"name": "Ufer", "description": "Westufer", "encodingType":
                   "application/vnd.geo+json", "location": {
                       "type": "Polygon", "coordinates": [[[7.60, 51.95], [7.61, 51.95],
                                                           [7.61, 51.96], [7.60, 51.95]]]}}),
    ("FeaturesOfInterest", {"name": "See", "description": "Der See", "encodingType":
                            "application/geo+json", "feature": {
                                "type": "LineString", "coordinates": [[7.6, 51.9], [7.7, 52]]}}),
    ("Things", {"name": "Station", "description": "Ohne Ort"}),
])
def test_each_entity_type_can_be_created_alone(client, lab, lab_key, set_name, body):
    new_id = created_id(post(client, set_name, body, lab_key))
    from stadtallianz.sensorthings.entities import BY_SET_NAME

    obj = BY_SET_NAME[set_name].model.objects.get(pk=new_id)
    assert obj.lab == lab and obj.name == body["name"]


def test_creation_along_navigation_paths_links_to_the_parent(client, lab, lab_key):
    thing_id = created_id(post(client, "Things", {"name": "T", "description": "d",
                                                  "Locations": [{"@iot.id": created_id(post(
                                                      client, "Locations", {
                                                          "name": "L", "description": "d",
                                                          "encodingType": "application/geo+json",
                                                          "location": AASEE}, lab_key))}]},
                                 lab_key))
    sensor_id = created_id(post(client, "Sensors", SENSOR, lab_key))
    property_id = created_id(post(client, "ObservedProperties", PROPERTY, lab_key))
    stream_id = created_id(post(client, f"Things({thing_id})/Datastreams", {
        "name": "D", "description": "d", "observationType": MEASUREMENT,
        "unitOfMeasurement": UNIT, "Sensor": {"@iot.id": sensor_id},
        "ObservedProperty": {"@iot.id": property_id}}, lab_key))
    stream = sta.Datastream.objects.get(pk=stream_id)
    assert (stream.thing_id, stream.sensor_id, stream.observed_property_id) == (
        thing_id, sensor_id, property_id)
    response = post(client, f"Datastreams({stream_id})/Observations", {"result": 3}, lab_key)
    observation = sta.Observation.objects.get(pk=created_id(response))
    assert observation.datastream_id == stream_id and observation.result_time is None
    assert response.json()["phenomenonTime"]  # the server's time
    assert response.json()["resultTime"] is None if "resultTime" in response.json() else True
    # an observation with its feature of interest inline
    response = post(client, "Observations", {
        "phenomenonTime": "2026-05-01T10:00:00Z/2026-05-01T11:00:00Z", "result": {"a": 1},
        "resultTime": "2026-05-01T11:00:00Z", "Datastream": {"@iot.id": stream_id},
        "FeatureOfInterest": {"name": "F", "description": "d",
                              "encodingType": "application/geo+json", "feature": AASEE}},
        lab_key)
    observation = sta.Observation.objects.get(pk=created_id(response))
    assert observation.result == {"a": 1} and observation.feature_of_interest.name == "F"
    assert response.json()["phenomenonTime"] == "2026-05-01T10:00:00Z/2026-05-01T11:00:00Z"
    # a new location for a thing becomes its location, and history records it
    location_id = created_id(post(client, f"Things({thing_id})/Locations", {
        "name": "Neu", "description": "d", "encodingType": "application/geo+json",
        "location": {"type": "Point", "coordinates": [7.7, 51.9]}}, lab_key))
    thing = sta.Thing.objects.get(pk=thing_id)
    assert [loc.pk for loc in thing.locations.all()] == [location_id]
    assert thing.historical_locations.count() == 2
    latest = thing.historical_locations.order_by("-id").first()
    assert [loc.pk for loc in latest.locations.all()] == [location_id]


def test_basic_credentials_work_like_bearer(client, lab, lab_key):
    response = client.post(ROOT + "Sensors", json.dumps(SENSOR),
                           content_type="application/json", **basic(lab_key))
    assert response.status_code == 201


@pytest.mark.parametrize("headers", [
    {}, {"HTTP_AUTHORIZATION": "Bearer lab_00000000_wrong"},
    {"HTTP_AUTHORIZATION": "Basic bGFiXzAwMDAwMDAwOndyb25n"},
])
def test_writing_without_a_valid_token_is_401(client, lab, headers):
    response = client.post(ROOT + "Sensors", json.dumps(SENSOR),
                           content_type="application/json", **headers)
    assert response.status_code == 401
    assert not sta.Sensor.objects.exists()


def test_a_revoked_token_is_401(client, lab, lab_key):
    from django.utils import timezone

    LabToken.objects.update(revoked_at=timezone.now())
    assert post(client, "Sensors", SENSOR, lab_key).status_code == 401


@pytest.mark.parametrize("body, problem", [
    ({"description": "d"}, "name"),
    ({"name": 5, "description": "d"}, "name must be a string"),
    ({"name": "x", "description": "d", "colour": "red"}, "colour"),
    ({"name": "x", "description": "d", "properties": [1]}, "properties must be a JSON object"),
    ({"name": "x", "description": "d", "Locations": [{"name": "L", "description": "d",
      "encodingType": "application/geo+json", "location": {"type": "Point",
                                                           "coordinates": [700, 51]}}]},
     "longitude"),
    ({"name": "x", "description": "d", "Locations": [{"name": "L", "description": "d",
      "encodingType": "application/geo+json", "location": {"type": "Circle"}}]}, "Circle"),
    ({**thing_body(), "Datastreams": [{**thing_body()["Datastreams"][0],
                                       "unitOfMeasurement": "°C"}]}, "unitOfMeasurement"),
    ({**thing_body(), "Datastreams": [{**thing_body()["Datastreams"][0], "Observations": [
        {"phenomenonTime": "yesterday", "result": 1}]}]}, "phenomenonTime"),
    ({**thing_body(), "Datastreams": [{**thing_body()["Datastreams"][0], "Observations": [
        {"phenomenonTime": "2026-05-01T10:00:00Z"}]}]}, "result"),
    ({**thing_body(), "Datastreams": [{**thing_body()["Datastreams"][0], "Sensor": None}]},
     "Sensor is required"),
])
def test_bad_input_is_400_naming_the_problem_and_nothing_is_stored(client, lab, lab_key, body,
                                                                  problem):
    response = post(client, "Things", body, lab_key)
    assert response.status_code == 400, response.content
    assert problem in response.json()["message"]
    for model in (sta.Thing, sta.Location, sta.HistoricalLocation, sta.Datastream, sta.Sensor,
                  sta.ObservedProperty, sta.Observation, sta.FeatureOfInterest):
        assert not model.objects.exists(), model


def test_malformed_json_and_nan_are_400(client, lab, lab_key):
    response = client.post(ROOT + "Sensors", "{", content_type="application/json",
                           **bearer(lab_key))
    assert response.status_code == 400
    response = client.post(ROOT + "Things", '{"name": "x", "description": "d", '
                           '"properties": {"v": NaN}}', content_type="application/json",
                           **bearer(lab_key))
    assert response.status_code == 400 and not sta.Thing.objects.exists()


def test_patch_merges_and_put_replaces(client, lab, lab_key):
    thing_id = created_id(post(client, "Things", {**thing_body(), "Datastreams": []}, lab_key))
    response = send(client, "patch", f"Things({thing_id})", {"name": "Boje A",
                                                             "properties": {"new": 1}}, lab_key)
    assert response.status_code == 200 and response.json()["name"] == "Boje A"
    thing = sta.Thing.objects.get(pk=thing_id)
    assert thing.description == "Messboje im Aasee" and thing.properties == {"new": 1}
    response = send(client, "put", f"Things({thing_id})", {"name": "B"}, lab_key)
    assert response.status_code == 400 and "description" in response.json()["message"]
    response = send(client, "put", f"Things({thing_id})", {"name": "B", "description": "neu"},
                    lab_key)
    assert response.status_code == 200
    thing.refresh_from_db()
    assert (thing.name, thing.description, thing.properties) == ("B", "neu", None)
    assert send(client, "patch", f"Things({thing_id})", {"name": None}, lab_key
                ).status_code == 400
    assert send(client, "patch", "Things(999999)", {"name": "x"}, lab_key).status_code == 404


def test_changing_an_observation_recomputes_its_hourly_aggregate(client, lab, lab_key):
    thing_id = created_id(post(client, "Things", thing_body(), lab_key))
    stream = sta.Datastream.objects.get(thing_id=thing_id)
    first = stream.observations.get(result_number=18.5)
    response = send(client, "patch", f"Observations({first.pk})", {"result": 20.5}, lab_key)
    assert response.status_code == 200 and response.json()["result"] == 20.5
    hour = sta.HourlyAggregate.objects.get(datastream=stream, hour=H10)
    assert (hour.count, hour.total, hour.maximum) == (1, 20.5, 20.5)
    response = send(client, "patch", f"Observations({first.pk})",
                    {"phenomenonTime": "2026-05-01T08:30:00Z"}, lab_key)
    assert response.status_code == 200
    assert not sta.HourlyAggregate.objects.filter(datastream=stream, hour=H10).exists()
    hour = sta.HourlyAggregate.objects.get(datastream=stream, hour=H10 - timedelta(hours=2))
    assert (hour.count, hour.total) == (2, 39.1)
    assert client.delete(ROOT + f"Observations({first.pk})", **bearer(lab_key)
                         ).status_code == 204
    hour.refresh_from_db()
    assert (hour.count, hour.total) == (1, 18.6)


def test_delete_cascades_as_the_standard_says(client, lab, lab_key):
    thing_id = created_id(post(client, "Things", thing_body(), lab_key))
    thing = sta.Thing.objects.get(pk=thing_id)
    location = thing.locations.get()
    stream = thing.datastreams.get()
    sensor_id = stream.sensor_id
    assert client.delete(ROOT + f"Locations({location.pk})", **bearer(lab_key)
                         ).status_code == 204
    assert not sta.HistoricalLocation.objects.exists()  # the location's history went with it
    assert sta.Thing.objects.filter(pk=thing_id).exists()
    assert client.delete(ROOT + f"Sensors({sensor_id})", **bearer(lab_key)).status_code == 204
    assert not sta.Datastream.objects.exists() and not sta.Observation.objects.exists()
    assert not sta.HourlyAggregate.objects.exists()
    thing_id = created_id(post(client, "Things", thing_body(), lab_key))
    assert client.delete(ROOT + f"Things({thing_id})", **bearer(lab_key)).status_code == 204
    assert not sta.Datastream.objects.exists() and not sta.HistoricalLocation.objects.exists()
    assert sta.Location.objects.count() == 1  # locations stay
    feature = sta.FeatureOfInterest.objects.first()
    thing_id = created_id(post(client, "Things", thing_body(), lab_key))
    feature = sta.Observation.objects.first().feature_of_interest
    assert client.delete(ROOT + f"FeaturesOfInterest({feature.pk})", **bearer(lab_key)
                         ).status_code == 204
    assert not sta.Observation.objects.exists() and sta.Datastream.objects.exists()
    property_id = sta.Datastream.objects.get().observed_property_id
    assert client.delete(ROOT + f"ObservedProperties({property_id})", **bearer(lab_key)
                         ).status_code == 204
    assert not sta.Datastream.objects.exists()


def test_links_with_ref(client, lab, lab_key):
    thing_id = created_id(post(client, "Things", {"name": "T", "description": "d"}, lab_key))
    location_id = created_id(post(client, "Locations", {
        "name": "L", "description": "d", "encodingType": "application/geo+json",
        "location": AASEE}, lab_key))
    response = send(client, "post", f"Things({thing_id})/Locations/$ref",
                    {"@iot.id": location_id}, lab_key)
    assert response.status_code == 204
    thing = sta.Thing.objects.get(pk=thing_id)
    assert [loc.pk for loc in thing.locations.all()] == [location_id]
    assert thing.historical_locations.count() == 1
    response = client.delete(ROOT + f"Things({thing_id})/Locations({location_id})/$ref",
                             **bearer(lab_key))
    assert response.status_code == 204 and not thing.locations.exists()
    assert sta.Location.objects.filter(pk=location_id).exists()
    response = send(client, "post", f"Things({thing_id})/Locations/$ref",
                    {"@iot.url": f"http://testserver/sta/v1.1/Locations({location_id})"},
                    lab_key)
    assert response.status_code == 204 and thing.locations.count() == 1
    # PUT …/$ref sets a single navigation
    stream_id = created_id(post(client, "Things", thing_body(), lab_key))
    stream = sta.Datastream.objects.get(thing_id=stream_id)
    sensor_id = created_id(post(client, "Sensors", {**SENSOR, "name": "Neu"}, lab_key))
    response = send(client, "put", f"Datastreams({stream.pk})/Sensor/$ref",
                    {"@iot.id": sensor_id}, lab_key)
    assert response.status_code == 204
    stream.refresh_from_db()
    assert stream.sensor_id == sensor_id


def test_another_labs_token_cannot_change_create_under_or_link(client, lab, lab_key,
                                                               other_lab_key):
    thing_id = created_id(post(client, "Things", thing_body(), lab_key))
    thing = sta.Thing.objects.get(pk=thing_id)
    stream = thing.datastreams.get()
    location = thing.locations.get()
    observation = stream.observations.first()
    attempts = [
        ("patch", f"Things({thing_id})", {"name": "gekapert"}),
        ("put", f"Sensors({stream.sensor_id})", SENSOR),
        ("patch", f"Observations({observation.pk})", {"result": 0}),
        ("post", f"Things({thing_id})/Datastreams", {
            "name": "D", "description": "d", "observationType": MEASUREMENT,
            "unitOfMeasurement": UNIT, "Sensor": SENSOR, "ObservedProperty": PROPERTY}),
        ("post", f"Datastreams({stream.pk})/Observations", {"result": 1}),
        ("post", "Observations", {"result": 1, "Datastream": {"@iot.id": stream.pk}}),
        ("post", "Things", {"name": "x", "description": "d",
                            "Locations": [{"@iot.id": location.pk}]}),
        ("post", f"Things({thing_id})/Locations/$ref", {"@iot.id": location.pk}),
    ]
    for method, path, body in attempts:
        response = send(client, method, path, body, other_lab_key)
        assert response.status_code == 403, (method, path, response.content)
    for path in (f"Things({thing_id})", f"Locations({location.pk})",
                 f"Datastreams({stream.pk})", f"Observations({observation.pk})",
                 f"Sensors({stream.sensor_id})"):
        assert client.delete(ROOT + path, **bearer(other_lab_key)).status_code == 403
    thing.refresh_from_db()
    assert thing.name == "Boje 1" and sta.Observation.objects.count() == 2
    assert sta.Datastream.objects.count() == 1 and not sta.Thing.objects.filter(
        lab__slug="promenade").exists()
    # another lab's sensor may be linked (shared description), not changed
    response = post(client, "Things", {**thing_body(), "Datastreams": [{
        **thing_body()["Datastreams"][0], "Sensor": {"@iot.id": stream.sensor_id}}]},
        other_lab_key)
    assert response.status_code == 201
    # …and then cannot be deleted by its own lab while another lab uses it
    assert client.delete(ROOT + f"Sensors({stream.sensor_id})", **bearer(lab_key)
                         ).status_code == 409


def test_restricted_datastream_of_another_lab_does_not_exist_for_a_token(
        client, lab, other_lab, lab_key, make_datastream):
    hidden = make_datastream(other_lab, privacy_level=PrivacyLevel.RESTRICTED)
    response = post(client, f"Datastreams({hidden.pk})/Observations", {"result": 1}, lab_key)
    assert response.status_code == 404
    response = client.delete(ROOT + f"Datastreams({hidden.pk})", **bearer(lab_key))
    assert response.status_code == 404


def test_location_with_things_inline_and_historical_locations_directly(client, lab, lab_key):
    old = created_id(post(client, "Things", {"name": "Alt", "description": "d", "Locations": [
        {"name": "A", "description": "d", "encodingType": "application/geo+json",
         "location": AASEE}]}, lab_key))
    location_id = created_id(post(client, "Locations", {
        "name": "B", "description": "d", "encodingType": "application/geo+json",
        "location": {"type": "Point", "coordinates": [7.7, 51.9]},
        "Things": [{"@iot.id": old}, {"name": "Neu", "description": "d"}]}, lab_key))
    location = sta.Location.objects.get(pk=location_id)
    assert location.things.count() == 2
    moved = sta.Thing.objects.get(pk=old)
    assert [loc.pk for loc in moved.locations.all()] == [location_id]  # replaced
    assert moved.historical_locations.count() == 2
    historical_id = created_id(post(client, "HistoricalLocations", {
        "time": "2026-01-01T00:00:00Z", "Thing": {"@iot.id": old},
        "Locations": [{"@iot.id": location_id}]}, lab_key))
    historical = sta.HistoricalLocation.objects.get(pk=historical_id)
    assert historical.thing_id == old and historical.time.year == 2026
    assert list(historical.locations.values_list("pk", flat=True)) == [location_id]
    assert post(client, "HistoricalLocations", {"time": "2026-01-01T00:00:00Z"}, lab_key
                ).status_code == 400  # the thing is required


def test_put_of_an_observation_and_windows_that_cannot_change(client, lab, lab_key,
                                                              make_datastream):
    thing_id = created_id(post(client, "Things", thing_body(), lab_key))
    observation = sta.Observation.objects.filter(datastream__thing_id=thing_id).first()
    response = send(client, "put", f"Observations({observation.pk})", {"phenomenonTime": (
        "2026-05-02T00:00:00Z")}, lab_key)
    assert response.status_code == 400 and "result" in response.json()["message"]
    response = send(client, "put", f"Observations({observation.pk})", {
        "result": "text", "phenomenonTime": "2026-05-02T00:00:00Z"}, lab_key)
    assert response.status_code == 200 and response.json()["result"] == "text"
    observation.refresh_from_db()
    assert observation.result_number is None and observation.parameters is None
    aggregated = make_datastream(lab, name="Zählung", privacy_level=PrivacyLevel.AGGREGATED)
    window = post(client, f"Datastreams({aggregated.pk})/Observations", {"result": 4}, lab_key)
    window_id = created_id(window)
    response = send(client, "patch", f"Observations({window_id})", {"result": 1}, lab_key)
    assert response.status_code == 400
    assert sta.Observation.objects.get(pk=window_id).bucket_sum == 4


def test_patch_of_a_datastream_cannot_move_it_to_another_labs_thing(client, lab, other_lab,
                                                                    lab_key, make_datastream):
    mine = make_datastream(lab)
    theirs = make_datastream(other_lab, name="Zählung")
    response = send(client, "patch", f"Datastreams({mine.pk})",
                    {"Thing": {"@iot.id": theirs.thing_id}}, lab_key)
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.thing.lab == lab and mine.lab == lab
    response = send(client, "patch", f"Datastreams({mine.pk})",
                    {"unitOfMeasurement": {"name": "Kelvin", "symbol": "K", "definition": "K"}},
                    lab_key)
    assert response.status_code == 200
    assert response.json()["unitOfMeasurement"]["symbol"] == "K"


def test_a_link_may_carry_the_whole_entity_whose_other_members_are_ignored(client, lab,
                                                                         lab_key):
    thing_id = created_id(post(client, "Things", {"name": "T", "description": "d"}, lab_key))
    body = thing_body()["Datastreams"][0]
    body["Thing"] = {"@iot.id": thing_id, "name": "anders", "description": "egal"}
    del body["Observations"]
    stream_id = created_id(post(client, "Datastreams", body, lab_key))
    assert sta.Datastream.objects.get(pk=stream_id).thing_id == thing_id
    assert sta.Thing.objects.get(pk=thing_id).name == "T"  # not changed by the link
