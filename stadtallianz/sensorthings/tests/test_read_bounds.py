"""One read cannot make a worker build a huge answer (issue 11, item 2): the entities a request
reads across all its $expand levels together are bounded (expand.bound_work), and so are the
bytes of its answer (encode.py). What goes beyond is a truncated page with a next link (at the
top level and inside $expand), or a 400 naming the limit; never built.

The data has enough observations for the shapes to matter: three datastreams with 2,000
observations each. Before the bounds, the first shape below answered gigabytes."""

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stadtallianz.sensorthings.query import encode, expand, options

pytestmark = pytest.mark.django_db

ROOT = "/sta/v1.1"
PER_STREAM = 2000

EXPENSIVE_SHAPES = [
    # from the issue: a to-many inside a to-one inside a to-many, each with $top=10000
    ("FeaturesOfInterest", {"$top": "10000", "$expand": "Observations($top=10000;$expand="
                            "FeatureOfInterest($expand=Observations($top=10000)))"}),
    ("Observations", {"$top": "10000", "$select": "id", "$expand":
                      "Datastream($expand=Observations($top=10000;$select=id))"}),
    # ten levels, the deepest the parser allows, default page sizes
    ("Datastreams", {"$expand": "Observations($expand=Datastream($expand=Observations($expand="
                     "FeatureOfInterest($expand=Observations($expand=Datastream($expand="
                     "Thing($expand=Datastreams($expand=Observations($expand=Datastream))))))))"
                     ")"}),
    # wide: every navigation of a thing, and of its datastreams
    ("Things", {"$top": "10000", "$expand": "Locations,HistoricalLocations,Datastreams("
                "$top=10000;$expand=Observations($top=10000),Sensor,ObservedProperty,Thing)"}),
    # slash paths with the largest pages
    ("Things", {"$top": "10000", "$expand": "Datastreams/Observations/FeatureOfInterest/"
                "Observations($top=10000)"}),
]


@pytest.fixture
def many(lab, make_datastream, observe):
    streams = [make_datastream(lab, name=f"Strom {number}") for number in range(3)]
    for stream in streams:
        observe(stream, [float(i % 97) for i in range(PER_STREAM)])
    return streams


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def entities_in(value) -> int:
    """Entities written in a JSON answer (each occurrence counts)."""
    if isinstance(value, list):
        return sum(entities_in(item) for item in value)
    if isinstance(value, dict):
        own = 1 if "@iot.id" in value or "@iot.selfLink" in value else 0
        return own + sum(entities_in(item) for item in value.values())
    return 0


def paging(link: str) -> tuple[int, int]:
    """($top, $skip) of a next link."""
    query = parse_qs(urlsplit(link).query)
    return int(query["$top"][0]), int(query["$skip"][0])


def data_queries(captured) -> list[str]:
    return [q["sql"] for q in captured if "SAVEPOINT" not in q["sql"]
            and "set_config('statement_timeout'" not in q["sql"]]


@pytest.mark.parametrize("path,params", EXPENSIVE_SHAPES)
def test_expensive_shapes_are_answered_within_the_bounds(client, many, path, params):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{ROOT}/{path}", params)
    seconds = time.perf_counter() - started
    content = body_of(response)
    assert response.status_code == 200, content[:500]
    assert len(content) <= encode.DEFAULT_MAX_BYTES
    body = json.loads(content)
    # Each occurrence of a shared entity is written again: the bytes bound that, and the
    # entities read are at most the budget (a to-one navigation read once per parent at most).
    assert entities_in(body) <= 3 * expand.DEFAULT_MAX_ENTITIES
    # one query per collection and per $expand level (a ten-level chain: 11), never per entity
    assert len(data_queries(queries.captured_queries)) <= 12
    # Before the bounds the first shapes took minutes and gigabytes; generous for a busy CI.
    assert seconds < 20, seconds


def test_nested_pages_shrink_and_link_to_the_rest(client, many):
    response = client.get(f"{ROOT}/Observations", {
        "$top": "10000", "$orderby": "id", "$select": "id",
        "$expand": "Datastream($expand=Observations($top=10000;$select=id;$orderby=id))"})
    body = json.loads(body_of(response))
    page = body["value"]
    # 10,000 observations with 10,000 each would be 10**8 entities: the nested pages are cut
    # until ten observations fit, then the top-level page is cut to what the budget allows.
    nested = len(page[0]["Datastream"]["Observations"])
    assert 10 <= len(page) < 10000 and nested < PER_STREAM
    assert len(page) * (nested + 2) <= expand.DEFAULT_MAX_ENTITIES
    link = page[0]["Datastream"]["Observations@iot.nextLink"]
    assert paging(link) == (nested, nested)
    # the top-level next link continues with the request's own $top
    assert paging(body["@iot.nextLink"]) == (10000, len(page))
    following = json.loads(body_of(client.get(link.replace("http://testserver", ""))))
    first_ids = [o["@iot.id"] for o in page[0]["Datastream"]["Observations"]]
    assert following["value"][0]["@iot.id"] > first_ids[-1]


def test_top_above_the_maximum_is_served_up_to_it_with_a_next_link(client, many,
                                                                   monkeypatch):
    monkeypatch.setattr(options, "MAX_TOP", 100)
    body = client.get(f"{ROOT}/Observations", {"$top": "500", "$orderby": "id"}).json()
    assert len(body["value"]) == 100
    assert paging(body["@iot.nextLink"]) == (100, 100)
    rest = client.get(body["@iot.nextLink"].replace("http://testserver", "")).json()
    assert rest["value"][0]["@iot.id"] == body["value"][-1]["@iot.id"] + 1
    # inside $expand the same: capped, and the expanded collection links to the rest
    stream = many[0]
    one = client.get(f"{ROOT}/Datastreams({stream.id})",
                     {"$expand": "Observations($top=500;$orderby=id)"}).json()
    assert len(one["Observations"]) == 100
    assert paging(one["Observations@iot.nextLink"]) == (100, 100)
    # a number of any length is a number too large, not an error
    huge = client.get(f"{ROOT}/Things", {"$top": "9" * 5000})
    assert huge.status_code == 200


def test_a_page_over_the_byte_bound_is_cut_with_a_next_link(client, many, settings):
    settings.STA_MAX_RESPONSE_BYTES = 20_000
    response = client.get(f"{ROOT}/Observations", {"$top": "1000", "$orderby": "id"})
    content = body_of(response)
    assert response.status_code == 200 and len(content) <= 20_000
    body = json.loads(content)
    written = len(body["value"])
    assert 10 < written < 1000
    assert paging(body["@iot.nextLink"]) == (1000, written)
    rest = json.loads(body_of(client.get(body["@iot.nextLink"].replace("http://testserver",
                                                                       ""))))
    # no gap, no overlap
    assert rest["value"][0]["@iot.id"] == body["value"][-1]["@iot.id"] + 1


def test_an_entity_over_the_byte_bound_is_a_400_naming_it(client, many, settings):
    settings.STA_MAX_RESPONSE_BYTES = 20_000
    response = client.get(f"{ROOT}/Datastreams({many[0].id})",
                          {"$expand": "Observations($top=1000)"})
    assert response.status_code == 400
    assert "larger than 20000 bytes" in response.json()["message"]
    # a shared expanded entity repeated under each parent counts every time
    response = client.get(f"{ROOT}/Observations", {
        "$top": "5", "$expand": "Datastream($expand=Observations($top=1000))"})
    assert response.status_code == 400 and "$select" in response.json()["message"]


def test_large_answers_are_streamed(client, many):
    response = client.get(f"{ROOT}/Observations", {"$top": "10000"})
    assert response.streaming
    content = body_of(response)
    assert int(response["Content-Length"]) == len(content) > 1024 * 1024
    assert len(json.loads(content)["value"]) == 3 * PER_STREAM


def test_large_reads_run_one_at_a_time_per_process(client, many, settings):
    from stadtallianz.sensorthings.query import read

    settings.STA_EXPENSIVE_ENTITIES = 500
    assert read._expensive_reads.acquire(blocking=False)  # another large read is running
    try:
        busy = client.get(f"{ROOT}/Observations", {"$top": "1000"})
        assert busy.status_code == 503 and busy["Retry-After"] == "1"
        assert "other large requests" in busy.json()["message"]
        expanded = client.get(f"{ROOT}/Datastreams({many[0].id})",
                              {"$expand": "Observations($top=1000)"})
        assert expanded.status_code == 503
        # small reads go on
        assert client.get(f"{ROOT}/Observations", {"$top": "500"}).status_code == 200
    finally:
        read._expensive_reads.release()
    assert client.get(f"{ROOT}/Observations", {"$top": "1000"}).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="the server-wide slots are PostgreSQL advisory locks; SQLite serves "
                           "one process")
def test_large_reads_at_once_are_bounded_across_processes(client, many, settings):
    import psycopg

    from stadtallianz.sensorthings.query import read

    settings.STA_EXPENSIVE_ENTITIES = 500
    settings.STA_EXPENSIVE_READS = 2
    params = connection.get_connection_params()
    # two other server processes, each in a large read
    with psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"},
                         autocommit=True) as other:
        for slot in range(2):
            other.execute("SELECT pg_advisory_lock(%s, %s)", [read.ADVISORY_LOCK_CLASS, slot])
        busy = client.get(f"{ROOT}/Observations", {"$top": "1000"})
        assert busy.status_code == 503 and busy["Retry-After"] == "1"
        assert client.get(f"{ROOT}/Observations", {"$top": "500"}).status_code == 200
        other.execute("SELECT pg_advisory_unlock(%s, 1)", [read.ADVISORY_LOCK_CLASS])
        assert client.get(f"{ROOT}/Observations", {"$top": "1000"}).status_code == 200
