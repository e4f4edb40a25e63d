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


def register(client, **overrides):
    data = {
        "full_name": "Rita Registrant", "email": "Rita@Example.org", "password1": PASSWORD,
        "password2": PASSWORD, "preferred_language": "en", **overrides,
    }
    return client.post(reverse("accounts:register"), data)


def confirmation_path(message) -> str:
    return urlparse(re.search(r"https?://\S+", message.body).group(0)).path


def test_registration_creates_an_unconfirmed_account_and_sends_the_link(client):
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


def test_duplicate_email_is_refused_next_to_the_field(client, citizen):
    """Registering an address that has an account shows an error at the e-mail field."""
    response = register(client, email="CITIZEN@example.org")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("email", "duplicate_email")
    assert b'id="id_email_error"' in response.content
    assert User.objects.count() == 1
    assert mail.outbox == []


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
