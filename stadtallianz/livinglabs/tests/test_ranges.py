"""The lab page's time range (day, week, month, year, custom from–to: URL parameters, errors
next to the fields, never a 500), the running window drawn apart from the line, the labelled
value axis, the CSV downloads (headers in the reader's language, Berlin times with their offset
across a change of daylight saving time, the ISO/UTC choice for machines) and the plain-words
explanations."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from stadtallianz.core.testing import query_count
from stadtallianz.livinglabs import charts, readings
from stadtallianz.sensorthings.auth import Caller

from .conftest import PUBLIC_VALUE, SHOWN_COUNT, add_raw

pytestmark = pytest.mark.django_db

RANGES = [{}, {"range": "day"}, {"range": "week"}, {"range": "month"}, {"range": "year"},
          {"range": "custom", "from": "2026-01-01", "to": "2026-01-31"}]


@pytest.mark.parametrize("params", RANGES, ids=lambda p: p.get("range", "default"))
def test_every_range_shows_the_page_chart_and_table(client, lab, streams, params):
    response = client.get(lab.get_absolute_url(), params)
    assert response.status_code == 200
    text = response.text
    assert 'name="range"' in text and 'name="from"' in text and 'name="to"' in text
    if params.get("range") in ("day", "week"):
        assert "21,5" in text.split('id="rows-range-')[1]  # the table follows the range
    if params:
        # The live refresh and the CSV links keep the range.
        assert f'?range={params["range"]}' in text


def test_the_query_count_is_the_same_for_every_range(client, lab, streams, make_datastream):
    url = lab.get_absolute_url()
    counts = {str(params): query_count(client.get, url, params) for params in RANGES}
    assert len(set(counts.values())) == 1, counts
    for index in range(3):
        make_datastream(lab, name=f"Mehr {index}", privacy_level="public")
    assert query_count(client.get, url, {"range": "year"}) == next(iter(counts.values()))


@pytest.mark.parametrize("params, field, message", [
    ({"range": "custom", "from": "2026-02-01", "to": "2026-01-01"}, "to",
     "Der letzte Tag darf nicht vor dem ersten liegen."),
    ({"range": "custom", "from": "kein Datum", "to": "2026-01-01"}, "from",
     "Bitte ein gültiges Datum eingeben."),
    ({"range": "custom", "from": "2024-01-01", "to": "2026-01-01"}, "to",
     "Ein Zeitraum kann höchstens 366 Tage umfassen."),
    ({"range": "custom", "to": "2026-01-01"}, "from", "Geben Sie den ersten Tag"),
    ({"range": "custom", "from": "1999-12-31", "to": "2000-01-02"}, "from", "vor 2000"),
    ({"range": "decade"}, "range", "Auswahl"),
])
def test_a_bad_range_is_an_error_next_to_its_field(client, lab, streams, params, field,
                                                   message):
    response = client.get(lab.get_absolute_url(), params)
    assert response.status_code == 400
    error = response.text.split(f'id="id_{field}_error"')[1].split("</ul>")[0]
    assert message in error
    # The page still shows the data, over the default ranges.
    assert "Letzte 24 Stunden" in response.text and "<svg" in response.text
    csv = client.get(reverse("livinglabs:datastream_csv", args=[lab.slug, streams["public"].pk]),
                     params)
    assert csv.status_code == 400 and message in csv.text


def test_the_running_window_is_drawn_apart_and_not_as_a_drop():
    start = datetime(2026, 12, 1, tzinfo=UTC)
    now = start + timedelta(days=2, hours=1)  # day 3 has run for one hour (Berlin: 2 hours)
    points = [readings.Point(start + timedelta(hours=h), 10.0) for h in range(49)]
    daily = readings._mark_partial(readings._daily(points, kind="sum"), timedelta(days=1), now)
    assert [p.partial for p in daily] == [False, False, True]
    assert daily[-1].value < daily[-2].value  # a day counted half-way: the "drop"
    with translation.override("de"):
        drawn = charts.draw(readings.Series(daily, "sum", timedelta(days=1), daily[0].start,
                                            now))
    assert len(drawn["running"]) == 1
    line_points = " ".join(drawn["segments"]).split()
    assert len(line_points) == 2 and len(drawn["dots"]) == 2  # the running day is not on it
    assert drawn["rows"][-1]["partial"] is True


def test_the_current_hour_is_marked_running_on_the_page(client, lab, make_datastream):
    stream = make_datastream(lab, name="Lufttemperatur", privacy_level="public")
    now = timezone.now()
    add_raw(stream, 12.0, now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=2))
    add_raw(stream, 3.0, now.replace(minute=0, second=0, microsecond=0))  # this hour, so far
    text = client.get(lab.get_absolute_url(), {"range": "day"}).text
    assert 'class="running"' in text and "läuft noch" in text
    assert "3 (läuft noch)" in text


def test_the_value_axis_says_where_it_starts(client, lab, streams):
    with translation.override("de"):
        start = datetime(2026, 11, 20, tzinfo=UTC)
        drawn = charts.draw(readings.Series(
            [readings.Point(start, 18.0), readings.Point(start + timedelta(hours=1), 21.5)],
            "mean", timedelta(hours=1), start, start + timedelta(hours=2)))
    assert (drawn["axis_low"], drawn["axis_high"], drawn["axis_from_zero"]) == ("18", "21,5",
                                                                                False)
    assert drawn["ticks_y"][-1]["label"] == "18"  # the lowest line is labelled
    text = client.get(lab.get_absolute_url()).text
    assert "beginnt nicht bei null" in text


def _csv(client, lab, stream, language, **params):
    with translation.override(language):
        url = reverse("livinglabs:datastream_csv", args=[lab.slug, stream.pk])
    response = client.get(url, params)
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode().lstrip("\ufeff").splitlines()


def test_csv_headers_in_the_reader_language_and_berlin_times_across_a_dst_change(
        client, lab, make_datastream):
    stream = make_datastream(lab, name="Pegel", privacy_level="public")
    # 29 March 2026: clocks go from 02:00 CET to 03:00 CEST.
    add_raw(stream, 1.5, datetime(2026, 3, 29, 0, 30, tzinfo=UTC))
    add_raw(stream, 2.5, datetime(2026, 3, 29, 1, 30, tzinfo=UTC))
    german = _csv(client, lab, stream, "de")
    assert german[0] == "Messbeginn,Messende,Zeitpunkt des Ergebnisses,Wert (°C)"
    assert german[1].startswith("2026-03-29T01:30:00+01:00,")
    assert german[2].startswith("2026-03-29T03:30:00+02:00,")
    english = _csv(client, lab, stream, "en")
    assert english[0] == "Measured from,Measured until,Result time,Value (°C)"
    assert english[1:] == german[1:]
    machine = _csv(client, lab, stream, "de", format="utc")
    assert machine[0] == "phenomenon_time_start,phenomenon_time_end,result_time,result"
    assert machine[1].startswith("2026-03-29T00:30:00+00:00,")
    assert machine[2].startswith("2026-03-29T01:30:00+00:00,")


def test_the_csv_follows_the_chosen_range(client, lab, make_datastream):
    stream = make_datastream(lab, name="Pegel", privacy_level="public")
    add_raw(stream, 1.5, datetime(2026, 3, 1, 12, tzinfo=UTC))
    add_raw(stream, 2.5, datetime(2026, 3, 5, 12, tzinfo=UTC))
    lines = _csv(client, lab, stream, "de", range="custom", **{"from": "2026-03-04",
                                                               "to": "2026-03-05"})
    assert len(lines) == 2 and lines[1].endswith(",2.5")


@pytest.mark.parametrize("language, explained", [
    ("de", '<abbr title="Mindestzahl an Personen">k</abbr>'),
    ("en", '<abbr title="minimum number of people">k</abbr>')])
def test_k_and_the_unit_are_explained(client, lab, streams, language, explained):
    text = client.get(f"/{language}/living-labs/{lab.slug}/").text
    note = text.split('class="aggregated-note"')[1].split("</p>")[0]
    assert explained in note
    assert "<abbr title=" in text.split('id="datastream-')[1].split("</p>")[0]  # the unit
    assert 'class="lab-glossary"' in text


def test_a_custom_range_reads_whole_local_days():
    with timezone.override("Europe/Berlin"):
        period = readings.range_of("custom", start=date(2026, 3, 28), end=date(2026, 3, 29),
                                   now=datetime(2026, 6, 1, tzinfo=UTC))
    assert period.since == datetime(2026, 3, 27, 23, tzinfo=UTC)
    assert period.until == datetime(2026, 3, 29, 22, tzinfo=UTC)  # the DST day has 23 hours
    assert period.daily is False


def test_the_year_range_folds_days_in_the_database(lab, streams):
    from django.contrib.auth.models import AnonymousUser

    visitor = Caller(AnonymousUser())
    series = readings.series_in(list(readings.visible_datastreams(visitor, lab)),
                                readings.range_of("year"), caller=visitor)
    public = series[streams["public"].pk]
    assert [p.value for p in public.points] == [PUBLIC_VALUE]
    counts = series[streams["counts"].pk]
    assert [p.value for p in counts.points] == [SHOWN_COUNT]


def test_the_default_charts_and_the_month_range_read_the_same_points(lab, streams):
    # series_of (the 24-hour and 30-day charts) and series_in (a chosen range) read through one
    # helper (readings._points): the 30 days folded in Python and in the database agree.
    from django.contrib.auth.models import AnonymousUser

    visitor = Caller(AnonymousUser())
    visible = list(readings.visible_datastreams(visitor, lab))
    now = timezone.now()
    default = readings.series_of(visible, caller=visitor, now=now)
    month = readings.series_in(visible, readings.range_of("month", now=now), caller=visitor,
                               now=now)
    assert any(month[stream.pk].points for stream in visible)
    for stream in visible:
        expected = default[stream.pk]["month"]
        chosen = month[stream.pk]
        assert [(p.start, pytest.approx(p.value), p.partial) for p in expected.points] == \
            [(p.start, p.value, p.partial) for p in chosen.points]
        assert (expected.kind, expected.since) == (chosen.kind, chosen.since)
