"""Dates and numbers in the reader's language: core/templatetags/formatting.py and core/formats."""

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from stadtallianz.core.templatetags.formatting import (
    coordinate,
    daterange,
    longdate,
    longdatetime,
    number,
)

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(*args):
    return datetime(*args, tzinfo=BERLIN)


def event(start, end):
    return SimpleNamespace(starts_at=start, ends_at=end)


@pytest.mark.parametrize(("language", "expected"), [
    ("de", "12. Dezember 2026, 17:00–19:00 Uhr"),
    ("en", "12 December 2026, 17:00–19:00"),
])
def test_an_event_within_one_day_says_the_date_once(language, expected):
    with translation.override(language):
        assert daterange(event(berlin(2026, 12, 12, 17), berlin(2026, 12, 12, 19))) == expected


@pytest.mark.parametrize(("language", "expected"), [
    ("de", "12. Dezember 2026, 17:00 Uhr – 13. Dezember 2026, 12:00 Uhr"),
    ("en", "12 December 2026, 17:00 – 13 December 2026, 12:00"),
])
def test_an_event_across_days_says_both_dates(language, expected):
    with translation.override(language):
        assert daterange(event(berlin(2026, 12, 12, 17), berlin(2026, 12, 13, 12))) == expected


def test_times_are_berlin_times_even_when_stored_in_utc():
    """16:00 and 18:00 UTC in December are 17:00 and 19:00 in Münster."""
    start = datetime(2026, 12, 12, 16, tzinfo=UTC)
    with translation.override("de"):
        assert daterange(start, datetime(2026, 12, 12, 18, tzinfo=UTC)) == (
            "12. Dezember 2026, 17:00–19:00 Uhr")


@pytest.mark.parametrize(("language", "expected"), [
    ("de", "31. Dezember 2026, 22:00 Uhr – 1. Januar 2027, 01:00 Uhr"),
    ("en", "31 December 2026, 22:00 – 1 January 2027, 01:00"),
])
def test_an_event_across_midnight_names_both_days(language, expected):
    """22:00 to 01:00 local: in UTC both lie on the 31st (21:00, 00:00), in Berlin they do not."""
    start, end = datetime(2026, 12, 31, 21, tzinfo=UTC), datetime(2027, 1, 1, 0, tzinfo=UTC)
    with translation.override(language):
        assert daterange(start, end) == expected


def test_an_event_ending_at_utc_midnight_stays_one_day_in_utc_but_two_in_berlin():
    """23:30–00:30 UTC on 12 December is 00:30–01:30 in Berlin on the 13th: one day."""
    start = datetime(2026, 12, 12, 23, 30, tzinfo=UTC)
    end = datetime(2026, 12, 13, 0, 30, tzinfo=UTC)
    with translation.override("de"):
        assert daterange(start, end) == "13. Dezember 2026, 00:30–01:30 Uhr"


def test_a_range_over_the_end_of_summer_time_uses_each_ends_offset():
    """25 October 2026: 00:30 UTC is 02:30 CEST, 02:30 UTC is 03:30 CET (clocks go back)."""
    start = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    end = datetime(2026, 10, 25, 2, 30, tzinfo=UTC)
    with translation.override("de"):
        assert daterange(start, end) == "25. Oktober 2026, 02:30–03:30 Uhr"


def test_a_range_over_the_start_of_summer_time_uses_each_ends_offset():
    """29 March 2026: 00:30 UTC is 01:30 CET, 01:30 UTC is 03:30 CEST (clocks go forward)."""
    start = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    end = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    with translation.override("en"):
        assert daterange(start, end) == "29 March 2026, 01:30–03:30"


@pytest.mark.parametrize(("language", "expected"), [
    ("de", "12. Dezember 2026"), ("en", "12 December 2026")])
def test_a_date_alone(language, expected):
    with translation.override(language):
        assert longdate(date(2026, 12, 12)) == expected
        # A moment late on the 11th in UTC is the 12th in Berlin.
        assert longdate(datetime(2026, 12, 11, 23, 30, tzinfo=UTC)) == expected


@pytest.mark.parametrize(("language", "expected"), [
    ("de", "12. Dezember 2026, 17:00 Uhr"), ("en", "12 December 2026, 17:00")])
def test_a_moment(language, expected):
    with translation.override(language):
        assert longdatetime(berlin(2026, 12, 12, 17)) == expected


@pytest.mark.parametrize(("language", "expected"), [
    ("de", "12. Dezember 2026, 17:00 Uhr"), ("en", "12 December 2026, 17:00")])
def test_the_site_wide_datetime_format_is_unambiguous(language, expected):
    """`|date:"DATETIME_FORMAT"` everywhere else follows core/formats too (not "Dec. 12, 2026,
    5 p.m.")."""
    template = Template('{{ moment|date:"DATETIME_FORMAT" }} {{ day|date:"SHORT_DATE_FORMAT" }}')
    with translation.override(language):
        text = template.render(Context({"moment": berlin(2026, 12, 12, 17),
                                        "day": date(2026, 12, 3)}))
    short = "03.12.2026" if language == "de" else "3 Dec 2026"
    assert text == f"{expected} {short}"


@pytest.mark.parametrize(("language", "expected", "expected_places"), [
    ("de", "1.234.567,5", "1.234.567,50"), ("en", "1,234,567.5", "1,234,567.50")])
def test_numbers_in_the_readers_language(language, expected, expected_places):
    with translation.override(language):
        assert number(Decimal("1234567.5")) == expected
        assert number(1234567.5, 2) == expected_places
        assert number(None) == ""


@pytest.mark.parametrize(("language", "expected"), [("de", "51,962944"), ("en", "51.962944")])
def test_coordinates_with_a_decimal_comma_on_german_pages(language, expected):
    with translation.override(language):
        assert coordinate(Decimal("51.962944")) == expected
        assert coordinate(51.962944) == expected


def test_the_filters_in_a_template():
    template = Template("{% load formatting %}{{ event|daterange }} · "
                        "{{ event.starts_at|longdate }}")
    with translation.override("de"):
        text = template.render(Context({"event": event(berlin(2026, 12, 12, 17),
                                                       berlin(2026, 12, 12, 19))}))
    assert text == "12. Dezember 2026, 17:00–19:00 Uhr · 12. Dezember 2026"


def test_a_plain_summary_of_markdown():
    from stadtallianz.core.templatetags.formatting import plain_summary

    text = "# Titel\n\nEin *kurzer* [Link](https://example.org) &amp; mehr.\n\n- eins\n- zwei"
    assert plain_summary(text) == "Titel: Ein kurzer Link & mehr. eins zwei"
    long = plain_summary("Wort " * 100)
    assert long.endswith("Wort…") and len(long) <= 160
    assert plain_summary("") == "" and plain_summary(None) == ""
