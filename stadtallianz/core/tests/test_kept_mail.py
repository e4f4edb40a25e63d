"""Issue 12, item 3: a mail that cannot be sent never turns a request into an error, and is not
lost. With a mail folder that cannot be written (the file backend under /dev/null), registering,
asking for a password reset, inviting a member and submitting a signature all succeed; each
mail is kept (core/mail.py, KeptMail) and `send_pending_notifications` sends it once the mail
backend works again, with back-off in between."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from stadtallianz.accounts.models import User
from stadtallianz.core import mail as core_mail
from stadtallianz.core.models import KeptMail
from stadtallianz.letter_of_intent import services as letter_services
from stadtallianz.letter_of_intent.models import Version
from stadtallianz.partners import services as partner_services
from stadtallianz.partners.models import Organisation

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-42"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def broken_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = "/dev/null/mails"  # a folder nobody can create, root neither
    return settings


def later(minutes: int):
    return timezone.now() + timedelta(minutes=minutes)


def test_registration_succeeds_and_its_mail_is_sent_once_the_backend_works(client, broken_mail):
    response = client.post(reverse("accounts:register"), {
        "full_name": "Rita Registrant", "email": "rita@example.org", "password1": PASSWORD,
        "password2": PASSWORD, "preferred_language": "en", "privacy_consent": "on"})
    assert response.status_code == 302
    assert User.objects.filter(email="rita@example.org").exists()
    kept = KeptMail.objects.get()
    assert kept.to == ["rita@example.org"] and kept.sent_at is None
    assert "Confirm your e-mail address" in kept.subject and "/en/register/confirm/" in kept.body
    assert kept.last_error and kept.next_attempt_at > timezone.now()

    # Not due yet: nothing is tried. Due, the backend still broken: tried, kept, later again.
    assert core_mail.send_kept() == 0
    assert core_mail.send_kept(now=later(6)) == 0
    kept.refresh_from_db()
    assert kept.attempts == 2 and kept.next_attempt_at > later(6)

    broken_mail.EMAIL_BACKEND = LOCMEM
    call_command("send_pending_notifications", stdout=StringIO())  # not due yet
    assert mail.outbox == []
    KeptMail.objects.update(next_attempt_at=timezone.now())
    out = StringIO()
    call_command("send_pending_notifications", stdout=out)
    assert "1 kept e-mail(s) sent." in out.getvalue()
    assert [m.to for m in mail.outbox] == [["rita@example.org"]]
    assert "Confirm your e-mail address" in mail.outbox[0].subject
    kept.refresh_from_db()
    assert kept.sent_at is not None and kept.next_attempt_at is None
    call_command("send_pending_notifications", stdout=StringIO())
    assert len(mail.outbox) == 1  # sent once


def test_a_password_reset_request_succeeds_and_its_mail_is_kept(client, citizen, broken_mail):
    response = client.post(reverse("accounts:password_reset"), {"email": citizen.email})
    assert response.status_code == 302
    kept = KeptMail.objects.get()
    assert kept.to == [citizen.email] and "password-reset/" in kept.body


def test_an_invitation_succeeds_and_its_mail_is_kept(organisation, partner_admin, broken_mail,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the mail goes after the commit
        invitation = partner_services.membership_invite(
            organisation=organisation, by=partner_admin, email="neu@example.org",
            role="member")
    assert invitation.pk
    assert KeptMail.objects.get().to == ["neu@example.org"]


def test_a_signature_succeeds_and_the_coordinators_mail_is_kept(
        make_organisation, make_user, coordinator, broken_mail,
        django_capture_on_commit_callbacks):
    from stadtallianz.partners.models import Membership

    applicant = make_organisation("Quartier Verein", status=Organisation.Status.DRAFT)
    admin = make_user("antrag@example.org")
    Membership.objects.create(user=admin, organisation=applicant, role=Membership.Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        signature = letter_services.signature_create(
            organisation=applicant, version=Version.objects.current(), by=admin,
            signatory_name="Alex", signatory_function="Chair", authority_confirmed=True)
    assert signature.pk
    assert [kept.to for kept in KeptMail.objects.all()] == [[coordinator.email]]


def test_a_mail_that_keeps_failing_is_given_up_with_its_last_error(broken_mail):
    from django.core.mail import EmailMessage

    assert core_mail.send_or_keep([EmailMessage("Betreff", "Text", None,
                                                ["x@example.org"])]) == 0
    moment = timezone.now()
    for _attempt in range(core_mail.MAX_ATTEMPTS):
        moment += core_mail.LONGEST_RETRY + timedelta(minutes=1)
        core_mail.send_kept(now=moment)
    kept = KeptMail.objects.get()
    assert kept.attempts == core_mail.MAX_ATTEMPTS
    assert kept.next_attempt_at is None and kept.sent_at is None
    assert "dev/null" in kept.last_error or "Error" in kept.last_error
