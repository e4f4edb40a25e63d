"""Input the database cannot take is refused by the API before it reaches the database."""

import pytest

from stadtallianz.core.testing import field_errors
from stadtallianz.partners.models import Offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(organisation):
    return Offer.objects.create(organisation=organisation, kind=Offer.Kind.OFFER,
                                category=Offer.Category.DATA, text="Verkehrsdaten")


@pytest.mark.parametrize("query", ["q=a%00b", "focus_area=%00"])
def test_a_directory_filter_with_a_nul_character_is_refused(client, organisation, query):
    """A filter with a NUL character answers 422 naming the filter (PostgreSQL would fail)."""
    response = client.get(f"/api/v1/partners?{query}")
    assert field_errors(response) == {query.split("=")[0]}


@pytest.mark.parametrize("url", ["/api/v1/partners", "/api/v1/letter-of-intent/signatories"])
def test_an_offset_beyond_any_list_is_refused(client, url):
    """An offset larger than the databases' integers answers 422, not a server error."""
    response = client.get(f"{url}?offset=99999999999999999999")
    assert field_errors(response) == {"offset"}
    assert client.get(f"{url}?offset=2147483647").status_code == 200


def test_a_slug_with_a_nul_character_names_no_partner(client):
    """A partner address with a NUL character answers 404 in the API's error format."""
    response = client.get("/api/v1/partners/a%00b")
    assert response.status_code == 404
    assert response.json() == {"detail": "Nicht gefunden."}


@pytest.mark.parametrize("body, field", [
    ({"name": "Stadt\x00werke"}, "name"),
    ({"description_de": "\x00"}, "description_de"),
    ({"city": "M\x00nster"}, "city"),
    ({"focus_areas": ["energy", "\x00"]}, "focus_areas"),
])
def test_a_profile_change_with_a_nul_character_is_refused(call, token_for, partner_admin,
                                                          organisation, body, field):
    """A profile text with a NUL character answers 422 naming the field, and nothing changes."""
    response = call("PATCH", f"/api/v1/partners/{organisation.slug}", body,
                    key=token_for(partner_admin))
    assert field_errors(response) == {field}
    name = organisation.name
    organisation.refresh_from_db()
    assert organisation.name == name


def test_an_offer_with_a_nul_character_is_refused(call, token_for, partner_admin, organisation,
                                                  offer):
    """Offer texts with a NUL character answer 422 naming the field, on create and change."""
    key = token_for(partner_admin)
    created = call("POST", f"/api/v1/partners/{organisation.slug}/offers",
                   {"kind": "offer", "category": "data", "text": "a\x00b"}, key=key)
    changed = call("PATCH", f"/api/v1/partners/{organisation.slug}/offers/{offer.pk}",
                   {"text": "\x00"}, key=key)
    assert field_errors(created) == {"text"}
    assert field_errors(changed) == {"text"}
    assert list(organisation.offers.values_list("text", flat=True)) == ["Verkehrsdaten"]
