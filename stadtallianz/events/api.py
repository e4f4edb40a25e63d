"""REST API of events: the list and one event, each with links to its page and .ics.

Members-only events exist only for the group's members (and the coordinator): for everyone else
they are absent from the list and a 404, exactly as on the web pages. The online link is in the
answer only for a person with a confirmed place.
"""

from datetime import datetime
from enum import StrEnum

from django.conf import settings
from django.core.validators import slug_re
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from stadtallianz.core.api import ErrorOut, InputSchema, Pagination
from stadtallianz.core.api_auth import api_user

from . import permissions
from .models import Event

router = Router(tags=["events"])

EventFormat = StrEnum("EventFormat", [(c.name, c.value) for c in Event.Format])
EventVisibility = StrEnum("EventVisibility", [(c.name, c.value) for c in Event.Visibility])
EventState = StrEnum("EventState", [(c.name, c.value) for c in Event.State])


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


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
        return _absolute(obj.get_absolute_url())

    @staticmethod
    def resolve_ical_url(obj: Event):
        return _absolute(reverse("events:ics", kwargs={"slug": obj.slug}))


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
    group_ical_url: str | None
    online_link: str | None = Field(None, description="Only for a person registered for the "
                                                      "event (not on the waiting list).")

    @staticmethod
    def resolve_group_ical_url(obj: Event):
        if not obj.group_id:
            return None
        return _absolute(reverse("events:group_feed", kwargs={"slug": obj.group.slug}))

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
    return permissions.visible_events(api_user(request), Event.objects.select_related("group"))


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


@router.get("/{slug}", response={200: EventDetailOut, 404: ErrorOut}, summary="One event")
def event_detail(request, slug: str):
    """An event with agenda and minutes (Markdown); the online link only for registered people."""
    if not slug_re.match(slug):
        raise Http404
    return get_object_or_404(_visible(request), slug=slug)
