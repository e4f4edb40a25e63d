"""Limits of the read side: a statement timeout on PostgreSQL (503 asking to
narrow the query), function arguments checked before they reach SQL, and database error texts
(which may quote SQL) never sent to the client."""

import pytest
from django.db import connection

from stadtallianz.sensorthings import models as sta

pytestmark = pytest.mark.django_db

ROOT = "/sta/v1.1"
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="statement_timeout is PostgreSQL's; SQLite has none")


@pytest.fixture
def many(lab, make_datastream, observe):
    """A public datastream with 300,000 observations (inserted in one statement)."""
    datastream = make_datastream(lab)
    first = observe(datastream, [1.0])[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO sensorthings_observation (datastream_id, feature_of_interest_id, "
            "phenomenon_time_start, result_number) SELECT %s, %s, "
            "now() - make_interval(secs => n), n FROM generate_series(1, 300000) AS n",
            [datastream.pk, first.feature_of_interest_id])
    return datastream


HEAVY = {"$filter": "result mul 2 gt round(result) add 1", "$count": "true",
         "$orderby": "result desc"}


@postgres_only
def test_a_query_over_the_time_limit_is_a_503_naming_the_way_out(client, many, settings):
    settings.STA_QUERY_TIMEOUT_MS = 1
    response = client.get(f"{ROOT}/Observations", HEAVY)
    assert response.status_code == 503, response.content
    body = response.json()
    assert body["code"] == 503
    assert "longer than 1 ms" in body["message"] and "Narrow it" in body["message"]
    # The next request starts afresh (nothing of the cancelled transaction is left).
    settings.STA_QUERY_TIMEOUT_MS = 60000
    response = client.get(f"{ROOT}/Observations", {**HEAVY, "$top": "1"})
    assert response.status_code == 200, response.content
    assert response.json()["@iot.count"] == 299_999


@postgres_only
def test_the_time_limit_holds_for_navigation_and_skip(client, many, settings):
    settings.STA_QUERY_TIMEOUT_MS = 1
    response = client.get(f"{ROOT}/Datastreams({many.pk})/Observations",
                          {"$skip": "250000", "$orderby": "result", "$count": "true"})
    assert response.status_code == 503, response.content


@pytest.mark.parametrize("query", [
    "substring(name, 9999999999999) eq 'x'",
    "substring(name, 1, 9999999999999) eq 'x'",
    "substring(name, 1.5) eq 'x'",
    "substring(name, -1) eq 'x'",
])
def test_substring_positions_are_checked_before_sql(client, lab, query):
    sta.Thing.objects.create(lab=lab, name="Boje", description="x")
    response = client.get(f"{ROOT}/Things", {"$filter": query})
    assert response.status_code == 400, response.content
    message = response.json()["message"]
    assert "substring needs whole numbers" in message
    assert "function" not in message and "bigint" not in message


@postgres_only
def test_database_errors_are_not_echoed(client, lab):
    sta.Thing.objects.create(lab=lab, name="Boje", description="x", properties={"label": "b"})
    response = client.get(f"{ROOT}/Things", {"$filter": "properties/label add 1 gt 0"})
    assert response.status_code == 400, response.content
    message = response.json()["message"]
    assert "check $filter and $orderby" in message
    for sql_word in ("double precision", "syntax", "SELECT", "CAST", "sensorthings_"):
        assert sql_word not in message
