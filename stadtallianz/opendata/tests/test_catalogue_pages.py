"""The public catalogue pages (views_catalogue): who sees which dataset on the list and on its
page, search, filters with facet counts, order and pages, the query count of the list, the
dataset page's facts, distributions, previews and API requests, and withdrawn lab datasets."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from stadtallianz.core.models import FocusArea
from stadtallianz.core.testing import query_count
from stadtallianz.livinglabs.tests.conftest import (  # noqa: F401 - fixtures
    PUBLIC_VALUE,
    RESTRICTED_VALUE,
    SHOWN_COUNT,
    WITHHELD_COUNT,
    streams,
)
from stadtallianz.opendata.models import Dataset, Distribution
from stadtallianz.sensorthings.tests.conftest import lab, make_datastream  # noqa: F401

pytestmark = pytest.mark.django_db

CATALOGUE = "/de/data/"
State = Dataset.State


def page_of(slug: str, language: str = "de") -> str:
    return f"/{language}/data/datasets/{slug}/"


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def partner_sets(make_dataset, organisation, make_organisation):
    """One partner dataset of `organisation` in each review state, and a published one of
    another organisation."""
    sets = {state: make_dataset(title_de=f"Angebot {state.label}", title_en=f"Offer {state}",
                                slug=f"angebot-{state}", state=state, publisher=organisation)
            for state in (State.DRAFT, State.SUBMITTED, State.REJECTED, State.PUBLISHED)}
    sets["other"] = make_dataset(title_de="Fremdes Angebot", slug="fremd",
                                 publisher=make_organisation("Andere Stadtwerke"))
    return sets


HIDDEN_STATES = (State.DRAFT, State.SUBMITTED, State.REJECTED)


@pytest.mark.parametrize("who", ["anonymous", "citizen", "other_admin"])
def test_unpublished_partner_datasets_are_invisible_to_the_public_and_other_organisations(
        client_for, partner_sets, who, request):
    client = client_for(None if who == "anonymous" else request.getfixturevalue(who))
    listed = text(client.get(CATALOGUE))
    assert "Angebot Veröffentlicht" in listed and "Fremdes Angebot" in listed
    for state in HIDDEN_STATES:
        assert f"Angebot {state.label}" not in listed
        assert client.get(page_of(f"angebot-{state}")).status_code == 404
    assert client.get(page_of("angebot-published")).status_code == 200
    # Searching for them finds nothing either.
    assert "Angebot Entwurf" not in text(client.get(CATALOGUE + "?q=Entwurf"))


@pytest.mark.parametrize("who", ["partner_member", "partner_admin", "coordinator"])
def test_the_own_organisation_and_the_office_see_unpublished_datasets(client_for, partner_sets,
                                                                      who, request):
    client = client_for(request.getfixturevalue(who))
    listed = text(client.get(CATALOGUE))
    for state in HIDDEN_STATES:
        assert f"Angebot {state.label}" in listed
        response = client.get(page_of(f"angebot-{state}"))
        assert response.status_code == 200
        # The page says it is not public.
        assert "Nicht öffentlich" in text(response)
    assert "Nicht öffentlich" not in text(client.get(page_of("angebot-published")))


def test_an_unknown_dataset_is_404(client):
    assert client.get(page_of("gibt-es-nicht")).status_code == 404


def test_cards_show_publisher_themes_formats_licence_and_date(client, make_dataset,
                                                              organisation):
    make_dataset(title_de="Radzählungen", publisher=organisation, themes=["TRAN", "ENVI"],
                 licence="cc-by/4.0", modified=datetime(2026, 12, 12, 11, tzinfo=UTC),
                 distributions=[("CSV", "/a.csv"), ("JSON", "/a.json"), ("CSV", "/b.csv")])
    page = text(client.get(CATALOGUE))
    card = page[page.index("Radzählungen"):]
    card = card[:card.index("</li>\n</ul>") if "</li>\n</ul>" in card else len(card)]
    assert "Stadtwerke Beispielstadt" in card
    assert "Verkehr" in card and "Umwelt" in card
    assert "CSV, JSON" in card  # each format once
    assert "Creative Commons Namensnennung – 4.0 International" in card
    assert "12. Dezember 2026" in card
    english = text(client.get("/en/data/"))
    assert "12 December 2026" in english and "Transport" in english
    assert "Creative Commons Attribution 4.0 International" in english


def test_the_platform_datasets_publisher_is_the_alliance(client, make_dataset, settings):
    make_dataset(title_de="Partnerverzeichnis", kind=Dataset.Kind.PLATFORM, publisher=None,
                 platform_key="partners", slug="partner")
    assert settings.SITE_NAME in text(client.get(CATALOGUE))
    assert settings.SITE_NAME in text(client.get(page_of("partner")))


def test_search_finds_title_description_and_keywords_in_either_language(client, make_dataset):
    make_dataset(title_de="Luftqualität Promenade", title_en="Air quality", slug="luft",
                 description_de="Feinstaub.", keywords=["Stickoxide"])
    make_dataset(title_de="Parkhäuser", title_en="Car parks", slug="park",
                 description_de="Freie Plätze in den Parkhäusern.", keywords=["Straße"])
    assert "Luftqualität" in text(client.get(CATALOGUE + "?q=luftqualität"))
    assert "Parkhäuser" not in text(client.get(CATALOGUE + "?q=luftqualität"))
    assert "Luftqualität" in text(client.get(CATALOGUE + "?q=air+QUALITY"))
    assert "Luftqualität" in text(client.get(CATALOGUE + "?q=feinstaub"))
    assert "Luftqualität" in text(client.get(CATALOGUE + "?q=stickoxide"))
    found = text(client.get(CATALOGUE + "?q=Straße"))  # a keyword with a non-ASCII letter
    assert "Parkhäuser" in found and "Luftqualität" not in found
    # Every word must occur.
    assert "Luftqualität" not in text(client.get(CATALOGUE + "?q=feinstaub+parkhaus"))
    empty = text(client.get(CATALOGUE + "?q=quokka"))
    assert "Kein Datensatz passt" in empty and 'href="/de/data/"' in empty


def _options(page: str, name: str) -> dict[str, str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return {value: re.sub(r"\s+", " ", label).strip() for value, label in
            re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select, re.S)}


def test_filters_narrow_the_list_and_facets_count_what_each_value_finds(
        client, make_dataset, organisation, make_organisation):
    mobility = FocusArea.objects.get(slug="mobility")
    other = make_organisation("Verkehrsverbund")
    bikes = make_dataset(title_de="Räder", slug="raeder", themes=["TRAN"],
                         publisher=organisation, licence="cc-by/4.0",
                         distributions=[("CSV", "/r.csv")])
    bikes.focus_areas.add(mobility)
    make_dataset(title_de="Busse", slug="busse", themes=["TRAN"], publisher=other,
                 distributions=[("JSON", "/b.json")])
    make_dataset(title_de="Strom", slug="strom", themes=["ENER", "ENVI"],
                 publisher=organisation, distributions=[("CSV", "/s.csv")])
    make_dataset(title_de="Projektliste", slug="projektliste", kind=Dataset.Kind.PLATFORM,
                 platform_key="projects", publisher=None, themes=["REGI"],
                 distributions=[("CSV", "/p.csv"), ("JSON", "/p.json")])

    def titles(query):
        page = text(client.get(CATALOGUE + query))
        return {title for title in ("Räder", "Busse", "Strom", "Projektliste")
                if f">{title}</a>" in page}, page

    found, page = titles("")
    assert found == {"Räder", "Busse", "Strom", "Projektliste"}
    assert _options(page, "theme")["TRAN"] == "Verkehr (2)"
    assert _options(page, "format") == {"": "Alle Formate", "CSV": "CSV (3)",
                                         "JSON": "JSON (2)"}
    assert _options(page, "publisher")[organisation.slug] == "Stadtwerke Beispielstadt (2)"
    assert _options(page, "kind")["platform"] == "Offene Daten der Allianz (1)"

    found, page = titles("?theme=TRAN")
    assert found == {"Räder", "Busse"}
    # The theme's own facet still counts every theme; the others count within Verkehr.
    assert _options(page, "theme")["ENER"] == "Energie (1)"
    assert _options(page, "format") == {"": "Alle Formate", "CSV": "CSV (1)", "JSON": "JSON (1)"}
    assert titles("?theme=TRAN&format=CSV")[0] == {"Räder"}
    assert titles(f"?publisher={organisation.slug}")[0] == {"Räder", "Strom"}
    assert titles("?publisher=alliance")[0] == {"Projektliste"}
    assert titles("?kind=platform")[0] == {"Projektliste"}
    assert titles("?licence=cc-by/4.0")[0] == {"Räder"}
    found, page = titles("?focus_area=mobility")
    assert found == {"Räder"}
    assert _options(page, "focus_area")["mobility"] == "Mobilität (1)"
    # A chosen value that finds nothing stays chosen, with 0.
    found, page = titles("?theme=AGRI")
    assert found == set()
    assert _options(page, "theme")["AGRI"].endswith("(0)")
    # A value outside the vocabulary is refused next to its field and ignored.
    response = client.get(CATALOGUE + "?theme=NOPE")
    assert response.status_code == 200
    assert titles("?theme=NOPE")[0] == {"Räder", "Busse", "Strom", "Projektliste"}
    assert 'id="id_theme_error"' in text(response)


def test_order_by_last_change_or_title(client, make_dataset):
    now = timezone.now()
    make_dataset(title_de="Alpha", slug="a", modified=now - timedelta(days=3))
    make_dataset(title_de="beta", slug="b", modified=now)
    make_dataset(title_de="Gamma", slug="c", modified=now - timedelta(days=1))
    page = text(client.get(CATALOGUE))
    assert page.index(">beta<") < page.index(">Gamma<") < page.index(">Alpha<")
    page = text(client.get(CATALOGUE + "?sort=title"))
    assert page.index(">Alpha<") < page.index(">beta<") < page.index(">Gamma<")
    # In English by the English title, the German one where there is none.
    Dataset.objects.filter(slug="c").update(title_en="Aardvark")
    Dataset.objects.filter(slug="a").update(title_en="")
    page = text(client.get("/en/data/?sort=title"))
    beta = re.search(r">Dataset \d+</a>", page).start()
    assert page.index(">Aardvark<") < page.index(">Alpha<") < beta


def test_pages_of_twenty(client, make_dataset):
    for number in range(25):
        make_dataset(title_de=f"Reihe {number:02d}", slug=f"reihe-{number}")
    first = text(client.get(CATALOGUE + "?sort=title"))
    assert "25 Datensätze" in first
    assert "Reihe 19" in first and "Reihe 20" not in first
    assert 'href="?sort=title&amp;page=2"' in first
    second = text(client.get(CATALOGUE + "?sort=title&page=2"))
    assert "Reihe 20" in second and "Reihe 19" not in second


def test_the_catalogue_query_count_does_not_grow_with_the_datasets(client_for, make_dataset,
                                                                   organisation,
                                                                   partner_member):
    client = client_for(partner_member)
    area = FocusArea.objects.get(slug="energy")

    def add(count):
        for _ in range(count):
            dataset = make_dataset(publisher=organisation, themes=["ENER"],
                                   distributions=[("CSV", "/x.csv"), ("JSON", "/x.json")])
            dataset.focus_areas.add(area)

    def load():
        assert client.get(CATALOGUE + "?theme=ENER&sort=title").status_code == 200

    def search():
        assert "Datensatz" in text(client.get(CATALOGUE + "?q=datensatz&format=CSV"))

    add(2)
    few, few_searched = query_count(load), query_count(search)
    add(18)
    assert query_count(load) == few and query_count(search) == few_searched
    assert few <= 16
    # The text search runs once; the count, the page and the facets read what it found.
    assert few_searched == few + 1


def test_the_catalogue_links_to_the_machine_readable_catalogue(client):
    page = text(client.get(CATALOGUE))
    assert '<link rel="alternate" type="text/turtle" href="/dcat/catalog.ttl"' in page
    for path in ("/dcat/catalog.ttl", "/dcat/catalog.rdf", "/dcat/catalog.jsonld",
                 "/api/3/action/package_search"):
        assert f'href="{path}"' in page
    assert "Es wurden noch keine Datensätze veröffentlicht." in page


def test_the_dataset_page_shows_its_facts(client, make_dataset, organisation):
    make_dataset(
        title_de="Radverkehr", slug="rad", publisher=organisation, licence="dl-zero-de/2.0",
        description_de="## Methode\n\nGezählt **stündlich**.\n\n<script>alert(1)</script>",
        themes=["TRAN"], keywords=["Fahrrad", "Zählstelle"], accrual_periodicity="HOURLY",
        temporal_start=date(2026, 1, 1), temporal_end=date(2026, 6, 30),
        issued=datetime(2026, 2, 1, 9, tzinfo=UTC),
        distributions=[("CSV", "/de/data/rad.csv"), ("PDF", "javascript:alert(1)")])
    page = text(client.get(page_of("rad")))
    assert "<h3>Methode</h3>" in page and "<strong>stündlich</strong>" in page
    assert "<script>alert(1)" not in page
    assert f'href="{organisation.get_absolute_url()}"' in page
    assert 'href="mailto:opendata@example.org"' in page
    assert 'href="https://www.govdata.de/dl-de/zero-2-0" rel="license"' in page
    assert "Datenlizenz Deutschland – Zero – Version 2.0" in page
    assert "Fahrrad" in page and "Zählstelle" in page and "stündlich" in page
    assert "1. Januar 2026 – 30. Juni 2026" in page
    assert "1. Februar 2026" in page
    assert "Regionalschlüssel 055150000000" in page
    # Distributions: a path on this site is a link; an address that is no http(s) is not.
    assert 'href="/de/data/rad.csv" type="text/csv"' in page
    assert "javascript:" not in page
    # Ready-made requests and the DCAT record.
    assert "curl &#x27;http://" in page or "curl 'http://" in page
    assert "/api/3/action/package_show?id=rad" in page
    assert "/dcat/datasets/rad.ttl" in page
    assert '<link rel="alternate" type="text/turtle"' in page
    english = text(client.get(page_of("rad", "en")))
    assert "1 January 2026 – 30 June 2026" in english and "hourly" in english
    # The German-only description is marked as German on the English page.
    assert '<h1>Dataset' in english  # make_dataset gives an English title
    assert '<div lang="de">' in english


def test_a_german_only_title_is_marked_on_english_pages(client, make_dataset):
    make_dataset(title_de="Nur Deutsch", title_en="", slug="nur-de")
    assert '<h1 lang="de">Nur Deutsch</h1>' in text(client.get(page_of("nur-de", "en")))
    assert 'lang="de">Nur Deutsch</a>' in text(client.get("/en/data/"))
    assert '<h1>Nur Deutsch</h1>' in text(client.get(page_of("nur-de")))


def test_a_publisher_that_left_is_named_without_a_link(client, make_dataset, make_organisation):
    from stadtallianz.partners.models import Organisation

    gone = make_organisation("Ehemalige GmbH", status=Organisation.Status.WITHDRAWN)
    make_dataset(slug="alt", publisher=gone)
    page = text(client.get(page_of("alt")))
    assert "Ehemalige GmbH" in page and f'href="{gone.get_absolute_url()}"' not in page


# Lab datasets -------------------------------------------------------------------------------

@pytest.fixture
def lab_dataset(make_dataset, lab, streams):  # noqa: F811
    """A lab dataset of the public and the aggregated datastream, and (as a broken sync might
    leave it) the restricted one too."""
    dataset = make_dataset(kind=Dataset.Kind.LAB, lab=lab, slug="aasee-messwerte",
                           title_de="Messwerte Reallabor Aasee", publisher=lab.operator,
                           distributions=[("CSV", "/de/data/aasee.csv")])
    dataset.datastreams.add(*streams.values())
    return dataset


@pytest.mark.parametrize("who", [None, "partner_admin", "coordinator"])
def test_a_lab_datasets_preview_never_shows_a_restricted_datastream(client_for, lab_dataset,
                                                                    streams, who, request):  # noqa: F811
    # The lab's operator's admin is an insider of the lab: the lab page shows them the
    # restricted datastream, the open-data page never.
    user = request.getfixturevalue(who) if who else None
    page = text(client_for(user).get(page_of("aasee-messwerte")))
    assert "Wassertemperatur" in page and "Radzählung" in page
    assert "21,5" in page  # the public value, in the chart's table
    assert "Geheimsensor Quokka" not in page
    assert "987,5" not in page and f"Datastreams({streams['restricted'].pk})" not in page
    # The aggregated datastream: its window and k said, the window below k withheld.
    assert "Zeitfenster von 1 Stunde" in page and "weniger als 20 Personen" in page
    assert str(SHOWN_COUNT) in page and f">{WITHHELD_COUNT}<" not in page
    # The SensorThings requests name the shown datastreams, never the restricted one.
    assert f"/sta/v1.1/Datastreams({streams['public'].pk})/Observations" in page
    named = {int(pk) for pk in re.findall(r"id%20eq%20(\d+)", page)}
    assert named == {streams["public"].pk, streams["counts"].pk}
    # The map of the places, with its list; the living lab linked.
    assert 'data-geojson="dataset-places"' in page and "Boje im See" in page
    assert 'href="/de/living-labs/aasee/"' in page


def test_the_lab_datasets_page_counts_queries_independent_of_its_datastreams(
        client, lab_dataset, lab, make_datastream):  # noqa: F811
    def load():
        assert client.get(page_of("aasee-messwerte")).status_code == 200

    few = query_count(load)
    for number in range(3):
        lab_dataset.datastreams.add(make_datastream(lab, name=f"Pegel {number}"))
    assert query_count(load) == few


def test_a_withdrawn_lab_dataset_answers_410(client_for, lab_dataset, coordinator):
    Dataset.objects.filter(pk=lab_dataset.pk).update(state=State.WITHDRAWN)
    for user in (None, coordinator):
        response = client_for(user).get(page_of("aasee-messwerte"))
        assert response.status_code == 410
        assert "Datensatz zurückgezogen" in text(response)
        assert "Messwerte Reallabor Aasee" in text(response)
    assert "Messwerte Reallabor Aasee" not in text(client_for(None).get(CATALOGUE))
    english = client_for(None).get(page_of("aasee-messwerte", "en"))
    assert english.status_code == 410 and "Dataset withdrawn" in text(english)


def test_distributions_list_for_partner_datasets(client, make_dataset):
    dataset = make_dataset(slug="extern", distributions=[("CSV", "https://example.org/a.csv")])
    Distribution.objects.filter(dataset=dataset).update(kind=Distribution.Kind.LINK,
                                                        download_url="")
    page = text(client.get(page_of("extern")))
    assert 'href="https://example.org/a.csv" type="text/csv"' in page
    assert "Zu den Daten" in page


# Platform datasets and the people who manage a dataset ----------------------------------------

def test_a_platform_datasets_preview_shows_its_first_rows_and_columns(client, make_dataset,
                                                                      organisation):
    make_dataset(title_de="Partnerinnen und Partner", kind=Dataset.Kind.PLATFORM,
                 platform_key="partners", slug="allianz-partner", publisher=None)
    page = text(client.get(page_of("allianz-partner")))
    assert "Erste Zeilen der Daten" in page
    assert "<td>Stadtwerke Beispielstadt</td>" in page
    assert "<code>partner_since</code>" in page and "Partnerin oder Partner seit." in page
    english = text(client.get(page_of("allianz-partner", "en")))
    assert "Partner since." in english


def test_the_dataset_page_offers_edit_and_review_to_those_who_may(client_for, make_dataset,
                                                                  organisation, partner_admin,
                                                                  coordinator, citizen):
    make_dataset(slug="eingereicht", state=State.SUBMITTED, publisher=organisation)
    make_dataset(slug="entwurf", state=State.DRAFT, publisher=organisation)
    edit, review = "/de/data/datasets/entwurf/edit/", "/de/data/datasets/eingereicht/review/"
    assert edit in text(client_for(partner_admin).get(page_of("entwurf")))
    assert review in text(client_for(coordinator).get(page_of("eingereicht")))
    assert review not in text(client_for(partner_admin).get(page_of("eingereicht")))
    make_dataset(slug="offen", publisher=organisation)
    assert "/edit/" not in text(client_for(citizen).get(page_of("offen")))


def test_a_german_column_is_marked_on_english_pages(client, make_dataset, organisation):
    organisation.summary_de = "Strom und Wärme für die Stadt."
    organisation.save()
    make_dataset(kind=Dataset.Kind.PLATFORM, platform_key="partners", slug="allianz-partner",
                 publisher=None)
    assert '<td lang="de">Strom und Wärme für die Stadt.</td>' in text(
        client.get(page_of("allianz-partner", "en")))
    assert "<td>Strom und Wärme für die Stadt.</td>" in text(client.get(page_of("allianz-partner")))


@pytest.mark.parametrize("query", [
    "?q=%00", "?q=" + "x" * 500, "?page=999999", "?page=abc", "?publisher=%3Cscript%3E",
    "?focus_area=%00", "?sort=nonsense", "?kind=x&theme=y&format=z&licence=..%2F",
    "?q=%25_%5C"])
def test_bad_input_on_the_catalogue_answers_200(client, make_dataset, query):
    make_dataset(title_de="Vorhanden")
    response = client.get(CATALOGUE + query)
    assert response.status_code == 200
    assert "<script>" not in text(response).split("<main", 1)[1]


def test_every_page_of_the_demo_catalogue_answers(client):
    """The demo's datasets of every kind (platform lists with dates, numbers and lists in their
    first rows, lab datasets with charts): each page answers in both languages."""
    from io import StringIO

    from django.core.management import call_command

    call_command("demo", stdout=StringIO())
    published = list(Dataset.objects.published().order_by("pk"))
    assert {dataset.kind for dataset in published} == set(Dataset.Kind.values)
    for language in ("de", "en"):
        page = text(client.get(f"/{language}/data/"))
        assert f">{len(published)} " in page
        for dataset in published:
            response = client.get(page_of(dataset.slug, language))
            assert response.status_code == 200, dataset.slug
            if dataset.kind == Dataset.Kind.PLATFORM:
                assert "<tbody><tr>" in text(response), dataset.slug  # the first rows
