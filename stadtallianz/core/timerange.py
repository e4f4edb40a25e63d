"""The plausible range of every date and time a person or a device sends: one rule, checked
before anything is written (forms, `/api/v1/`, SensorThings over HTTP and MQTT).

A time outside its range is a typing error or a device with a broken clock, never data: the
year 1 or 9999 would be stored (PostgreSQL keeps BC timestamps) and then break every page, feed
and chart that does arithmetic with it. The ranges (documented in docs/api.md, "Dates and
times"):

- `observation` — what a device measured (phenomenonTime, resultTime, validTime, the time of a
  HistoricalLocation): from 1970-01-01T00:00Z (the epoch; no sensor of the alliance is older)
  to now plus `OBSERVATION_FUTURE_MARGIN_SECONDS` (clocks drift; default one day).
- `event` — when an event starts and ends: from 2000-01-01 to ten years from now.
- `plan` — dates of plans and periods (project phases and milestones, living lab periods,
  filters of reports): the years 2000 to 2100.

Also here: every incoming time is turned into UTC before it is stored, so an offset such as
`+22:23` (valid ISO 8601, but beyond what PostgreSQL accepts) cannot reach the database.
"""

import time
from datetime import UTC, date, datetime, timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext, gettext_lazy

OBSERVATION, EVENT, PLAN = "observation", "event", "plan"
KINDS = (OBSERVATION, EVENT, PLAN)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EVENTS_FROM = datetime(2000, 1, 1, tzinfo=UTC)
EVENTS_AHEAD = timedelta(days=3653)  # ten years, leap days included
PLANS_FROM, PLANS_UNTIL = date(2000, 1, 1), date(2100, 12, 31)
DEFAULT_OBSERVATION_FUTURE_MARGIN = 86400


def observation_future_margin() -> timedelta:
    return timedelta(seconds=getattr(settings, "OBSERVATION_FUTURE_MARGIN_SECONDS",
                                     DEFAULT_OBSERVATION_FUTURE_MARGIN))


# The latest plausible observation time, worked out at most once a second: the DataArray and
# MQTT loops ask for every row.
_latest_observation = {"until": 0.0, "value": None}


def latest_observation_time() -> datetime:
    """Now plus OBSERVATION_FUTURE_MARGIN_SECONDS (up to a second old)."""
    clock = time.monotonic()
    if _latest_observation["value"] is None or clock >= _latest_observation["until"]:
        _latest_observation["value"] = timezone.now() + observation_future_margin()
        _latest_observation["until"] = clock + 1.0
    return _latest_observation["value"]


@receiver(setting_changed)
def _margin_changed(*, setting, **_kwargs):
    if setting == "OBSERVATION_FUTURE_MARGIN_SECONDS":
        _latest_observation["value"] = None


def bounds(kind: str, now: datetime | None = None) -> tuple[datetime, datetime]:
    """(earliest, latest) of `kind` as aware datetimes, both included."""
    if kind == OBSERVATION:
        return EPOCH, (now + observation_future_margin() if now else latest_observation_time())
    now = now or timezone.now()
    if kind == EVENT:
        return EVENTS_FROM, now + EVENTS_AHEAD
    if kind == PLAN:
        return (datetime.combine(PLANS_FROM, datetime.min.time(), UTC),
                datetime.combine(PLANS_UNTIL, datetime.max.time(), UTC))
    raise ValueError(f"unknown kind of time {kind!r}")


def in_utc(value: datetime) -> datetime:
    """An aware time in UTC (a naive one is taken as UTC). OverflowError when the instant lies
    beyond the representable years (0001-01-01T00:00+01:00)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value if value.tzinfo is UTC else value.astimezone(UTC)


def _described(moment: datetime, as_date: bool) -> str:
    return moment.date().isoformat() if as_date else f"{moment:%Y-%m-%dT%H:%MZ}"


def problem(kind: str, value, now: datetime | None = None) -> str | None:
    """Why `value` (a date or datetime) is not a plausible time of `kind`, or None."""
    if value is None:
        return None
    earliest, latest = bounds(kind, now)
    as_date = not isinstance(value, datetime)
    if as_date:
        inside = earliest.date() <= value <= latest.date()
    else:
        try:
            instant = in_utc(value)
        except OverflowError:
            inside = False
        else:
            inside = earliest <= instant <= latest
    if inside:
        return None
    return gettext("Give a date between %(earliest)s and %(latest)s.") % {
        "earliest": _described(earliest, as_date), "latest": _described(latest, as_date)}


def check(kind: str, value, *, field: str | None = None, now: datetime | None = None):
    """`value` if it lies in the range of `kind` (a datetime in UTC), else a ValidationError
    (naming `field` when given)."""
    message = problem(kind, value, now)
    if message is not None:
        raise ValidationError({field: message} if field else message, code="implausible_time")
    return in_utc(value) if isinstance(value, datetime) else value


def checked_for_schema(kind: str, value):
    """For a pydantic field validator of the `/api/v1/` schemas: the value in UTC, or a
    ValueError, which the API answers with a 422 naming the field."""
    message = problem(kind, value)
    if message is not None:
        raise ValueError(message)
    return in_utc(value) if isinstance(value, datetime) else value


@deconstructible
class PlausibleTime:
    """Validator of model and form fields: the value lies in the range of `kind`."""

    def __init__(self, kind: str):
        if kind not in KINDS:
            raise ValueError(f"unknown kind of time {kind!r}")
        self.kind = kind

    def __call__(self, value):
        check(self.kind, value)

    def __eq__(self, other):
        return isinstance(other, PlausibleTime) and other.kind == self.kind


class UTCDateTimeField(forms.DateTimeField):
    """A form's date and time: local time of the site when typed without an offset (as
    forms.DateTimeField), an odd offset is turned into UTC, an instant outside the representable
    years is an error next to the field."""

    default_error_messages = {"overflow": gettext_lazy("This time cannot be represented.")}

    def to_python(self, value):
        result = super().to_python(value)
        if result is None:
            return None
        try:
            return in_utc(result)
        except OverflowError:
            raise ValidationError(self.error_messages["overflow"], code="overflow") from None


def shown(value: datetime | None, zone=None) -> datetime | None:
    """For pages and feeds: a stored time in the site's time zone (or `zone`). Where that lies
    beyond the representable years (after 9999-12-31T22:59:59Z in Berlin) it stays in UTC, so
    one extreme row cannot take a page down."""
    if value is None or timezone.is_naive(value):
        return value
    try:
        return value.astimezone(zone or timezone.get_current_timezone())
    except OverflowError:
        return in_utc(value)
