"""The two reads the benchmarks time use the right plan on PostgreSQL: a time range of one
datastream is an index range scan of (datastream, phenomenon_time_start), and the latest
observation of every datastream is one LATERAL query, not one query per datastream."""

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
