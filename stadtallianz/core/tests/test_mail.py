"""One way to send the platform's own e-mails (core.mail.send_mail_to): rendered as plain text
in the recipient's language, sent through the outbox that keeps and retries a failed send."""

import pytest
from django.core import mail

from stadtallianz.core.mail import send_mail_to
from stadtallianz.core.models import KeptMail

pytestmark = pytest.mark.django_db

TEMPLATE = "accounts/emails/registration_attempt"
LINKS = {"login_url": "https://example.org/login", "reset_url": "https://example.org/reset"}


@pytest.mark.parametrize("language,greeting", [("de", "Hallo"), ("en", "Hello")])
def test_a_person_gets_it_in_their_language_as_plain_text(make_user, language, greeting):
    person = make_user("o@example.org", full_name="O'Neill & Söhne",
                       preferred_language=language)
    assert send_mail_to(person, template=TEMPLATE, context=LINKS)
    [message] = mail.outbox
    assert message.to == ["o@example.org"]
    assert f"{greeting} O'Neill & Söhne," in message.body  # no HTML escaping in a text mail
    assert "\n" not in message.subject


def test_an_address_gets_it_in_the_language_given(settings):
    settings.SITE_NAME = "Allianz <Test>"
    send_mail_to("neu@example.org", template=TEMPLATE, language="en",
                 context={"user": {"full_name": "Neu"}, **LINKS})
    [message] = mail.outbox
    assert message.body.startswith("Hello Neu,") and "Allianz <Test>" in message.subject


def test_a_failed_send_is_kept_for_the_retries(make_user, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = "/dev/null/mails"  # cannot be created
    assert not send_mail_to(make_user("k@example.org"), template=TEMPLATE, context=LINKS)
    kept = KeptMail.objects.get()
    assert kept.to == ["k@example.org"] and kept.next_attempt_at is not None
