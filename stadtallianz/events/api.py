"""REST API of events: the list and one event, each with links to its page and .ics, and the
changes of the web pages: plan, change and cancel an event, register and cancel one's place, the
attendance list.

Members-only events exist only for the group's members (and the coordinator): for everyone else
they are absent from the list and a 404, exactly as on the web pages, also for every change. The
online link is in the answer only for a person with a confirmed place. Changes go through
`services.py`: a refusal is 403, bad input 422 naming the field, a conflict with the event's
state (cancelled, over, already registered) 409.
"""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import slug_re
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import field_validator

from stadtallianz.core import timerange
from stadtallianz.core.api import (
    CHANGE_ERRORS,
    ErrorOut,
    InputSchema,
    Pagination,
    absolute_url,
    refuse_nulls,
)
from stadtallianz.core.api_auth import api_user, write_auth
from stadtallianz.core.office import with_office
from stadtallianz.workinggroups.models import WorkingGroup

from . import feeds, permissions, services
from .models import Event, Registration

router = Router(tags=["events"])

EventFormat = StrEnum("EventFormat", [(c.name, c.value) for c in Event.Format])
EventVisibility = StrEnum("EventVisibility", [(c.name, c.value) for c in Event.Visibility])
EventState = StrEnum("EventState", [(c.name, c.value) for c in Event.State])


class EventSummaryOut(Schema):
    slug: str
    uid: str
    title: str
    title_de: str
    title_en: str
    group: str | None = Field(None, description="Slug of the working group; null for an "
                                                "event of the whole alliance.")
    format: EventFormat
    visibility: EventVisibility
    state: EventState
    starts_at: datetime
    ends_at: datetime
    address: str
    capacity: int | None
    sequence: int
    web_url: str
    ical_url: str

    @staticmethod
    def resolve_group(obj: Event):
        return obj.group.slug if obj.group_id else None

    @staticmethod
    def resolve_web_url(obj: Event):
        return absolute_url(obj.get_absolute_url())

    @staticmethod
    def resolve_ical_url(obj: Event):
        return absolute_url(reverse("events:ics", kwargs={"slug": obj.slug}))


class EventDetailOut(EventSummaryOut):
    description: str
    description_de: str
    description_en: str
    latitude: float | None
    longitude: float | None
    room_notes: str
    accessibility_notes: str
    agenda: str
    minutes: str
    group_ical_url: str | None = Field(..., description="The feed of the event's working group.")
    alliance_ical_url: str = Field(..., description="The feed of the whole alliance (public "
                                                    "events).")
    registration: str | None = Field(None, description="The caller's own registration: "
                                                       "`registered`, `waiting` or null.")
    online_link: str | None = Field(None, description="Only for a person registered for the "
                                                      "event (not on the waiting list).")

    @staticmethod
    def resolve_group_ical_url(obj: Event):
        if not obj.group_id:
            return None
        return absolute_url(reverse("events:group_feed", kwargs={"slug": obj.group.slug}))

    @staticmethod
    def resolve_alliance_ical_url(obj: Event):
        return absolute_url(reverse("events:feed"))

    @staticmethod
    def resolve_registration(obj: Event, context):
        registration = permissions.registration_of(api_user(context["request"]), obj)
        if registration is None or registration.state == Registration.State.CANCELLED:
            return None
        return registration.state

    @staticmethod
    def resolve_online_link(obj: Event, context):
        user = api_user(context["request"])
        if obj.online_link and permissions.can_see_online_link(user, obj):
            return obj.online_link
        return None


class EventFilters(InputSchema):
    group: str | None = Field(None, description="Slug of a working group, or `alliance` for "
                                                "events of the whole alliance.")
    upcoming: bool | None = Field(None, description="true: not yet ended, soonest first; "
                                                    "false: ended, latest first.")


def _visible(request):
    return Event.objects.visible_to(api_user(request)).select_related("group")


@router.get("", response=list[EventSummaryOut], summary="Events")
@paginate(Pagination)
def event_list(request, filters: Query[EventFilters]):
    """Events the caller may see, by start time."""
    events = _visible(request)
    if filters.group == "alliance":
        events = events.filter(group__isnull=True)
    elif filters.group:
        events = events.filter(group__slug=filters.group)
    now = timezone.now()
    if filters.upcoming is True:
        return events.filter(ends_at__gte=now).order_by("starts_at", "pk")
    if filters.upcoming is False:
        return events.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    return events.order_by("starts_at", "pk")


# Before `/{slug}`: the first route that matches the path answers (an event slug always ends
# in its date, so no event is called "feed").
class PersonalFeedOut(Schema):
    url: str = Field(..., description="The secret address of the caller's calendar feed: "
                                      "every event they may see, members-only meetings of "
                                      "their groups included. Shown only in this answer.")


@router.post("/feed", auth=write_auth, response={201: PersonalFeedOut, 401: ErrorOut,
                                                 403: ErrorOut},
             summary="Make one's personal calendar address")
def personal_feed_create(request):
    """A new secret address for calendar programs; an earlier one stops working at once."""
    _feed, key = feeds.feed_create(user=request.auth)
    return Status(201, {"url": absolute_url(reverse("events:personal_feed", kwargs={"key": key}))})


@router.delete("/feed", auth=write_auth, response={204: None, 401: ErrorOut, 403: ErrorOut},
               summary="Revoke one's personal calendar address")
def personal_feed_delete(request):
    feeds.feed_revoke(user=request.auth)
    return Status(204, None)


@router.get("/{slug}", response={200: EventDetailOut, 404: ErrorOut}, summary="One event")
def event_detail(request, slug: str):
    """An event with agenda and minutes (Markdown); the online link only for registered people."""
    if not slug_re.match(slug):
        raise Http404
    return get_object_or_404(_visible(request), slug=slug)


# ---------------------------------------------------------------------------------------------
# Changes, registration and attendance


def _in_berlin(value: datetime | None) -> datetime | None:
    """A time without an offset is Münster time, as in the web form."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone())
    return value


class _EventFields(InputSchema):
    @field_validator("starts_at", "ends_at", mode="after", check_fields=False)
    @classmethod
    def _local_time(cls, value):
        # In UTC and in the range of events before anything is written (a 422 naming the
        # field): the year 1, or an offset PostgreSQL cannot store, never reaches the service.
        return timerange.checked_for_schema(timerange.EVENT, _in_berlin(value))


class EventIn(_EventFields):
    group: str | None = Field(None, description="Slug of the working group; null for an event "
                                                "of the whole alliance (the coordinator only).")
    title_de: str = Field(..., min_length=1, max_length=200)
    title_en: str = Field("", max_length=200)
    description_de: str = Field("", max_length=20000, description="Markdown.")
    description_en: str = Field("", max_length=20000, description="Markdown.")
    format: EventFormat = EventFormat.IN_PERSON
    starts_at: datetime = Field(..., description="Without an offset: Münster time "
                                                 "(Europe/Berlin).")
    ends_at: datetime
    address: str = Field("", max_length=300)
    latitude: Decimal | None = Field(None, ge=-90, le=90, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, decimal_places=6)
    room_notes: str = Field("", max_length=5000)
    accessibility_notes: str = Field("", max_length=5000)
    online_link: str = Field("", max_length=200, description="Shown only to registered "
                                                             "attendees.")
    capacity: int | None = Field(None, ge=1, le=100000, description="Null: no limit.")
    visibility: EventVisibility = EventVisibility.PUBLIC
    agenda: str = Field("", max_length=20000, description="Markdown.")
    minutes: str = Field("", max_length=50000, description="Markdown; added afterwards.")


class EventPatchIn(_EventFields):
    """Only the fields sent are changed; `latitude`, `longitude` and `capacity` may be null."""

    title_de: str = Field(None, min_length=1, max_length=200)
    title_en: str = Field(None, max_length=200)
    description_de: str = Field(None, max_length=20000)
    description_en: str = Field(None, max_length=20000)
    format: EventFormat = None
    starts_at: datetime = None
    ends_at: datetime = None
    address: str = Field(None, max_length=300)
    latitude: Decimal | None = Field(None, ge=-90, le=90, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, decimal_places=6)
    room_notes: str = Field(None, max_length=5000)
    accessibility_notes: str = Field(None, max_length=5000)
    online_link: str = Field(None, max_length=200)
    capacity: int | None = Field(None, ge=1, le=100000)
    visibility: EventVisibility = None
    agenda: str = Field(None, max_length=20000)
    minutes: str = Field(None, max_length=50000)


NULLABLE = {"latitude", "longitude", "capacity"}


def _event_data(payload, *, partial: bool) -> dict:
    data = payload.model_dump(exclude={"group"}, exclude_unset=partial)
    refuse_nulls({field: value for field, value in data.items() if field not in NULLABLE})
    for field, value in data.items():
        if isinstance(value, StrEnum):
            data[field] = value.value
    return data


def _visible_event(request, slug: str) -> Event:
    if not slug_re.match(slug):
        raise Http404
    return get_object_or_404(Event.objects.visible_to(request.auth).select_related("group"),
                             slug=slug)


def _fresh(event: Event) -> Event:
    return Event.objects.select_related("group").get(pk=event.pk)


class RegistrationOut(Schema):
    state: str = Field(..., description="`registered` (a confirmed place) or `waiting`.")
    confirmed: bool
    waiting_position: int | None


class AttendeeOut(Schema):
    name: str
    email: str
    state: str
    waiting_position: int | None
    registered_at: datetime


class _AttendeePage:
    def __init__(self, registrations):
        self.registrations = registrations

    def count(self):
        return len(self.registrations)

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [{"name": r.user.full_name or r.user.email, "email": r.user.email,
                 "state": r.state, "waiting_position": r.position,
                 "registered_at": r.created_at} for r in self.registrations[item]]


@router.post("", auth=write_auth, response={201: EventDetailOut, **CHANGE_ERRORS},
             summary="Plan an event")
def event_create(request, payload: EventIn):
    """The leads of an active group plan its events; the coordinator those of any active
    group and of the whole alliance (`group` null)."""
    group = None
    if payload.group:
        group = WorkingGroup.objects.filter(slug=payload.group).first()
        if group is None or not group.is_active:
            raise DjangoValidationError(
                {"group": gettext("No active working group has this slug.")}, code="unknown")
    data = _event_data(payload, partial=False)
    event = services.event_create(by=request.auth, group=group, data=data)
    return Status(201, _fresh(event))


@router.patch("/{slug}", auth=write_auth, response={200: EventDetailOut, **CHANGE_ERRORS},
              summary="Change an event")
def event_update(request, slug: str, payload: EventPatchIn):
    """The group's leads and the coordinator. A change calendar programs see raises the
    event's `sequence`; more places move the waiting list up."""
    event = _visible_event(request, slug)
    if not permissions.can_edit(request.auth, event):
        raise HttpError(403, with_office(gettext(
            "Only the group's leads and the %(office)s change its events.")))
    services.event_update(event=event, by=request.auth,
                          data=_event_data(payload, partial=True))
    return _fresh(event)


@router.post("/{slug}/cancel", auth=write_auth, response={200: EventDetailOut, **CHANGE_ERRORS},
             summary="Cancel an event")
def event_cancel(request, slug: str):
    """Registered people are told; calendar programs show it as cancelled. 409 if it already
    is."""
    event = _visible_event(request, slug)
    services.event_cancel(event=event, by=request.auth)
    return _fresh(event)


@router.post("/{slug}/registration", auth=write_auth,
             response={201: RegistrationOut, **CHANGE_ERRORS}, summary="Register for an event")
def registration_create(request, slug: str):
    """A confirmed place if one is free, else the end of the waiting list (`confirmed` false).
    409 if the caller is already registered, or the event is cancelled or over."""
    event = _visible_event(request, slug)
    try:
        registration = services.registration_register(event=event, by=request.auth)
    except Event.DoesNotExist as error:
        raise Http404 from error
    return Status(201, {"state": registration.state,
                        "confirmed": registration.state == Registration.State.REGISTERED,
                        "waiting_position": registration.position})


@router.delete("/{slug}/registration", auth=write_auth, response={204: None, **CHANGE_ERRORS},
               summary="Cancel one's registration")
def registration_delete(request, slug: str):
    """The place goes to the head of the waiting list. 409 without a registration."""
    event = _visible_event(request, slug)
    services.registration_cancel(event=event, by=request.auth)
    return Status(204, None)


@router.get("/{slug}/attendees", auth=write_auth,
            response={200: list[AttendeeOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="Attendance list")
@paginate(Pagination)
def event_attendees(request, slug: str):
    """Confirmed places, then the waiting list in order. The group's leads and the
    coordinator only, as the attendance page."""
    event = _visible_event(request, slug)
    return _AttendeePage(services.attendance(event=event, by=request.auth))
