import pytest
from django.urls import reverse

from conftest import DEMO_PASSWORD
from stadtallianz.accounts.models import ApiToken, User
from stadtallianz.core.models import AuditEntry
from stadtallianz.partners.models import Membership

pytestmark = pytest.mark.django_db


def test_a_citizen_deletes_their_account_with_the_password(client_for, citizen):
    """Deleting asks for the password, logs out, and leaves an audit entry without the address."""
    ApiToken.issue(user=citizen, name="script")
    client = client_for(citizen)
    user_id = citizen.pk
    response = client.post(reverse("accounts:delete"), {"password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert not User.objects.filter(pk=user_id).exists()
    assert not ApiToken.objects.exists()
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="account.deleted")
    assert entry.object_repr == f"deleted account #{user_id}"
    assert entry.object_id == str(user_id)
    assert entry.actor is None
    assert "citizen@example.org" not in entry.actor_repr + entry.object_repr


def test_deleting_an_account_erases_the_person_from_earlier_audit_entries(client_for, citizen):
    """The log still says what the person did, under a pseudonym, without name or address."""
    ApiToken.issue(user=citizen, name="script")
    client = client_for(citizen)
    client.post(reverse("accounts:tokens"), {"name": "laptop"})
    user_id = citizen.pk
    assert AuditEntry.objects.filter(actor_repr="citizen@example.org").exists()
    client.post(reverse("accounts:delete"), {"password": DEMO_PASSWORD})
    entries = AuditEntry.objects.all()
    assert entries.filter(action="account.api_token.created").exists()
    for entry in entries:
        assert "citizen@example.org" not in entry.actor_repr
        assert "Clara Citizen" not in entry.object_repr
    token_entry = entries.get(action="account.api_token.created")
    assert token_entry.actor_repr == f"deleted account #{user_id}"


def test_a_wrong_password_deletes_nothing(client_for, citizen):
    response = client_for(citizen).post(reverse("accounts:delete"), {"password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].has_error("password", "wrong_password")
    assert User.objects.filter(pk=citizen.pk).exists()


def test_a_member_deletes_their_account_and_the_membership_goes(client_for, partner_member,
                                                                 organisation):
    response = client_for(partner_member).post(reverse("accounts:delete"),
                                               {"password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert not Membership.objects.filter(organisation=organisation,
                                         user_id=partner_member.pk).exists()


def test_the_last_admin_of_an_organisation_with_members_is_refused(client_for, partner_admin,
                                                                   partner_member, organisation):
    """The only admin must hand over first; the page names the organisation."""
    client = client_for(partner_admin)
    page = client.get(reverse("accounts:delete"))
    assert organisation in page.context["blocking"]
    response = client.post(reverse("accounts:delete"), {"password": DEMO_PASSWORD})
    assert response.status_code == 409
    assert organisation.name.encode() in response.content
    assert User.objects.filter(pk=partner_admin.pk).exists()
    assert not AuditEntry.objects.filter(action="account.deleted").exists()


def test_an_admin_with_a_second_admin_may_delete(client_for, partner_admin, partner_member,
                                                 organisation):
    Membership.objects.filter(user=partner_member).update(role=Membership.Role.ADMIN)
    response = client_for(partner_admin).post(reverse("accounts:delete"),
                                              {"password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(pk=partner_admin.pk).exists()


def test_the_sole_person_of_an_organisation_may_delete(client_for, partner_admin):
    """An admin alone in their organisation leaves nobody behind, so deletion is allowed."""
    response = client_for(partner_admin).post(reverse("accounts:delete"),
                                              {"password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(pk=partner_admin.pk).exists()


def test_deleting_needs_post(client_for, citizen):
    response = client_for(citizen).get(reverse("accounts:delete"), {"password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert User.objects.filter(pk=citizen.pk).exists()
