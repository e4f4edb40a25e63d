import re

import pytest
from django.urls import reverse

from stadtallianz.core.models import FocusArea
from stadtallianz.core.testing import query_count
from stadtallianz.partners.models import Offer, Organisation

URL = reverse("partners:directory")


def names(response) -> list[str]:
    return [organisation.name for organisation in response.context["page"].object_list]


@pytest.fixture
def focus_area(db):
    return FocusArea.objects.create(slug="mobility-test", name_de="Mobilität", name_en="Mobility")


def test_directory_lists_public_partners_only(client, make_organisation):
    """The directory shows confirmed partners and those asked to re-sign, nobody else."""
    make_organisation("Visible Partner")
    make_organisation("Re-signing Partner", status=Organisation.Status.RESIGN_REQUIRED)
    for status in ["draft", "pending", "rejected", "withdrawn"]:
        make_organisation(f"Hidden {status}", status=status)
    response = client.get(URL)
    assert response.status_code == 200
    assert names(response) == ["Re-signing Partner", "Visible Partner"]
    assert b"Hidden" not in response.content


def test_search_finds_name_and_description(client, make_organisation):
    """The search matches the name and the description in either language."""
    make_organisation("Stadtwerke")
    make_organisation("Bike Lab", description_en="We repair bicycles")
    make_organisation("Radhaus", description_de="Fahrräder und Lastenräder")
    make_organisation("Bäckerei")
    assert names(client.get(URL, {"q": "stadt"})) == ["Stadtwerke"]
    assert names(client.get(URL, {"q": "bicycles"})) == ["Bike Lab"]
    assert names(client.get(URL, {"q": "lastenr"})) == ["Radhaus"]


def test_filters_by_type_focus_area_and_offer_category(client, make_organisation, focus_area):
    """Type, focus area and offer category each narrow the list, and combine."""
    research = make_organisation("Institute", type=Organisation.Type.RESEARCH)
    research.focus_areas.add(focus_area)
    company = make_organisation("Company")
    company.focus_areas.add(focus_area)
    # Two offers of one category must not list the company twice.
    Offer.objects.create(organisation=company, kind="offer", category="data", text="A")
    Offer.objects.create(organisation=company, kind="offer", category="data", text="B")
    make_organisation("Other")
    assert names(client.get(URL, {"type": "research"})) == ["Institute"]
    assert names(client.get(URL, {"focus": focus_area.slug})) == ["Company", "Institute"]
    assert names(client.get(URL, {"category": "data"})) == ["Company"]
    assert names(client.get(URL, {"category": "data", "type": "research"})) == []


def test_unknown_filter_values_are_ignored(client, make_organisation):
    """A filter value that is not a choice does not break the page; the other filters apply."""
    make_organisation("Alpha")
    make_organisation("Beta")
    response = client.get(URL, {"type": "nonsense", "q": "alp"})
    assert response.status_code == 200
    assert names(response) == ["Alpha"]


def test_directory_paginates_24_per_page_with_accessible_links(client, make_organisation):
    """25 partners make two pages; page links keep the filters and mark the current page."""
    for number in range(25):
        make_organisation(f"Partner {number:02d}")
    first = client.get(URL, {"q": "partner"})
    assert len(names(first)) == 24
    content = first.content.decode()
    assert "25 Partner gefunden" in content or "25 partners found" in content
    assert 'aria-current="page"' in content
    assert "?q=partner&amp;page=2" in content
    second = client.get(URL, {"q": "partner", "page": 2})
    assert names(second) == ["Partner 24"]


def test_card_shows_logo_with_name_badge_type_and_focus_areas(client, make_organisation,
                                                              focus_area):
    """A card links to the profile and shows the logo, badge, type and areas. The logo is
    decorative (alt=""): the name is the card's heading right beside it."""
    organisation = make_organisation("Logo AG", logo="logos/logo-ag.png")
    organisation.focus_areas.add(focus_area)
    content = client.get("/en/partners/").content.decode()
    assert re.search(r'<img class="org-logo" src="[^"]*logos/logo-ag.png" alt=""', content)
    assert ">Logo AG</a></h2>" in content
    assert f'href="{organisation.get_absolute_url().replace("/de/", "/en/")}"' in content
    assert "Alliance partner" in content
    assert "Company" in content
    assert "Mobility" in content


def test_german_page_shows_allianzpartner_badge(client, make_organisation):
    """The badge reads "Allianzpartner" on the German page."""
    make_organisation("Partner")
    assert "Allianzpartner" in client.get("/de/partners/").content.decode()


def test_htmx_request_returns_only_the_results_partial(client, make_organisation):
    """An htmx request gets the results region alone, without the page around it."""
    make_organisation("Alpha")
    response = client.get(URL, {"q": "alp"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "Alpha" in content
    assert "<html" not in content
    assert "<form" not in content
    assert 'id="result-count"' in content
    full = client.get(URL, {"q": "alp"}).content.decode()
    assert "<html" in full and 'hx-get="' in full and 'hx-target="#results"' in full


def test_directory_query_count_does_not_grow_with_partners(client, make_organisation, focus_area):
    """Ten partners and sixty partners, each with focus areas and offers, cost the same queries."""
    def add(count):
        for _ in range(count):
            organisation = make_organisation()
            organisation.focus_areas.add(focus_area)
            Offer.objects.create(organisation=organisation, kind="offer", category="data", text="x")

    add(10)
    few = query_count(client.get, URL, {"category": "data", "focus": focus_area.slug})
    add(50)
    many = query_count(client.get, URL, {"category": "data", "focus": focus_area.slug})
    assert few == many


def test_the_web_directory_and_the_api_list_filter_alike(client, make_organisation, focus_area):
    """Every filter combination finds the same partners on the web page and in the API, because
    both use `Organisation.objects.search`."""
    cycling = make_organisation("Radhaus", description_de="Lastenräder",
                                type=Organisation.Type.STARTUP)
    cycling.focus_areas.add(focus_area)
    Offer.objects.create(organisation=cycling, kind="need", category="data", text="Zähldaten")
    research = make_organisation("Institut", type=Organisation.Type.RESEARCH)
    research.focus_areas.add(focus_area)
    Offer.objects.create(organisation=research, kind="offer", category="expertise", text="Studien")
    make_organisation("Bäckerei")
    cases = [({"q": "lastenr"}, {"q": "lastenr"}), ({"type": "research"}, {"type": "research"}),
             ({"focus": focus_area.slug}, {"focus_area": focus_area.slug}),
             ({"category": "data"}, {"offer_category": "data"}),
             ({"focus": focus_area.slug, "category": "expertise"},
              {"focus_area": focus_area.slug, "offer_category": "expertise"})]
    for web, api in cases:
        on_the_web = names(client.get(URL, web))
        in_the_api = [item["name"] for item in client.get("/api/v1/partners", api).json()["items"]]
        expected = [o.name for o in Organisation.objects.public().search(
            q=web.get("q", ""), type=web.get("type", ""), focus_area=web.get("focus", ""),
            category=web.get("category", ""))]
        assert on_the_web == in_the_api == expected, web
