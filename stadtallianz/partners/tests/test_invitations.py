"""Invitations expire, can be sent again, and survive being accepted twice at once."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from stadtallianz.core.models import AuditEntry
from stadtallianz.partners import services
from stadtallianz.partners.models import INVITATION_VALID_DAYS, Invitation, Membership

from .conftest import ALLOWED

pytestmark = pytest.mark.django_db


def accept_url(token: str) -> str:
    return reverse("partners:invitation_accept", kwargs={"token": token})


def resend_url(invitation) -> str:
    return reverse("partners:invitation_resend",
                   kwargs={"slug": invitation.organisation.slug, "pk": invitation.pk})


def members_url(organisation) -> str:
    return reverse("partners:members", kwargs={"slug": organisation.slug})


def make_invitation(organisation, inviter, *, age: timedelta = timedelta(0), **fields):
    invitation = Invitation.objects.create(
        organisation=organisation, email=fields.pop("email", "new@example.org"),
        role=fields.pop("role", "member"), invited_by=inviter,
        token=fields.pop("token", "tok-123"), **fields)
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - age, created_at=timezone.now() - age)
    invitation.refresh_from_db()
    return invitation


EXPIRED = timedelta(days=INVITATION_VALID_DAYS, seconds=1)


def test_an_invitation_is_valid_for_fourteen_days(client_for, make_user, organisation,
                                                  partner_admin):
    """A link sent 14 days ago less a minute still works."""
    assert INVITATION_VALID_DAYS == 14
    invitation = make_invitation(organisation, partner_admin,
                                 age=timedelta(days=INVITATION_VALID_DAYS, minutes=-1))
    person = make_user("new@example.org")
    response = client_for(person).post(accept_url(invitation.token))
    assert response.status_code == 302
    assert Membership.objects.filter(user=person, organisation=organisation).exists()


def test_an_expired_invitation_cannot_be_accepted(client_for, make_user, organisation,
                                                  partner_admin):
    """Opening or posting an expired link says so clearly and changes nothing."""
    invitation = make_invitation(organisation, partner_admin, age=EXPIRED)
    person = make_user("new@example.org", preferred_language="en")
    client = client_for(person)
    for response in (client.get(accept_url(invitation.token), HTTP_ACCEPT_LANGUAGE="en"),
                     client.post(accept_url(invitation.token))):
        assert response.status_code == 410
        content = response.content.decode()
        assert "This invitation has expired" in content or "abgelaufen" in content
        assert "Accept the invitation" not in content
    assert not Membership.objects.filter(user=person).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not AuditEntry.objects.filter(action="partner.invitation.accepted").exists()


def test_the_service_refuses_an_expired_invitation(make_user, organisation, partner_admin):
    """The expiry is enforced by the service itself, not only by the page."""
    invitation = make_invitation(organisation, partner_admin, age=EXPIRED)
    person = make_user("new@example.org")
    with pytest.raises(ValidationError) as error:
        services.invitation_accept(invitation=invitation, by=person)
    assert error.value.code == "expired"
    assert not Membership.objects.filter(user=person).exists()


def test_the_members_page_marks_expired_invitations(as_role, organisation, partner_admin):
    """Admins see which pending invitations have expired, each with a "send again" button."""
    make_invitation(organisation, partner_admin, age=EXPIRED, email="old@example.org",
                    token="tok-old")
    make_invitation(organisation, partner_admin, email="fresh@example.org", token="tok-new")
    content = as_role("partner_admin").get(members_url(organisation)).content.decode()
    assert content.count("badge-expired") == 1
    old_row = content[content.index("old@example.org"):]
    assert "badge-expired" in old_row[:old_row.index("</tr>")]
    assert content.count("/resend/") == 2


@pytest.mark.parametrize("role", ALLOWED)
def test_an_admin_sends_an_invitation_again(role, request, as_role, client_for, make_user,
                                            organisation, partner_admin,
                                            django_capture_on_commit_callbacks):
    """Sending again gives a new link (the old one stops working), a new e-mail and a new
    fourteen days; it is audited."""
    request.getfixturevalue(role)
    invitation = make_invitation(organisation, partner_admin, age=EXPIRED)
    old_sent_at = invitation.sent_at
    with django_capture_on_commit_callbacks(execute=True):
        response = as_role(role).post(resend_url(invitation))
    assert response.status_code == 302
    assert response["Location"] == members_url(organisation)
    invitation.refresh_from_db()
    assert invitation.token != "tok-123" and len(invitation.token) >= 40
    assert invitation.sent_at > old_sent_at and not invitation.is_expired
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.org"]
    assert invitation.token in mail.outbox[0].body
    entry = AuditEntry.objects.get(action="partner.invitation.resent")
    assert entry.before["email"] == entry.after["email"] == "new@example.org"
    assert "token" not in entry.after

    person = make_user("new@example.org")
    client = client_for(person)
    assert client.post(accept_url("tok-123")).status_code == 404
    assert client.post(accept_url(invitation.token)).status_code == 302
    assert Membership.objects.filter(user=person, organisation=organisation).exists()


def test_an_accepted_invitation_is_not_sent_again(as_role, make_user, organisation,
                                                  partner_admin):
    """Once accepted, an invitation cannot be re-sent; nothing changes and no e-mail goes out."""
    invitation = make_invitation(organisation, partner_admin)
    services.invitation_accept(invitation=invitation, by=make_user("new@example.org"))
    response = as_role("partner_admin").post(resend_url(invitation))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.token == "tok-123"
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action="partner.invitation.resent").exists()


def test_inviting_an_address_with_an_expired_invitation_points_to_send_again(
        as_role, organisation, partner_admin):
    """A second invitation to an address whose invitation expired is refused with a hint."""
    make_invitation(organisation, partner_admin, age=EXPIRED)
    response = as_role("partner_admin").post(members_url(organisation),
                                             {"email": "new@example.org", "role": "member"})
    assert response.status_code == 200
    assert 'id="id_email_error"' in response.content.decode()
    assert Invitation.objects.count() == 1


def test_accepting_as_an_existing_member_keeps_the_higher_role(make_user, organisation,
                                                               partner_admin):
    """Someone who is already an admin and accepts a member invitation stays admin."""
    invitation = make_invitation(organisation, partner_admin, email="anna@example.org")
    admin_membership = Membership.objects.get(user=partner_admin)
    partner_admin.email = "anna@example.org"
    membership = services.invitation_accept(invitation=invitation, by=partner_admin)
    assert membership.pk == admin_membership.pk and membership.is_admin


@pytest.mark.django_db(transaction=True)
def test_accepting_the_same_invitation_twice_at_once_makes_one_membership(
        make_user, organisation, partner_admin):
    """Two requests accepting one invitation at the same moment (a double click): one joins, the
    other gets a clear error; no crash on the one-membership-per-person rule."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database with concurrent writers")
    invitation = make_invitation(organisation, partner_admin)
    person = make_user("new@example.org")
    barrier = threading.Barrier(2)
    outcomes = []

    def accept():
        try:
            barrier.wait()
            services.invitation_accept(invitation=invitation, by=person)
            outcomes.append("joined")
        except ValidationError as error:
            outcomes.append(error.code)
        except Exception as error:  # noqa: BLE001 - the test reports any crash as the outcome
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["joined", "used"]
    assert Membership.objects.filter(user=person, organisation=organisation).count() == 1
    assert AuditEntry.objects.filter(action="partner.invitation.accepted").count() == 1
