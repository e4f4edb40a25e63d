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


# Issue 14: compounds, -s plurals, "oder", snippets in the page's language, the types searched.

@pytest.fixture
def texts(run_on_commit, make_organisation):
    """Organisations whose descriptions hold compounds, their parts, and -s plurals."""
    descriptions = {
        "Kompositum A": "Wir erstellen Mobilitätskonzepte für Quartiere.",
        "Teile A": "Ein Konzept für die Mobilität im Stadtteil.",
        "Kompositum B": "Wir werten die Radverkehrszählstellen aus.",
        "Kompositum C": "Beratung zur Wärmeplanung und zu Gründächern.",
        "Teile C": "Die Planung der Wärme im Quartier.",
        "Kompositum D": "Eine offene Datenplattform der Stadtwerke.",
        "Teile D": "Eine Plattform für offene Daten.",
        "Plural A": "Wir bieten Workshops an.",
        "Singular A": "Ein Workshop für alle.",
        "Plural B": "Zwei Apps für Radfahrende.",
        "Singular B": "Eine App für den Bus.",
        "Plural C": "Mobilitätshubs in jedem Viertel.",
        "Singular C": "Ein Hub am Bahnhof.",
        "Plural D": "Weniger Autos vor Schulen.",
        "Singular D": "Das Auto bleibt stehen.",
    }
    with run_on_commit():
        for name, description in descriptions.items():
            make_organisation(name, description_de=description)


@pytest.mark.parametrize("q, expected", [
    # the parts find the compound
    ("Konzept", {"Kompositum A", "Teile A"}),
    ("Mobilität", {"Kompositum A", "Teile A", "Plural C"}),  # Mobilitätshubs
    ("Zählstelle", {"Kompositum B"}),
    ("Verkehr", {"Kompositum B"}),
    ("Dach", {"Kompositum C"}),
    ("Plattform", {"Kompositum D", "Teile D"}),
    # the compound finds all of its parts together (and itself, inflected)
    ("Mobilitätskonzept", {"Kompositum A", "Teile A"}),
    ("Wärmeplanungen", {"Kompositum C", "Teile C"}),
    ("Datenplattformen", {"Kompositum D", "Teile D"}),
    ("Zählstellen", {"Kompositum B"}),
])
def test_compounds_are_found_by_their_parts_and_the_parts_by_the_compound(texts, q, expected):
    assert set(titles(None, q)) == expected


@pytest.mark.parametrize("q, expected", [
    ("Workshops", {"Plural A", "Singular A"}),
    ("Workshop", {"Plural A", "Singular A"}),
    ("Apps", {"Plural B", "Singular B"}),
    ("App", {"Plural B", "Singular B"}),
    ("Hubs", {"Plural C", "Singular C"}),
    ("Hub", {"Plural C", "Singular C"}),
    ("Autos", {"Plural D", "Singular D"}),
    ("Auto", {"Plural D", "Singular D"}),
])
def test_loanword_plurals_in_s_match_their_singular_both_ways(texts, q, expected):
    assert set(titles(None, q)) == expected


@pytest.mark.parametrize("q, expected", [
    ("Workshop oder App", {"Plural A", "Singular A", "Plural B", "Singular B"}),
    ("Workshop ODER App", {"Plural A", "Singular A", "Plural B", "Singular B"}),
    ("Workshop or App", {"Plural A", "Singular A", "Plural B", "Singular B"}),
    ("Hub oder Auto oder Workshops", {"Plural A", "Singular A", "Plural C", "Singular C",
                                      "Plural D", "Singular D"}),
    ("oder Workshop", {"Plural A", "Singular A"}),
    ("Workshop oder", {"Plural A", "Singular A"}),
    # In quotes a word is not expanded; the index still knows Workshops as Workshop.
    ('"Workshop" oder "Auto"', {"Plural A", "Singular A", "Plural D", "Singular D"}),
    ('"offene Daten" oder Hub', {"Teile D", "Plural C", "Singular C"}),
    ("Plattform offene oder Workshop", {"Kompositum D", "Teile D"}),
])
def test_oder_means_or_on_both_databases(texts, q, expected):
    assert set(titles(None, q)) == expected


def test_compound_parts_do_not_open_members_only_results(world, run_on_commit, non_member,
                                                         member):
    """A members-only event found by a part of its compound title: still for members only."""
    from stadtallianz.events.models import Event

    group = world["group"]
    with run_on_commit():
        event = Event.objects.get(slug="geheimtreffen")
        event.title_de = "Haushaltsplanung der Gruppe"
        event.save()
    assert "Haushaltsplanung der Gruppe" in titles(member, "Planung")
    assert "Haushaltsplanung der Gruppe" not in titles(None, "Planung")
    assert "Haushaltsplanung der Gruppe" not in titles(non_member, "Planung")
    assert group.pk == event.group_id


def test_snippets_are_in_the_page_language_and_marked_when_not(db, run_on_commit, client):
    from stadtallianz.workinggroups.models import WorkingGroup

    with run_on_commit():
        WorkingGroup.objects.create(
            name_de="Zweisprachig", name_en="Bilingual", slug="zweisprachig",
            description_de="Wir planen Lastenräder für den Stadtteil.",
            description_en="We plan cargo bikes for the district.")
        WorkingGroup.objects.create(name_de="Nur Deutsch", slug="nur-deutsch",
                                    description_de="Lastenräder ohne Übersetzung.")
    german = client.get("/de/search/", {"q": "Lastenrad"}).content.decode()
    assert "<mark>Lastenräder</mark> für den Stadtteil" in german
    assert "cargo bikes" not in german and 'lang="de"' not in german.split("<main")[-1]
    english = client.get("/en/search/", {"q": "Lastenrad"}).content.decode()
    assert "We plan cargo bikes for the district." in english
    assert "für den Stadtteil" not in english
    # Content without an English text is shown in German, marked as such (title too).
    assert '<p class="snippet" lang="de"><mark>Lastenräder</mark> ohne Übersetzung.' in english
    assert 'lang="de">Nur Deutsch</a>' in english
    api = client.get("/api/v1/search", {"q": "Lastenrad", "lang": "en"}).json()
    assert {item["snippet"] for item in api["items"]} == {
        "We plan cargo bikes for the district.",
        "<mark>Lastenräder</mark> ohne Übersetzung."}


def test_snippets_do_not_repeat_sentences(db, run_on_commit, make_organisation):
    summary = "Solarstrom vom Dach direkt für alle Wohnungen."
    with run_on_commit():
        make_organisation("Wiederholung", description_de=(
            f"{summary}\n\n## Worum es geht\n\n{summary}\n\n## Wie\n\nMit Geduld."))
    [entry] = search(user=AnonymousUser(), q="Solarstrom")[0:10]
    assert entry.snippet.count("Solarstrom") == 1 and "Mit Geduld." in entry.snippet


def test_the_search_page_lists_every_type_it_searches(db, client):
    from stadtallianz.search.forms import SEARCHED_TYPES

    assert set(SEARCHED_TYPES) == set(Type.values)
    german = client.get("/de/search/").content.decode()
    lead = german.split('id="searched-types"')[1].split("</p>")[0]
    for name in ["Partner", "Arbeitsgruppen", "Diskussionen", "Veranstaltungen", "Beiträge",
                 "Dokumente", "Ideen", "Projekte", "Reallabore", "Förderaufrufe",
                 "Partnersuchen"]:
        assert name in lead
    english = client.get("/en/search/").content.decode()
    lead = english.split('id="searched-types"')[1].split("</p>")[0]
    for name in ["partners", "working groups", "discussions", "events", "articles",
                 "documents", "ideas", "projects", "living labs", "funding calls",
                 "partner searches"]:
        assert name in lead


def test_query_count_with_compounds_and_alternatives(world, make_organisation, run_on_commit,
                                                     client):
    def requests():
        client.get("/de/search/", {"q": "Zählstellen oder Workshops"})
        client.get("/en/search/", {"q": "Mobilitätskonzepte"})
        client.get("/api/v1/search", {"q": "Apps oder Zählstelle"})

    with run_on_commit():
        make_organisation("Zählstellen-Netzwerk 0", description_de="Radverkehrszählstellen")
    one = query_count(requests)
    with run_on_commit():
        for number in range(1, 11):
            make_organisation(f"Zählstellen-Netzwerk {number}",
                              description_de="Radverkehrszählstellen und Workshops")
    assert query_count(requests) == one
