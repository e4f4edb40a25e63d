import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from conftest import DEMO_PASSWORD
from stadtallianz.core.models import AuditEntry

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT


def login(client, email, password=DEMO_PASSWORD, ip="192.0.2.10", **extra):
    return client.post(reverse("accounts:login"),
                       {"username": email, "password": password, **extra}, REMOTE_ADDR=ip)


def test_login_form_asks_for_the_email_address(client):
    """The login form labels its first field "E-mail address"."""
    with translation.override("en"):
        english = client.get(reverse("accounts:login"))
    german = client.get(reverse("accounts:login"))
    assert english.status_code == german.status_code == 200
    assert b'<label for="id_username">E-mail address' in english.content
    assert b'<label for="id_username">E-Mail-Adresse' in german.content
    assert b'type="email"' in english.content


def test_a_confirmed_person_logs_in_and_lands_in_my_area_in_their_language(client, make_user):
    """After login without `next`, "Mein Bereich" opens under the person's preferred language."""
    make_user("english@example.org", preferred_language="en")
    response = login(client, "English@Example.org")
    assert response.status_code == 302
    assert response["Location"] == "/en/my-area/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get("/en/my-area/").status_code == 200
    # The former English address still leads there.
    assert client.get("/en/mein-bereich/")["Location"] == "/en/my-area/"


def test_login_follows_next_when_given(client, citizen):
    """A safe `next` wins over the preferred language's profile."""
    response = login(client, citizen.email, next="/de/account/tokens/")
    assert response["Location"] == "/de/account/tokens/"


def test_login_ignores_a_next_to_another_site(client, citizen):
    response = login(client, citizen.email, next="https://evil.example.com/")
    assert response["Location"] == "/de/mein-bereich/"


def test_wrong_password_is_refused(client, citizen):
    response = login(client, citizen.email, password="wrong-password-123")
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "invalid_login")
    assert "_auth_user_id" not in client.session


def test_an_unconfirmed_account_cannot_log_in_and_is_offered_a_new_link(client, make_user):
    """Login is refused until the address is confirmed, with a link to resend the e-mail."""
    make_user("unconfirmed@example.org", email_confirmed_at=None)
    response = login(client, "unconfirmed@example.org")
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "email_unconfirmed")
    assert response.context["email_unconfirmed"] is True
    assert reverse("accounts:resend_confirmation").encode() + b"?email=unconfirmed%40example.org" \
        in response.content
    assert "_auth_user_id" not in client.session


def test_the_resend_link_is_not_shown_for_a_wrong_password(client, make_user):
    """Without the right password nobody learns that an account is unconfirmed."""
    make_user("unconfirmed@example.org", email_confirmed_at=None)
    response = login(client, "unconfirmed@example.org", password="wrong-password-123")
    assert response.context["form"].has_error("__all__", "invalid_login")
    assert not response.context.get("email_unconfirmed")


def test_a_deactivated_account_cannot_log_in(client, make_user):
    make_user("gone@example.org", is_active=False)
    response = login(client, "gone@example.org")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_needs_post(client_for, citizen):
    """Logging out is a POST; a GET changes nothing."""
    client = client_for(citizen)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_failed_logins_lock_the_account_for_that_address(client, citizen):
    """After the limit of failures, even the right password is refused with the lock-out page."""
    for _ in range(LIMIT - 1):
        assert login(client, citizen.email, password="wrong-password-123").status_code == 200
    locked = login(client, citizen.email, password="wrong-password-123")
    assert locked.status_code == 429
    response = login(client, citizen.email)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert reverse("accounts:password_reset").encode() in response.content
    assert b"15" in response.content  # minutes until the next try


def test_the_lock_out_page_speaks_the_page_language(client, citizen):
    for _ in range(LIMIT):
        login(client, citizen.email, password="wrong-password-123")
    with translation.override("en"):
        url = reverse("accounts:login")
    response = client.post(url, {"username": citizen.email, "password": DEMO_PASSWORD},
                           REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 429
    assert b"Too many failed log-in attempts" in response.content
    assert b"Please try again in 15 minutes." in response.content


def test_the_lock_out_counts_spellings_of_an_address_together(client, citizen):
    """"Citizen@…" and "citizen@…" are one account, so they share one counter."""
    for index in range(LIMIT):
        email = citizen.email.upper() if index % 2 else citizen.email
        login(client, email, password="wrong-password-123")
    assert login(client, citizen.email).status_code == 429


def test_the_lock_out_is_per_address(client, citizen):
    """From another network address the right password still works."""
    for _ in range(LIMIT):
        login(client, citizen.email, password="wrong-password-123")
    response = login(client, citizen.email, ip="198.51.100.7")
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_a_successful_login_resets_the_counter(client, citizen):
    """Failures before a success do not count towards the next lock-out."""
    for _ in range(LIMIT - 1):
        login(client, citizen.email, password="wrong-password-123")
    assert login(client, citizen.email).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(LIMIT - 1):
        assert login(client, citizen.email, password="wrong-password-123").status_code == 200
    assert login(client, citizen.email).status_code == 302


def test_setting_a_new_password_lifts_the_lock_out(client, citizen):
    """The lock-out page sends people to the password reset, which ends the lock-out."""
    from stadtallianz.accounts.services import account_password_reset

    for _ in range(LIMIT):
        login(client, citizen.email, password="wrong-password-123")
    assert AccessAttempt.objects.exists()
    account_password_reset(user=citizen, password="another-long-passphrase-7")
    assert not AccessAttempt.objects.exists()
    assert login(client, citizen.email, password="another-long-passphrase-7").status_code == 302
    assert AuditEntry.objects.filter(action="account.password_reset").exists()


def test_the_coordination_office_lands_on_its_work_queue(client, coordinator):
    """The office's start page is the work queue (issue 14); a `next` still wins, and Mein
    Bereich links the work queue for the office whether or not reviews are waiting."""
    assert login(client, coordinator.email)["Location"] == "/de/backoffice/"
    client.logout()
    response = login(client, coordinator.email, next="/de/account/tokens/")
    assert response["Location"] == "/de/account/tokens/"
    assert 'href="/de/backoffice/"' in client.get("/de/mein-bereich/").content.decode()
