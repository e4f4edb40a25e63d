from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from stadtallianz.core.models import AuditEntry
from stadtallianz.events import services
from stadtallianz.events.models import Event, Registration

from .conftest import BERLIN

pytestmark = pytest.mark.django_db
State = Registration.State


def _data(**overrides):
    starts = datetime(2030, 6, 1, 10, 0, tzinfo=BERLIN)
    return {"title_de": "Stadtspaziergang", "title_en": "City walk", "starts_at": starts,
            "ends_at": starts + timedelta(hours=2), **overrides}


def test_lead_creates_group_event_with_slug_uid_and_audit(group, lead):
    """A lead plans an event of their group; it gets a slug, a UID and an audit entry."""
    event = services.event_create(by=lead, group=group, data=_data())
    assert event.slug == "stadtspaziergang-2030-06-01"
    assert event.uid.endswith("@stadtallianz") and event.sequence == 0
    assert event.created_by == lead
    assert AuditEntry.objects.filter(action="event.created", object_id=str(event.pk)).exists()


@pytest.mark.parametrize("role", ["member", "other_member", "citizen", "partner_admin"])
def test_non_leads_cannot_create_group_events(request, group, role):
    """Only the group's leads and the coordinator plan its events."""
    with pytest.raises(PermissionDenied):
        services.event_create(by=request.getfixturevalue(role), group=group, data=_data())
    assert not Event.objects.exists()


def test_only_coordinator_creates_alliance_events(lead, coordinator):
    """Alliance-wide events (no group) are for the coordination office alone."""
    with pytest.raises(PermissionDenied):
        services.event_create(by=lead, group=None, data=_data())
    event = services.event_create(by=coordinator, group=None, data=_data())
    assert event.group is None


def test_end_before_start_is_an_error_on_the_end_field(group, lead):
    """An end before the start is refused, with the message on the end field; nothing saved."""
    with pytest.raises(ValidationError) as error:
        services.event_create(by=lead, group=group, data=_data(
            ends_at=datetime(2030, 6, 1, 9, 0, tzinfo=BERLIN)))
    assert "ends_at" in error.value.message_dict
    assert not Event.objects.exists()


def test_update_bumps_sequence_only_for_calendar_changes(event, lead):
    """Changing the time raises SEQUENCE; adding minutes does not; the UID never changes."""
    uid = event.uid
    event = services.event_update(event=event, by=lead, data={
        "starts_at": event.starts_at + timedelta(hours=1),
        "ends_at": event.ends_at + timedelta(hours=1)})
    assert event.sequence == 1
    event = services.event_update(event=event, by=lead, data={"minutes": "Done."})
    assert event.sequence == 1 and event.uid == uid
    assert AuditEntry.objects.filter(action="event.changed").count() == 2


def test_member_cannot_update(event, member):
    with pytest.raises(PermissionDenied):
        services.event_update(event=event, by=member, data={"title_de": "X"})


def test_cancel_marks_bumps_and_mails_registered_in_their_language(
        event, lead, member, citizen, django_capture_on_commit_callbacks):
    """Cancelling raises SEQUENCE and e-mails every registered person after the commit."""
    lead.preferred_language = "en"
    lead.save()
    services.registration_register(event=event, by=lead)
    services.registration_register(event=event, by=member)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, by=lead)
    event.refresh_from_db()
    assert event.is_cancelled and event.sequence == 1
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects["lead@example.org"].startswith("Cancelled:")
    assert subjects["gmember@example.org"].startswith("Abgesagt:")
    with pytest.raises(ValidationError):
        services.registration_register(event=event, by=citizen)


def test_capacity_and_waiting_list_moves_up(event, lead, member, citizen, partner_member,
                                            django_capture_on_commit_callbacks):
    """With one place, others wait in order; a cancellation moves the first up and mails them."""
    event.capacity = 1
    event.save()
    first = services.registration_register(event=event, by=lead)
    second = services.registration_register(event=event, by=member)
    third = services.registration_register(event=event, by=citizen)
    assert first.state == State.REGISTERED
    assert (second.state, second.position) == (State.WAITING, 1)
    assert (third.state, third.position) == (State.WAITING, 2)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(event=event, by=lead)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.state == State.REGISTERED and second.position is None
    assert third.state == State.WAITING
    assert [m.to for m in mail.outbox] == [["gmember@example.org"]]
    # The next one joins at the end of the list, after those still waiting.
    fourth = services.registration_register(event=event, by=partner_member)
    assert (fourth.state, fourth.position) == (State.WAITING, 3)


def test_raising_capacity_moves_waiting_list_up(event, lead, member):
    event.capacity = 1
    event.save()
    services.registration_register(event=event, by=lead)
    waiting = services.registration_register(event=event, by=member)
    services.event_update(event=event, by=lead, data={"capacity": 2})
    waiting.refresh_from_db()
    assert waiting.state == State.REGISTERED


def test_double_registration_refused_and_re_registration_allowed(event, member):
    services.registration_register(event=event, by=member)
    with pytest.raises(ValidationError):
        services.registration_register(event=event, by=member)
    services.registration_cancel(event=event, by=member)
    again = services.registration_register(event=event, by=member)
    assert again.state == State.REGISTERED
    assert Registration.objects.filter(event=event, user=member).count() == 1


def test_cannot_register_for_invisible_event(members_event, citizen, other_member):
    """A members-only event does not exist for a non-member, also in the services."""
    for user in (citizen, other_member):
        with pytest.raises(Event.DoesNotExist):
            services.registration_register(event=members_event, by=user)


def test_cannot_register_for_past_event(make_event, group, member):
    past = make_event(group, starts_at=timezone.now() - timedelta(days=2))
    with pytest.raises(ValidationError):
        services.registration_register(event=past, by=member)


def test_attendance_for_leads_and_coordinator_only(event, lead, member, coordinator):
    services.registration_register(event=event, by=member)
    assert [r.user for r in services.attendance(event=event, by=lead)] == [member]
    assert len(services.attendance(event=event, by=coordinator)) == 1
    with pytest.raises(PermissionDenied):
        services.attendance(event=event, by=member)


def test_lead_cancels_someone_elses_registration_member_cannot(event, lead, member, citizen):
    services.registration_register(event=event, by=citizen)
    with pytest.raises(PermissionDenied):
        services.registration_cancel(event=event, by=member, user=citizen)
    services.registration_cancel(event=event, by=lead, user=citizen)
    assert Registration.objects.get(user=citizen).state == State.CANCELLED
