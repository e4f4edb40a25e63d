"""Times of the SensorThings API: ISO 8601 in, UTC with "Z" out."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from stadtallianz.sensorthings.errors import StaError
from stadtallianz.sensorthings.timefmt import (
    format_interval,
    format_time,
    parse_duration,
    parse_interval,
    parse_time,
)


@pytest.mark.parametrize("text,expected", [
    ("2026-03-01T12:00:00Z", datetime(2026, 3, 1, 12, tzinfo=UTC)),
    ("2026-03-01T12:00:00z", datetime(2026, 3, 1, 12, tzinfo=UTC)),
    ("2026-03-01T13:30:00+01:00", datetime(2026, 3, 1, 12, 30, tzinfo=UTC)),
    ("2026-03-01T12:00:00.250Z", datetime(2026, 3, 1, 12, 0, 0, 250000, tzinfo=UTC)),
    ("2026-03-01T12:00:00", datetime(2026, 3, 1, 12, tzinfo=UTC)),  # no offset: UTC
    ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC)),
])
def test_parse_time(text, expected):
    value = parse_time(text)
    assert value == expected and value.utcoffset() == timedelta(0)


@pytest.mark.parametrize("text", ["", "gestern", "2026-13-01T00:00:00Z", 5, None])
def test_parse_time_refuses_non_times_naming_the_field(text):
    with pytest.raises(StaError) as error:
        parse_time(text, "phenomenonTime")
    assert error.value.status == 400 and "phenomenonTime" in error.value.message


def test_parse_interval_and_durations():
    start = datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_interval("2026-03-01T00:00:00Z") == (start, None)
    assert parse_interval("2026-03-01T00:00:00Z/2026-03-01T01:00:00Z") == (
        start, start + timedelta(hours=1))
    assert parse_interval("2026-03-01T00:00:00Z/PT1H30M") == (
        start, start + timedelta(hours=1, minutes=30))
    assert parse_interval("P1D/2026-03-02T00:00:00Z") == (start, start + timedelta(days=1))
    assert parse_duration("P1W") == timedelta(weeks=1)
    assert parse_duration("-PT15M") == timedelta(minutes=-15)
    for bad in ("2026-03-02T00:00:00Z/2026-03-01T00:00:00Z", "x/y", "P1M/2026-03-01"):
        with pytest.raises(StaError):
            parse_interval(bad, "validTime")
    with pytest.raises(StaError):
        parse_duration("P")


def test_format_time_is_utc_with_z():
    assert format_time(datetime(2026, 3, 1, 13, tzinfo=timezone(timedelta(hours=1)))) == \
        "2026-03-01T12:00:00Z"
    assert format_time(datetime(2026, 3, 1, 12, 0, 0, 500000, tzinfo=UTC)) == \
        "2026-03-01T12:00:00.500Z"
    assert format_time(datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)) == \
        "2026-03-01T12:00:00.123456Z"
    assert format_time(datetime(2026, 3, 1, 12)) == "2026-03-01T12:00:00Z"  # naive: UTC
    assert format_time(None) is None
    start = datetime(2026, 3, 1, tzinfo=UTC)
    assert format_interval(start, start + timedelta(hours=1)) == \
        "2026-03-01T00:00:00Z/2026-03-01T01:00:00Z"
    assert format_interval(start, None) == "2026-03-01T00:00:00Z/2026-03-01T00:00:00Z"
    assert format_interval(None, None) is None
