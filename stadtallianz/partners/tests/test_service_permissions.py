"""Every write of partners/services.py checks permission itself (partners/permissions.py), not
only the page or API endpoint that calls it: a person without the right is refused with
PermissionDenied and nothing changes, whoever calls the service."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from stadtallianz.core.models import AuditEntry
from stadtallianz.partners import services
from stadtallianz.partners.models import Invitation, Membership, Offer, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(organisation):
    return Offer.objects.create(organisation=organisation, kind=Offer.Kind.OFFER,
                                category=Offer.Category.values[0], text="Räume")


@pytest.fixture
def invitation(organisation, partner_admin):
    return Invitation.objects.create(organisation=organisation, email="neu@example.org",
                                     role=Membership.Role.MEMBER, invited_by=partner_admin,
                                     token="token-neu")


def refused(write) -> None:
    audit_entries = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        write()
    assert AuditEntry.objects.count() == audit_entries


def test_an_anonymous_caller_registers_no_organisation():
    refused(lambda: services.organisation_create(by=AnonymousUser(), name="Ohne Konto",
                                                 type=Organisation.Type.values[0]))
    assert not Organisation.objects.filter(name="Ohne Konto").exists()


@pytest.mark.parametrize("person", ["citizen", "partner_member", "other_admin"])
def test_only_admins_and_the_office_change_the_profile(request, organisation, person):
    refused(lambda: services.organisation_update(
        organisation=organisation, by=request.getfixturevalue(person),
        data={"name": "Übernommen"}))
    organisation.refresh_from_db()
    assert organisation.name != "Übernommen"


@pytest.mark.parametrize("person", ["citizen", "partner_member", "other_admin"])
def test_only_admins_and_the_office_write_offers(request, organisation, offer, person):
    by = request.getfixturevalue(person)
    refused(lambda: services.offer_create(organisation=organisation, by=by,
                                          kind=Offer.Kind.NEED,
                                          category=Offer.Category.values[0], text="Geld"))
    refused(lambda: services.offer_update(offer=offer, by=by,
                                          category=offer.category, text="Geändert"))
    refused(lambda: services.offer_delete(offer=offer, by=by))
    assert list(Offer.objects.values_list("text", flat=True)) == ["Räume"]


@pytest.mark.parametrize("person", ["citizen", "partner_member", "other_admin"])
def test_only_admins_and_the_office_manage_people(request, organisation, partner_admin,
                                                  partner_member, invitation, person):
    by = request.getfixturevalue(person)
    membership = Membership.objects.get(user=partner_member)
    refused(lambda: services.membership_invite(organisation=organisation, by=by,
                                               email="fremd@example.org",
                                               role=Membership.Role.ADMIN))
    refused(lambda: services.invitation_resend(invitation=invitation, by=by))
    refused(lambda: services.invitation_cancel(invitation=invitation, by=by))
    refused(lambda: services.membership_change_role(membership=membership, by=by,
                                                    role=Membership.Role.ADMIN))
    refused(lambda: services.membership_remove(membership=membership, by=by))
    assert not Invitation.objects.filter(email="fremd@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.token == "token-neu"
    membership.refresh_from_db()
    assert membership.role == Membership.Role.MEMBER


def test_only_the_invited_address_accepts(invitation, citizen):
    refused(lambda: services.invitation_accept(invitation=invitation, by=citizen))
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(user=citizen).exists()


def test_the_coordination_office_may(organisation, partner_member, coordinator, offer):
    """The checks refuse the people above, not the office, which may do all of it."""
    services.offer_update(offer=offer, by=coordinator, category=offer.category, text="Neu")
    membership = Membership.objects.get(user=partner_member)
    services.membership_change_role(membership=membership, by=coordinator,
                                    role=Membership.Role.ADMIN)
    assert Membership.objects.get(user=partner_member).role == Membership.Role.ADMIN
