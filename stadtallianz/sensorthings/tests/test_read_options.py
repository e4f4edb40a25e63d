"""$select, $orderby, $top, $skip, $count, @iot.nextLink and $resultFormat=dataArray, with
query counts that do not grow with the data."""

from urllib.parse import parse_qs, urlsplit

import pytest

from stadtallianz.core.testing import query_count
from stadtallianz.sensorthings.query.options import DEFAULT_TOP

pytestmark = pytest.mark.django_db

ROOT = "/sta/v1.1"


def get(client, path, params=None, status=200):
    response = client.get(f"{ROOT}/{path}", params)
    assert response.status_code == status, response.content
    return response.json()


def error(client, path, **params):
    response = client.get(f"{ROOT}/{path}", params)
    assert response.status_code == 400, response.content
    return response.json()["message"]


@pytest.fixture
def streams(lab, make_datastream, observe):
    first = make_datastream(lab, name="A-Temperatur")
    second = make_datastream(lab, name="B-Trübung")
    observe(first, [float(i) for i in range(12)])
    observe(second, [100.0, 200.0])
    return first, second


def test_select_properties_id_and_navigation_links(client, streams):
    body = get(client, "Datastreams", {"$select": "name,@iot.id,Thing"})
    assert body["value"][0] == {
        "@iot.id": streams[0].id, "name": "A-Temperatur",
        "Thing@iot.navigationLink":
            f"http://testserver/sta/v1.1/Datastreams({streams[0].id})/Thing"}
    only_result = get(client, f"Datastreams({streams[1].id})/Observations",
                      {"$select": "result", "$orderby": "result desc"})
    assert only_result["value"] == [{"result": 200.0}, {"result": 100.0}]
    single = get(client, f"Things({streams[0].thing_id})", {"$select": "id,name"})
    assert set(single) == {"@iot.id", "name"}


def test_orderby_multiple_paths_and_directions(client, streams):
    body = get(client, "Observations", {"$orderby": "Datastream/name desc,result asc",
                                        "$top": "3"})
    assert [o["result"] for o in body["value"]] == [100.0, 200.0, 0.0]
    body = get(client, "Datastreams", {"$orderby": "length(name) desc"})
    assert [d["name"] for d in body["value"]] == ["A-Temperatur", "B-Trübung"]
    get(client, "Datastreams", {"$orderby": "Observations/result"}, status=400)


def test_top_skip_count_and_next_link_keep_other_options(client, streams):
    params = {"$filter": "Datastream/name eq 'A-Temperatur'", "$orderby": "result desc",
              "$top": "5", "$count": "true", "$select": "result"}
    body = get(client, "Observations", params)
    assert body["@iot.count"] == 12
    assert [o["result"] for o in body["value"]] == [11.0, 10.0, 9.0, 8.0, 7.0]
    seen = [o["result"] for o in body["value"]]
    while "@iot.nextLink" in body:
        link = urlsplit(body["@iot.nextLink"])
        query = parse_qs(link.query)
        assert query["$filter"] == ["Datastream/name eq 'A-Temperatur'"]
        assert query["$orderby"] == ["result desc"] and query["$select"] == ["result"]
        response = client.get(body["@iot.nextLink"].replace("http://testserver", ""))
        body = response.json()
        assert body["@iot.count"] == 12
        seen += [o["result"] for o in body["value"]]
    assert seen == [float(i) for i in range(11, -1, -1)]
    assert "@iot.nextLink" not in get(client, "Observations", {"$top": "14"})


def test_default_top_is_100(client, lab, make_datastream, observe):
    observe(make_datastream(lab), [1.0] * (DEFAULT_TOP + 5))
    body = get(client, "Observations")
    assert len(body["value"]) == DEFAULT_TOP and "@iot.nextLink" in body
    assert "$skip=100" in body["@iot.nextLink"]


def test_data_array(client, streams):
    first, second = streams
    body = get(client, "Observations", {"$resultFormat": "dataArray", "$orderby": "id",
                                        "$select": "id,phenomenonTime,result", "$count": "true",
                                        "$top": "13"})
    assert body["@iot.count"] == 14
    groups = {group["Datastream@iot.navigationLink"]: group for group in body["value"]}
    group = groups[f"http://testserver/sta/v1.1/Datastreams({first.id})"]
    assert group["components"] == ["id", "phenomenonTime", "result"]
    assert group["dataArray@iot.count"] == 12
    assert group["dataArray"][0][1:] == ["2026-03-01T00:00:00Z", 0.0]
    assert len(groups[f"http://testserver/sta/v1.1/Datastreams({second.id})"]["dataArray"]) == 1
    assert "@iot.nextLink" in body and "%24resultFormat=dataArray" not in body["@iot.nextLink"]
    assert "$resultFormat=dataArray" in body["@iot.nextLink"]
    per_stream = get(client, f"Datastreams({second.id})/Observations",
                     {"$resultFormat": "dataArray"})
    assert per_stream["value"][0]["components"][:4] == ["id", "phenomenonTime", "resultTime",
                                                        "result"]
    assert [row[3] for row in per_stream["value"][0]["dataArray"]] == [100.0, 200.0]
    get(client, "Observations", {"$resultFormat": "dataArray", "$select": "Datastream"},
        status=400)
    get(client, "Datastreams", {"$resultFormat": "dataArray"}, status=400)


def test_collection_query_counts_do_not_grow(client, lab, make_datastream, observe):
    def expand_everything():
        response = client.get(f"{ROOT}/Things", {
            "$expand": "Locations,Datastreams($expand=Observations($top=2;$count=true),"
                       "Sensor,ObservedProperty,Thing)", "$count": "true"})
        assert response.status_code == 200

    def observations_with_features():
        assert client.get(f"{ROOT}/Observations",
                          {"$expand": "FeatureOfInterest,Datastream"}).status_code == 200

    observe(make_datastream(lab, name="eins"), [1.0, 2.0, 3.0])
    small = query_count(expand_everything), query_count(observations_with_features)
    for index in range(4):
        observe(make_datastream(lab, name=f"mehr {index}"), [4.0, 5.0, 6.0])
    assert (query_count(expand_everything), query_count(observations_with_features)) == small


def test_count_only_as_qgis_asks_for_it(client, streams):
    body = get(client, "Observations", {"$top": "0", "$count": "true",
                                        "$filter": "result ge 10"})
    assert body == {"@iot.count": 4, "value": []}  # no next link to the same empty page
    page = get(client, "Datastreams", {"$top": "1", "$count": "false", "$orderby": "id"})
    assert "@iot.count" not in page and "$top=1" in page["@iot.nextLink"]
    expanded = get(client, "Datastreams", {"$expand": "Observations($top=0;$count=true)"})
    assert expanded["value"][0]["Observations"] == []
    assert expanded["value"][0]["Observations@iot.count"] == 12
    assert "Observations@iot.nextLink" not in expanded["value"][0]


# Bad options answer 400 naming the problem, never 500.
@pytest.mark.parametrize("option", ["$top", "$skip"])
@pytest.mark.parametrize("text", ["²", "¹", "٣", "1²"])
def test_top_and_skip_accept_only_ascii_digits(client, option, text):
    assert option in error(client, "Things", **{option: text})


def test_result_format_inside_expand_says_where_it_belongs(client):
    message = error(client, "Datastreams", **{"$expand": "Observations($resultFormat=dataArray)"})
    assert "only available on collections of Observations" in message
    assert "not 'dataArray'" not in message
