import pytest
from django.urls import NoReverseMatch, reverse

from stadtallianz.core.models import FocusArea
from stadtallianz.core.testing import query_count
from stadtallianz.partners.models import Membership, Offer, Organisation


def url(organisation) -> str:
    return reverse("partners:detail", kwargs={"slug": organisation.slug})


@pytest.fixture
def draft(make_organisation):
    return make_organisation("Draft GmbH", status=Organisation.Status.DRAFT)


@pytest.fixture
def draft_member(make_user, draft):
    user = make_user("draft-member@example.org")
    Membership.objects.create(user=user, organisation=draft, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def other_member(make_user, make_organisation):
    user = make_user("other@example.org")
    Membership.objects.create(user=user, organisation=make_organisation("Other"),
                              role=Membership.Role.ADMIN)
    return user


def test_public_partner_profile_is_visible_to_visitors(client, organisation):
    """Everyone sees a public partner's profile with name, type, status and description."""
    response = client.get("/en" + url(organisation)[3:])
    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Stadtwerke Beispielstadt</h1>" in content
    assert "Company" in content
    assert "Alliance partner" in content
    assert "Energie und Mobilität." in content  # only German written: the fallback shows it


@pytest.mark.parametrize("role", [None, "citizen", "other_member"])
def test_non_public_profile_is_404_for_outsiders(role, request, client_for, draft):
    """A draft organisation does not exist for visitors, citizens or people of other partners."""
    user = request.getfixturevalue(role) if role else None
    assert client_for(user).get(url(draft)).status_code == 404


@pytest.mark.parametrize("role", ["draft_member", "coordinator", "superuser"])
def test_non_public_profile_is_visible_to_its_people_and_the_office(role, request, client_for,
                                                                   draft):
    """Its own members and the coordination office see a draft organisation."""
    user = request.getfixturevalue(role)
    assert client_for(user).get(url(draft)).status_code == 200


def test_description_follows_the_language_and_is_sanitised(client, make_organisation):
    """The description is in the page's language, rendered from Markdown without scripts."""
    organisation = make_organisation(
        "Bilingual", description_de="**Deutscher Text** <script>alert(1)</script>",
        description_en="*English*",
    )
    german = client.get(f"/de/partners/{organisation.slug}/").content.decode()
    english = client.get(f"/en/partners/{organisation.slug}/").content.decode()
    assert "<strong>Deutscher Text</strong>" in german and "<script>alert" not in german
    assert "<em>English</em>" in english and "Deutscher Text" not in english


def test_people_are_listed_only_for_members(client_for, organisation, partner_admin, partner_member,
                                            citizen):
    """Visitors and citizens never see who works at a partner; its members do."""
    for outsider in [None, citizen]:
        assert "Anna Admin" not in client_for(outsider).get(url(organisation)).content.decode()
    content = client_for(partner_member).get(url(organisation)).content.decode()
    assert "Anna Admin" in content and "Max Member" in content


def test_offers_and_needs_are_grouped_by_kind_and_category(client, organisation):
    """Offers and needs appear under their own headings, grouped by category."""
    Offer.objects.create(organisation=organisation, kind="need", category="co_financing",
                         text="Money for sensors")
    Offer.objects.create(organisation=organisation, kind="offer", category="data",
                         text="Traffic counts")
    content = client.get("/en" + url(organisation)[3:]).content.decode()
    assert content.index("What we offer") < content.index("Traffic counts")
    assert content.index("What we need") < content.index("Money for sensors")
    assert "<h3>Data</h3>" in content and "<h3>Co-financing</h3>" in content


def test_map_appears_with_coordinates_and_an_address_alternative(client, make_organisation,
                                                                 settings):
    """With a location the profile has a map element with unlocalised coordinates and address."""
    organisation = make_organisation("Located", latitude="51.962944", longitude="7.628694",
                                     street="Prinzipalmarkt 10", postal_code="48143",
                                     city="Münster")
    content = client.get(url(organisation)).content.decode()
    assert 'data-lat="51.962944"' in content and 'data-lon="7.628694"' in content
    assert 'aria-describedby="partner-address"' in content
    assert "Prinzipalmarkt 10" in content
    assert "partners/map.js" in content and "leaflet/dist/leaflet.js" in content
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in content


def test_no_map_without_coordinates(client, organisation):
    """A profile without a location loads no map and no Leaflet."""
    content = client.get(url(organisation)).content.decode()
    assert 'class="map"' not in content and "leaflet" not in content


def test_admin_links_only_for_admins_and_coordinator(client_for, organisation, partner_admin,
                                                     partner_member, coordinator):
    """Edit, offers and members links are shown to who may use them."""
    edit_url = reverse("partners:edit", kwargs={"slug": organisation.slug})
    assert edit_url in client_for(partner_admin).get(url(organisation)).content.decode()
    assert edit_url in client_for(coordinator).get(url(organisation)).content.decode()
    assert edit_url not in client_for(partner_member).get(url(organisation)).content.decode()


def test_admin_of_unsigned_organisation_is_asked_to_sign(client_for, draft, draft_member,
                                                          make_user, partner_admin, organisation):
    """Only the admin of an organisation that has not signed gets the signing link; the page
    renders whether or not the signing page is routed."""
    admin = make_user("draft-admin@example.org")
    Membership.objects.create(user=admin, organisation=draft, role=Membership.Role.ADMIN)
    response = client_for(admin).get(url(draft))
    assert response.status_code == 200
    try:
        sign_url = reverse("letter_of_intent:sign", kwargs={"slug": draft.slug})
    except NoReverseMatch:
        return
    assert f'href="{sign_url}"' in response.content.decode()
    assert sign_url not in client_for(draft_member).get(url(draft)).content.decode()
    signed_url = reverse("letter_of_intent:sign", kwargs={"slug": organisation.slug})
    assert signed_url not in client_for(partner_admin).get(url(organisation)).content.decode()


def test_profile_query_count_does_not_grow_with_data(client_for, organisation, partner_member,
                                                     make_user):
    """More focus areas, offers and members do not add queries to the profile."""
    def add(count, start):
        for number in range(start, start + count):
            area = FocusArea.objects.create(slug=f"area-{number}", name_de=f"Feld {number}")
            organisation.focus_areas.add(area)
            Offer.objects.create(organisation=organisation, kind="offer", category="data",
                                 text=f"Offer {number}")
            Offer.objects.create(organisation=organisation, kind="need", category="reach",
                                 text=f"Need {number}")
            Membership.objects.create(organisation=organisation,
                                      user=make_user(f"person{number}@example.org"))

    client = client_for(partner_member)
    add(2, 0)
    few = query_count(client.get, url(organisation))
    add(20, 2)
    many = query_count(client.get, url(organisation))
    assert few == many
