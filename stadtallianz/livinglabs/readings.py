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
from datetime import datetime, timedelta

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


def series_of(datastreams, *, now: datetime | None = None, caller: Caller) -> dict:
    """{datastream id: {"day": Series, "month": Series}}: the last 24 hours hour by hour and the
    last 30 days day by day. Two queries for all datastreams."""
    now = now or timezone.now()
    # Whole local days: today so far and the 29 days before (a partial first day would draw a
    # misleading dip in a chart of daily sums).
    since = timezone.localtime(now - MONTH + DAY).replace(hour=0, minute=0, second=0,
                                                          microsecond=0)
    raw_ids = [s.pk for s in datastreams if s.privacy_level != PrivacyLevel.AGGREGATED]
    windowed = {s.pk: s for s in datastreams if s.privacy_level == PrivacyLevel.AGGREGATED}
    hourly: dict[int, list[Point]] = defaultdict(list)
    if raw_ids:
        rows = (HourlyAggregate.objects
                .filter(privacy.datastreams(caller, "datastream__"), datastream_id__in=raw_ids,
                        hour__gte=since, hour__lte=now)
                .exclude(datastream__privacy_level=PrivacyLevel.AGGREGATED)
                .order_by("datastream_id", "hour").values_list("datastream_id", "hour", "total",
                                                               "count"))
        for stream_id, hour, total, count in rows:
            hourly[stream_id].append(Point(hour, total / count))
    if windowed:
        rows = (Observation.objects
                .filter(privacy.observations(caller, now=now), datastream_id__in=list(windowed),
                        phenomenon_time_start__gte=since)
                .order_by("datastream_id", "phenomenon_time_start")
                .values_list("datastream_id", "phenomenon_time_start", "result_number"))
        for stream_id, start, value in rows:
            if value is not None:
                hourly[stream_id].append(Point(start, value))
    result = {}
    for stream in datastreams:
        points = hourly.get(stream.pk, [])
        kind = "sum" if stream.privacy_level == PrivacyLevel.AGGREGATED and \
            stream.counts_people else "mean"
        step = timedelta(seconds=stream.aggregation_window) if stream.pk in windowed \
            else timedelta(hours=1)
        day_start = now - DAY
        result[stream.pk] = {
            "day": Series([p for p in points if p.start >= day_start], kind, step, day_start,
                          now),
            "month": Series(_daily(points, kind=kind), kind, DAY, since, now),
        }
    return result


def csv_rows(caller: Caller, datastream: Datastream):
    """The observations of one datastream the caller may read, oldest first, streamed."""
    observations = (Observation.objects.filter(privacy.observations(caller),
                                               datastream=datastream)
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
        yield [start.isoformat(), end.isoformat() if end else "",
               result_time.isoformat() if result_time else "", result]
