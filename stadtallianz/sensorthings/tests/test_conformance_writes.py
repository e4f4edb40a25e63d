"""SensorThings 1.1 conformance of the write side: an id beyond the stored range is a missing
entity (404) for every method; an update cannot create related entities inline; JSON Patch
(application/json-patch+json) updates an entity through the same checks as PATCH."""

import json

import pytest

from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel

from .conftest import bearer

pytestmark = pytest.mark.django_db

ROOT = "/sta/v1.1/"
PATCH_TYPE = "application/json-patch+json"
# Ids beyond what is stored: past the 32-bit keys, at and past the 64-bit keys, and absurd.
FAR_IDS = ["2147483648", "9223372036854775807", "9223372036854775808", "1" + "0" * 19,
           "9" * 40, "0" + "9" * 30]


@pytest.mark.parametrize("raw_id", FAR_IDS)
@pytest.mark.parametrize("set_name", ["Things", "Locations", "Datastreams", "Observations",
                                      "FeaturesOfInterest", "HistoricalLocations"])
def test_an_id_beyond_the_stored_range_is_404_for_every_method(client, lab, lab_key, raw_id,
                                                               set_name):
    url = f"{ROOT}{set_name}({raw_id})"
    assert client.get(url).status_code == 404
    assert client.get(url + "/Datastreams").status_code in (400, 404)
    for method in ("patch", "put", "delete"):
        response = getattr(client, method)(url, json.dumps({"name": "x"}),
                                           content_type="application/json", **bearer(lab_key))
        assert response.status_code == 404, (method, response.content)
        assert response.json()["code"] == 404
    response = client.post(f"{url}/Datastreams" if set_name == "Things" else url + "/Things",
                           json.dumps({"name": "x"}), content_type="application/json",
                           **bearer(lab_key))
    assert response.status_code in (400, 404)  # 400 where the navigation does not exist


def test_a_link_to_an_id_beyond_the_range_is_the_usual_400(client, lab, lab_key,
                                                           make_datastream):
    datastream = make_datastream(lab)
    for far in (2**31, 2**63 - 1, 2**63):
        response = client.patch(f"{ROOT}Datastreams({datastream.pk})",
                                json.dumps({"Sensor": {"@iot.id": far}}),
                                content_type="application/json", **bearer(lab_key))
        if far >= 2**63:  # outside the JSON integers the API reads at all
            assert response.status_code == 400
        else:
            assert response.status_code == 400 and "no Sensor" in response.json()["message"]


INLINE_UPDATES = [
    ("Datastreams", {"Sensor": {"name": "Neu", "description": "d", "encodingType": "text/html",
                                "metadata": "m"}}, sta.Sensor),
    ("Datastreams", {"ObservedProperty": {"name": "Neu", "definition": "d",
                                          "description": "d"}}, sta.ObservedProperty),
    ("Datastreams", {"name": "umbenannt", "Thing": {"name": "Neu", "description": "d"}},
     sta.Thing),
    ("Things", {"Locations": [{"name": "Neu", "description": "d", "encodingType":
                               "application/geo+json",
                               "location": {"type": "Point", "coordinates": [7, 51]}}]},
     sta.Location),
    ("Observations", {"result": 3, "FeatureOfInterest": {
        "name": "Neu", "description": "d", "encodingType": "application/geo+json",
        "feature": {"type": "Point", "coordinates": [7, 51]}}}, sta.FeatureOfInterest),
    ("Things", {"Datastreams": [{"name": "Neu"}]}, sta.Datastream),
]


@pytest.mark.parametrize("method", ["patch", "put"])
@pytest.mark.parametrize("set_name, body, model", INLINE_UPDATES)
def test_an_update_with_a_related_entity_inline_is_400_and_creates_nothing(
        client, lab, lab_key, make_datastream, method, set_name, body, model):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    observation = client.post(f"{ROOT}Datastreams({datastream.pk})/Observations",
                              json.dumps({"result": 1}), content_type="application/json",
                              **bearer(lab_key))
    ids = {"Datastreams": datastream.pk, "Things": datastream.thing_id,
           "Observations": int(observation["Location"].rsplit("(", 1)[1].rstrip(")"))}
    counts = {m: m.objects.count() for m in (sta.Sensor, sta.ObservedProperty, sta.Thing,
                                             sta.Location, sta.FeatureOfInterest,
                                             sta.Datastream, sta.HistoricalLocation)}
    response = getattr(client, method)(f"{ROOT}{set_name}({ids[set_name]})", json.dumps(body),
                                       content_type="application/json", **bearer(lab_key))
    assert response.status_code == 400, response.content
    assert {m: m.objects.count() for m in counts} == counts
    datastream.refresh_from_db()
    assert datastream.name == "Wassertemperatur"


def test_an_update_may_link_existing_entities(client, lab, lab_key, make_datastream):
    datastream, other = make_datastream(lab), make_datastream(lab, name="Luft")
    response = client.patch(f"{ROOT}Datastreams({datastream.pk})",
                            json.dumps({"Sensor": {"@iot.id": other.sensor_id}}),
                            content_type="application/json", **bearer(lab_key))
    assert response.status_code == 200
    datastream.refresh_from_db()
    assert datastream.sensor_id == other.sensor_id


def json_patch(client, key, url, operations):
    return client.patch(url, json.dumps(operations), content_type=PATCH_TYPE, **bearer(key))


def test_json_patch_applies_every_operation(client, lab, lab_key, make_datastream):
    datastream = make_datastream(lab, properties={"depth": 1, "tags": ["see"]})
    other = make_datastream(lab, name="Luft")
    url = f"{ROOT}Datastreams({datastream.pk})"
    response = json_patch(client, lab_key, url, [
        {"op": "test", "path": "/name", "value": "Wassertemperatur"},
        {"op": "replace", "path": "/name", "value": "Temperatur"},
        {"op": "add", "path": "/properties/tags/-", "value": "boje"},
        {"op": "add", "path": "/properties/tags/0", "value": "aasee"},
        {"op": "copy", "from": "/properties/depth", "path": "/properties/depth~1m"},
        {"op": "move", "from": "/properties/depth", "path": "/properties/tiefe"},
        {"op": "remove", "path": "/properties/tags/1"},
        {"op": "replace", "path": "/Sensor/@iot.id", "value": other.sensor_id},
        {"op": "add", "path": "/observedArea",
         "value": {"type": "Point", "coordinates": [7.6, 51.9]}},
    ])
    assert response.status_code == 200, response.content
    datastream.refresh_from_db()
    assert datastream.name == "Temperatur" and datastream.sensor_id == other.sensor_id
    assert datastream.properties == {"tags": ["aasee", "boje"], "depth/m": 1, "tiefe": 1}
    assert response.json()["properties"] == datastream.properties


def test_json_patch_keeps_a_results_type(client, lab, lab_key, make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    created = client.post(f"{ROOT}Datastreams({datastream.pk})/Observations",
                          json.dumps({"result": 1.5}), content_type="application/json",
                          **bearer(lab_key))
    url = created["Location"]
    for value in (4, 4.0, 2**53 + 1, "vier"):
        response = json_patch(client, lab_key, url, [
            {"op": "replace", "path": "/result", "value": value}])
        assert response.status_code == 200
        read = client.get(url).json()["result"]
        assert read == value and type(read) is type(value)
    hours = sta.HourlyAggregate.objects.filter(datastream=datastream)
    assert not hours.exists()  # the last result is text: no numeric hour left


@pytest.mark.parametrize("operations, status", [
    ([{"op": "test", "path": "/name", "value": "anders"}], 409),
    ([{"op": "test", "path": "/properties/depth", "value": "1"}], 409),  # text is not 1
    ([{"op": "test", "path": "/properties/depth", "value": True}], 409),
    ([{"op": "remove", "path": "/properties/gibtsnicht"}], 409),
    ([{"op": "replace", "path": "/gibtsnicht/x", "value": 1}], 409),
    ([{"op": "add", "path": "/properties/tags/5", "value": 1}], 409),
    ([{"op": "move", "from": "/nirgends", "path": "/name"}], 409),
    ({"op": "replace", "path": "/name", "value": "x"}, 400),  # not a list
    ([{"op": "rename", "path": "/name"}], 400),
    ([{"op": "replace", "path": "name", "value": "x"}], 400),  # not a pointer
    ([{"op": "replace", "path": "/name"}], 400),  # no value
    ([{"op": "remove", "path": ""}], 400),
    ([{"op": "replace", "path": "/@iot.id", "value": 99}], 400),
    ([{"op": "add", "path": "/farbe", "value": "blau"}], 400),  # no such property
    ([{"op": "remove", "path": "/name"}], 400),  # required
    ([{"op": "replace", "path": "/unitOfMeasurement", "value": 5}], 400),
    ([{"op": "add", "path": "/Thing", "value": {"name": "inline", "description": "d"}}], 400),
    ([{"op": "replace", "path": "/name", "value": "x"}] * 101, 400),
])
def test_a_json_patch_that_does_not_apply_changes_nothing(client, lab, lab_key,
                                                          make_datastream, operations, status):
    datastream = make_datastream(lab, properties={"depth": 1, "tags": ["see"]})
    operations = ([{"op": "replace", "path": "/description", "value": "geändert"}, *operations]
                  if isinstance(operations, list) else operations)
    response = json_patch(client, lab_key, f"{ROOT}Datastreams({datastream.pk})", operations)
    assert response.status_code == status, response.content
    assert response.json()["code"] == status
    datastream.refresh_from_db()
    assert datastream.description == "Wassertemperatur des Sees"
    assert sta.Thing.objects.count() == 1


def test_json_patch_goes_through_the_same_permission_checks(client, lab, other_lab, lab_key,
                                                            other_lab_key, make_datastream):
    mine = make_datastream(lab)
    hidden = make_datastream(other_lab, name="Geheim", privacy_level=PrivacyLevel.RESTRICTED)
    public = make_datastream(other_lab, name="Offen", privacy_level=PrivacyLevel.PUBLIC)
    rename = [{"op": "replace", "path": "/name", "value": "übernommen"}]
    assert json_patch(client, lab_key, f"{ROOT}Datastreams({hidden.pk})",
                      rename).status_code == 404
    assert json_patch(client, lab_key, f"{ROOT}Datastreams({public.pk})",
                      rename).status_code == 403
    assert client.patch(f"{ROOT}Datastreams({mine.pk})", json.dumps(rename),
                        content_type=PATCH_TYPE).status_code == 401
    # Linking another lab's thing is refused as with a JSON object.
    response = json_patch(client, lab_key, f"{ROOT}Datastreams({mine.pk})", [
        {"op": "replace", "path": "/Thing/@iot.id", "value": public.thing_id}])
    assert response.status_code == 403
    assert json_patch(client, lab_key, f"{ROOT}Datastreams({mine.pk})", [
        {"op": "replace", "path": "/Thing/@iot.id", "value": hidden.thing_id}]
    ).status_code == 403
    assert sorted(sta.Datastream.objects.values_list("name", flat=True)) == [
        "Geheim", "Offen", "Wassertemperatur"]
    response = client.put(f"{ROOT}Datastreams({mine.pk})", json.dumps(rename),
                          content_type=PATCH_TYPE, **bearer(lab_key))
    assert response.status_code == 415


@pytest.mark.parametrize("far", [2**31, 2**40, 2**63 - 1])
def test_far_ids_in_bodies_and_filters_are_missing_entities(client, lab, lab_key,
                                                           make_datastream, far):
    datastream = make_datastream(lab)
    response = client.post(ROOT + "CreateObservations", json.dumps([
        {"Datastream": {"@iot.id": datastream.pk}, "components": ["result",
                                                                  "FeatureOfInterest/id"],
         "dataArray": [[1, far], [2, None]]},
        {"Datastream": {"@iot.id": far}, "components": ["result"], "dataArray": [[1]]}]),
        content_type="application/json", **bearer(lab_key))
    assert response.status_code == 201, response.content
    assert [entry == "error" for entry in response.json()] == [True, False, True]
    response = client.post(ROOT + "Observations", json.dumps(
        {"result": 1, "Datastream": {"@iot.id": far}}), content_type="application/json",
        **bearer(lab_key))
    assert response.status_code == 400
    response = client.post(ROOT + f"Things({datastream.thing_id})/Locations/$ref",
                           json.dumps({"@iot.id": far}), content_type="application/json",
                           **bearer(lab_key))
    assert response.status_code == 400
    response = client.get(ROOT + "Things", {"$filter": f"id eq {far}"})
    assert response.status_code == 200 and response.json()["value"] == []
