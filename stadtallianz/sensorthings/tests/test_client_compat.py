"""An existing SensorThings client works unchanged: the FROST-Server Python client
(frost_sta_client) against the real HTTP server (pytest-django's live_server). It authenticates
with a lab token as HTTP Basic credentials, creates a Thing with its Location and a Datastream
(reading each new id from the Location header), queries with $filter, pages through
@iot.nextLink, creates observations as a DataArray and patches with JSON Patch
(`service.patch`, sent as application/json-patch+json)."""

from datetime import UTC, datetime, timedelta

import frost_sta_client as fsc
import geojson
import pytest
import requests

from stadtallianz.sensorthings import models as sta

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def service(live_server, lab, lab_key):
    username, secret = lab_key[:12], lab_key[13:]
    return fsc.SensorThingsService(f"{live_server.url}/sta/v1.1",
                                   auth_handler=fsc.AuthHandler(username, secret))


def test_frost_client_creates_queries_pages_and_posts_a_data_array(service, lab):
    location = fsc.Location(name="Boje", description="Boje im Aasee",
                            encoding_type="application/geo+json",
                            location=geojson.Point((7.6086, 51.9553)))
    thing = fsc.Thing(name="Messboje", description="Boje mit Thermometer",
                      properties={"see": "Aasee"}, locations=[location])
    service.create(thing)
    assert thing.id == sta.Thing.objects.get(name="Messboje").id  # from the Location header
    assert sta.Thing.objects.get(pk=thing.id).lab == lab

    datastream = fsc.Datastream(
        name="Wassertemperatur", description="in 1 m Tiefe",
        observation_type="http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
        unit_of_measurement=fsc.UnitOfMeasurement(
            name="Grad Celsius", symbol="°C",
            definition="http://unitsofmeasure.org/ucum.html#para-30"),
        # The client sends the whole linked thing; the server uses its @iot.id.
        thing=thing,
        sensor=fsc.Sensor(name="PT100", description="Thermometer", encoding_type="text/html",
                          metadata="https://example.org/pt100"),
        observed_property=fsc.ObservedProperty(name="Wassertemperatur",
                                               definition="http://vocab.example/temp",
                                               description="Temperatur des Wassers"))
    service.create(datastream)
    assert datastream.id == sta.Datastream.objects.get(name="Wassertemperatur").id

    # Observations as a DataArray (POST /CreateObservations).
    values = fsc.DataArrayValue()
    values.datastream = datastream
    values.components = {fsc.DataArrayValue.Property.PHENOMENON_TIME,
                         fsc.DataArrayValue.Property.RESULT}
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for minute in range(250):
        values.add_observation(fsc.Observation(
            phenomenon_time=(start + timedelta(minutes=minute)).isoformat(),
            result=float(minute), datastream=datastream))
    document = fsc.DataArrayDocument()
    document.add_data_array_value(values)
    created = service.observations().create(document)
    assert len(created) == 250
    assert sta.Observation.objects.filter(datastream_id=datastream.id).count() == 250

    # Query with a filter.
    things = service.things().query().filter("name eq 'Messboje'").list()
    found = list(things)
    assert [t.name for t in found] == ["Messboje"]
    assert service.things().query().filter("name eq 'Nirgends'").list().entities == []

    # Page through @iot.nextLink: 250 observations in pages of 100.
    observations = service.observations().query().filter(
        f"Datastream/id eq {datastream.id} and result ge 10").orderby("phenomenonTime", "ASC")
    results = [observation.result for observation in observations.list()]
    assert results == [float(minute) for minute in range(10, 250)]

    # Expand, as dashboards do for "the latest value".
    latest = service.datastreams().query().expand(
        "Observations($top=1;$orderby=phenomenonTime desc)").list()
    streams = list(latest)
    assert streams[0].observations.entities[0].result == 249.0


def test_the_frost_client_patches_with_json_patch(service, lab):
    location = fsc.Location(name="Boje", description="Boje im Aasee",
                            encoding_type="application/geo+json",
                            location=geojson.Point((7.6086, 51.9553)))
    thing = fsc.Thing(name="Messboje", description="Boje", properties={"see": "Aasee"},
                      locations=[location])
    service.create(thing)
    service.patch(thing, [{"op": "replace", "path": "/name", "value": "Boje Nord"},
                          {"op": "add", "path": "/properties/tiefe", "value": 3}])
    stored = sta.Thing.objects.get(pk=thing.id)
    assert stored.name == "Boje Nord" and stored.properties == {"see": "Aasee", "tiefe": 3}
    # A failing test operation: 409 Conflict, nothing changes.
    with pytest.raises(requests.HTTPError) as failure:
        service.patch(thing, [{"op": "test", "path": "/name", "value": "Boje Süd"},
                              {"op": "replace", "path": "/name", "value": "nie"}])
    assert failure.value.response.status_code == 409
    assert sta.Thing.objects.get(pk=thing.id).name == "Boje Nord"
