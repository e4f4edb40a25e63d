"""GET on every path form of the SensorThings API: service root, collections, entities by id,
navigation, properties, $value and $ref, and 404/400 answers."""

import json

import pytest

from stadtallianz.sensorthings.query.root import CONFORMANCE

pytestmark = pytest.mark.django_db

ROOT = "/sta/v1.1"


@pytest.fixture
def stream(lab, make_datastream, observe):
    datastream = make_datastream(lab)
    observe(datastream, [20.5, 21.0, 19.5])
    return datastream


def get(client, path, status=200, **headers):
    response = client.get(f"{ROOT}/{path}", **headers)
    assert response.status_code == status, response.content
    return response.json() if response.content and status != 204 else None


@pytest.mark.parametrize("url", [ROOT, ROOT + "/"])
def test_service_root_lists_entity_sets_and_conformance(client, url):
    body = client.get(url).json()
    names = {item["name"]: item["url"] for item in body["value"]}
    assert set(names) == {"Things", "Locations", "HistoricalLocations", "Datastreams",
                          "Sensors", "ObservedProperties", "Observations",
                          "FeaturesOfInterest"}
    assert names["Things"] == "http://testserver/sta/v1.1/Things"
    conformance = body["serverSettings"]["conformance"]
    assert all(uri in conformance for uri in CONFORMANCE)
    assert "http://www.opengis.net/spec/iot_sensing/1.1/req/multi-datastream" not in conformance


def test_service_root_announces_mqtt_only_with_a_broker(client, settings):
    settings.MQTT_URL = ""
    conformance = client.get(ROOT).json()["serverSettings"]["conformance"]
    assert not any("mqtt" in uri for uri in conformance)
    settings.MQTT_URL = "mqtt://127.0.0.1:1883"
    settings.MQTT_PUBLIC_URL = "mqtt://127.0.0.1:1883"
    body = client.get(ROOT).json()["serverSettings"]
    receive = "http://www.opengis.net/spec/iot_sensing/1.1/req/receive-updates-via-mqtt/" \
              "receive-updates"
    assert receive in body["conformance"]
    assert body[receive]["endpoints"] == ["mqtt://127.0.0.1:1883"]


def test_service_root_never_shows_the_bridge_password(client, settings):
    """MQTT_URL is the bridge's own connection with its password; only MQTT_PUBLIC_URL is
    advertised, and even that without user info."""
    create = "http://www.opengis.net/spec/iot_sensing/1.1/req/create-observations-via-mqtt/" \
             "observations-creation"
    settings.MQTT_URL = "mqtt://stadtallianz-bridge:Geheim-1234@127.0.0.1:1883"
    settings.MQTT_PUBLIC_URL = ""
    response = client.get(ROOT)
    assert b"Geheim-1234" not in response.content
    assert b"stadtallianz-bridge" not in response.content
    body = response.json()["serverSettings"]
    assert create in body["conformance"]  # MQTT is on, there is just no address to show
    assert create not in body
    settings.MQTT_PUBLIC_URL = "mqtt://device:Oops-5678@data.example.org:1884"
    response = client.get(ROOT)
    assert b"Geheim-1234" not in response.content and b"Oops-5678" not in response.content
    assert response.json()["serverSettings"][create]["endpoints"] == [
        "mqtt://data.example.org:1884"]


def test_collection_and_entity(client, stream):
    things = get(client, "Things")["value"]
    assert len(things) == 1
    thing = things[0]
    assert thing["@iot.id"] == stream.thing_id
    assert thing["@iot.selfLink"] == f"http://testserver/sta/v1.1/Things({stream.thing_id})"
    assert thing["Datastreams@iot.navigationLink"].endswith(
        f"Things({stream.thing_id})/Datastreams")
    assert "lab" not in thing and "lab_id" not in thing
    one = get(client, f"Things({stream.thing_id})")
    assert one["name"] == "Messstation Wassertemperatur"
    datastream = get(client, f"Datastreams({stream.id})")
    assert datastream["unitOfMeasurement"]["symbol"] == "°C"
    assert datastream["observationType"].endswith("OM_Measurement")
    assert "privacy_level" not in datastream and "privacyLevel" not in datastream


def test_observation_representation(client, stream):
    observation = get(client, f"Datastreams({stream.id})/Observations?$orderby=phenomenonTime"
                      )["value"][0]
    assert observation["phenomenonTime"] == "2026-03-01T00:00:00Z"
    assert observation["resultTime"] == "2026-03-01T00:00:00Z"
    assert observation["result"] == 20.5
    for internal in ("bucket_count", "bucket_sum", "dedupe_key", "result_number"):
        assert internal not in observation


@pytest.mark.parametrize("path,expected", [
    ("Things({thing})/Datastreams", "Wassertemperatur"),
    ("Datastreams({ds})/Thing", "Messstation Wassertemperatur"),
    ("Datastreams({ds})/Sensor", "PT100"),
    ("Datastreams({ds})/ObservedProperty", "Temperatur"),
    ("Things({thing})/Locations", "Boje"),
    ("Locations({location})/Things", "Messstation Wassertemperatur"),
    ("Sensors({sensor})/Datastreams", "Wassertemperatur"),
    ("Observations({obs})/Datastream/Thing", "Messstation Wassertemperatur"),
    ("Observations({obs})/FeatureOfInterest", "Ort Wassertemperatur"),
    ("Things({thing})/Datastreams({ds})/Sensor", "PT100"),
])
def test_navigation(client, stream, path, expected):
    ids = {"thing": stream.thing_id, "ds": stream.id, "sensor": stream.sensor_id,
           "location": stream.thing.locations.get().id,
           "obs": stream.observations.order_by("id").first().id}
    body = get(client, path.format(**ids))
    entity = body["value"][0] if "value" in body else body
    assert entity["name"] == expected


def test_navigation_to_observations(client, stream):
    body = get(client, f"Datastreams({stream.id})/Observations")
    assert [o["result"] for o in body["value"]] == [20.5, 21.0, 19.5]
    feature = stream.observations.first().feature_of_interest_id
    assert len(get(client, f"FeaturesOfInterest({feature})/Observations")["value"]) == 3


def test_property_value_and_ref(client, stream):
    assert get(client, f"Things({stream.thing_id})/name") == {
        "name": "Messstation Wassertemperatur"}
    response = client.get(f"{ROOT}/Things({stream.thing_id})/name/$value")
    assert response.status_code == 200
    assert response.content.decode() == "Messstation Wassertemperatur"
    assert response["Content-Type"].startswith("text/plain")
    unit = client.get(f"{ROOT}/Datastreams({stream.id})/unitOfMeasurement/$value")
    assert json.loads(unit.content)["symbol"] == "°C"
    observation = stream.observations.order_by("id").first()
    assert client.get(f"{ROOT}/Observations({observation.id})/result/$value").content == b"20.5"
    assert get(client, f"Observations({observation.id})/phenomenonTime") == {
        "phenomenonTime": "2026-03-01T00:00:00Z"}
    refs = get(client, f"Things({stream.thing_id})/Datastreams/$ref")
    assert refs["value"] == [{"@iot.selfLink": f"http://testserver/sta/v1.1/Datastreams({stream.id})"}]
    single = get(client, f"Datastreams({stream.id})/Thing/$ref")
    assert single == {"@iot.selfLink": f"http://testserver/sta/v1.1/Things({stream.thing_id})"}
    # A property without a value answers 204 No Content.
    get(client, f"Things({stream.thing_id})/properties", status=204)


@pytest.mark.parametrize("path", ["Things(999)", "Things(999)/Datastreams",
                                  "Observations(999)/Datastream", "Things(999)/name",
                                  "Datastreams(999)/Observations/$ref", "Gadgets"])
def test_unknown_ids_are_404_json(client, stream, path):
    body = get(client, path, status=404)
    assert body["code"] == 404 and body["type"] == "error"


@pytest.mark.parametrize("path,fragment", [
    ("Things(x)", "whole number"),
    ("Things(1)/colour", "no property or navigation colour"),
    ("Things?$top=-1", "whole number"),
    ("Things?$skip=a", "$skip"),
    ("Things?$count=yes", "$count"),
    ("Things?$frobnicate=1", "Unknown query option $frobnicate"),
    ("Things?$select=colour", "no property colour"),
    ("Things?$expand=Observations", "no navigation property Observations"),
    ("Things?$orderby=colour", "no property or navigation 'colour'"),
    ("Things?$resultFormat=dataArray", "dataArray"),
])
def test_bad_requests_name_the_problem(client, stream, path, fragment):
    body = get(client, path, status=400)
    assert fragment in body["message"]


def test_historical_locations(client, stream):
    from django.utils import timezone

    from stadtallianz.sensorthings import models as sta

    location = stream.thing.locations.get()
    history = sta.HistoricalLocation.objects.create(thing=stream.thing, time=timezone.now())
    history.locations.add(location)
    listed = get(client, f"Things({stream.thing_id})/HistoricalLocations")["value"]
    assert [h["@iot.id"] for h in listed] == [history.id]
    assert listed[0]["time"].endswith("Z")
    assert get(client, f"HistoricalLocations({history.id})/Locations")["value"][0]["name"] == "Boje"
    assert get(client, f"HistoricalLocations({history.id})/Thing")["@iot.id"] == stream.thing_id
    expanded = get(client, f"Locations({location.id})?$expand=HistoricalLocations($expand=Thing)")
    assert expanded["HistoricalLocations"][0]["Thing"]["@iot.id"] == stream.thing_id


def test_a_navigation_id_must_belong_to_its_parent(client, lab, stream, make_datastream):
    other = make_datastream(lab, name="Anderer Strom")
    get(client, f"Things({stream.thing_id})/Datastreams({other.id})", status=404)
    assert get(client, f"Things({other.thing_id})/Datastreams({other.id})")["name"] == \
        "Anderer Strom"
