"""The two reads the benchmarks time use the right plan on PostgreSQL: a time range of one
datastream is an index range scan of (datastream, phenomenon_time_start), and the latest
observation of every datastream is one LATERAL query, not one query per datastream."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans"),
]

def data_queries(captured) -> list[str]:
    """The queries that read data: without the transaction and statement timeout every read
    runs in on PostgreSQL (query.read.query_time_limit)."""
    return [q["sql"] for q in captured if "SAVEPOINT" not in q["sql"]
            and "set_config('statement_timeout'" not in q["sql"]]


RANGE = {"$filter": "phenomenonTime ge 2026-03-01T00:10:00Z and "
                    "phenomenonTime lt 2026-03-01T00:40:00Z",
         "$top": "1000", "$orderby": "phenomenonTime"}


def test_time_range_is_an_index_range_scan(client, lab, make_datastream, observe):
    datastream = make_datastream(lab)
    observe(datastream, [float(i) for i in range(50)])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/sta/v1.1/Datastreams({datastream.id})/Observations", RANGE)
    assert [o["result"] for o in response.json()["value"]] == [1.0, 2.0, 3.0]
    sql = data_queries(queries.captured_queries)[-1]
    with connection.cursor() as cursor:
        # Tiny tables would be read whole; forbid that to see what the index can do.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "sta_obs_stream_time" in plan, plan
    condition = next(line for line in plan.splitlines() if "Index Cond" in line
                     and "phenomenon_time_start" in line)
    assert "datastream_id" in condition and ">=" in condition and "<" in condition, plan


def test_latest_observation_of_each_datastream_is_one_lateral_query(client, lab,
                                                                    make_datastream, observe):
    for index in range(5):
        observe(make_datastream(lab, name=f"Strom {index}"), [1.0, 2.0, float(index)])
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/sta/v1.1/Datastreams", {
            "$top": "5000", "$expand": "Observations($top=1;$orderby=phenomenonTime desc)"})
    latest = [d["Observations"][0]["result"] for d in response.json()["value"]]
    assert latest == [0.0, 1.0, 2.0, 3.0, 4.0]
    laterals = [q["sql"] for q in queries.captured_queries if "LATERAL" in q["sql"]]
    assert len(laterals) == 1
    # the datastreams and their observations
    assert len(data_queries(queries.captured_queries)) <= 3


# The shapes real clients send for one datastream's observations (issue 11, item 9): QGIS asks
# for the count alone, the FROST client and dashboards for the first page or the first few in the
# default order (by id), Grafana for a time range in time order, the lab pages for the latest.
CLIENT_SHAPES = [
    ("QGIS count", {"$count": "true", "$top": "0"}),
    ("first page", {}),
    ("$top=1", {"$top": "1"}),
    ("$top=10", {"$top": "10"}),
    ("time order", {"$orderby": "phenomenonTime", "$top": "10"}),
    ("latest", {"$orderby": "phenomenonTime desc", "$top": "1"}),
    ("time range", {"$filter": "phenomenonTime ge 2026-03-01T05:00:00Z", "$top": "100"}),
    ("time range, time order", {"$filter": "phenomenonTime ge 2026-03-01T05:00:00Z and "
                                "phenomenonTime lt 2026-03-02T00:00:00Z",
                                "$orderby": "phenomenonTime asc", "$top": "100"}),
]


def full_sort(plan: str) -> bool:
    """Whether a plan sorts all its rows (an incremental sort of the ties of an index order
    stops early, with the LIMIT)."""
    return re.search(r"(^|->)\s*Sort\s+\(", plan, re.MULTILINE) is not None


def plan_of(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def crowded(lab, make_datastream, observe):
    """A datastream whose rows come after 20,000 of another's in id order: walking the
    primary key to find its first rows would pass all of them."""
    busy, quiet = make_datastream(lab, name="Viel"), make_datastream(lab, name="Wenig")
    feature = observe(busy, [1.0])[0].feature_of_interest
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO sensorthings_observation (datastream_id, phenomenon_time_start, "
            "result_number, feature_of_interest_id) SELECT %s, "
            "'2026-03-01'::timestamptz + make_interval(mins => g), g, %s "
            "FROM generate_series(1, 20000) g", [busy.id, feature.id])
    observe(quiet, [float(i) for i in range(300)], step=timedelta(minutes=5))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sensorthings_observation")
    return busy, quiet


@pytest.mark.parametrize("label,params", CLIENT_SHAPES, ids=[s[0] for s in CLIENT_SHAPES])
def test_client_shapes_of_one_datastream_are_served_from_an_index(client, crowded, label,
                                                                   params):
    _busy, quiet = crowded
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/sta/v1.1/Datastreams({quiet.id})/Observations", params)
    assert response.status_code == 200, response.content
    observation_queries = [sql for sql in data_queries(queries.captured_queries)
                           if 'FROM "sensorthings_observation"' in sql]
    assert observation_queries
    for sql in observation_queries:
        plan = plan_of(sql)
        # The datastream is looked up in an index, never filtered out of the whole table
        # (or of the primary key's walk), and a page stops after its rows: no sort of them all.
        assert "Seq Scan on sensorthings_observation" not in plan, plan
        assert "sensorthings_observation_pkey" not in plan, plan
        index_conditions = [line for line in plan.splitlines() if "Index Cond" in line]
        assert any("datastream_id" in line for line in index_conditions), plan
        if "COUNT(" not in sql and "LIMIT" in sql:
            assert not full_sort(plan), plan


def test_observations_of_a_feature_are_found_in_an_index(client, crowded):
    _busy, quiet = crowded
    feature_id = quiet.observations.values_list("feature_of_interest_id", flat=True).first()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/sta/v1.1/FeaturesOfInterest({feature_id})/Observations",
                              {"$top": "10"})
    assert len(response.json()["value"]) == 10
    sql = data_queries(queries.captured_queries)[-1]  # the page
    plan = plan_of(sql)
    # the feature's few rows from its index, not the primary key's walk past the other rows
    assert "sta_obs_feature_id" in plan and "sensorthings_observation_pkey" not in plan, plan
