"""The hourly aggregates (count, sum, minimum, maximum per datastream and hour) of raw numeric
observations: added to with every ingest, recomputed after an observation is changed or
deleted through the API. They feed the charts and outlive the raw rows (retention)."""

# The SQL below is assembled from constant table and column names only; every value is a
# query parameter.
# ruff: noqa: S608
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Count, Max, Min, Sum

from ..models import HourlyAggregate, Observation
from .records import HOURLY_TABLE, NewObservation, db_time, hour_of, postgres


def add_to_hourly(rows: list[tuple[NewObservation, float]]) -> None:
    """Adds (observation, number) pairs to the hourly aggregates of their hours."""
    hours: dict[tuple[int, float], list] = {}
    for o, number in rows:
        # The hour as a number (seconds // 3600): much cheaper than a datetime per row.
        key = (o.datastream_id, o.phenomenon_time_start.timestamp() // 3600)
        entry = hours.get(key)
        if entry is None:
            hours[key] = [1, number, number, number]
        else:
            entry[0] += 1
            entry[1] += number
            if number < entry[2]:
                entry[2] = number
            elif number > entry[3]:
                entry[3] = number
    if hours:
        _upsert_hourly(sorted(((d, datetime.fromtimestamp(hour * 3600, UTC)), values)
                              for (d, hour), values in hours.items()), add=True)


def _upsert_hourly(items, *, add: bool) -> None:
    """items: [((datastream_id, hour), [count, total, minimum, maximum])]. `add` adds to an
    existing row (ingest); otherwise the row is replaced (recomputed)."""
    table = HOURLY_TABLE
    least, greatest = ("LEAST", "GREATEST") if postgres() else ("MIN", "MAX")
    update = (f"count = {table}.count + excluded.count, total = {table}.total + excluded.total, "
              f"minimum = {least}({table}.minimum, excluded.minimum), "
              f"maximum = {greatest}({table}.maximum, excluded.maximum)" if add else
              "count = excluded.count, total = excluded.total, minimum = excluded.minimum, "
              "maximum = excluded.maximum")
    conflict = f"ON CONFLICT (datastream_id, hour) DO UPDATE SET {update}"
    with connection.cursor() as cursor:
        if postgres():
            columns = list(zip(*[(d, h, *values) for (d, h), values in items], strict=True))
            cursor.execute(
                f"INSERT INTO {table} (datastream_id, hour, count, total, minimum, maximum) "
                "SELECT * FROM unnest(%s::bigint[], %s::timestamptz[], %s::integer[], "
                f"%s::float8[], %s::float8[], %s::float8[]) {conflict}",
                [list(column) for column in columns])
        else:
            cursor.executemany(
                f"INSERT INTO {table} (datastream_id, hour, count, total, minimum, maximum) "
                f"VALUES (%s, %s, %s, %s, %s, %s) {conflict}",
                [(d, db_time(h), *values) for (d, h), values in items])


LAST_HOUR = datetime(9999, 12, 31, 23, tzinfo=UTC)


def recompute_hours(pairs) -> None:
    """Recomputes the hourly aggregates of (datastream_id, hour) pairs from the raw rows, after
    observations were changed or deleted; an hour without numeric raw rows loses its row."""
    pairs = sorted({(d, hour_of(h)) for d, h in pairs})
    if not pairs:
        return
    replaced = []
    for datastream_id, hour in pairs:
        in_hour = {"phenomenon_time_start__gte": hour}
        if hour < LAST_HOUR:  # the last representable hour has no end to compare with
            in_hour["phenomenon_time_start__lt"] = hour + timedelta(hours=1)
        values = (Observation.objects.filter(
            datastream_id=datastream_id, bucket_count__isnull=True, result_number__isnull=False,
            **in_hour)
            .aggregate(count=Count("id"), total=Sum("result_number"),
                       minimum=Min("result_number"), maximum=Max("result_number")))
        if values["count"]:
            replaced.append(((datastream_id, hour), [values["count"], values["total"],
                                                     values["minimum"], values["maximum"]]))
        else:
            HourlyAggregate.objects.filter(datastream_id=datastream_id, hour=hour).delete()
    if replaced:
        _upsert_hourly(replaced, add=False)
