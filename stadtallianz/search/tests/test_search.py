"""The search on the running database (the same tests pass on SQLite with FTS5 and on PostgreSQL
with the german configuration): stemming, ranking, snippets, filters, permissions, the page and
the API."""

import pytest
from django.contrib.auth.models import AnonymousUser

from stadtallianz.core.testing import query_count
from stadtallianz.search.models import SearchEntry
from stadtallianz.search.services import search

Type = SearchEntry.Type
SECRET = "Geheimprojekt"


def titles(user, q, **filters):
    return [entry.title for entry in search(user=user or AnonymousUser(), q=q, **filters)[0:100]]


def test_stemming_finds_inflected_forms(world):
    """A search for "Mobilitätskonzept" finds "Mobilitätskonzepte" and the other way round."""
    assert "Stadtwerke Beispielstadt" in titles(None, "Mobilitätskonzept")
    assert "Radwege am Ring" in titles(None, "Mobilitätskonzepte")
    assert "Radtag" in titles(None, "mobilitätskonzepten")
    assert "Verkehrswende" in titles(None, "Radweg")  # "Radwegen" in the description


def test_all_words_must_occur_and_stop_words_are_ignored(world):
    assert titles(None, "Mobilitätskonzept Quartier") == ["Stadtwerke Beispielstadt"]
    assert titles(None, "Mobilitätskonzept für Quartiere") == ["Stadtwerke Beispielstadt"]
    assert set(titles(None, "Mobilitätskonzept -Quartier")) == {
        "Radwege am Ring", "Radtag", "Leitfaden Mobilitätsstationen"}
    assert set(titles(None, "Wärmeplanung or Quartiere")) == {"Energie",
                                                              "Stadtwerke Beispielstadt"}
    assert titles(None, "und für die") == []


def test_a_title_match_ranks_above_a_text_match(world, make_organisation, run_on_commit):
    with run_on_commit():
        make_organisation("Zisternen Genossenschaft", description_de="Bürgerenergie.")
        make_organisation("Bürgerverein Nord", description_de="Wir planen eine Zisterne.")
    results = search(user=AnonymousUser(), q="Zisterne")[0:10]
    assert [entry.title for entry in results] == ["Zisternen Genossenschaft",
                                                  "Bürgerverein Nord"]
    assert results[0].rank > results[1].rank > 0


def test_snippets_mark_matches_and_escape_the_content(world):
    [entry] = search(user=AnonymousUser(), q="Mobilitätskonzept", type=Type.PARTNER)[0:10]
    assert "<mark>Mobilitätskonzepte</mark>" in entry.snippet
    assert "&lt;script&gt;" in entry.snippet and "<script>" not in entry.snippet


def test_filter_by_type_and_focus_area(world, areas):
    mobility, energy = areas
    assert titles(None, "Mobilitätskonzept", type=Type.EVENT) == ["Radtag"]
    assert set(titles(None, "Mobilitätskonzept", focus_area=mobility.slug)) == {
        "Stadtwerke Beispielstadt", "Radwege am Ring", "Radtag", "Leitfaden Mobilitätsstationen"}
    assert titles(None, "Mobilitätskonzept", focus_area=energy.slug) == []
    assert titles(None, "Wärmeplanung", focus_area=energy.slug) == ["Energie"]


def test_nothing_only_authors_or_moderators_see_is_found(world, coordinator):
    """Unconfirmed organisations and hidden posts are not in the index at all."""
    assert "Entwurf Mobilitätskonzept GmbH" not in titles(coordinator, "Mobilitätskonzept")
    assert titles(coordinator, "Quatschkopf") == []


GROUP_SECRETS = {"Interne Planung Geheimprojekt", "Geheimprojekt Treffen",
                 "Geheimprojekt Bericht", "Geheimprojekt Kalkulation",
                 "Geheimprojekt Folien zum Treffen"}
ALLIANCE_SECRETS = {"Geheimprojekt Runde aller Gruppen", "Geheimprojekt Folien der Runde"}


@pytest.mark.parametrize("role, expected", [
    (None, set()),
    ("citizen", set()),
    ("partner_member", set()),
    ("non_member", ALLIANCE_SECRETS),
    ("member", GROUP_SECRETS | ALLIANCE_SECRETS),
    ("lead", GROUP_SECRETS | ALLIANCE_SECRETS),
    ("coordinator", GROUP_SECRETS | ALLIANCE_SECRETS),
])
def test_members_only_results_only_for_members(world, request, role, expected, client_for):
    """Members-only threads, events, articles and documents of a group (and documents of a
    members-only event) are found by its members and the coordinator; alliance-wide
    members-only events by the members of any group; drafts by nobody. The page and the API
    show the same."""
    user = request.getfixturevalue(role) if role else None
    assert set(titles(user, SECRET)) == expected
    client = client_for(user)
    page = client.get("/de/search/", {"q": SECRET}).content.decode()
    assert {title for title in GROUP_SECRETS | ALLIANCE_SECRETS if title in page} == expected
    assert "Entwurf" not in page
    answer = client.get("/api/v1/search", {"q": SECRET}).json()
    assert {item["title"] for item in answer["items"]} == expected
    assert answer["count"] == len(expected)


def test_cancelled_events_are_found(world):
    assert titles(None, "Fahrradreparatur") == ["Fahrradreparatur abgesagt"]


def test_search_page_states(world, client):
    page = client.get("/de/search/")
    assert page.status_code == 200
    assert "Geben Sie ein oder mehrere Wörter ein" in page.content.decode()
    page = client.get("/de/search/", {"q": "Zzyzxwort"}).content.decode()
    assert "0 Ergebnisse" in page and "Nichts gefunden" in page
    page = client.get("/de/search/", {"q": "Mobilitätskonzept"}).content.decode()
    assert '<a href="/de/partners/' in page and "<mark>Mobilitätskonzepte</mark>" in page
    assert "Partner" in page and "Veranstaltung" in page and "Diskussion" in page
    english = client.get("/en/search/", {"q": "Mobilitätskonzept"}).content.decode()
    assert '<a href="/en/partners/' in english and "Discussion" in english


def test_search_page_htmx_returns_the_results_only(world, client):
    response = client.get("/de/search/", {"q": "Radtag"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and 'id="result-count"' in body and "Radtag" in body


def test_search_page_bad_input_is_shown_next_to_the_field(world, client):
    response = client.get("/de/search/", {"q": "x" * 201, "type": "unknown"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_q_error"' in body and 'id="id_type_error"' in body
    assert 'class="search-result"' not in body
    response = client.get("/de/search/", {"q": "Rad\x00weg"})
    assert response.status_code == 200 and 'id="id_q_error"' in response.content.decode()


def test_header_has_a_labelled_search_field(client, db):
    body = client.get("/de/").content.decode()
    assert 'action="/de/search/"' in body and 'for="header-search-q"' in body


def test_pagination(world, make_organisation, run_on_commit, client):
    with run_on_commit():
        for number in range(25):
            make_organisation(f"Seitentest {number}", description_de="Zählstelle")
    first = client.get("/de/search/", {"q": "Zählstellen"}).content.decode()
    assert "25 Ergebnisse" in first and 'rel="next"' in first
    second = client.get("/de/search/", {"q": "Zählstellen", "page": 2}).content.decode()
    assert second.count('class="search-result"') == 5


def test_api_search(world, client):
    answer = client.get("/api/v1/search", {"q": "Mobilitätskonzept", "type": "thread"}).json()
    assert answer["count"] == 1
    [item] = answer["items"]
    assert item["type"] == "thread" and item["title"] == "Radwege am Ring"
    assert item["url"].endswith(world["public_thread"].get_absolute_url())
    assert "<mark>Mobilitätskonzept</mark>" in item["snippet"] and item["rank"] > 0
    english = client.get("/api/v1/search", {"q": "Radtag", "lang": "en"}).json()
    assert english["items"][0]["title"] == "Cycling day"
    assert "/en/events/radtag/" in english["items"][0]["url"]
    paged = client.get("/api/v1/search", {"q": "Mobilitätskonzept", "limit": 1,
                                          "offset": 1}).json()
    assert paged["count"] == 4 and len(paged["items"]) == 1


@pytest.mark.parametrize("params, field", [
    ({}, "q"),
    ({"q": "   "}, "q"),
    ({"q": "x" * 201}, "q"),
    ({"q": "Rad", "type": "unknown"}, "type"),
    ({"q": "Rad", "focus_area": "no-such-area"}, "focus_area"),
    ({"q": "Rad", "limit": 0}, "limit"),
    ({"q": "Rad", "offset": -1}, "offset"),
    ({"q": "Rad\x00"}, "q"),
])
def test_api_bad_input_is_422_naming_the_field(db, client, params, field):
    response = client.get("/api/v1/search", params)
    assert response.status_code == 422
    assert field in [item["loc"][-1] for item in response.json()["detail"]]


def test_query_count_does_not_grow_with_results(world, make_organisation, run_on_commit,
                                                client_for, member):
    client = client_for(member)

    def requests():
        client.get("/de/search/", {"q": "Zählstelle"})
        client.get("/api/v1/search", {"q": "Zählstelle"})

    with run_on_commit():
        make_organisation("Zählstelle 0", description_de="Zählstelle")
    one = query_count(requests)
    with run_on_commit():
        for number in range(1, 11):
            make_organisation(f"Zählstelle {number}", description_de="Zählstelle")
    assert query_count(requests) == one


def test_many_results_are_capped_and_title_matches_stay_ranked_first(
        world, make_organisation, run_on_commit, client, monkeypatch):
    """Beyond MAX_RESULTS matches the search says there are more, shows the best MAX_RESULTS,
    and a title match is among them even when it was written last."""
    from stadtallianz.search import services

    monkeypatch.setattr(services, "MAX_RESULTS", 3)
    with run_on_commit():
        for number in range(6):
            make_organisation(f"Verein {number}", description_de="Wir betreiben Zählstellen.")
        make_organisation("Zählstellen-Netzwerk", description_de="Offene Daten.")
    results = search(user=AnonymousUser(), q="Zählstelle")
    assert results.count() == 3 and results.more
    entries = results[0:20]
    assert len(entries) == 3 and entries[0].title == "Zählstellen-Netzwerk"
    page = client.get("/de/search/", {"q": "Zählstelle"}).content.decode()
    assert "Mehr als 3 Ergebnisse" in page
    answer = client.get("/api/v1/search", {"q": "Zählstelle"}).json()
    assert answer["count"] == 3 and answer["more"] is True and len(answer["items"]) == 3
    assert client.get("/api/v1/search", {"q": "Radtag"}).json()["more"] is False


def test_the_index_is_read_only_in_the_admin(world, client_for, superuser):
    client = client_for(superuser)
    listing = client.get("/de/admin/search/searchentry/")
    assert listing.status_code == 200 and "Radwege am Ring" in listing.content.decode()
    assert client.get("/de/admin/search/searchentry/add/").status_code == 403


def test_api_with_a_token_finds_what_the_person_may_see(world, client, member):
    from stadtallianz.accounts.models import ApiToken

    _token, key = ApiToken.issue(user=member, name="search")
    bearer = {"Authorization": f"Bearer {key}"}
    answer = client.get("/api/v1/search", {"q": SECRET}, headers=bearer).json()
    assert {item["title"] for item in answer["items"]} == GROUP_SECRETS | ALLIANCE_SECRETS
    refused = client.get("/api/v1/search", {"q": SECRET},
                         headers={"Authorization": "Bearer sta_unknown"})
    assert refused.status_code == 401
