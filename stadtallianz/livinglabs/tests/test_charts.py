"""The server-drawn charts: the table holds the same values as the line, a gap breaks the line
instead of inventing values across it, daily points fold the hours of one local day, and the
SVG's numbers do not depend on the language."""

from datetime import UTC, datetime, timedelta

from django.utils import translation

from stadtallianz.livinglabs import charts
from stadtallianz.livinglabs.readings import Point, Series, _daily

START = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)


def _series(values: dict[int, float]) -> Series:
    return Series([Point(START + timedelta(hours=h), v) for h, v in values.items()], "mean",
                  timedelta(hours=1), START, START + timedelta(hours=24))


def test_the_table_has_the_values_of_the_line_and_a_gap_breaks_it():
    with translation.override("de"):
        drawn = charts.draw(_series({0: 1.5, 1: 2.0, 2: 2.25, 6: 4.0, 7: 3.0}))
    assert [row["value"] for row in drawn["rows"]] == ["1,5", "2", "2,25", "4", "3"]
    assert len(drawn["segments"]) == 2  # hours 3 to 5 are missing
    assert drawn["segments"][0].count(",") == 3 and drawn["segments"][1].count(",") == 2
    assert (drawn["minimum"], drawn["maximum"], drawn["latest"]) == ("1,5", "4", "3")
    # SVG coordinates use a dot in every language.
    assert all("." in point for point in drawn["segments"][0].split())


def test_nothing_is_drawn_without_values():
    assert charts.draw(_series({})) is None


def test_daily_points_are_means_or_sums_of_a_local_day():
    points = [Point(START + timedelta(hours=h), 2.0) for h in range(48)]
    with translation.override("de"):
        sums = _daily(points, kind="sum")
        means = _daily(points, kind="mean")
    # Berlin is an hour ahead of UTC in November: the first local day has 23 of the hours.
    assert [p.value for p in sums] == [46.0, 48.0, 2.0]
    assert {p.value for p in means} == {2.0}
