"""The one rule for dates and times people and devices send (core/timerange.py), and showing
stored extremes without a 500."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import override_settings

from stadtallianz.core import timerange

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("kind", "inside", "outside"), [
    ("observation", [datetime(1970, 1, 1, tzinfo=UTC), NOW + timedelta(hours=23)],
     [datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC), NOW + timedelta(days=2),
      datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)]),
    ("event", [datetime(2000, 1, 1, tzinfo=UTC), NOW + timedelta(days=3650)],
     [datetime(1999, 12, 31, 23, 59, tzinfo=UTC), NOW + timedelta(days=3660)]),
    ("plan", [date(2000, 1, 1), date(2100, 12, 31)],
     [date(1999, 12, 31), date(2101, 1, 1), date(1, 1, 1), date(9999, 12, 31)]),
])
def test_each_kind_has_its_range(kind, inside, outside):
    for value in inside:
        assert timerange.problem(kind, value, NOW) is None, value
    for value in outside:
        assert timerange.problem(kind, value, NOW), value
        with pytest.raises(ValidationError) as error:
            timerange.check(kind, value, field="when", now=NOW)
        assert "when" in error.value.message_dict


@pytest.mark.parametrize("offset", [timedelta(hours=22, minutes=23),
                                    -timedelta(hours=23, minutes=59)])
def test_an_odd_offset_is_turned_into_utc_and_an_unrepresentable_instant_refused(offset):
    zone = timezone(offset)
    value = datetime(2031, 5, 4, 18, 0, tzinfo=zone)
    assert timerange.check("event", value, now=NOW) == value
    assert timerange.check("event", value, now=NOW).tzinfo is UTC
    # 0001-01-01T00:00+22:23 lies before the first representable UTC instant.
    assert timerange.problem("event", datetime(1, 1, 1, tzinfo=zone), NOW)
    with pytest.raises(ValueError, match="2000-01-01"):
        timerange.checked_for_schema("event", datetime(9999, 12, 31, 23, tzinfo=zone))


def test_the_observation_margin_is_a_setting():
    soon = datetime.now(UTC) + timedelta(hours=2)
    assert timerange.problem("observation", soon) is None
    with override_settings(OBSERVATION_FUTURE_MARGIN_SECONDS=60):
        assert timerange.problem("observation", soon)
    assert timerange.problem("observation", soon) is None


@override_settings(TIME_ZONE="Europe/Berlin")
def test_a_stored_extreme_is_shown_in_utc_instead_of_failing():
    last = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert timerange.shown(last) == last
    usual = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert timerange.shown(usual).hour == 12  # Berlin summer time
    page = Template('{% load times %}{{ last|shown_time|date:"Y-m-d H:i" }} '
                    '{{ usual|shown_time|date:"H:i" }}').render(Context(
                        {"last": last, "usual": usual}))
    assert page == "9999-12-31 23:59 12:00"
