"""Reading the partner directory through the API: visibility, filters, pagination, queries."""

import pytest
from django.test import Client

from stadtallianz.core.models import FocusArea
from stadtallianz.core.testing import query_count
from stadtallianz.partners.models import Membership, Offer, Organisation

pytestmark = pytest.mark.django_db

LIST = "/api/v1/partners"


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["items"]]


@pytest.fixture
def draft(make_organisation):
    return make_organisation("Entwurf GmbH", status=Organisation.Status.DRAFT)


def test_the_list_shows_public_partners_only(client, organisation, make_organisation, draft):
    """Visitors see confirmed partners and those asked to re-sign, not drafts or rejected ones."""
    resigning = make_organisation("Resign AG", status=Organisation.Status.RESIGN_REQUIRED)
    make_organisation("Rejected eV", status=Organisation.Status.REJECTED)
    make_organisation("Pending eV", status=Organisation.Status.PENDING)
    assert set(slugs(client.get(LIST))) == {organisation.slug, resigning.slug}


def test_a_member_also_sees_their_own_non_public_organisation(call, token_for, make_user, draft):
    """An authenticated person sees their own draft organisation in the list; others do not."""
    person = make_user("drafter@example.org")
    Membership.objects.create(user=person, organisation=draft, role=Membership.Role.MEMBER)
    assert draft.slug in slugs(call("GET", LIST, key=token_for(person)))
    stranger = make_user("stranger@example.org")
    assert draft.slug not in slugs(call("GET", LIST, key=token_for(stranger)))
    assert draft.slug not in slugs(call("GET", LIST))


def test_a_session_also_shows_own_organisations(client_for, make_user, draft):
    """The logged-in browser session counts like a token for reading."""
    person = make_user("drafter@example.org")
    Membership.objects.create(user=person, organisation=draft, role=Membership.Role.ADMIN)
    assert draft.slug in slugs(client_for(person).get(LIST))


def test_the_coordination_office_sees_every_organisation_in_the_list(call, token_for,
                                                                     coordinator, draft):
    """The office reviews organisations that are not public yet, so its list has them too."""
    assert draft.slug in slugs(call("GET", LIST, key=token_for(coordinator)))


def test_list_items_carry_the_documented_fields(client, organisation):
    """A list item names the partner, its type and status in both forms, and its focus areas."""
    area = FocusArea.objects.get(slug=FocusArea.objects.first().slug)
    organisation.focus_areas.add(area)
    organisation.latitude, organisation.longitude = "51.962944", "7.628694"
    organisation.save()
    item = client.get(LIST, headers={"Accept-Language": "en"}).json()["items"][0]
    assert item["slug"] == organisation.slug
    assert item["type"] == "company" and item["type_label"] == "Company"
    assert item["status"] == "partner"
    assert item["location"] == {"latitude": 51.962944, "longitude": 7.628694}
    assert item["focus_areas"] == [{"slug": area.slug, "name": area.name_en or area.name_de,
                                    "name_de": area.name_de, "name_en": area.name_en}]
    assert item["logo_url"] is None
    assert item["web_url"].endswith(f"/partners/{organisation.slug}/")


def test_filter_by_text_type_focus_area_and_offer_category(client, make_organisation):
    """q (a phrase in name or description), type, focus_area and offer_category narrow the
    list as in the web directory; they combine."""
    energy = FocusArea.objects.first()
    water = make_organisation("Wasserwerk", description_de="Trinkwasser für alle",
                              type=Organisation.Type.MUNICIPAL)
    lab = make_organisation("Datenlabor", type=Organisation.Type.RESEARCH)
    lab.focus_areas.add(energy)
    Offer.objects.create(organisation=lab, kind=Offer.Kind.OFFER, category=Offer.Category.DATA,
                         text="Open data")
    Offer.objects.create(organisation=water, kind=Offer.Kind.NEED,
                         category=Offer.Category.TEST_SITE, text="A test site")

    assert slugs(client.get(LIST, {"q": "trinkwasser"})) == [water.slug]
    assert slugs(client.get(LIST, {"q": "labor"})) == [lab.slug]
    assert slugs(client.get(LIST, {"q": "wasser für"})) == [water.slug]  # a phrase, as on the web
    assert slugs(client.get(LIST, {"q": "für wasser"})) == []
    assert slugs(client.get(LIST, {"type": "municipal"})) == [water.slug]
    assert slugs(client.get(LIST, {"focus_area": energy.slug})) == [lab.slug]
    assert slugs(client.get(LIST, {"offer_category": "data"})) == [lab.slug]
    assert slugs(client.get(LIST, {"offer_category": "test_site"})) == [water.slug]
    assert slugs(client.get(LIST, {"type": "research", "offer_category": "test_site"})) == []
    assert slugs(client.get(LIST, {"focus_area": "no-such-area"})) == []


@pytest.mark.parametrize("params, field", [
    ({"type": "spaceship"}, "type"),
    ({"offer_category": "gold"}, "offer_category"),
    ({"limit": "0"}, "limit"),
    ({"offset": "-1"}, "offset"),
    ({"limit": "many"}, "limit"),
])
def test_an_invalid_filter_answers_422_naming_it(client, params, field):
    """An unknown type or category, or a bad page size, is refused with its name."""
    response = client.get(LIST, params)
    assert response.status_code == 422
    assert field in {item["loc"][-1] for item in response.json()["detail"]}


def test_pagination_with_limit_and_offset(client, make_organisation):
    """limit and offset page through the list by name; count is the total."""
    for letter in "EDCBA":
        make_organisation(f"{letter} Partner")
    page = client.get(LIST, {"limit": 2, "offset": 1}).json()
    assert page["count"] == 5
    assert [item["name"] for item in page["items"]] == ["B Partner", "C Partner"]
    last = client.get(LIST, {"limit": 2, "offset": 4}).json()
    assert [item["name"] for item in last["items"]] == ["E Partner"]


def test_the_list_uses_the_same_number_of_queries_for_10_and_200_partners(make_organisation):
    """No query per partner: focus areas come prefetched."""
    areas = list(FocusArea.objects.all()[:3])

    def add(count: int):
        for _ in range(count):
            organisation = make_organisation()
            organisation.focus_areas.set(areas)
            Offer.objects.create(organisation=organisation, kind=Offer.Kind.OFFER,
                                 category=Offer.Category.DATA, text="Data")

    client = Client()
    add(10)
    few = query_count(client.get, LIST, {"limit": 500})
    add(190)
    response = client.get(LIST, {"limit": 500})
    assert len(response.json()["items"]) == 200
    many = query_count(client.get, LIST, {"limit": 500})
    assert few == many


def test_detail_shows_offers_needs_address_and_focus_areas(client, organisation):
    """A partner's detail lists its offers and its needs separately."""
    organisation.street, organisation.postal_code = "Hafenweg 1", "48155"
    organisation.city = "Münster"
    organisation.website = "https://stadtwerke.example.org"
    organisation.logo = "logos/stadtwerke.png"
    organisation.save()
    offer = Offer.objects.create(organisation=organisation, kind=Offer.Kind.OFFER,
                                 category=Offer.Category.DATA, text="Verkehrsdaten")
    need = Offer.objects.create(organisation=organisation, kind=Offer.Kind.NEED,
                                category=Offer.Category.TEST_SITE, text="Testfläche")
    body = client.get(f"{LIST}/{organisation.slug}", {"lang": "de"}).json()
    assert body["address"] == {"street": "Hafenweg 1", "postal_code": "48155", "city": "Münster"}
    assert body["website"] == "https://stadtwerke.example.org"
    assert body["description"] == body["description_de"] == "Energie und Mobilität."
    assert [item["id"] for item in body["offers"]] == [offer.pk]
    assert [item["id"] for item in body["needs"]] == [need.pk]
    assert body["offers"][0]["category"] == "data" and body["offers"][0]["category_label"]
    assert body["partner_since"] is not None
    assert body["logo_url"] == "http://testserver/media/logos/stadtwerke.png"
    assert body["web_url"] == f"/de/partners/{organisation.slug}/"


def test_detail_of_a_non_public_organisation_is_404_for_others(call, token_for, make_user, draft,
                                                                partner_admin):
    """A draft is hidden from visitors and from people of other organisations."""
    path = f"{LIST}/{draft.slug}"
    assert call("GET", path).status_code == 404
    assert call("GET", path, key=token_for(partner_admin)).status_code == 404


def test_detail_of_a_non_public_organisation_is_visible_to_its_people_and_the_office(
        call, token_for, make_user, draft, coordinator):
    """Its own members and the coordination office read a draft organisation."""
    member = make_user("drafter@example.org")
    Membership.objects.create(user=member, organisation=draft, role=Membership.Role.MEMBER)
    path = f"{LIST}/{draft.slug}"
    assert call("GET", path, key=token_for(member)).json()["status"] == "draft"
    assert call("GET", path, key=token_for(coordinator)).status_code == 200


def test_detail_of_an_unknown_slug_is_404(client, db):
    """An unknown partner answers 404 with a detail message."""
    response = client.get(f"{LIST}/nobody")
    assert response.status_code == 404
    assert "detail" in response.json()
