"""Broken input on the funding pages and API answers below 500 (the lead adds these addresses
to tests/test_bad_input.py as well), and the import never saves half a file."""

import json

import pytest
from django.db import transaction
from django.test import Client

LONG = "x" * 5000
HUGE = "99999999999999999999"
QUERIES = ["page=abc", "page=-1", f"page={HUGE}", "q=%00", "q=a%00b", f"q={LONG}",
           "state=%00", "state=nonsense", "focus_area=%00", "level=x", "applicant_type=%00",
           "q=%25%5F%5C", "limit=-1", f"offset={HUGE}", "until=2024-13-45", "all_states=x",
           "programme=%00"]
PAGES = ["/de/funding/", "/de/funding/calendar/", "/de/funding/programmes/",
         "/de/funding/calls/{slug}/", "/de/funding/programmes/horizont-europa/",
         "/de/funding/deadlines.ics", "/de/funding/feed/", "/de/funding/import/",
         "/de/funding/calls/new/", "/de/funding/calls/{slug}/edit/",
         "/api/v1/funding/calls", "/api/v1/funding/programmes", "/api/v1/funding/deadlines",
         "/api/v1/funding/calls/{slug}", "/api/v1/funding/follows"]
BAD_PATHS = ["/de/funding/calls/%00/", "/de/funding/calls/a%00b/edit/",
             "/de/funding/programmes/%00/", "/de/funding/feed/fcal_%00.ics",
             "/api/v1/funding/calls/%00", "/api/v1/funding/programmes/a%00b"]
FORMS = [{}, {"title_de": "\x00", "programme": "\x00", "state": "\x00",
              "total_budget": HUGE * 3, "funding_rate": "NaN", "deadline_single": "\x00",
              "eligible_types": ["\x00"], "rate_research": "1e400", "opens_on": "0000-00-00"},
         {"title_de": LONG, "min_amount": "-5", "max_amount": "1e308", "url": "javascript:x",
          "expected_grants": HUGE, "focus_areas": ["\x00", "abc"]},
         {"action": "confirm", "token": "\x00"}, {"action": "\x00"}]
JSON = ["", "{", "null", "[]", json.dumps({"title_de": "\x00"}),
        json.dumps({"programme": "\x00", "title_de": "x"}),
        json.dumps({"programme": "horizont-europa", "title_de": "x", "total_budget": "NaN"}),
        json.dumps({"programme": "horizont-europa", "title_de": "x", "total_budget": "1e400"}),
        json.dumps({"programme": "horizont-europa", "title_de": "x",
                    "rates": {"\x00": "5", "research": "abc"}}),
        json.dumps({"programme": "horizont-europa", "title_de": "x",
                    "deadlines": [{"stage": "x", "due_at": "9999-12-31T23:59:59"}]}),
        json.dumps({"programme": "horizont-europa", "title_de": "x",
                    "deadlines": [{"stage": "single", "due_at": "0001-01-01T00:00:00Z"}]}),
        json.dumps({"programme": "horizont-europa", "title_de": "x", "expected_grants": 10**30,
                    "eligible_types": [None], "focus_areas": [["x"]]}),
        json.dumps({"name_de": "\x00", "funder": "x", "level": "eu"})]


@pytest.fixture
def caller(coordinator):
    client = Client(raise_request_exception=False)
    client.force_login(coordinator, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _send(client, method, url, *args, **kwargs):
    savepoint = transaction.savepoint()
    response = getattr(client, method)(url, *args, **kwargs)
    if response.status_code >= 500:
        transaction.savepoint_rollback(savepoint)
    else:
        transaction.savepoint_commit(savepoint)
    return response


def test_broken_queries_paths_forms_and_json_answer_below_500(caller, funding_call):
    failures = []
    for page in PAGES:
        url = page.format(slug=funding_call.slug)
        for query in QUERIES:
            response = _send(caller, "get", f"{url}?{query}")
            if response.status_code >= 500:
                failures.append(f"GET {url}?{query}")
    for url in BAD_PATHS:
        if _send(caller, "get", url).status_code >= 500:
            failures.append(f"GET {url}")
    for page in ["/de/funding/calls/new/", "/de/funding/calls/{slug}/edit/",
                 "/de/funding/programmes/new/", "/de/funding/import/",
                 "/de/funding/calls/{slug}/follow/", "/de/funding/feed/"]:
        url = page.format(slug=funding_call.slug)
        for body in FORMS:
            if _send(caller, "post", url, body).status_code >= 500:
                failures.append(f"POST {url} {body!r:.60}")
    for method, url in [("post", "/api/v1/funding/calls"),
                        ("patch", f"/api/v1/funding/calls/{funding_call.slug}"),
                        ("post", "/api/v1/funding/programmes"),
                        ("patch", "/api/v1/funding/programmes/horizont-europa")]:
        for body in JSON:
            response = _send(caller, method, url, data=body, content_type="application/json")
            if response.status_code >= 500:
                failures.append(f"{method} {url} {body!r:.80}")
    assert failures == []


@pytest.mark.parametrize("body", [
    {"total_budget": "NaN"}, {"total_budget": "1e400"}, {"expected_grants": 10**30},
    {"deadlines": [{"stage": "single", "due_at": "0001-01-01T00:00:00Z"}]},
    {"rates": {"\x00": "5"}}])
def test_impossible_numbers_and_dates_are_422(call, token_for, coordinator, programme, body):
    response = call("POST", "/api/v1/funding/calls",
                    {"programme": "horizont-europa", "title_de": "x", **body},
                    key=token_for(coordinator))
    assert response.status_code == 422, response.content
