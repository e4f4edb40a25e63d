"""Aggregated datastreams: no raw value is ever stored. Each value is added to the observation
of its window (bucket_count, bucket_sum), upserted on the partial unique constraint
`sta_obs_one_bucket`; a window that may have been served takes no more values."""

# The SQL below is assembled from constant table and column names only; every value is a
# query parameter.
# ruff: noqa: S608
import json
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils import timezone

from ..errors import bad_request
from ..models import Observation
from ..privacy import aggregation_grace
from ..timefmt import format_time
from .records import (
    OBSERVATION_TABLE,
    RECEIPT_TABLE,
    VALUES_CHUNK,
    NewObservation,
    db_time,
    number_of,
    window_of,
)
from .spans import refresh_aggregated_spans

MIN_AGGREGATION_WINDOW = 3600
# Late values for a window are refused this long before it is served, so an ingest that is
# still committing cannot change a window a reader has just seen.
LATE_VALUE_MARGIN = timedelta(seconds=60)


def first_deliveries(observations: list[NewObservation]) -> list[bool]:
    """For aggregated datastreams: which observations have not been counted before. Each one
    with a dedupe key leaves a DeliveryReceipt; a key already received (earlier, or earlier in
    this batch) is a redelivery and is not added to its window again."""
    fresh = [True] * len(observations)
    keyed: dict[tuple[int, int], int] = {}
    for position, o in enumerate(observations):
        if o.dedupe_key is None:
            continue
        key = (o.datastream_id, o.dedupe_key)
        if key in keyed:
            fresh[position] = False
        else:
            keyed[key] = position
    if not keyed:
        return fresh
    now = db_time(timezone.now())
    items = list(keyed.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), VALUES_CHUNK):
            chunk = items[start:start + VALUES_CHUNK]
            params = [value for (datastream_id, key), _position in chunk
                      for value in (datastream_id, key, now)]
            cursor.execute(
                f"INSERT INTO {RECEIPT_TABLE} (datastream_id, message_key, received_at) VALUES "
                + ", ".join(["(%s, %s, %s)"] * len(chunk))
                + " ON CONFLICT (datastream_id, message_key) DO NOTHING"
                " RETURNING datastream_id, message_key",
                params)
            new = {(row[0], row[1]) for row in cursor.fetchall()}
            for key, position in chunk:
                fresh[position] = key in new
    return fresh


def fold(observations: list[NewObservation], streams: dict[int, dict]) -> list[int]:
    """Adds each value to its window's observation; returns the window ids in order."""
    windows: dict[tuple[int, datetime], list] = {}
    keys = []
    for o in observations:
        number = number_of(o.result)
        if number is None:
            raise bad_request(
                f"Observation: Datastream {o.datastream_id} is aggregated and accepts only "
                f"numeric results, not {json.dumps(o.result)[:50]}.")
        seconds = streams[o.datastream_id]["aggregation_window"]
        key = (o.datastream_id, window_of(o.phenomenon_time_start, seconds))
        keys.append(key)
        entry = windows.get(key)
        if entry is None:
            windows[key] = [1, number, o.feature_of_interest_id]
        else:
            entry[0] += 1
            entry[1] += number
    _refuse_late_values(windows, streams)
    window_ids = {}
    # One statement per kind of window value (sum for counts of people, else mean) and chunk.
    for counts_people in (True, False):
        items = sorted((key, value) for key, value in windows.items()
                       if streams[key[0]]["counts_people"] == counts_people)
        for start in range(0, len(items), VALUES_CHUNK):
            window_ids.update(_upsert_windows(items[start:start + VALUES_CHUNK], streams,
                                              counts_people))
    refresh_aggregated_spans({d for d, _start in windows})
    return [window_ids[key] for key in keys]


def _refuse_late_values(windows: dict, streams: dict[int, dict]) -> None:
    """A window is served once it has closed and the grace period has passed; from then on it
    may have been read, and a value added later would show as the difference between two
    reads. So values for such a window that exists already are refused (400). A closed window
    that does not exist yet has never been served: it may be created, by one batch (a backfill
    of history sends each window whole)."""
    now = timezone.now()
    grace = aggregation_grace()
    closed = sorted(key for key in windows if key[1] + timedelta(
        seconds=streams[key[0]]["aggregation_window"]) + grace - LATE_VALUE_MARGIN <= now)
    for start in range(0, len(closed), VALUES_CHUNK):
        chunk = closed[start:start + VALUES_CHUNK]
        existing = set(Observation.objects.filter(
            bucket_count__isnull=False, datastream_id__in={d for d, _s in chunk},
            phenomenon_time_start__in={s for _d, s in chunk})
            .values_list("datastream_id", "phenomenon_time_start"))
        for datastream_id, window_start in chunk:
            if (datastream_id, window_start) in existing:
                end = window_start + timedelta(
                    seconds=streams[datastream_id]["aggregation_window"])
                raise bad_request(
                    f"Observation: the window {format_time(window_start)}/{format_time(end)} "
                    f"of the aggregated Datastream {datastream_id} closed more than "
                    f"{int(grace.total_seconds())} seconds ago and may have been served; a "
                    "served window never changes, so values for it are refused.")


def _upsert_windows(items, streams: dict[int, dict], counts_people: bool) -> dict:
    """Inserts or adds to the windows of `items` [((datastream_id, start), [count, sum,
    feature])] on the partial unique constraint sta_obs_one_bucket; {key: window id}."""
    table = OBSERVATION_TABLE
    new_sum = f"{table}.bucket_sum + excluded.bucket_sum"
    new_count = f"{table}.bucket_count + excluded.bucket_count"
    result = new_sum if counts_people else f"({new_sum}) / ({new_count})"
    params = []
    for (datastream_id, start), (count, total, feature) in items:
        end = start + timedelta(seconds=streams[datastream_id]["aggregation_window"])
        params += [datastream_id, db_time(start), db_time(end),
                   total if counts_people else total / count, count, total, feature]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (datastream_id, phenomenon_time_start, phenomenon_time_end, "
            "result_number, bucket_count, bucket_sum, feature_of_interest_id) VALUES "
            + ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(items))
            + " ON CONFLICT (datastream_id, phenomenon_time_start) "
            "WHERE bucket_count IS NOT NULL DO UPDATE SET "
            f"bucket_count = {new_count}, bucket_sum = {new_sum}, result_number = {result} "
            "RETURNING id, datastream_id, phenomenon_time_start", params)
        # SQLite returns the start naive (in UTC).
        returned = {(datastream_id, start if start.tzinfo else start.replace(tzinfo=UTC)):
                    window_id for window_id, datastream_id, start in cursor.fetchall()}
    return {key: returned[key] for key, _value in items}
