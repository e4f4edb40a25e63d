import re

import pytest
from django.core import mail
from django.urls import reverse

from stadtallianz.core.models import AuditEntry
from stadtallianz.partners.models import Invitation, Membership, Organisation

from .conftest import ALLOWED, DENIED, assert_denied


def members_url(organisation) -> str:
    return reverse("partners:members", kwargs={"slug": organisation.slug})


def action_url(name, organisation, pk) -> str:
    return reverse(f"partners:{name}", kwargs={"slug": organisation.slug, "pk": pk})


@pytest.fixture
def invitation(organisation, partner_admin):
    return Invitation.objects.create(organisation=organisation, email="new@example.org",
                                     role="member", invited_by=partner_admin, token="tok-123")


@pytest.mark.parametrize(("role", "expected"), [(None, "login"), ("citizen", 403),
                                                ("other_member", 403)])
def test_member_list_is_denied_to_outsiders(role, expected, as_role, organisation):
    """Visitors, citizens and people of other partners do not see who works at a partner."""
    assert_denied(as_role(role).get(members_url(organisation)), expected)


@pytest.mark.parametrize("role", ["partner_member", *ALLOWED])
def test_member_list_is_shown_to_members_admins_and_coordinator(role, as_role, organisation,
                                                                partner_admin):
    """Members see the list; only admins and the coordinator see the management forms."""
    response = as_role(role).get(members_url(organisation))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Anna Admin" in content
    assert ('name="email"' in content) == (role != "partner_member")


@pytest.mark.parametrize(("role", "expected"), DENIED)
def test_membership_changes_are_denied(role, expected, as_role, organisation, partner_admin,
                                       partner_member, invitation):
    """Inviting, removing, changing roles and cancelling invitations is for admins only."""
    client = as_role(role)
    membership = Membership.objects.get(user=partner_member)
    assert_denied(client.post(members_url(organisation),
                              {"email": "x@example.org", "role": "admin"}), expected)
    assert_denied(client.post(action_url("member_remove", organisation, membership.pk)), expected)
    assert_denied(client.post(action_url("member_role", organisation, membership.pk),
                              {"role": "admin"}), expected)
    assert_denied(client.post(action_url("invitation_cancel", organisation, invitation.pk)),
                  expected)
    assert_denied(client.post(action_url("invitation_resend", organisation, invitation.pk)),
                  expected)
    membership.refresh_from_db()
    assert membership.role == "member"
    assert list(Invitation.objects.values_list("email", flat=True)) == ["new@example.org"]
    assert Invitation.objects.get().token == "tok-123"
    assert not AuditEntry.objects.filter(action="partner.invitation.resent").exists()


@pytest.mark.parametrize("role", ALLOWED)
def test_invitation_is_sent_in_the_inviters_language(role, request, as_role, organisation,
                                                     django_capture_on_commit_callbacks):
    """The invitation e-mail carries a one-time accept link, in the inviter's language."""
    inviter = request.getfixturevalue(role)
    inviter.preferred_language = "en"
    inviter.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_role(role).post(members_url(organisation),
                                      {"email": "New.Person@Example.org", "role": "admin"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "new.person@example.org" and invitation.role == "admin"
    assert len(invitation.token) >= 40
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    assert "Invitation to join Stadtwerke Beispielstadt" in message.subject
    assert f"/en/partners/invitations/{invitation.token}/" in message.body
    assert AuditEntry.objects.filter(action="partner.member.invited").exists()


def test_invitation_in_german_for_a_german_inviter(as_role, partner_admin, organisation,
                                                   django_capture_on_commit_callbacks):
    """A German-speaking inviter sends the link to the German page."""
    with django_capture_on_commit_callbacks(execute=True):
        as_role("partner_admin").post(members_url(organisation),
                                      {"email": "neu@example.org", "role": "member"})
    assert re.search(r"/de/partners/invitations/[\w-]+/", mail.outbox[0].body)


def test_existing_member_and_pending_address_cannot_be_invited_twice(as_role, partner_admin,
                                                                     partner_member, organisation,
                                                                     invitation):
    """Inviting a member again or a pending address again is an error, nothing is sent."""
    client = as_role("partner_admin")
    for email in ["MEMBER@example.org", "new@example.org"]:
        response = client.post(members_url(organisation), {"email": email, "role": "member"})
        assert response.status_code == 200
        assert 'id="id_email_error"' in response.content.decode()
    assert Invitation.objects.count() == 1
    assert mail.outbox == []


def test_admin_cancels_an_invitation(as_role, partner_admin, organisation, invitation):
    """A cancelled invitation is gone and its link no longer works."""
    response = as_role("partner_admin").post(action_url("invitation_cancel", organisation,
                                                        invitation.pk))
    assert response.status_code == 302
    assert not Invitation.objects.exists()
    assert AuditEntry.objects.filter(action="partner.invitation.cancelled").exists()


@pytest.mark.parametrize("role", ALLOWED)
def test_admin_removes_a_member_and_changes_roles(role, as_role, organisation, partner_admin,
                                                  partner_member):
    """Admins and the coordinator promote and remove people, with audit entries."""
    client = as_role(role)
    membership = Membership.objects.get(user=partner_member)
    assert client.post(action_url("member_role", organisation, membership.pk),
                       {"role": "admin"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == "admin"
    assert client.post(action_url("member_remove", organisation, membership.pk)).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"partner.member.role_changed", "partner.member.removed"} <= actions


def test_last_admin_can_be_neither_removed_nor_demoted(as_role, organisation, partner_admin,
                                                       coordinator):
    """An organisation always keeps an administrator."""
    client = as_role("coordinator")
    membership = Membership.objects.get(user=partner_admin)
    response = client.post(action_url("member_remove", organisation, membership.pk), follow=True)
    assert "last administrator" in response.content.decode() or \
        "letzte" in response.content.decode()
    client.post(action_url("member_role", organisation, membership.pk), {"role": "member"})
    membership.refresh_from_db()
    assert membership.role == "admin"


def test_membership_of_another_organisation_is_404(as_role, other_member, partner_member,
                                                   organisation):
    """An admin of one partner cannot remove people of another through their own URL."""
    other = other_member.memberships.get().organisation
    membership = Membership.objects.get(user=partner_member)
    response = as_role("other_member").post(action_url("member_remove", other, membership.pk))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def invitation_url(invitation) -> str:
    return reverse("partners:invitation_accept", kwargs={"token": invitation.token})


def test_invited_person_accepts_and_joins(client_for, make_user, invitation, organisation):
    """The account with the invited address (in any case) joins with the invited role."""
    person = make_user("NEW@example.org")
    client = client_for(person)
    assert client.get(invitation_url(invitation)).status_code == 200
    response = client.post(invitation_url(invitation))
    assert response.status_code == 302 and response["Location"] == organisation.get_absolute_url()
    assert Membership.objects.get(user=person, organisation=organisation).role == "member"
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert AuditEntry.objects.filter(action="partner.invitation.accepted").exists()
    # Used once, never again.
    assert client.post(invitation_url(invitation)).status_code == 410


def test_different_account_cannot_accept(client_for, citizen, invitation, organisation):
    """Someone else holding the link gets a clear error and does not join."""
    response = client_for(citizen).post(invitation_url(invitation))
    assert response.status_code == 403
    assert "different e-mail address" in response.content.decode() or \
        "andere E-Mail-Adresse" in response.content.decode()
    assert not Membership.objects.filter(user=citizen).exists()


def test_visitor_is_sent_to_login_with_next(client, invitation):
    """Opening the link without an account leads to login and back."""
    response = client.get(invitation_url(invitation))
    assert response.status_code == 302
    assert "/login/" in response["Location"] and "next=" in response["Location"]
    assert "invitations" in response["Location"]


def test_unknown_token_is_404(client_for, citizen):
    """A made-up token finds nothing."""
    url = reverse("partners:invitation_accept", kwargs={"token": "does-not-exist"})
    assert client_for(citizen).get(url).status_code == 404


@pytest.mark.parametrize("token", ["%00", "tok%00123", "tok.123"])
def test_a_token_that_cannot_be_one_is_404(client_for, citizen, token):
    """A token with characters no token has (a NUL would fail the query on PostgreSQL) finds
    nothing, for GET and POST."""
    url = f"/de/partners/invitations/{token}/"
    assert client_for(citizen).get(url).status_code == 404
    assert client_for(citizen).post(url).status_code == 404


def test_invited_person_of_a_draft_then_sees_it(client_for, make_user, make_organisation,
                                                partner_admin):
    """Accepting an invitation to a non-public organisation opens its profile to the person."""
    draft = make_organisation("Draft", status=Organisation.Status.DRAFT)
    invitation = Invitation.objects.create(organisation=draft, email="joiner@example.org",
                                           role="admin", token="tok-draft")
    person = make_user("joiner@example.org")
    client = client_for(person)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.post(invitation_url(invitation))
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert Membership.objects.get(user=person).is_admin


def test_invitation_and_role_of_another_organisation_are_404(as_role, other_member,
                                                             partner_member, organisation,
                                                             invitation):
    """An admin of one partner can neither cancel another partner's invitation nor change the
    role of its people through their own organisation's URLs."""
    other = other_member.memberships.get().organisation
    membership = Membership.objects.get(user=partner_member)
    client = as_role("other_member")
    assert client.post(action_url("invitation_cancel", other, invitation.pk)).status_code == 404
    assert client.post(action_url("invitation_resend", other, invitation.pk)).status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).token == "tok-123"
    assert client.post(action_url("member_role", other, membership.pk),
                       {"role": "admin"}).status_code == 404
    assert Invitation.objects.filter(pk=invitation.pk, token="tok-123").exists()
    membership.refresh_from_db()
    assert membership.role == Membership.Role.MEMBER


@pytest.mark.parametrize("name", ["member_remove", "member_role", "invitation_cancel",
                                  "invitation_resend"])
def test_membership_actions_need_post(as_role, partner_admin, partner_member, organisation,
                                      invitation, name):
    """A link (GET) to a membership action changes nothing: 405."""
    pk = (invitation.pk if name.startswith("invitation_")
          else Membership.objects.get(user=partner_member).pk)
    response = as_role("partner_admin").get(action_url(name, organisation, pk))
    assert response.status_code == 405
    assert Membership.objects.filter(user=partner_member, role="member").exists()
    assert Invitation.objects.filter(pk=invitation.pk, token="tok-123").exists()
