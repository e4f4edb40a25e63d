"""What a datastream says of its observations, kept up to date: its phenomenonTime and
resultTime span and its observedArea (areas.py). Raw datastreams widen with each ingest; an
aggregated datastream spans only its served windows."""

# The SQL below is assembled from constant table and column names only; every value is a
# query parameter.
# ruff: noqa: S608

from django.db import connection
from django.db.models import Max, Min, OuterRef, Subquery

from ..models import Datastream, Observation, PrivacyLevel
from ..privacy import served_windows
from .records import DATASTREAM_TABLE, NewObservation, db_time, postgres


def widen_spans(observations) -> None:
    """Widens each datastream's phenomenonTime and resultTime to include the new rows: one
    UPDATE for all on PostgreSQL, one per datastream in id order on SQLite."""
    spans: dict[int, list] = {}
    for o in observations:
        start, end = o.phenomenon_time_start, o.phenomenon_time_end or o.phenomenon_time_start
        span = spans.get(o.datastream_id)
        if span is None:
            spans[o.datastream_id] = span = [start, end, o.result_time, o.result_time]
        else:
            span[0] = min(span[0], start)
            span[1] = max(span[1], end)
            if o.result_time is not None:
                span[2] = o.result_time if span[2] is None else min(span[2], o.result_time)
                span[3] = o.result_time if span[3] is None else max(span[3], o.result_time)
    if not spans:
        return
    items = sorted(spans.items())
    with connection.cursor() as cursor:
        if postgres():
            # One statement for all datastreams of the batch (their rows are locked already).
            columns = [list(column) for column in zip(
                *[(d, *span) for d, span in items], strict=True)]
            cursor.execute(
                f"UPDATE {DATASTREAM_TABLE} d SET "
                "phenomenon_time_start = CASE WHEN d.phenomenon_time_start IS NULL OR "
                "d.phenomenon_time_start > s.ps THEN s.ps ELSE d.phenomenon_time_start END, "
                "phenomenon_time_end = CASE WHEN d.phenomenon_time_end IS NULL OR "
                "d.phenomenon_time_end < s.pe THEN s.pe ELSE d.phenomenon_time_end END, "
                "result_time_start = CASE WHEN s.rs IS NOT NULL AND (d.result_time_start IS "
                "NULL OR d.result_time_start > s.rs) THEN s.rs ELSE d.result_time_start END, "
                "result_time_end = CASE WHEN s.re IS NOT NULL AND (d.result_time_end IS NULL "
                "OR d.result_time_end < s.re) THEN s.re ELSE d.result_time_end END "
                "FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[], "
                "%s::timestamptz[], %s::timestamptz[]) AS s(id, ps, pe, rs, re) "
                "WHERE d.id = s.id", columns)
            return
        for datastream_id, (start, end, result_start, result_end) in items:
            sets = ["phenomenon_time_start = CASE WHEN phenomenon_time_start IS NULL OR "
                    "phenomenon_time_start > %s THEN %s ELSE phenomenon_time_start END",
                    "phenomenon_time_end = CASE WHEN phenomenon_time_end IS NULL OR "
                    "phenomenon_time_end < %s THEN %s ELSE phenomenon_time_end END"]
            params = [db_time(start)] * 2 + [db_time(end)] * 2
            if result_start is not None:
                sets += ["result_time_start = CASE WHEN result_time_start IS NULL OR "
                         "result_time_start > %s THEN %s ELSE result_time_start END",
                         "result_time_end = CASE WHEN result_time_end IS NULL OR "
                         "result_time_end < %s THEN %s ELSE result_time_end END"]
                params += [db_time(result_start)] * 2 + [db_time(result_end)] * 2
            cursor.execute(f"UPDATE {DATASTREAM_TABLE} SET {', '.join(sets)} WHERE id = %s",
                           [*params, datastream_id])


def widen_areas(observations: list[NewObservation]) -> None:
    """The datastreams' observedArea grows by the features of the new observations (areas.py)."""
    from .. import areas

    features: dict[int, set[int]] = {}
    for o in observations:
        features.setdefault(o.datastream_id, set()).add(o.feature_of_interest_id)
    areas.widen(features)


def refresh_aggregated_spans(datastream_ids=None, now=None) -> None:
    """Sets the phenomenonTime of aggregated datastreams (all, or those of `datastream_ids`) to
    the span of their served windows, and clears their resultTime: the datastream is public,
    and a span reaching into an open or withheld window would tell that someone was counted
    there. Called at each ingest and by the retention job, so windows that close without a
    new value are added by the next run of the retention job at the latest."""
    streams = Datastream.objects.filter(privacy_level=PrivacyLevel.AGGREGATED)
    if datastream_ids is not None:
        streams = streams.filter(pk__in=datastream_ids)
    served = (Observation.objects.filter(served_windows(now=now), datastream=OuterRef("pk"),
                                         bucket_count__isnull=False)
              .order_by().values("datastream"))
    streams.update(
        phenomenon_time_start=Subquery(served.annotate(
            first=Min("phenomenon_time_start")).values("first")),
        phenomenon_time_end=Subquery(served.annotate(
            last=Max("phenomenon_time_end")).values("last")),
        result_time_start=None, result_time_end=None)
    from .. import areas  # the observedArea of served windows only, like the span

    areas.refresh(list(streams.values_list("pk", flat=True)), now=now)
