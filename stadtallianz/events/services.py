"""Changes to events and registrations. Each is one transaction with an audit entry
(`event.*`); people are notified through the notifications app (in-app, and by e-mail after the
commit, in the recipient's language).

Registrations lock the event row, so two people taking the last place, or a cancellation and a
registration at once, are decided one after another on current numbers.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.audit import audit_log, snapshot
from stadtallianz.core.exceptions import Conflict
from stadtallianz.core.office import with_office
from stadtallianz.core.slugs import unique_slug as core_unique_slug
from stadtallianz.notifications.receipts import receipt
from stadtallianz.notifications.services import notify
from stadtallianz.workinggroups.models import WorkingGroup

from . import permissions
from .models import Event, Registration

EVENT_FIELDS = ["title_de", "title_en", "description_de", "description_en", "format",
                "address", "latitude", "longitude", "room_notes", "accessibility_notes",
                "online_link", "starts_at", "ends_at", "capacity", "visibility", "agenda",
                "minutes"]
# Changes to these reach calendar programs, so they raise the event's SEQUENCE.
CALENDAR_FIELDS = {"title_de", "title_en", "description_de", "description_en", "address",
                   "starts_at", "ends_at", "format", "visibility"}
RESERVED_SLUGS = frozenset({"new"})
State = Registration.State


def _deny(message) -> None:
    raise PermissionDenied(message)


def _locked(event: Event) -> Event:
    """The event as it is now, under its row lock. Deleted by another request meanwhile, the
    change is a 404 and writes nothing (issue 11, item 5, "objects deleted between read and
    write"); a deletion at the same moment waits for the change, or the change for it."""
    return get_object_or_404(Event.objects.select_for_update(), pk=event.pk)


def unique_slug(title: str, starts_at) -> str:
    if starts_at:
        # The date keeps events of a series apart; the title is cut first so it always fits.
        title = f"{title[:180]} {timezone.localtime(starts_at):%Y-%m-%d}"
    return core_unique_slug(Event.objects.all(), title, fallback="event",
                            reserved=RESERVED_SLUGS)


def _notify(user, template: str, event: Event, *, key: str) -> None:
    """Notifies `user` about `event` (in-app, and by e-mail as they chose) once per `key`;
    someone who may no longer see a members-only event (left the group) hears nothing of it."""
    if not permissions.can_see(user, event):
        return
    notify(user, kind=f"event-{template.replace('_', '-')}", key=key,
           template=f"events/emails/{template}", context={"event": event},
           url=event.get_absolute_url,
           members_of=None if event.is_public else event.group)


def _check_fields(data: dict) -> None:
    unknown = set(data) - set(EVENT_FIELDS)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} are not event fields")


@transaction.atomic
def event_create(*, by, group=None, data: dict) -> Event:
    """A lead plans an event of their group; the coordinator any, also alliance-wide ones."""
    if group is not None:
        # Locked: a group deleted meanwhile is a 404, not an event pointing at nothing.
        group = get_object_or_404(WorkingGroup.objects.select_for_update(), pk=group.pk)
    if not permissions.can_create_for(by, group):
        _deny(with_office(_("Only the group's leads and the %(office)s plan its events.")))
    _check_fields(data)
    event = Event(group=group, created_by=by, **data)
    # Checked before the slug is made from the start: a time outside the range of events is an
    # error naming the field, not an overflow in the date of the slug.
    event.full_clean(exclude=["slug"])
    event.slug = unique_slug(event.title_de, event.starts_at)
    for attempt in range(3):
        try:
            with transaction.atomic():
                event.save()
            break
        except IntegrityError:
            if attempt == 2:
                raise
            event.slug = unique_slug(event.title_de, event.starts_at)
    audit_log(actor=by, action="event.created", target=event,
              after=snapshot(event, ["slug", "uid", "group", *EVENT_FIELDS]))
    return event


@transaction.atomic
def event_update(*, event: Event, by, data: dict) -> Event:
    event = _locked(event)
    if not permissions.can_edit(by, event):
        _deny(with_office(_("Only the group's leads and the %(office)s change its events.")))
    _check_fields(data)
    before = snapshot(event, EVENT_FIELDS)
    for field, value in data.items():
        setattr(event, field, value)
    event.full_clean(exclude=["slug"])
    after = snapshot(event, EVENT_FIELDS)
    changed = [key for key in after if before[key] != after[key]]
    if not changed:
        return event
    if CALENDAR_FIELDS & set(changed):
        event.sequence += 1
    event.save()
    audit_log(actor=by, action="event.changed", target=event,
              before={key: before[key] for key in changed},
              after={key: after[key] for key in changed})
    if "capacity" in changed and not event.is_cancelled:
        # More places (or no limit any more): the waiting list moves up into them.
        _move_up(event, by)
    return event


@transaction.atomic
def event_cancel(*, event: Event, by) -> Event:
    event = _locked(event)
    if not permissions.can_edit(by, event):
        _deny(with_office(_("Only the group's leads and the %(office)s cancel its events.")))
    if event.is_cancelled:
        raise Conflict(_("This event has already been cancelled."), code="cancelled")
    event.state = Event.State.CANCELLED
    event.sequence += 1
    event.save(update_fields=["state", "sequence", "updated_at"])
    audit_log(actor=by, action="event.cancelled", target=event,
              before={"state": Event.State.SCHEDULED}, after={"state": event.state})
    for registration in event.registrations.filter(
            state__in=[State.REGISTERED, State.WAITING]).select_related("user"):
        # Someone who has left the group since registering learns nothing more about a
        # members-only event.
        if permissions.can_see(registration.user, event):
            _notify(registration.user, "cancelled", event, key=f"event-cancelled:{event.pk}")
    return event


@transaction.atomic
def registration_register(*, event: Event, by) -> Registration:
    """A place if one is free, else the end of the waiting list."""
    event = _locked(event)
    if not permissions.can_register(by, event):
        # Not visible is the same as not there.
        raise Event.DoesNotExist
    if event.is_cancelled:
        raise Conflict(_("This event has been cancelled."), code="cancelled")
    if event.ends_at <= timezone.now():
        raise Conflict(_("This event is over."), code="past")
    registration = Registration.objects.filter(event=event, user=by).first()
    if registration is not None and registration.state != State.CANCELLED:
        raise Conflict(_("You are already registered for this event."),
                       code="already_registered")
    registered = event.registrations.filter(state=State.REGISTERED).count()
    if registration is None:
        registration = Registration(event=event, user=by)
    if event.capacity is None or registered < event.capacity:
        registration.state, registration.position = State.REGISTERED, None
    else:
        last = event.registrations.filter(state=State.WAITING).aggregate(m=Max("position"))["m"]
        registration.state, registration.position = State.WAITING, (last or 0) + 1
    registration.reminded_at = None
    registration.save()
    entry = audit_log(actor=by, action=f"event.registration.{registration.state}", target=event,
                      after={"user": by.pk, "state": registration.state,
                             "position": registration.position})
    # A receipt per registration (one person may cancel and register again).
    receipt(by, f"event_{registration.state}", key=f"event-registration:{entry.pk}",
            context={"event": event, "registration": registration},
            url=event.get_absolute_url, members_of=None if event.is_public else event.group)
    return registration


def _move_up(event: Event, by) -> None:
    """Fills free places from the head of the waiting list and tells those who moved up."""
    if event.capacity is None:
        waiting = list(event.registrations.filter(state=State.WAITING).select_related("user"))
    else:
        free = event.capacity - event.registrations.filter(state=State.REGISTERED).count()
        waiting = list(event.registrations.filter(state=State.WAITING)
                       .order_by("position", "pk").select_related("user")[:max(free, 0)])
    for registration in waiting:
        registration.state, registration.position = State.REGISTERED, None
        registration.save(update_fields=["state", "position"])
        entry = audit_log(actor=by, action="event.registration.moved_up", target=event,
                          after={"user": registration.user_id})
        # One person may move up more than once (after cancelling and registering again).
        _notify(registration.user, "moved_up", event, key=f"event-moved-up:{entry.pk}")


@transaction.atomic
def registration_cancel(*, event: Event, by, user=None) -> Registration:
    """The person cancels (a lead or the coordinator may cancel someone's registration too)."""
    event = _locked(event)
    user = user or by
    if user.pk != by.pk and not permissions.can_edit(by, event):
        _deny(with_office(_("Only the group's leads and the %(office)s cancel others' places.")))
    registration = Registration.objects.filter(event=event, user=user).first()
    if registration is None or registration.state == State.CANCELLED:
        raise Conflict(_("There is no registration to cancel."), code="not_registered")
    before = registration.state
    registration.state, registration.position = State.CANCELLED, None
    registration.save(update_fields=["state", "position"])
    audit_log(actor=by, action="event.registration.cancelled", target=event,
              before={"user": user.pk, "state": before}, after={"state": registration.state})
    if not event.is_cancelled:
        _move_up(event, by)
    return registration


def attendance(*, event: Event, by) -> list[Registration]:
    if not permissions.can_see_attendance(by, event):
        _deny(with_office(_("Only the group's leads and the %(office)s see the attendance list.")))
    return list(event.registrations.exclude(state=State.CANCELLED).select_related("user")
                .order_by("state", "position", "created_at", "pk"))


def send_reminders(*, now=None) -> int:
    """E-mails each registered person once about an event that starts within 24 hours."""
    now = now or timezone.now()
    sent = 0
    registrations = (Registration.objects
                     .filter(state=State.REGISTERED, reminded_at__isnull=True,
                             event__state=Event.State.SCHEDULED, event__starts_at__gt=now,
                             event__starts_at__lte=now + timedelta(hours=24))
                     .select_related("event", "user"))
    for pk in registrations.values_list("pk", flat=True):
        with transaction.atomic():
            # Claims the registration first: a second run at the same time sends nothing.
            claimed = Registration.objects.filter(pk=pk, reminded_at__isnull=True).update(
                reminded_at=now)
            if not claimed:
                continue
            registration = Registration.objects.select_related("event", "user").get(pk=pk)
            if not permissions.can_see(registration.user, registration.event):
                # Left the group since registering: no more news of a members-only event.
                continue
            audit_log(actor=None, action="event.reminder.sent", target=registration.event,
                      after={"user": registration.user_id})
            event = registration.event
            # Per registration and start time: a second run never reminds twice, while an
            # event moved to another day may be reminded of again.
            _notify(registration.user, "reminder", event,
                    key=f"event-reminder:{registration.pk}:{event.starts_at:%Y%m%dT%H%M}")
            sent += 1
    return sent
