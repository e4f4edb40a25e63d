"""Times of the SensorThings API: ISO 8601 instants and intervals in, UTC with "Z" out.

A time without an offset is taken as UTC (the standard requires an offset, but devices often
send none, and FROST-Server reads them as UTC too). Intervals are `start/end`; either side may be
an ISO 8601 duration (`2026-01-01T00:00Z/PT1H`, `P1D/2026-01-02T00:00Z`).

A time that is written (an observation's phenomenonTime, resultTime and validTime, the time of a
HistoricalLocation; over HTTP, DataArray and MQTT) must also lie in the plausible range of
observations (core/timerange.py): `written_time` and `written_interval`. Times in queries are
only parsed: a filter may well ask for everything after 1900."""

import re
from datetime import UTC, datetime, timedelta

from stadtallianz.core import timerange

from .errors import bad_request

_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<weeks>\d+(?:\.\d+)?)W)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$")


def parse_time(text, name: str = "time") -> datetime:
    """An aware datetime in UTC from an ISO 8601 instant. StaError 400 naming `name` otherwise."""
    if isinstance(text, datetime):
        value = text
    else:
        if not isinstance(text, str) or not text.strip():
            raise bad_request(f"{name} must be an ISO 8601 time, not {text!r}.")
        raw = text.strip()
        # Python 3.11 reads "Z" and most ISO forms; a lower-case "z" and "T" are normalised.
        try:
            value = datetime.fromisoformat(raw[:-1] + "+00:00" if raw[-1] in "zZ" else raw)
        except ValueError:
            raise bad_request(f"{name} must be an ISO 8601 time, not '{text}'.") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 lies before the first representable UTC
        raise bad_request(f"{name}: the time '{text}' is out of range.") from None


def parse_duration(text: str, name: str = "duration") -> timedelta:
    """A timedelta from an ISO 8601 duration without years and months (P1DT2H, PT15M, -P1D):
    their length depends on the calendar."""
    # Lower-case designators (P1d) are common in clients' hand-written filters.
    text = text.strip().upper() if isinstance(text, str) else text
    match = _DURATION.match(text) if isinstance(text, str) else None
    if not match or text in ("P", "PT", "-P"):
        raise bad_request(f"{name} must be an ISO 8601 duration such as P1D or PT1H30M, "
                          f"not '{text}'.")
    parts = {key: float(value) for key, value in match.groupdict().items()
             if value and key != "sign"}
    try:
        delta = timedelta(**parts)
    except OverflowError:
        raise bad_request(f"{name}: the duration '{text}' is too long.") from None
    return -delta if match["sign"] else delta


def parse_interval(text, name: str = "interval") -> tuple[datetime, datetime | None]:
    """(start, end) from `start/end`; an instant alone gives (instant, None). The end must not
    lie before the start."""
    if not isinstance(text, str):
        raise bad_request(f"{name} must be an ISO 8601 time or interval, not {text!r}.")
    if "/" not in text:
        return parse_time(text, name), None
    left, _sep, right = text.strip().partition("/")
    try:
        if left.upper().startswith(("P", "-P")):
            end = parse_time(right, name)
            start = end - parse_duration(left, name)
        else:
            start = parse_time(left, name)
            end = (start + parse_duration(right, name) if right.upper().startswith("P")
                   else parse_time(right, name))
    except OverflowError:  # a duration that leads out of the representable years
        raise bad_request(f"{name}: the interval '{text}' is out of range.") from None
    if end < start:
        raise bad_request(f"{name}: the end of the interval '{text}' lies before its start.")
    return start, end


def plausible(value: datetime, name: str = "time") -> datetime:
    """`value` when it lies in the plausible range of observations; a StaError 400 naming
    `name` and the range otherwise. (Both bounds are compared directly: this runs for every
    row of a DataArray.)"""
    if timerange.EPOCH <= value <= timerange.latest_observation_time():
        return value
    earliest, latest = timerange.bounds(timerange.OBSERVATION)
    raise bad_request(f"{name}: the time '{format_time(value)}' lies outside the plausible "
                      f"range of observations, {format_time(earliest)} to {format_time(latest)} "
                      "(now plus OBSERVATION_FUTURE_MARGIN_SECONDS).")


def written_time(text, name: str = "time") -> datetime:
    """parse_time for a time that is written: also in the plausible range of observations."""
    return plausible(parse_time(text, name), name)


def written_interval(text, name: str = "interval") -> tuple[datetime, datetime | None]:
    """parse_interval for an interval that is written: both ends in the plausible range."""
    start, end = parse_interval(text, name)
    plausible(start, name)
    if end is not None:
        plausible(end, name)
    return start, end


def format_time(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with "Z"; milliseconds when present, microseconds only when needed.
    (isoformat and slicing: this runs for every time of every observation served.)"""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    elif value.utcoffset():
        value = value.astimezone(UTC)
    micro = value.microsecond
    if micro == 0:
        spec = "seconds"
    elif micro % 1000 == 0:
        spec = "milliseconds"
    else:
        spec = "microseconds"
    # An aware isoformat ends with the offset "+00:00".
    return value.isoformat(timespec=spec)[:-6] + "Z"


def format_interval(start: datetime | None, end: datetime | None) -> str | None:
    """`start/end`, or None when there is no start."""
    if start is None:
        return None
    return f"{format_time(start)}/{format_time(end if end is not None else start)}"
