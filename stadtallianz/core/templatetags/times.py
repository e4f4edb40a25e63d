"""`{{ value|shown_time|date:"…" }}` for stored times a person or device has set: the time as
always (local to the site), and in UTC where the local time would lie beyond the year 9999,
instead of a 500 for the whole page (core/timerange.shown)."""

from django import template
from django.utils import timezone

from stadtallianz.core import timerange

register = template.Library()


@register.filter(expects_localtime=False)
def shown_time(value):
    if value is None or timezone.is_naive(value):
        return value
    moment = timerange.shown(value)
    if moment.tzinfo is timerange.UTC and timezone.get_current_timezone_name() != "UTC":
        # Local time is out of reach: UTC, handed on without a zone so that the date filter
        # does not try to make it local again.
        return moment.replace(tzinfo=None)
    return moment
