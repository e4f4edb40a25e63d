"""What a viewer sees of a lab's sensor data on the pages, the charts and the CSV downloads.

Every read goes through stadtallianz.sensorthings.privacy: restricted datastreams exist only for
insiders; aggregated datastreams show only their closed windows (and for counts of people only
windows of at least k). Hourly aggregates are read only for public and restricted datastreams —
an aggregated datastream has no raw values, and an hourly figure could undercut its window or k.

Each function reads a whole lab's datastreams in a fixed number of queries, however many
datastreams and observations there are.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from stadtallianz.sensorthings import privacy
from stadtallianz.sensorthings.auth import Caller
from stadtallianz.sensorthings.models import (
    Datastream,
    HourlyAggregate,
    Observation,
    PrivacyLevel,
    result_of,
)

from .models import LivingLab

DAY = timedelta(days=1)
MONTH = timedelta(days=30)


def caller_of_page(request) -> Caller:
    """Pages know people, never device tokens."""
    return Caller(request.user)


def visible_datastreams(caller: Caller, lab: LivingLab, *, with_newest: bool = True):
    """The lab's datastreams this caller may know of, with their thing, sensor and observed
    property, and (with_newest) the id of the newest observation the caller may read."""
    streams = (Datastream.objects.filter(privacy.datastreams(caller), lab=lab)
               .select_related("thing", "sensor", "observed_property").order_by("thing_id", "pk"))
    if not with_newest:
        return streams
    newest = (Observation.objects.filter(privacy.observations(caller), datastream=OuterRef("pk"))
              .order_by("-phenomenon_time_start").values("pk")[:1])
    return streams.annotate(newest_id=Subquery(newest))


def visible_datastream(caller: Caller, lab: LivingLab, pk: int) -> Datastream | None:
    return visible_datastreams(caller, lab).filter(pk=pk).first()


def latest_observations(datastreams) -> dict[int, Observation]:
    """The newest readable observation of each datastream (the ids come from
    visible_datastreams), in one query."""
    ids = [stream.newest_id for stream in datastreams if stream.newest_id]
    return {obs.datastream_id: obs for obs in Observation.objects.filter(pk__in=ids)}


@dataclass
class Point:
    start: datetime
    value: float
    partial: bool = False  # its window has not ended yet: a value so far, not the final one


@dataclass
class Series:
    """One chart with its table: the points, what a point is, and the period."""

    points: list[Point] = field(default_factory=list)
    kind: str = "mean"  # "mean" or "sum" (aggregated counts of people)
    step: timedelta = timedelta(hours=1)
    since: datetime | None = None
    until: datetime | None = None


def _daily(points: list[Point], *, kind: str) -> list[Point]:
    """Points of one local day folded into one (mean of the means, or sum of the sums)."""
    days: dict = defaultdict(list)
    for point in points:
        local = timezone.localtime(point.start)
        days[local.replace(hour=0, minute=0, second=0, microsecond=0)].append(point.value)
    return [Point(day, sum(values) if kind == "sum" else sum(values) / len(values))
            for day, values in sorted(days.items())]


def _mark_partial(points: list[Point], step: timedelta, now: datetime) -> list[Point]:
    """A point whose window (hour, day, aggregation window) ends after now is still running:
    the charts draw it apart from the line, so a half-counted day does not look like a drop."""
    for point in points:
        point.partial = point.start + step > now
    return points


def series_of(datastreams, *, now: datetime | None = None, caller: Caller) -> dict:
    """{datastream id: {"day": Series, "month": Series}}: the last 24 hours hour by hour and the
    last 30 days day by day. Two queries for all datastreams."""
    now = now or timezone.now()
    # Whole local days: today so far and the 29 days before (a partial first day would draw a
    # misleading dip in a chart of daily sums).
    since = _local_midnight(now - MONTH + DAY)
    found = _points(datastreams, since, now, daily=False, caller=caller, now=now)
    result = {}
    for stream in datastreams:
        points = found.get(stream.pk, [])
        kind, step = _kind_and_step(stream, daily=False)
        day_start = now - DAY
        result[stream.pk] = {
            "day": Series(_mark_partial([p for p in points if p.start >= day_start], step, now),
                          kind, step, day_start, now),
            "month": Series(_mark_partial(_daily(points, kind=kind), DAY, now), kind, DAY, since,
                            now),
        }
    return result


# A time range the reader chooses on the lab page (forms.RangeForm): what it covers and whether
# its points are hours (or aggregation windows) or local days.
@dataclass
class Range:
    since: datetime
    until: datetime
    daily: bool


def _local_midnight(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def range_of(name: str, *, start=None, end=None, now: datetime | None = None) -> Range:
    """day and week: hour by hour up to now; month and year: whole local days (today so far
    included); custom: the local days from start to end, by hour up to seven days."""
    now = now or timezone.now()
    if name == "day":
        return Range(now - DAY, now, False)
    if name == "week":
        return Range(now - timedelta(days=7), now, False)
    if name == "month":
        return Range(_local_midnight(now - MONTH + DAY), now, True)
    if name == "year":
        return Range(_local_midnight(now - timedelta(days=364)), now, True)
    zone = timezone.get_current_timezone()
    since = datetime(start.year, start.month, start.day, tzinfo=zone)
    until = _local_midnight(datetime(end.year, end.month, end.day, 12, tzinfo=zone) + DAY)
    return Range(since, min(until, now), (until - since) > timedelta(days=7))


def _kind_and_step(stream: Datastream, *, daily: bool) -> tuple[str, timedelta]:
    """What a point of the stream's chart is: a sum (aggregated counts of people) or a mean,
    and how long (a day, the aggregation window, or an hour)."""
    aggregated = stream.privacy_level == PrivacyLevel.AGGREGATED
    kind = "sum" if aggregated and stream.counts_people else "mean"
    if daily:
        return kind, DAY
    return kind, timedelta(seconds=stream.aggregation_window) if aggregated \
        else timedelta(hours=1)


def _points(datastreams, since: datetime, until: datetime, *, daily: bool, caller: Caller,
            now: datetime) -> dict[int, list[Point]]:
    """{datastream id: points} from since to until: hourly means of the raw datastreams and the
    closed windows of the aggregated ones, or (daily) whole local days folded in the database,
    so a year is one row a day. Two queries for all datastreams."""
    from django.db.models import Avg, ExpressionWrapper, F, FloatField, Sum
    from django.db.models.functions import TruncDay

    zone = timezone.get_current_timezone()
    raw_ids = [s.pk for s in datastreams if s.privacy_level != PrivacyLevel.AGGREGATED]
    windowed = {s.pk: s for s in datastreams if s.privacy_level == PrivacyLevel.AGGREGATED}
    found: dict[int, list[Point]] = defaultdict(list)
    if raw_ids:
        rows = (HourlyAggregate.objects
                .filter(privacy.datastreams(caller, "datastream__"), datastream_id__in=raw_ids,
                        hour__gte=since, hour__lte=until)
                .exclude(datastream__privacy_level=PrivacyLevel.AGGREGATED))
        mean = ExpressionWrapper(F("total") * 1.0 / F("count"), output_field=FloatField())
        if daily:  # the mean of the day's hourly means, as on the 30-day chart
            rows = (rows.annotate(day=TruncDay("hour", tzinfo=zone))
                    .values("datastream_id", "day").annotate(value=Avg(mean))
                    .order_by("datastream_id", "day").values_list("datastream_id", "day",
                                                                  "value"))
        else:
            rows = (rows.annotate(value=mean).order_by("datastream_id", "hour")
                    .values_list("datastream_id", "hour", "value"))
        for stream_id, start, value in rows:
            found[stream_id].append(Point(start, value))
    if windowed:
        rows = (Observation.objects
                .filter(privacy.observations(caller, now=now), datastream_id__in=list(windowed),
                        phenomenon_time_start__gte=since, phenomenon_time_start__lt=until,
                        result_number__isnull=False))
        if daily:
            rows = (rows.annotate(day=TruncDay("phenomenon_time_start", tzinfo=zone))
                    .values("datastream_id", "day")
                    .annotate(total=Sum("result_number"), mean=Avg("result_number"))
                    .order_by("datastream_id", "day")
                    .values_list("datastream_id", "day", "total", "mean"))
            for stream_id, start, total, average in rows:
                counts = windowed[stream_id].counts_people
                found[stream_id].append(Point(start, total if counts else average))
        else:
            for stream_id, start, value in (rows.order_by("datastream_id",
                                                          "phenomenon_time_start")
                                            .values_list("datastream_id",
                                                         "phenomenon_time_start",
                                                         "result_number")):
                found[stream_id].append(Point(start, value))
    return found


def series_in(datastreams, period: Range, *, caller: Caller, now: datetime | None = None) -> dict:
    """{datastream id: Series} over a chosen range. Two queries for all datastreams, whatever
    the range."""
    now = now or timezone.now()
    found = _points(datastreams, period.since, period.until, daily=period.daily, caller=caller,
                    now=now)
    result = {}
    for stream in datastreams:
        kind, step = _kind_and_step(stream, daily=period.daily)
        points = [Point(timezone.localtime(p.start), p.value) for p in found.get(stream.pk, [])]
        result[stream.pk] = Series(_mark_partial(points, step, now), kind, step, period.since,
                                   period.until)
    return result


def csv_rows(caller: Caller, datastream: Datastream, *, period: Range | None = None,
             utc: bool = False):
    """The observations of one datastream the caller may read, oldest first, streamed; times
    in the site's time zone with their offset (2026-12-06T17:00:00+01:00), or in UTC."""
    observations = Observation.objects.filter(privacy.observations(caller),
                                              datastream=datastream)
    if period is not None:
        observations = observations.filter(phenomenon_time_start__gte=period.since,
                                           phenomenon_time_start__lt=period.until)

    def shown(moment):
        if moment is None:
            return ""
        moment = moment.astimezone(UTC) if utc else timezone.localtime(moment)
        return moment.isoformat()

    observations = (observations
                    .order_by("phenomenon_time_start", "pk")
                    .values_list("phenomenon_time_start", "phenomenon_time_end", "result_time",
                                 "result_number", "result_json", "result_integer"))
    for start, end, result_time, number, json_value, integer in observations.iterator(
            chunk_size=2000):
        # A number in its own type (1, not 1.0); a text result as it is; any other JSON result
        # (true, an object) as JSON, not as Python's repr of it.
        result = result_of(number, json_value, integer)
        if not isinstance(result, str | int | float | None) or isinstance(result, bool):
            result = json.dumps(result, ensure_ascii=False)
        yield [shown(start), shown(end), shown(result_time), result]
