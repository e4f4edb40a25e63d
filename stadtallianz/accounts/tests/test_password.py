import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.urls import reverse

from conftest import DEMO_PASSWORD
from stadtallianz.accounts.models import User
from stadtallianz.core.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-fresh-and-long-passphrase-9"


def reset_link(message) -> str:
    return urlparse(re.search(r"https?://\S+", message.body).group(0)).path


def test_password_reset_sends_a_link_in_the_preferred_language(client, make_user):
    """The reset e-mail goes to the person in their language, with a link under that language."""
    make_user("reader@example.org", preferred_language="en")
    response = client.post(reverse("accounts:password_reset"), {"email": "Reader@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reader@example.org"]
    assert "Set a new password" in message.subject
    assert reset_link(message).startswith("/en/password-reset/")


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_the_reset_link_sets_a_new_password_and_confirms_the_address(client, make_user,
                                                                      argon2_hashing):
    """Following the link sets the password (Argon2) and marks the address confirmed."""
    user = make_user("reset@example.org", email_confirmed_at=None)
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    link = reset_link(mail.outbox[0])
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.password.startswith("argon2")
    assert user.email_confirmed_at is not None
    # The link works once.
    assert client.get(link, follow=True).context["validlink"] is False


def test_a_forged_reset_link_is_refused(client, citizen):
    response = client.get(reverse("accounts:password_reset_confirm",
                                  kwargs={"uidb64": "MQ", "token": "abc-def"}))
    assert response.status_code == 200
    assert response.context["validlink"] is False


def test_a_weak_new_password_is_refused_at_the_field(client, citizen):
    client.post(reverse("accounts:password_reset"), {"email": citizen.email})
    form_page = client.get(reset_link(mail.outbox[0]), follow=True)
    response = client.post(form_page.redirect_chain[-1][0],
                           {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    citizen.refresh_from_db()
    assert citizen.check_password(DEMO_PASSWORD)


def test_a_person_changes_their_password(client_for, citizen, argon2_hashing):
    """Changing the password needs the old one; the session stays logged in."""
    client = client_for(citizen)
    response = client.post(reverse("accounts:password_change"), {
        "old_password": DEMO_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert citizen.password.startswith("argon2")
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert AuditEntry.objects.filter(action="account.password_changed",
                                     object_id=str(citizen.pk)).exists()


def test_a_wrong_old_password_changes_nothing(client_for, citizen):
    response = client_for(citizen).post(reverse("accounts:password_change"), {
        "old_password": "not-the-password", "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    })
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    assert User.objects.get(pk=citizen.pk).check_password(DEMO_PASSWORD)


def test_anonymous_is_sent_to_login_from_password_change(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_a_password_change_whose_audit_entry_fails_leaves_the_old_password(
        client_for, citizen, monkeypatch):
    """The new password and its audit entry are written together: when recording the change
    fails, the old password still holds."""
    from stadtallianz.accounts import services

    def failing_audit_log(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "audit_log", failing_audit_log)
    client = client_for(citizen)
    with pytest.raises(RuntimeError):
        client.post(reverse("accounts:password_change"), {
            "old_password": DEMO_PASSWORD, "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        })
    assert User.objects.get(pk=citizen.pk).check_password(DEMO_PASSWORD)
    assert not AuditEntry.objects.filter(action="account.password_changed").exists()
