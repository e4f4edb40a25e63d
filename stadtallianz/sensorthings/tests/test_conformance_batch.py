"""Batch requests ($batch, SensorThings 1.1 in the OData JSON batch format): inner requests go
through the same views, credentials, permission and privacy checks as requests of their own;
an atomicity group is one transaction; the batch is bounded."""

import json

import pytest

from stadtallianz.sensorthings import batch
from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel

from .conftest import basic, bearer

pytestmark = pytest.mark.django_db

ROOT = "/sta/v1.1/"
URL = ROOT + "$batch"
POINT = {"type": "Point", "coordinates": [7.62, 51.96]}


def send(client, requests, key=None, **extra):
    headers = bearer(key) if key else {}
    return client.post(URL, json.dumps({"requests": requests}), content_type="application/json",
                       **headers, **extra)


def thing(name="Boje"):
    return {"name": name, "description": "im See",
            "Locations": [{"name": "See", "description": "d",
                           "encodingType": "application/geo+json", "location": POINT}]}


def sensor_body():
    return {"name": "PT100", "description": "d", "encodingType": "text/html", "metadata": "m"}


def test_requests_are_answered_in_order_and_may_refer_to_what_an_earlier_one_created(
        client, lab, lab_key):
    response = send(client, [
        {"id": "t", "method": "post", "url": "Things", "body": thing()},
        {"id": "s", "method": "post", "url": "Sensors", "body": sensor_body()},
        {"id": "p", "method": "post", "url": f"{ROOT}ObservedProperties",
         "body": {"name": "Temperatur", "definition": "d", "description": "d"}},
        {"id": "d", "method": "post", "url": "$t/Datastreams", "body": {
            "name": "Wasser", "description": "d", "observationType": "m",
            "unitOfMeasurement": {"name": "Grad", "symbol": "°C", "definition": "d"},
            "Sensor": {"@iot.id": 0}, "ObservedProperty": {"@iot.id": 0}}},
        {"id": "o", "method": "post", "url": "$d/Observations", "body": {"result": 7}},
        {"id": "r", "method": "get", "url": "$d/Observations?$select=result"},
        {"id": "n", "method": "patch", "url": "$t", "body": {"name": "Boje 2"}},
        {"id": "v", "method": "get", "url": "$t/name/$value"},
        {"id": "x", "method": "delete", "url": "$o"},
        {"id": "root", "method": "get", "url": ""},
    ], lab_key)
    assert response.status_code == 200, response.content
    answers = response.json()["responses"]
    # Processing stops at the first failure: there is no Sensor 0.
    assert [a["id"] for a in answers] == ["t", "s", "p", "d"]
    assert answers[3]["status"] == 400 and "Sensor" in answers[3]["body"]["message"]
    sensor_id, property_id = (int(answers[i]["headers"]["location"].rsplit("(", 1)[1][:-1])
                              for i in (1, 2))
    thing_id = int(answers[0]["headers"]["location"].rsplit("(", 1)[1][:-1])
    assert answers[0]["status"] == 201 and answers[0]["body"]["name"] == "Boje"

    response = send(client, [
        {"id": "d", "method": "post", "url": f"Things({thing_id})/Datastreams", "body": {
            "name": "Wasser", "description": "d", "observationType": "m",
            "unitOfMeasurement": {"name": "Grad", "symbol": "°C", "definition": "d"},
            "Sensor": {"@iot.id": sensor_id}, "ObservedProperty": {"@iot.id": property_id}}},
        {"id": "o", "method": "post", "url": "$d/Observations", "body": {"result": 7}},
        {"id": "r", "method": "get", "url": "$d/Observations?$select=result"},
        {"id": "n", "method": "patch", "url": f"Things({thing_id})", "body": {"name": "Boje 2"}},
        {"id": "v", "method": "get", "url": f"Things({thing_id})/name/$value"},
        {"id": "x", "method": "delete", "url": "$o"},
        {"id": "root", "method": "get", "url": ""},
    ], lab_key)
    answers = {a["id"]: a for a in response.json()["responses"]}
    assert [answers[k]["status"] for k in "dorvnx"] == [201, 201, 200, 200, 200, 204]
    assert answers["r"]["body"]["value"] == [{"result": 7}]
    assert answers["v"]["body"] == "Boje 2"
    assert "x" in answers and "body" not in answers["x"]
    assert any(c.endswith("batch-request/batch-request")
               for c in answers["root"]["body"]["serverSettings"]["conformance"])
    assert not sta.Observation.objects.exists()
    assert sta.Thing.objects.get(pk=thing_id).name == "Boje 2"


def test_an_atomicity_group_is_one_transaction(client, lab, lab_key):
    group = [
        {"id": "1", "method": "post", "url": "Things", "body": thing("Eins"),
         "atomicityGroup": "g"},
        {"id": "2", "method": "post", "url": "$1/Locations", "body": {
            "name": "Neu", "description": "d", "encodingType": "application/geo+json",
            "location": POINT}, "atomicityGroup": "g"},
        {"id": "3", "method": "post", "url": "Sensors", "body": {"name": "ohne Rest"},
         "atomicityGroup": "g"},
    ]
    after = {"id": "4", "method": "post", "url": "Things", "body": thing("Danach")}
    response = send(client, [*group, after], lab_key)
    answers = response.json()["responses"]
    # The group is answered by its failed request alone, and processing stops there.
    assert [(a["id"], a["status"]) for a in answers] == [("3", 400)]
    assert answers[0]["atomicityGroup"] == "g"
    assert not sta.Thing.objects.exists() and not sta.Location.objects.exists()
    assert not sta.HistoricalLocation.objects.exists()

    response = send(client, [*group, after], lab_key,
                    HTTP_PREFER="odata.continue-on-error")
    answers = response.json()["responses"]
    assert [(a["id"], a["status"]) for a in answers] == [("3", 400), ("4", 201)]
    assert list(sta.Thing.objects.values_list("name", flat=True)) == ["Danach"]

    group[2]["body"] = sensor_body()
    answers = send(client, group, lab_key).json()["responses"]
    assert [a["status"] for a in answers] == [201, 201, 201]
    assert sta.Thing.objects.filter(name="Eins").get().locations.get().name == "Neu"


def test_inner_requests_have_the_outer_credentials_and_nothing_else(
        client, lab, other_lab, lab_key, other_lab_key, make_datastream):
    hidden = make_datastream(other_lab, name="Geheim", privacy_level=PrivacyLevel.RESTRICTED)
    public = make_datastream(other_lab, name="Offen", privacy_level=PrivacyLevel.PUBLIC)
    mine = make_datastream(lab, name="Meins", privacy_level=PrivacyLevel.RESTRICTED)
    reads = [{"id": "list", "method": "get", "url": "Datastreams?$orderby=id"},
             {"id": "hidden", "method": "get", "url": f"Datastreams({hidden.pk})"},
             {"id": "mine", "method": "get", "url": f"Datastreams({mine.pk})"}]
    for key in (None, lab_key, other_lab_key):
        answers = {a["id"]: a for a in send(client, reads, key).json()["responses"]}
        direct = client.get(ROOT + "Datastreams?$orderby=id", **(bearer(key) if key else {}))
        assert answers["list"]["body"] == direct.json()
        assert answers["hidden"]["status"] == client.get(
            ROOT + f"Datastreams({hidden.pk})", **(bearer(key) if key else {})).status_code
    names = [d["name"] for d in send(client, reads).json()["responses"][0]["body"]["value"]]
    assert names == ["Offen"]  # anonymous: no restricted datastream

    writes = [{"id": "w", "method": "patch", "url": f"Datastreams({public.pk})",
               "body": {"name": "übernommen"}}]
    assert send(client, writes).json()["responses"][0]["status"] == 401
    assert send(client, writes, lab_key).json()["responses"][0]["status"] == 403
    # An inner Authorization header is not a way to switch credentials.
    writes[0]["headers"] = {"Authorization": bearer(other_lab_key)["HTTP_AUTHORIZATION"]}
    assert send(client, writes, lab_key).json()["responses"][0]["status"] == 403
    assert send(client, writes, other_lab_key).json()["responses"][0]["status"] == 200
    hidden_write = [{"id": "h", "method": "post", "url": f"Datastreams({hidden.pk})/Observations",
                     "body": {"result": 1}}]
    assert send(client, hidden_write, lab_key).json()["responses"][0]["status"] == 404
    # Basic credentials work as for any request; a wrong one refuses the inner requests.
    response = client.post(URL, json.dumps({"requests": writes}),
                           content_type="application/json", **basic(other_lab_key))
    assert response.json()["responses"][0]["status"] == 200
    response = client.post(URL, json.dumps({"requests": reads}), content_type="application/json",
                           HTTP_AUTHORIZATION="Bearer lab_00000000_falsch")
    assert response.json()["responses"][0]["status"] == 401


def test_json_patch_and_create_observations_inside_a_batch(client, lab, lab_key,
                                                          make_datastream):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC)
    answers = send(client, [
        {"id": "1", "method": "patch", "url": f"Datastreams({datastream.pk})",
         "headers": {"Content-Type": "application/json-patch+json"},
         "body": [{"op": "replace", "path": "/name", "value": "Neu"}]},
        {"id": "2", "method": "post", "url": "CreateObservations", "body": [
            {"Datastream": {"@iot.id": datastream.pk}, "components": ["result"],
             "dataArray": [[1], [2.5]]}]},
    ], lab_key).json()["responses"]
    assert [a["status"] for a in answers] == [200, 201]
    assert answers[0]["body"]["name"] == "Neu" and len(answers[1]["body"]) == 2
    assert sorted(o.result for o in sta.Observation.objects.all()) == [1, 2.5]


@pytest.mark.parametrize("body, problem", [
    ({"requests": {"id": "1"}}, "requests"),
    ([{"id": "1", "method": "get", "url": "Things"}], "requests"),
    ({"requests": [{"id": "1", "method": "get", "url": "Things"}] * 2}, "unique"),
    ({"requests": [{"id": 1, "method": "get", "url": "Things"}]}, "id"),
    ({"requests": [{"id": "1", "method": "trace", "url": "Things"}]}, "method"),
    ({"requests": [{"id": "1", "method": "get"}]}, "url"),
    ({"requests": [{"id": "1", "method": "get", "url": "Things", "colour": 1}]}, "colour"),
    ({"requests": [{"id": "1", "method": "get", "url": "Things", "headers": {"a": 1}}]},
     "headers"),
    ({"requests": [{"id": str(i), "method": "get", "url": "Things",
                    "atomicityGroup": "a" if i != 1 else "b"} for i in range(3)]}, "adjacent"),
    ({"requests": [{"id": str(i), "method": "get", "url": "Things"}
                   for i in range(batch.MAX_REQUESTS + 1)]}, str(batch.MAX_REQUESTS)),
])
def test_a_malformed_batch_is_400_and_runs_nothing(client, lab, lab_key, body, problem):
    if isinstance(body, dict) and isinstance(body["requests"], list):
        body["requests"].insert(0, {"id": "first", "method": "post", "url": "Things",
                                    "body": thing()})
        if len(body["requests"]) > batch.MAX_REQUESTS + 1:
            body["requests"].pop()
    response = client.post(URL, json.dumps(body), content_type="application/json",
                           **bearer(lab_key))
    assert response.status_code == 400, response.content
    assert problem in response.json()["message"]
    assert not sta.Thing.objects.exists()


def test_references_other_services_nesting_and_other_formats_are_refused(client, lab, lab_key):
    answers = send(client, [
        {"id": "1", "method": "get", "url": "$9/Things"},
        {"id": "2", "method": "get", "url": "/api/v1/projects"},
        {"id": "3", "method": "post", "url": "$batch", "body": {"requests": []}},
        {"id": "4", "method": "get", "url": "https://example.org/other/Things"},
        {"id": "5", "method": "get", "url": "Things(99999999999999999999)"},
    ], lab_key, HTTP_PREFER="odata.continue-on-error").json()["responses"]
    assert [a["status"] for a in answers] == [400, 400, 400, 400, 404]
    multipart = client.post(URL, "--b\r\n\r\n--b--", content_type="multipart/mixed;boundary=b",
                            **bearer(lab_key))
    assert multipart.status_code == 415
    assert client.get(URL).status_code == 405


def test_anonymous_reads_in_a_batch_count_against_the_read_rate_limit(client, lab, lab_key,
                                                                      settings):
    from django.core.cache import cache

    cache.clear()
    settings.ANON_READ_RATE = "3/600"
    reads = [{"id": str(i), "method": "get", "url": "Things"} for i in range(5)]
    answers = send(client, reads, HTTP_PREFER="odata.continue-on-error").json()["responses"]
    assert [a["status"] for a in answers] == [200, 200, 200, 429, 429]
    assert client.get(ROOT + "Things").status_code == 429  # the same budget as plain reads
    answers = send(client, reads, lab_key).json()["responses"]  # a token is not limited
    assert [a["status"] for a in answers] == [200] * 5
    cache.clear()
