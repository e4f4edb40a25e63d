import re
import time
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from stadtallianz.accounts import services
from stadtallianz.accounts.models import User
from stadtallianz.core.models import AuditEntry

PASSWORD = "a-long-and-unusual-passphrase-42"

pytestmark = pytest.mark.django_db


def register(client, remote_addr="127.0.0.1", **overrides):
    data = {
        "full_name": "Rita Registrant", "email": "Rita@Example.org", "password1": PASSWORD,
        "password2": PASSWORD, "preferred_language": "en", "privacy_consent": "on", **overrides,
    }
    return client.post(reverse("accounts:register"), data, REMOTE_ADDR=remote_addr)


def confirmation_path(message) -> str:
    return urlparse(re.search(r"https?://\S+", message.body).group(0)).path


def test_registration_creates_an_unconfirmed_account_and_sends_the_link(client, argon2_hashing):
    """Registering creates an account with an Argon2 password, unconfirmed, and e-mails a link."""
    response = register(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:register_done")
    user = User.objects.get()
    assert user.email == "rita@example.org"
    assert user.full_name == "Rita Registrant"
    assert user.preferred_language == "en"
    assert user.email_confirmed_at is None
    assert user.password.startswith("argon2")
    assert AuditEntry.objects.filter(action="account.registered", object_id=str(user.pk)).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rita@example.org"]


def test_confirmation_email_is_in_the_preferred_language(client):
    """The confirmation e-mail is written in the language the person chose, with a link to it."""
    register(client, preferred_language="en")
    register(client, email="dora@example.org", preferred_language="de")
    english, german = mail.outbox
    assert "Confirm your e-mail address" in english.subject
    assert "/en/register/confirm/" in english.body
    assert "Bestätigen" in german.subject
    assert "/de/register/confirm/" in german.body


def test_the_confirmation_link_confirms_the_address_on_post(client):
    """Opening the link shows a button; pressing it confirms the address."""
    register(client)
    path = confirmation_path(mail.outbox[0])
    response = client.get(path)
    assert response.status_code == 200
    assert User.objects.get().email_confirmed_at is None, "a GET (mail scanner) must not confirm"
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    user = User.objects.get()
    assert user.email_confirmed_at is not None
    assert AuditEntry.objects.filter(action="account.email_confirmed").count() == 1


def test_an_expired_confirmation_link_is_refused(client, make_user, monkeypatch):
    """A link older than its lifetime confirms nothing and offers a new one."""
    user = make_user("late@example.org", email_confirmed_at=None)
    token = services.email_confirmation_token(user)
    path = reverse("accounts:confirm_email", kwargs={"token": token})
    later = timezone.now() + services.CONFIRMATION_MAX_AGE + timedelta(minutes=1)
    monkeypatch.setattr(time, "time", later.timestamp)
    response = client.post(path)
    assert response.status_code == 400
    assert response.context["expired"] is True
    user.refresh_from_db()
    assert user.email_confirmed_at is None


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
    lambda t: "not-a-token",
])
def test_a_forged_confirmation_token_is_refused(client, make_user, mangle):
    """A token whose signature does not match confirms nothing."""
    user = make_user("forged@example.org", email_confirmed_at=None)
    token = mangle(services.email_confirmation_token(user))
    response = client.post(reverse("accounts:confirm_email", kwargs={"token": token}))
    assert response.status_code == 400
    assert response.context["expired"] is False
    user.refresh_from_db()
    assert user.email_confirmed_at is None


def test_a_token_signed_for_another_purpose_is_refused(client, make_user):
    """A value signed with the site key but another salt is no confirmation token."""
    user = make_user("salt@example.org", email_confirmed_at=None)
    token = signing.TimestampSigner(salt="something-else").sign_object(
        {"id": user.pk, "email": user.email})
    response = client.post(reverse("accounts:confirm_email", kwargs={"token": token}))
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email_confirmed_at is None


def test_a_link_for_an_old_address_stops_working(client, make_user):
    """After the address changes, a link made for the old one confirms nothing."""
    user = make_user("old@example.org", email_confirmed_at=None)
    token = services.email_confirmation_token(user)
    User.objects.filter(pk=user.pk).update(email="new@example.org")
    response = client.post(reverse("accounts:confirm_email", kwargs={"token": token}))
    assert response.status_code == 400


def _without_nonces(response) -> str:
    """The page without what differs on every request (CSP nonces, CSRF tokens)."""
    return re.sub(r'(nonce|value)="[^"]*"', "", response.content.decode())


def test_an_address_with_an_account_is_answered_like_a_new_one(client, citizen):
    """Issue 11, item 7: the form does not tell who has an account. A new address and one that
    has an account get the same status and redirect, and the page they lead to is the same;
    nothing is created for the taken address, and its owner gets an e-mail instead."""
    new = register(client, email="new@example.org")
    taken = register(client, email="CITIZEN@example.org")
    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"]) == (
        302, reverse("accounts:register_done"))
    assert _without_nonces(client.get(taken["Location"])) == _without_nonces(
        client.get(new["Location"]))
    assert User.objects.filter(email__iexact="citizen@example.org").count() == 1
    assert set(User.objects.values_list("email", flat=True)) == {"citizen@example.org",
                                                                 "new@example.org"}
    assert [message.to for message in mail.outbox] == [["new@example.org"],
                                                       ["citizen@example.org"]]
    notice = mail.outbox[1]
    assert "tried to register" in notice.subject or "registrieren" in notice.subject
    assert "/login/" in notice.body and "/password-reset/" in notice.body
    assert "register/confirm" not in notice.body  # no way in for whoever tried
    citizen.refresh_from_db()
    assert citizen.check_password("correct-horse-battery-staple")  # unchanged
    assert AuditEntry.objects.filter(action="account.registration_attempted",
                                     object_id=str(citizen.pk)).exists()


@pytest.mark.parametrize("language,expected", [
    ("de", "Jemand hat versucht, sich bei"), ("en", "Someone tried to register with your")])
def test_the_owner_is_told_in_their_language(client, make_user, language, expected):
    make_user("owner@example.org", preferred_language=language)
    register(client, email="owner@example.org", preferred_language="en" if language == "de"
             else "de")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith(expected)


def test_an_unconfirmed_address_is_answered_the_same_and_told_too(client, make_user):
    """Also an account that waits for confirmation: no second account, the same answer."""
    make_user("waiting@example.org", email_confirmed_at=None)
    response = register(client, email="waiting@example.org")
    assert response.status_code == 302
    assert User.objects.filter(email="waiting@example.org").count() == 1
    assert [message.to for message in mail.outbox] == [["waiting@example.org"]]


@pytest.mark.parametrize("taken", [False, True], ids=["new address", "taken address"])
def test_registrations_are_limited_per_address(client, settings, make_user, taken):
    """The third registration of one address within the window (from different clients) is
    refused with a friendly error and 429; no e-mail goes out for it. New and taken addresses
    count alike, so the limit tells nothing either."""
    settings.ACCOUNT_EMAIL_RATE = "2/3600"
    if taken:
        make_user("limited@example.org")
    answers = [register(client, email="limited@example.org", remote_addr=f"10.0.0.{n}")
               for n in (1, 2, 3)]
    assert [answer.status_code for answer in answers] == [302, 302, 429]
    refused = answers[-1]
    assert int(refused["Retry-After"]) > 0
    assert refused.context["form"].non_field_errors()
    assert "Too many attempts" in refused.content.decode() or "Zu viele Versuche" in (
        refused.content.decode())
    assert len(mail.outbox) == 2
    assert User.objects.filter(email="limited@example.org").count() == 1


def test_registrations_are_limited_per_client(client, settings):
    """One client address registering many addresses is refused after the limit; another
    client is not affected."""
    settings.ACCOUNT_CLIENT_RATE = "2/3600"
    answers = [register(client, email=f"person{n}@example.org", remote_addr="10.0.0.9")
               for n in range(3)]
    assert [answer.status_code for answer in answers] == [302, 302, 429]
    assert not User.objects.filter(email="person2@example.org").exists()
    other = register(client, email="person3@example.org", remote_addr="10.0.0.10")
    assert other.status_code == 302


def test_password_resets_are_limited_per_address_and_per_client(client, settings, citizen):
    settings.ACCOUNT_EMAIL_RATE = "2/3600"
    settings.ACCOUNT_CLIENT_RATE = "3/3600"
    url = reverse("accounts:password_reset")
    by_address = [client.post(url, {"email": citizen.email}, REMOTE_ADDR=f"10.1.0.{n}")
                  for n in range(3)]
    assert [answer.status_code for answer in by_address] == [302, 302, 429]
    assert len(mail.outbox) == 2
    by_client = [client.post(url, {"email": f"nobody{n}@example.org"}, REMOTE_ADDR="10.2.0.1")
                 for n in range(4)]
    assert [answer.status_code for answer in by_client] == [302, 302, 302, 429]
    assert by_client[-1].context["form"].non_field_errors()
    assert int(by_client[-1]["Retry-After"]) > 0


def test_weak_password_is_refused_next_to_the_password_field(client):
    """A short, common password is refused at the first password field; nothing is created."""
    response = register(client, password1="password", password2="password")
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert b'id="id_password1_error"' in response.content
    assert not User.objects.exists()


def test_password_like_the_name_is_refused(client):
    """A password that resembles the e-mail address is refused."""
    response = register(client, email="ritaregistrant@example.org",
                        password1="ritaregistrant", password2="ritaregistrant")
    assert response.context["form"].has_error("password1", "password_too_similar")
    assert not User.objects.exists()


def test_mismatched_passwords_are_refused_next_to_the_second_field(client):
    """Two different passwords show an error at the repeated password."""
    response = register(client, password2=PASSWORD + "x")
    assert response.context["form"].has_error("password2", "password_mismatch")
    assert b'id="id_password2_error"' in response.content
    assert not User.objects.exists()


def test_missing_name_is_refused(client):
    response = register(client, full_name="")
    assert response.context["form"].has_error("full_name", "required")
    assert not User.objects.exists()


def test_register_page_offers_the_current_language(client):
    """The form suggests the language the person is reading in."""
    with translation.override("en"):
        url = reverse("accounts:register")
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].initial["preferred_language"] == "en"


def test_a_logged_in_person_is_sent_from_register_to_the_profile(client_for, citizen):
    response = client_for(citizen).get(reverse("accounts:register"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")


def test_resend_sends_a_new_link_to_an_unconfirmed_account(client, make_user):
    """Asking again sends a fresh link, once per interval."""
    user = make_user("waiting@example.org", email_confirmed_at=None)
    # A shared cache (Redis) outlives the test database: forget an earlier run's marker.
    cache.delete(f"accounts:resend:{user.pk}")
    url = reverse("accounts:resend_confirmation")
    response = client.post(url, {"email": "Waiting@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    client.post(url, {"email": "waiting@example.org"})
    assert len(mail.outbox) == 1, "a second request within the interval sends nothing"


def test_resend_says_the_same_for_unknown_and_confirmed_addresses(client, citizen):
    """The answer does not reveal whether an address has an account."""
    url = reverse("accounts:resend_confirmation")
    unknown = client.post(url, {"email": "nobody@example.org"}, follow=True)
    confirmed = client.post(url, {"email": citizen.email}, follow=True)
    assert mail.outbox == []
    messages_unknown = [str(m) for m in unknown.context["messages"]]
    messages_confirmed = [str(m) for m in confirmed.context["messages"]]
    assert messages_unknown == messages_confirmed


def test_resend_refuses_an_invalid_address_next_to_the_field(client):
    response = client.post(reverse("accounts:resend_confirmation"), {"email": "not an address"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]


def test_the_privacy_consent_is_recorded_with_the_account_or_neither(client, monkeypatch):
    """Registering records the consent to the current privacy notice in the same transaction:
    when recording it fails, no account is left behind without it."""
    from stadtallianz.legal import services as legal_services
    from stadtallianz.legal.models import ConsentRecord

    register(client)
    user = User.objects.get()
    assert ConsentRecord.objects.filter(
        user=user, version=legal_services.current("privacy")).exists()

    def broken(**kwargs):
        raise RuntimeError("consent could not be stored")

    monkeypatch.setattr(legal_services, "consent_give", broken)
    with pytest.raises(RuntimeError):
        services.account_register(full_name="Nora Neu", email="nora@example.org",
                                  password=PASSWORD, preferred_language="de")
    assert not User.objects.filter(email="nora@example.org").exists()
