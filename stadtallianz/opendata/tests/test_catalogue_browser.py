"""The catalogue pages in a real browser, in German and English: the catalogue (filtered, empty,
paged), a partner's, a platform and a lab dataset's page (map drawn, chart tables opened), an
unpublished dataset seen by its organisation, and a withdrawn lab dataset's 410 page pass
axe-core without findings of any impact, and the strict Content Security Policy blocks
nothing; the copy buttons copy the ready-made request."""

from datetime import date

import pytest
from playwright.sync_api import expect

from conftest import DEMO_PASSWORD
from stadtallianz.livinglabs.tests.conftest import streams  # noqa: F401 - fixtures
from stadtallianz.opendata.models import Dataset
from stadtallianz.sensorthings.tests.conftest import lab, make_datastream  # noqa: F401
from tests.browser.conftest import (  # noqa: F401
    browser,
    login,
    page,
    page_problems,
    problems_here,
    sweep,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue(make_dataset, organisation, lab, streams):  # noqa: F811
    """A dataset of each kind, a draft of `organisation` and a withdrawn lab dataset."""
    from stadtallianz.core.models import FocusArea

    area, _created = FocusArea.objects.get_or_create(
        slug="mobility", defaults={"name_de": "Mobilität", "name_en": "Mobility"})
    partner = make_dataset(
        title_de="Radzählungen an Dauerzählstellen", title_en="", slug="radzaehlungen",
        publisher=organisation, themes=["TRAN", "ENVI"], keywords=["Radverkehr", "Zählung"],
        description_de="## Methode\n\nStündliche Zählungen an **zwölf** Stellen.",
        temporal_start=date(2025, 1, 1), temporal_end=date(2026, 6, 30),
        spatial={"type": "Polygon", "coordinates": [[[7.60, 51.95], [7.65, 51.95],
                                                     [7.65, 51.97], [7.60, 51.95]]]},
        distributions=[("CSV", "https://example.org/rad.csv"), ("JSON", "/x.json")])
    partner.focus_areas.add(area)
    make_dataset(title_de="Partnerinnen und Partner der Allianz", title_en="Partners",
                 kind=Dataset.Kind.PLATFORM, platform_key="partners", slug="allianz-partner",
                 publisher=None, themes=["GOVE", "REGI"])
    laboratory = make_dataset(kind=Dataset.Kind.LAB, lab=lab, slug="aasee-messwerte",
                              title_de="Messwerte Reallabor Aasee", publisher=lab.operator,
                              distributions=[("CSV", "/y.csv"), ("GEOJSON", "/y.geojson")])
    laboratory.datastreams.add(streams["public"], streams["counts"])
    make_dataset(title_de="Entwurf eines Angebots", slug="entwurf", state=Dataset.State.DRAFT,
                 publisher=organisation)
    gone = make_dataset(kind=Dataset.Kind.LAB, lab=lab, slug="zurueckgezogen",
                        title_de="Alte Messwerte", state=Dataset.State.WITHDRAWN,
                        publisher=lab.operator)
    return {"partner": partner, "lab": laboratory, "gone": gone}


@pytest.mark.parametrize("language", ["de", "en"])
def test_catalogue_and_dataset_pages_are_accessible(page, live_server, catalogue,  # noqa: F811
                                                    language):
    assert sweep(page, live_server.url, language, [
        "/data/", "/data/?theme=TRAN&sort=title", "/data/?q=nichts-passt-hierzu",
        "/data/?theme=NOPE", "/data/datasets/radzaehlungen/",
        "/data/datasets/allianz-partner/", "/data/datasets/aasee-messwerte/"]) == {}
    # The lab dataset's map draws the places; its chart tables, opened, pass too.
    page.goto(f"{live_server.url}/{language}/data/datasets/aasee-messwerte/")
    expect(page.locator("#preview .feature-map")).to_have_attribute("data-feature-count", "2")
    for summary in page.locator("details.chart-table summary").all():
        summary.click()
    assert problems_here(page) == {}
    # The partner dataset's area is drawn too.
    page.goto(f"{live_server.url}/{language}/data/datasets/radzaehlungen/")
    expect(page.locator("#preview .feature-map")).to_have_attribute("data-feature-count", "1")
    # A withdrawn lab dataset's page: 410, and accessible.
    assert page_problems(page, f"{live_server.url}/{language}/data/datasets/zurueckgezogen/",
                         expect_status=410) == {}


@pytest.mark.parametrize("language", ["de", "en"])
def test_an_unpublished_dataset_seen_by_its_organisation_is_accessible(
        page, live_server, catalogue, partner_admin, language):  # noqa: F811
    login(page, live_server, partner_admin.email, DEMO_PASSWORD, language)
    assert sweep(page, live_server.url, language, ["/data/", "/data/datasets/entwurf/"]) == {}
    expect(page.locator(".kern-alert")).to_be_visible()


def test_the_copy_button_copies_the_ready_made_request(browser, live_server, catalogue,  # noqa: F811
                                                       settings):
    settings.MAP_TILE_URL = ""
    context = browser.new_context(locale="de-DE", permissions=["clipboard-read",
                                                                "clipboard-write"])
    tab = context.new_page()
    try:
        tab.goto(f"{live_server.url}/de/data/datasets/radzaehlungen/")
        button = tab.locator("[data-copy-target=api-ckan]")
        expect(button).to_be_visible()
        button.click()
        expect(tab.locator("[data-copy-status]")).to_have_text("Kopiert.")
        copied = tab.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("curl '") and "package_show?id=radzaehlungen" in copied
    finally:
        context.close()


def test_every_dataset_page_of_the_demo_is_accessible(page, live_server):  # noqa: F811
    """The demo catalogue's real shapes: platform lists with many columns, lab datasets of
    several datastreams, partners' links elsewhere; every published page in both languages."""
    from io import StringIO

    from django.core.management import call_command

    from tests.browser.conftest import _reference_data

    _reference_data()  # a transactional test before this one emptied the migrations' rows
    call_command("demo", stdout=StringIO())
    slugs = list(Dataset.objects.published().order_by("pk").values_list("slug", flat=True))
    assert len(slugs) >= 5
    for language in ("de", "en"):
        assert sweep(page, live_server.url, language,
                     ["/data/", "/data/?sort=title&page=2"]
                     + [f"/data/datasets/{slug}/" for slug in slugs]) == {}
