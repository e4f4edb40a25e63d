import pytest
from django.urls import reverse

from stadtallianz.core.models import AuditEntry
from stadtallianz.partners.models import Offer

from .conftest import ALLOWED, DENIED, assert_denied


def offers_url(organisation) -> str:
    return reverse("partners:offers", kwargs={"slug": organisation.slug})


def action_url(name, organisation, pk) -> str:
    return reverse(f"partners:{name}", kwargs={"slug": organisation.slug, "pk": pk})


@pytest.fixture
def offer(organisation):
    return Offer.objects.create(organisation=organisation, kind="offer", category="data",
                                text="Traffic counts")


@pytest.mark.parametrize(("role", "expected"), DENIED)
def test_offers_are_managed_only_by_admins_and_coordinator(role, expected, as_role, organisation,
                                                           offer):
    """Listing, adding, editing and deleting offers is denied to everyone else."""
    client = as_role(role)
    edit_url = action_url("offer_edit", organisation, offer.pk)
    delete_url = action_url("offer_delete", organisation, offer.pk)
    assert_denied(client.get(offers_url(organisation)), expected)
    assert_denied(client.post(offers_url(organisation),
                              {"kind": "need", "category": "data", "text": "x"}), expected)
    assert_denied(client.post(edit_url, {"category": "reach", "text": "changed"}), expected)
    assert_denied(client.post(delete_url), expected)
    assert list(Offer.objects.values_list("text", flat=True)) == ["Traffic counts"]


@pytest.mark.parametrize("role", ALLOWED)
def test_admin_and_coordinator_add_edit_and_delete(role, as_role, organisation):
    """The whole life of an offer, each step audited."""
    client = as_role(role)
    assert client.get(offers_url(organisation)).status_code == 200
    response = client.post(offers_url(organisation),
                           {"kind": "need", "category": "co_financing", "text": "Funding"})
    assert response.status_code == 302
    need = Offer.objects.get()
    assert (need.kind, need.category, need.text) == ("need", "co_financing", "Funding")
    edit_url = reverse("partners:offer_edit", kwargs={"slug": organisation.slug, "pk": need.pk})
    assert client.get(edit_url).status_code == 200
    assert client.post(edit_url, {"category": "reach", "text": "Reach"}).status_code == 302
    need.refresh_from_db()
    assert (need.category, need.text) == ("reach", "Reach")
    delete_url = reverse("partners:offer_delete", kwargs={"slug": organisation.slug, "pk": need.pk})
    assert client.post(delete_url).status_code == 302
    assert not Offer.objects.exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"partner.need.created", "partner.need.changed", "partner.need.deleted"} <= actions


def test_delete_needs_post(as_role, partner_admin, organisation, offer):
    """A GET never deletes."""
    delete_url = action_url("offer_delete", organisation, offer.pk)
    assert as_role("partner_admin").get(delete_url).status_code == 405
    assert Offer.objects.filter(pk=offer.pk).exists()


def test_offer_of_another_organisation_is_404(as_role, other_member, organisation, offer):
    """An admin cannot reach another partner's offer through their own organisation's URL."""
    other = other_member.memberships.get().organisation
    delete_url = reverse("partners:offer_delete", kwargs={"slug": other.slug, "pk": offer.pk})
    assert as_role("other_member").post(delete_url).status_code == 404
    assert Offer.objects.filter(pk=offer.pk).exists()


def test_invalid_offer_shows_the_error_next_to_the_field(as_role, partner_admin, organisation):
    """An offer without text is not saved."""
    response = as_role("partner_admin").post(offers_url(organisation),
                                             {"kind": "offer", "category": "data", "text": ""})
    assert response.status_code == 200
    assert 'id="id_text_error"' in response.content.decode()
    assert not Offer.objects.exists()
