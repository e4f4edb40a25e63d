"""$expand: nested options, slash paths, to-one and to-many navigations, per-parent $top."""

import pytest

pytestmark = pytest.mark.django_db

ROOT = "/sta/v1.1"


def get(client, path, params=None, status=200):
    response = client.get(f"{ROOT}/{path}", params)
    assert response.status_code == status, response.content
    return response.json()


@pytest.fixture
def streams(lab, make_datastream, observe):
    first = make_datastream(lab, name="Temperatur")
    second = make_datastream(lab, name="Trübung")
    observe(first, [1.0, 2.0, 3.0, 4.0])
    observe(second, [10.0, 20.0])
    return first, second


def test_nested_options(client, streams):
    first, second = streams
    body = get(client, "Datastreams", {
        "$orderby": "id",
        "$expand": "Observations($filter=result gt 1;$orderby=result desc;$top=2;$skip=1;"
                   "$select=result;$count=true),Thing($select=name;$expand=Locations)"})
    one, two = body["value"]
    assert one["Observations"] == [{"result": 3.0}, {"result": 2.0}]
    assert one["Observations@iot.count"] == 3
    assert one["Thing"]["name"] == "Messstation Temperatur"
    assert one["Thing"]["Locations"][0]["location"]["type"] == "Point"
    assert two["Observations"] == [{"result": 10.0}]
    assert two["Observations@iot.count"] == 2
    assert "Observations@iot.nextLink" not in one  # skip 1 + top 2 = all three


def test_expanded_next_link(client, streams):
    first = streams[0]
    one = get(client, f"Datastreams({first.id})", {"$expand": "Observations($top=3;$orderby=id)"})
    # More observations than $top: the expanded list links to the rest.
    link = one["Observations@iot.nextLink"]
    assert link.startswith(f"http://testserver/sta/v1.1/Datastreams({first.id})/Observations?")
    rest = client.get(link.replace("http://testserver", "")).json()
    assert [o["result"] for o in rest["value"]] == [4.0]


def test_latest_observation_of_each_datastream(client, streams):
    body = get(client, "Datastreams", {
        "$top": "5000", "$expand": "Observations($top=1;$orderby=phenomenonTime desc)"})
    latest = {d["name"]: [o["result"] for o in d["Observations"]] for d in body["value"]}
    assert latest == {"Temperatur": [4.0], "Trübung": [20.0]}


def test_slash_paths_and_merging(client, streams):
    body = get(client, f"Things({streams[0].thing_id})",
               {"$expand": "Datastreams/Observations($top=1;$orderby=result),"
                           "Datastreams/Sensor,Locations"})
    datastream = body["Datastreams"][0]
    assert datastream["Observations"] == [
        {k: v for k, v in datastream["Observations"][0].items()}]
    assert datastream["Observations"][0]["result"] == 1.0
    assert datastream["Sensor"]["name"] == "PT100"
    assert body["Locations"][0]["name"] == "Boje"


def test_to_one_and_reverse_expands(client, streams):
    observation = get(client, "Observations", {"$top": "1", "$orderby": "id",
                                               "$expand": "Datastream($expand=Thing),"
                                                          "FeatureOfInterest"})["value"][0]
    assert observation["Datastream"]["Thing"]["name"] == "Messstation Temperatur"
    assert observation["FeatureOfInterest"]["name"] == "Ort Temperatur"
    feature = get(client, "FeaturesOfInterest", {"$expand": "Observations($top=1)",
                                                 "$orderby": "id"})["value"][0]
    assert len(feature["Observations"]) == 1
    location = get(client, "Locations", {"$expand": "Things($expand=Datastreams)",
                                         "$orderby": "id"})["value"][0]
    assert location["Things"][0]["Datastreams"][0]["name"] == "Temperatur"


@pytest.mark.parametrize("expand,fragment", [
    ("Observations($top=x)", "$top must be a whole number"),
    ("Observations($frob=1)", "Unknown query option $frob"),
    ("Observations($filter=result gt)", "expected a value"),
    ("Observations(", "Unbalanced"),
    ("Colours", "no navigation property Colours"),
    ("Observations($top)", "must be a query option with its value"),
    ("Thing(Locations)", "must be a query option with its value"),
    ("Thing/Colours", "Thing has no navigation property Colours"),
])
def test_expand_errors(client, streams, expand, fragment):
    body = get(client, "Datastreams", {"$expand": expand}, status=400)
    assert fragment in body["message"]


def test_an_expand_over_the_budget_is_served_in_smaller_pages(client, streams, settings):
    # Two datastreams with 100 observations each would be 202 entities; 5 fit: the nested
    # pages shrink (each with its next link), and the top-level page keeps both datastreams.
    settings.STA_MAX_ENTITIES = 5
    body = get(client, "Datastreams", {"$orderby": "id", "$expand": "Observations"})
    first, second = body["value"]
    assert [len(first["Observations"]), len(second["Observations"])] == [1, 1]
    assert "$top=1&$skip=1" in first["Observations@iot.nextLink"]
    assert "$top=1&$skip=1" in second["Observations@iot.nextLink"]
    fine = get(client, "Datastreams", {"$expand": "Observations($top=1)"})
    assert [len(d["Observations"]) for d in fine["value"]] == [1, 1]


