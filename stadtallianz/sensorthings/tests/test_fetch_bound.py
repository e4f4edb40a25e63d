"""Issue 11, item 2: a read fetches at most STA_MAX_RESPONSE_BYTES of text from the database
across all its queries (query/expand.py, `fetch_budget`), so rows with large JSON values are
never all held by the worker before the encoder's byte bound is reached. The top-level page is
cut with a nextLink that continues it, an expanded collection that does not fit is a 400, and on
PostgreSQL the query cut short leaves the read's transaction usable."""

import pytest
from django.db import connection, transaction

from stadtallianz.sensorthings import models as sta
from stadtallianz.sensorthings.models import PrivacyLevel
from stadtallianz.sensorthings.query import expand

pytestmark = pytest.mark.django_db

BIG = 20_000  # characters of one observation's text result
ROWS = 30
BOUND = 150_000  # bytes: about seven such observations


@pytest.fixture
def heavy(lab, make_datastream, observe):
    datastream = make_datastream(lab, privacy_level=PrivacyLevel.PUBLIC,
                                 observation_type="http://www.opengis.net/def/observationType/"
                                                  "OGC-OM/2.0/OM_Observation")
    observe(datastream, [f"{i:03d}" + "x" * BIG for i in range(ROWS)])
    return datastream


def test_a_fetch_stops_at_its_budget_and_keeps_the_transaction_usable(heavy):
    queryset = (sta.Observation.objects.filter(datastream=heavy).order_by("id")
                .values("id", "result_json"))
    with transaction.atomic(), expand.fetch_budget(BOUND):
        rows, cut = expand.fetch(queryset)
        # The query that was cut short did not abort the transaction the read runs in.
        assert sta.Observation.objects.filter(datastream=heavy).count() == ROWS
        rest, cut_again = expand.fetch(queryset)
    assert cut and 1 <= len(rows) < ROWS
    assert sum(len(row["result_json"]) for row in rows) <= BOUND
    # The second fetch drew on what the first left of the same budget.
    assert cut_again and len(rest) <= 1
    if connection.vendor == "postgresql":
        from psycopg.pq import TransactionStatus

        assert connection.connection.info.transaction_status != TransactionStatus.INERROR


def test_without_a_budget_nothing_is_cut(heavy):
    rows, cut = expand.fetch(sta.Observation.objects.filter(datastream=heavy)
                             .values("id", "result_json"))
    assert not cut and len(rows) == ROWS


def test_the_first_row_is_always_kept_so_every_page_makes_progress(heavy):
    with expand.fetch_budget(10):
        rows, cut = expand.fetch(sta.Observation.objects.filter(datastream=heavy)
                                 .order_by("id").values("id", "result_json"))
    assert cut and len(rows) == 1


def test_a_heavy_page_is_cut_and_its_next_links_serve_every_row_once(client, heavy, settings):
    settings.STA_MAX_RESPONSE_BYTES = BOUND
    url = f"/sta/v1.1/Datastreams({heavy.pk})/Observations?$orderby=id&$select=id,result"
    seen, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        assert len(response.content) <= BOUND
        body = response.json()
        seen += [entity["result"][:3] for entity in body["value"]]
        url = body.get("@iot.nextLink", "").replace("http://testserver", "")
        pages += 1
        assert pages <= ROWS
    assert seen == [f"{i:03d}" for i in range(ROWS)]
    assert pages > 2


@pytest.mark.parametrize("query", [
    "Datastreams({pk})?$expand=Observations($top={rows})",
    "Things?$expand=Datastreams($expand=Observations($top={rows}))",
    "Observations?$top=1&$expand=Datastream($expand=Observations($top={rows}))",
])
def test_an_expansion_that_would_fetch_too_much_is_a_400(client, heavy, settings, query):
    settings.STA_MAX_RESPONSE_BYTES = BOUND
    response = client.get("/sta/v1.1/" + query.format(pk=heavy.pk, rows=ROWS))
    assert response.status_code == 400, response.content[:300]
    assert str(BOUND) in response.json()["message"]
    # The same shape within the bound is served.
    small = client.get("/sta/v1.1/" + query.format(pk=heavy.pk, rows=2))
    assert small.status_code == 200
