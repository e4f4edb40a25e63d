"""Receipts (issue 14): signing the letter of intent, registering for a meeting (a place or the
waiting list), moving up, and submitting an idea each give the person a notification and an
e-mail through the outbox, in their language, once, and nothing when the action fails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from stadtallianz.core.exceptions import Conflict
from stadtallianz.events import services as event_services
from stadtallianz.events.models import Event
from stadtallianz.ideas import services as idea_services
from stadtallianz.letter_of_intent import services as letter_services
from stadtallianz.letter_of_intent.models import Version
from stadtallianz.notifications import services as notification_services
from stadtallianz.notifications.models import Notification
from stadtallianz.partners.models import Membership, Organisation
from stadtallianz.workinggroups.tests.fixtures import *  # noqa: F403


def _mails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def _receipts(user, kind):
    return list(Notification.objects.filter(recipient=user, kind=kind))


@pytest.fixture
def person(make_user, request):
    return make_user(f"person-{request.param}@example.org", preferred_language=request.param)


LANGUAGES = pytest.mark.parametrize("person", ["de", "en"], indirect=True)


# --- letter of intent ----------------------------------------------------------------------


@pytest.fixture
def signing(make_organisation, person):
    organisation = make_organisation("Quartier Verein", status=Organisation.Status.DRAFT)
    Membership.objects.create(user=person, organisation=organisation,
                              role=Membership.Role.ADMIN)
    return organisation


def _sign(organisation, by, **fields):
    fields.setdefault("authority_confirmed", True)
    return letter_services.signature_create(
        organisation=organisation, version=Version.objects.current(), by=by,
        signatory_name="Alex Applicant", signatory_function="Chair", **fields)


@LANGUAGES
def test_signing_the_letter_gives_a_receipt_in_the_signers_language(
        signing, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _sign(signing, person)
    [receipt] = _receipts(person, "receipt-signature-submitted")
    expected = {"de": "Eingegangen: die Absichtserklärung", "en": "Received: the letter of intent"}
    assert receipt.subject.startswith(expected[person.preferred_language])
    assert receipt.url.startswith(f"/{person.preferred_language}/letter-of-intent/status/")
    [message] = _mails_to(person)
    assert message.subject == receipt.subject
    assert "Quartier Verein" in message.body
    assert receipt.emailed_at is not None  # sent through the outbox row
    # The job running again sends nothing twice.
    assert notification_services.send_email(receipt.pk) is False
    assert len(_mails_to(person)) == 1


@LANGUAGES
def test_a_refused_signature_gives_no_receipt(signing, person,
                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        _sign(signing, person, authority_confirmed=False)
    assert not Notification.objects.filter(recipient=person).exists()
    assert _mails_to(person) == []


# --- events --------------------------------------------------------------------------------


@pytest.fixture
def meeting(make_event):
    return make_event(None, title_de="Stadtforum", title_en="City forum", capacity=1,
                      visibility=Event.Visibility.PUBLIC)


@LANGUAGES
def test_registering_gives_a_receipt_once(meeting, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event_services.registration_register(event=meeting, by=person)
    [receipt] = _receipts(person, "receipt-event-registered")
    title = {"de": "Stadtforum", "en": "City forum"}[person.preferred_language]
    assert receipt.subject == {"de": f"Sie sind angemeldet: {title}",
                               "en": f"You are registered: {title}"}[person.preferred_language]
    assert [m.subject for m in _mails_to(person)] == [receipt.subject]
    # Registering again (a retried request) is refused and sends nothing more.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
        event_services.registration_register(event=meeting, by=person)
    assert len(_receipts(person, "receipt-event-registered")) == 1
    assert len(_mails_to(person)) == 1


@LANGUAGES
def test_the_waiting_list_and_moving_up_give_receipts(meeting, person, make_user,
                                                      django_capture_on_commit_callbacks):
    first = make_user("first@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        event_services.registration_register(event=meeting, by=first)
        event_services.registration_register(event=meeting, by=person)
    [waiting] = _receipts(person, "receipt-event-waiting")
    assert waiting.subject.startswith({"de": "Auf der Warteliste",
                                       "en": "On the waiting list"}[person.preferred_language])
    assert {"de": "(Nummer 1)", "en": "(number 1)"}[person.preferred_language] in waiting.body
    with django_capture_on_commit_callbacks(execute=True):
        event_services.registration_cancel(event=meeting, by=first)
    [moved_up] = _receipts(person, "event-moved-up")
    assert moved_up.subject.startswith({"de": "Sie haben einen Platz",
                                        "en": "You have a place"}[person.preferred_language])
    assert [m.subject for m in _mails_to(person)] == [waiting.subject, moved_up.subject]


@LANGUAGES
def test_registering_for_a_past_event_gives_no_receipt(make_event, person,
                                                       django_capture_on_commit_callbacks):
    past = make_event(None, starts_at=timezone.now() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
        event_services.registration_register(event=past, by=person)
    assert not Notification.objects.filter(recipient=person).exists()
    assert _mails_to(person) == []


# --- ideas ---------------------------------------------------------------------------------


@LANGUAGES
def test_submitting_an_idea_gives_a_receipt(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        idea = idea_services.idea_create(by=person, data={
            "title": "Radweg an der Promenade", "description": "Ein sicherer Radweg."})
    [receipt] = _receipts(person, "receipt-idea-submitted")
    assert receipt.subject == {
        "de": "Ihre Idee wurde eingereicht: Radweg an der Promenade",
        "en": "Your idea has been submitted: Radweg an der Promenade"}[person.preferred_language]
    assert receipt.url == f"/{person.preferred_language}/ideas/{idea.pk}/"
    [message] = _mails_to(person)
    assert message.subject == receipt.subject
    # The e-mail job run a second time sends nothing again.
    assert notification_services.send_email(receipt.pk) is False
    assert len(_mails_to(person)) == 1


@LANGUAGES
def test_an_idea_that_fails_gives_no_receipt(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        idea_services.idea_create(by=person, data={"title": "", "description": "x"})
    # And one rolled back by a later error in the caller's transaction neither.
    with (django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError),
          transaction.atomic()):
        idea_services.idea_create(by=person, data={"title": "Gut", "description": "x"})
        raise RuntimeError
    assert not Notification.objects.filter(recipient=person).exists()
    assert _mails_to(person) == []
