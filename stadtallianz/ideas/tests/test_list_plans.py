"""Issue 11, item 9: a deep page of the ideas list, in every sort, is read from an index on
PostgreSQL — 20,000 ideas, page 1,000 of the page and of the API — and never sorts the table."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stadtallianz.ideas.listing import SORTS
from stadtallianz.ideas.models import Idea

pytestmark = [
    # Committed, so VACUUM can set the visibility map as autovacuum does on a server.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans"),
]
IDEAS = 20000
INDEX_OF_SORT = {"newest": "idea_newest", "supported": "idea_by_support",
                 "discussed": "idea_by_comments"}


@pytest.fixture
def many_ideas(transactional_db):
    """20,000 ideas with supports and comments spread like a real list's (many ties), a few
    hidden; written in one statement and analysed, as the planner would see them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ideas_idea (title, description, place_name, state, "
            "state_reason, version, support_count, comment_count, hidden_reason, created_at, "
            "updated_at, hidden_at) "
            "SELECT 'Idee ' || g, 'Text', '', 'submitted', '', 1, (g * 7919) %% 300, "
            "(g * 104729) %% 40, '', now() - make_interval(mins => (g * 31) %% 50000), now(), "
            "CASE WHEN g %% 500 = 0 THEN now() END FROM generate_series(1, %s) g", [IDEAS])
        cursor.execute("VACUUM ANALYZE ideas_idea")


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def _page_query(captured) -> str:
    return next(q["sql"] for q in captured
                if "ORDER BY" in q["sql"] and "OFFSET" in q["sql"] and "ideas_idea" in q["sql"])


def _sorts_everything(plan: str) -> bool:
    """A Sort node (not an incremental sort of the ties of an index order)."""
    return re.search(r"(^|->)\s*Sort\s+\(", plan, re.MULTILINE) is not None


def test_a_deep_page_in_every_sort_is_read_from_the_index(client, many_ideas):
    # Page 990 of 998 (19,960 visible ideas, 20 a page), and the API at offset 19,000.
    for sort in SORTS:
        expected = list(Idea.objects.filter(hidden_at=None).order_by(*SORTS[sort])
                        .values_list("pk", flat=True)[19780:19800])
        for path, params in ((reverse("ideas:list"), {"sort": sort, "page": 990}),
                             ("/api/v1/ideas", {"sort": sort, "offset": 19780, "limit": 20})):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path, params)
            assert response.status_code == 200, (path, response.content[:300])
            plan = _plan(_page_query(queries.captured_queries))
            assert INDEX_OF_SORT[sort] in plan, (sort, path, plan)
            assert not _sorts_everything(plan), (sort, path, plan)
            assert "Incremental Sort" not in plan, plan  # the index ends on the key
            if path.startswith("/api"):
                shown = [item["id"] for item in response.json()["items"]]
            else:
                shown = [idea.pk for idea in response.context["page"].object_list]
            assert shown == expected, (sort, path)
