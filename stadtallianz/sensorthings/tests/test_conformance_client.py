"""The FROST Python client's JSON Patch (`service.patch`, sent as application/json-patch+json)
against the real HTTP server (live_server), with a lab token as HTTP Basic credentials."""

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
