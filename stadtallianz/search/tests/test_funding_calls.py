"""Funding calls in the search (issue 15): found by inflected German words, by their source
identifier, programme, funder, keywords and focus areas; the index follows a call's edits, its
focus areas and its programme's name. Joint applications are never in the index: a consortium's
title and budget are confidential (only the consortium and the coordination office see them).
"""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from stadtallianz.core.testing import query_count
from stadtallianz.funding.models import Call, Deadline
from stadtallianz.proposals import services as proposals
from stadtallianz.proposals.tests.conftest import (  # noqa: F401 - fixtures
    application,
    as_user,
    funding_call,
    make_call,
    other_organisation,
    outsider_admin,
    programme,
    project,
)
from stadtallianz.search.index import rebuild, reindex, reindex_of, reindex_with_dependents
from stadtallianz.search.models import SearchEntry
from stadtallianz.search.services import search

Type = SearchEntry.Type
TOPIC = "HORIZON-CL5-2026-09-D4-03"


def found(q, user=None, **filters):
    return [entry.title for entry in search(user=user or AnonymousUser(), q=q, **filters)[0:50]]


@pytest.fixture
def horizon_call(programme, run_on_commit, areas):  # noqa: F811
    mobility, _energy = areas
    with run_on_commit():
        call = Call.objects.create(
            programme=programme, slug="horizon-cl5", source=Call.Source.EU_FT, source_id=TOPIC,
            title_de="Klimaneutrale Quartiere durch geteilte Mobilität",
            title_en="Climate-neutral districts through shared mobility",
            summary_de="Gefördert werden **Mobilitätsstationen** in dicht bebauten "
                       "Stadtquartieren.",
            summary_en="Funding for mobility hubs in dense urban districts.",
            keywords="Sharing, Lastenräder, Ladeinfrastruktur", region="EU")
        call.focus_areas.add(mobility)
    return call


def test_a_call_is_found_by_inflected_german_words_and_in_english(horizon_call, client):
    title = horizon_call.title_de
    assert found("Mobilitätsstation") == [title]  # "Mobilitätsstationen" in the summary
    assert found("klimaneutralen Quartieren") == [title]
    assert found("Lastenrad") == [title]  # a keyword, by its singular
    assert found("Stadtquartier") == [title]
    assert found("mobility hubs") == [title]
    page = client.get("/en/search/", {"q": "mobility hubs"}).content.decode()
    assert "<mark>mobility</mark> <mark>hubs</mark>" in page
    assert "Climate-neutral districts through shared mobility" in page


@pytest.mark.parametrize("q", [TOPIC, TOPIC.lower(), f'"{TOPIC}"', "HORIZON-CL5-2026-09"])
def test_a_call_is_found_by_its_source_identifier(horizon_call, q):
    assert found(q) == [horizon_call.title_de]


@pytest.mark.parametrize("q", ["DIGITAL-2027-CLOUD-AI-07-LDT", "2027-CLOUD-AI-07",
                               "digital-2027-cloud-ai-07-ldt"])
def test_an_identifier_with_a_hyphenated_part_is_found(make_call, run_on_commit, q):  # noqa: F811
    """PostgreSQL reads "CLOUD-AI" as one word before its parts and "-2027" as a number; the
    index keeps the identifier's words in a row on both databases."""
    with run_on_commit():
        make_call(title_de="Lokale digitale Zwillinge", source_id="DIGITAL-2027-CLOUD-AI-07-LDT")
    assert found(q) == ["Lokale digitale Zwillinge"]
    assert found("DIGITAL-2027-CLOUD-AI-08-LDT") == []


def test_another_source_identifier_does_not_find_the_call(horizon_call):
    assert found("HORIZON-CL5-2026-09-D4-04") == []
    assert found("HORIZON-CL6-2026") == []


def test_a_call_is_found_by_programme_funder_and_focus_area(horizon_call, areas):
    mobility, energy = areas
    title = horizon_call.title_de
    assert found("Modellprojekte Smart Cities") == [title]
    assert found("Bundesministerium Wohnen", type=Type.CALL) == [title]
    assert found("Mobilitätsstationen", focus_area=mobility.slug) == [title]
    assert found("Mobilitätsstationen", focus_area=energy.slug) == []
    assert found("Mobilitätsstationen", type=Type.CALL) == [title]
    assert found("Mobilitätsstationen", type=Type.PROJECT) == []


def test_the_index_follows_the_call_its_focus_areas_and_its_programme(
        horizon_call, run_on_commit, areas, programme):  # noqa: F811
    mobility, energy = areas
    with run_on_commit():
        horizon_call.summary_de = "Gefördert werden Wärmenetze."
        horizon_call.save()
    assert found("Mobilitätsstation") == [] and found("Wärmenetz") == [horizon_call.title_de]
    with run_on_commit():
        horizon_call.focus_areas.set([energy])
    assert found("Wärmenetz", focus_area=energy.slug) == [horizon_call.title_de]
    assert found("Wärmenetz", focus_area=mobility.slug) == []
    with run_on_commit():
        programme.name_de = "Zukunftsstadt Förderprogramm"
        programme.funder = "Landesministerium Beispielland"
        programme.save()
    assert found("Zukunftsstadt") == [horizon_call.title_de]
    assert found("Landesministerium") == [horizon_call.title_de]
    assert found("Modellprojekte") == []
    with run_on_commit():
        horizon_call.delete()
    assert found("Wärmenetz") == []
    assert not SearchEntry.objects.filter(type=Type.CALL).exists()


def test_closed_calls_stay_findable_and_deadlines_do_not_reindex(
        horizon_call, run_on_commit, django_capture_on_commit_callbacks):
    """Calls are public information, closed ones too; a deadline is not in the entry, so
    saving one schedules no reindex."""
    with run_on_commit():
        horizon_call.state = Call.State.CLOSED
        horizon_call.save()
    assert found(TOPIC) == [horizon_call.title_de]
    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Deadline.objects.create(call=horizon_call, due_at=timezone.now())
    assert not [callback for callback in callbacks
                if getattr(callback, "func", None) in (reindex, reindex_of,
                                                       reindex_with_dependents)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        horizon_call.save()
    assert [callback.func for callback in callbacks
            if getattr(callback, "func", None) is reindex] == [reindex]


def test_search_page_and_api_filter_by_the_call_type(horizon_call, client):
    page = client.get("/de/search/", {"q": "Mobilitätsstationen", "type": "call"})
    assert page.status_code == 200
    html = page.content.decode()
    assert horizon_call.title_de in html and "Förderaufruf</span>" in html
    assert 'value="call" selected' in html
    answer = client.get("/api/v1/search", {"q": TOPIC, "type": "call"}).json()
    assert [item["type"] for item in answer["items"]] == ["call"]
    assert answer["items"][0]["url"].endswith(horizon_call.get_absolute_url())
    assert client.get("/api/v1/search", {"q": TOPIC, "type": "notice"}).json()["count"] == 0


def test_query_count_does_not_grow_with_calls(world, make_call, run_on_commit,  # noqa: F811
                                              client_for, member):
    client = client_for(member)

    def requests():
        client.get("/de/search/", {"q": "Zählstelle"})
        client.get("/de/search/", {"q": "Zählstelle", "type": "call"})
        client.get("/api/v1/search", {"q": "Zählstelle"})

    with run_on_commit():
        make_call(title_de="Zählstelle 0", summary_de="Zählstellen")
    one = query_count(requests)
    with run_on_commit():
        for number in range(1, 11):
            make_call(title_de=f"Zählstelle {number}", summary_de="Zählstellen")
    assert query_count(requests) == one


# ---------------------------------------------------------------------------------------------
# Joint applications are never searchable

APPLICATION_TITLE = "Quartiersbus im Kreuzviertel"
# The application fixture's budget: amounts, requested sums and their totals.
RESULT_RE = re.compile(r'<h2><a href="([^"]+)"[^>]*>([^<]*)</a></h2>')
BUDGET_FIGURES = ["100000", "70000", "20000", "14000", "120000", "84000", "100.000", "70.000,00"]


@pytest.fixture
def published_application(request, run_on_commit, partner_admin):
    """The consortium's application, published (others see that it exists, never its
    budget), with every index update run; then the index written anew as well."""
    with run_on_commit():
        application = request.getfixturevalue("application")
        proposals.application_update(actor=partner_admin, application=application,
                                     data={"published": True})
    return application


@pytest.mark.parametrize("role", [None, "citizen", "partner_member", "partner_admin",
                                  "other_admin", "outsider_admin", "coordinator"])
def test_an_application_and_its_budget_are_never_found(published_application, request,
                                                       role, client_for):
    user = request.getfixturevalue(role) if role else None
    client = client_for(user)
    link = published_application.get_absolute_url()
    for _rebuilt in (False, True):
        for q in [APPLICATION_TITLE, f'"{APPLICATION_TITLE}"', *BUDGET_FIGURES]:
            results = search(user=user or AnonymousUser(), q=q)[0:100]
            assert APPLICATION_TITLE not in [entry.title for entry in results]
            assert link not in [entry.url for entry in results]
            page = client.get("/de/search/", {"q": q}).content.decode()
            shown = RESULT_RE.findall(page)  # (address, title) of each result
            assert not [hit for hit in shown if hit[0] == link or hit[1] == APPLICATION_TITLE]
            assert f'href="{link}"' not in page
            answer = client.get("/api/v1/search", {"q": q}).json()
            assert not [item for item in answer["items"] if link in item["url"]]
        for figure in BUDGET_FIGURES:
            assert found(figure, user=user) == []
        # The search works: the project the application is for is public and found.
        page = client.get("/de/search/", {"q": "Quartiersbus"}).content.decode()
        assert [title for _link, title in RESULT_RE.findall(page)] == [
            "Quartiersbus Kreuzviertel"]
        rebuild()
    assert not SearchEntry.objects.filter(text__contains="Quartiersbus im").exists()
    assert not SearchEntry.objects.filter(title_de=APPLICATION_TITLE).exists()
    assert published_application.members.count() == 2  # the budget is there, just not found
    assert sum(line.amount for member in published_application.members.all()
               for line in member.budget_lines.all()) == Decimal("120000")
