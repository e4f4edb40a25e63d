"""Storing observations: the one way new sensor data enters the platform (HTTP writes,
`POST /CreateObservations` and the MQTT bridge all call `store`).

- Raw datastreams (public, restricted): rows are inserted in bulk — on PostgreSQL with ids taken
  from the sequence in one query and the rows sent with COPY; rows that carry a `dedupe_key` (an
  MQTT message the broker may deliver twice) go through `INSERT … ON CONFLICT DO NOTHING`, so a
  redelivered message is stored once. Numeric results also update the hourly aggregate of their
  hour, which the charts read and which outlives the raw rows (retention).
- Aggregated datastreams: no raw value is ever stored. Each value is added to the observation of
  its window (bucket_count, bucket_sum), upserted on the partial unique constraint
  `sta_obs_one_bucket`.

Also here: recomputing hourly aggregates after an observation is changed or deleted, the privacy
level change of a datastream (`change_privacy`) and the retention job (`apply_retention`).
"""

# The SQL below is assembled from constant table and column names only; every value is a
# query parameter.
# ruff: noqa: S608
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Min, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from stadtallianz.livinglabs.models import PrivacyLevel

from . import privacy
from .errors import StaError, bad_request
from .models import (
    FLOAT_EXACT_INTEGER,
    Datastream,
    DeliveryReceipt,
    FeatureOfInterest,
    HourlyAggregate,
    Location,
    Observation,
    Thing,
)
from .privacy import aggregation_grace, served_windows
from .timefmt import format_time

OBSERVATION_TABLE = Observation._meta.db_table
HOURLY_TABLE = HourlyAggregate._meta.db_table
DATASTREAM_TABLE = Datastream._meta.db_table
RECEIPT_TABLE = DeliveryReceipt._meta.db_table
# The columns a raw observation is written with (bucket_* stay NULL).
RAW_COLUMNS = ("id", "datastream_id", "phenomenon_time_start", "phenomenon_time_end",
               "result_time", "result_number", "result_json", "result_integer",
               "result_quality", "valid_time_start", "valid_time_end", "parameters",
               "feature_of_interest_id", "dedupe_key")
JSON_COLUMNS = {"result_json", "result_quality", "parameters"}
MIN_AGGREGATION_WINDOW = 3600
# Late values for a window are refused this long before it is served, so an ingest that is
# still committing cannot change a window a reader has just seen.
LATE_VALUE_MARGIN = timedelta(seconds=60)
VALUES_CHUNK = 500  # rows per INSERT … VALUES statement (SQLite allows 32,766 parameters)


@dataclass(slots=True)
class NewObservation:
    datastream_id: int
    phenomenon_time_start: datetime
    result: object
    phenomenon_time_end: datetime | None = None
    result_time: datetime | None = None
    result_quality: object = None
    valid_time_start: datetime | None = None
    valid_time_end: datetime | None = None
    parameters: dict | None = None
    feature_of_interest_id: int | None = None
    dedupe_key: int | None = None
    # A FeatureOfInterest sent inline (its JSON properties), created by store (MQTT deep insert).
    new_feature: dict | None = None


def number_of(value) -> float | None:
    """The result as a float when it is a (finite) number, else None. (bool is an int in
    Python, but true/false is not a measurement.)"""
    kind = type(value)
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is int or (isinstance(value, int) and kind is not bool):
        try:
            return float(value)
        except OverflowError:  # an integer beyond the float range is stored as JSON
            return None
    return None


def json_result(result, number):
    """What an observation keeps in result_json: a result that is no number, or an integer a
    float cannot hold exactly (models.result_of reads the columns back)."""
    if number is None:
        return result
    if type(result) is int and not -FLOAT_EXACT_INTEGER <= result <= FLOAT_EXACT_INTEGER:
        return result
    return None


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def window_of(moment: datetime, seconds: int) -> datetime:
    """The start of the window of `moment`: windows are aligned to multiples of their length
    since the Unix epoch, so every ingest path puts a value into the same window."""
    start = math.floor(moment.timestamp() / seconds) * seconds
    return datetime.fromtimestamp(start, UTC)


def _db_time(value):
    return connection.ops.adapt_datetimefield_value(value) if value is not None else None


def _postgres() -> bool:
    return connection.vendor == "postgresql"


# --- store -------------------------------------------------------------------------------


def store(observations: list[NewObservation], *, lab_id: int | None) -> list[int | None]:
    """Stores the observations in one transaction and returns their ids in order (the window's
    id for an aggregated datastream, None for a duplicate that was skipped). StaError 400/403
    and nothing stored when a datastream does not exist or belongs to another lab, when a
    FeatureOfInterest is missing and cannot be generated, or an aggregated datastream gets a
    result that is not a number."""
    if not observations:
        return []
    from .mqtt.notify import announce

    with transaction.atomic():
        streams = _lock_datastreams({o.datastream_id for o in observations}, lab_id)
        _fill_features(observations, streams)
        ids: list[int | None] = [None] * len(observations)
        raw = [i for i, o in enumerate(observations)
               if streams[o.datastream_id]["privacy_level"] != PrivacyLevel.AGGREGATED]
        folded = [i for i, o in enumerate(observations)
                  if streams[o.datastream_id]["privacy_level"] == PrivacyLevel.AGGREGATED]
        if raw:
            rows = [observations[i] for i in raw]
            numbers = [number_of(o.result) for o in rows]
            stored = _insert_raw(rows, numbers)
            for position, new_id in zip(raw, stored, strict=True):
                ids[position] = new_id
            _add_to_hourly([(o, number) for o, number, new_id in zip(
                rows, numbers, stored, strict=True) if new_id is not None and number is not None])
            widen_spans([o for o, new_id in zip(rows, stored, strict=True) if new_id is not None])
            _widen_areas([o for o, new_id in zip(rows, stored, strict=True)
                          if new_id is not None])
            announce("Observation", [new_id for new_id in stored if new_id is not None])
        if folded:
            fresh = _first_deliveries([observations[i] for i in folded])
            folded = [i for i, new in zip(folded, fresh, strict=True) if new]
        if folded:
            window_ids = _fold([observations[i] for i in folded], streams)
            for position, new_id in zip(folded, window_ids, strict=True):
                ids[position] = new_id
        return ids


def _first_deliveries(observations: list[NewObservation]) -> list[bool]:
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
    now = _db_time(timezone.now())
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


def _lock_datastreams(ids: set[int], lab_id: int | None) -> dict[int, dict]:
    # The rows are locked (in id order, so two ingests cannot deadlock) for the transaction: a
    # privacy change waits for the ingest and the span update cannot lose a concurrent one.
    rows = {row["id"]: row for row in Datastream.objects.filter(pk__in=ids).order_by("pk")
            .select_for_update(no_key=True, of=("self",))
            .values("id", "lab_id", "thing_id", "privacy_level", "aggregation_window",
                    "counts_people")}
    for datastream_id in sorted(ids):
        row = rows.get(datastream_id)
        hidden = (row is not None and lab_id is not None and row["lab_id"] != lab_id
                  and row["privacy_level"] == PrivacyLevel.RESTRICTED)
        if row is None or hidden:  # another lab's restricted datastream does not exist for us
            raise bad_request(f"There is no Datastream with id {datastream_id}.")
        if lab_id is not None and row["lab_id"] != lab_id:
            raise StaError(f"Datastream {datastream_id} belongs to another living lab; the "
                           "token may write only to its own lab's datastreams.", 403)
    return rows


def check_datastreams(ids: set[int], lab_id: int | None) -> None:
    """The datastream checks of `store` alone (and their locks): StaError 400 for one that does
    not exist for the token, 403 for another lab's. CreateObservations uses it to fail the rows
    of such a datastream without trying to store them."""
    _lock_datastreams(ids, lab_id)


def aggregated_feature_message(datastream_id: int) -> str:
    return (f"Observation: Datastream {datastream_id} is aggregated, and aggregated "
            "datastreams use the thing's location as their feature of interest (a feature "
            "per value would publish where each one was counted); send the Observation "
            "without a FeatureOfInterest.")


def _fill_features(observations: list[NewObservation], streams: dict[int, dict]) -> None:
    """Checks the named features of interest and generates the missing ones from the thing's
    (first) location, reusing the feature generated from that location before. An aggregated
    datastream takes only that generated feature."""
    from .mqtt.notify import announce

    # A named feature must be one the datastream's lab may know of (privacy.features_of_lab);
    # one it may not is answered like a missing one, so its existence is not revealed.
    named: dict[int, set[int]] = {}
    for o in observations:
        if o.feature_of_interest_id is not None:
            named.setdefault(streams[o.datastream_id]["lab_id"], set()).add(
                o.feature_of_interest_id)
    for lab_id, features in named.items():
        found = set(FeatureOfInterest.objects.filter(privacy.features_of_lab(lab_id),
                                                     pk__in=features)
                    .values_list("pk", flat=True))
        if missing := sorted(features - found):
            raise bad_request(f"There is no FeatureOfInterest with id {missing[0]}.")
    aggregated = {d for d, row in streams.items()
                  if row["privacy_level"] == PrivacyLevel.AGGREGATED}
    _create_sent_features(observations, streams, aggregated)
    needing = {o.datastream_id for o in observations
               if o.feature_of_interest_id is None or o.datastream_id in aggregated}
    if not needing:
        return
    things = {streams[d]["thing_id"] for d in needing}
    first_location = dict(
        Thing.locations.through.objects.filter(thing_id__in=things)
        .values("thing_id").annotate(first=Min("location_id")).values_list("thing_id", "first"))
    for datastream_id in sorted(needing):
        if streams[datastream_id]["thing_id"] not in first_location:
            if datastream_id in aggregated:
                raise bad_request(
                    f"Observation: the Thing of the aggregated Datastream {datastream_id} has "
                    "no Location; aggregated datastreams use the thing's location as their "
                    "feature of interest, so give the Thing a Location first.")
            raise bad_request(
                f"Observation: the Thing of Datastream {datastream_id} has no Location to "
                "generate a FeatureOfInterest from; send a FeatureOfInterest with the "
                "Observation or give the Thing a Location.")
    location_ids = set(first_location.values())

    def generated() -> dict:
        # The first feature generated from each location (the one every ingest reuses).
        return {location: feature for location, feature in reversed(
            FeatureOfInterest.objects.filter(generated_from_id__in=location_ids)
            .order_by("pk").values_list("generated_from_id", "pk"))}

    features = generated()
    if location_ids - features.keys():
        # Locked, then looked up again: two ingests for things at the same location must not
        # both generate its feature.
        missing = list(Location.objects.select_for_update().filter(
            pk__in=location_ids - features.keys()).order_by("pk"))
        features = generated()
    else:
        missing = []
    for location in missing:
        if location.pk in features:
            continue
        features[location.pk] = FeatureOfInterest.objects.create(
            lab_id=location.lab_id, name=location.name, description=location.description,
            encoding_type=location.encoding_type, feature=location.location,
            generated_from=location).pk
        announce("FeatureOfInterest", [features[location.pk]])
    for observation in observations:
        thing = streams[observation.datastream_id]["thing_id"]
        if observation.feature_of_interest_id is None:
            observation.feature_of_interest_id = features[first_location[thing]]
        elif (observation.datastream_id in aggregated
              and observation.feature_of_interest_id != features[first_location[thing]]):
            raise bad_request(aggregated_feature_message(observation.datastream_id))


def _create_sent_features(observations: list[NewObservation], streams: dict[int, dict],
                          aggregated: set[int]) -> None:
    """Features of interest sent inline with an observation (MQTT deep insert): checked like a
    deep insert over HTTP, created in the datastream's lab, or the lab's identical feature
    reused (so a redelivered message, or a device sending the same feature with every value,
    creates one). Refused for an aggregated datastream."""
    from .entities import ENTITY_TYPES
    from .mqtt.notify import announce
    from .write.values import convert

    entity = ENTITY_TYPES["FeatureOfInterest"]
    # A device usually sends the same feature with every value: one lookup per distinct
    # feature and lab in the batch, not one per message.
    found: dict[tuple[int, str], int] = {}
    for o in observations:
        if o.new_feature is None:
            continue
        if o.datastream_id in aggregated:
            raise bad_request(aggregated_feature_message(o.datastream_id))
        unknown = sorted(set(o.new_feature) - (set(entity.properties) - {"id"}))
        if unknown:
            raise bad_request(f"FeatureOfInterest has no property {unknown[0]!r}.")
        fields = {}
        for name, prop in entity.properties.items():
            if name in o.new_feature:
                fields.update(convert(entity, prop, o.new_feature[name]))
            elif prop.required and name != "id":
                raise bad_request(f"FeatureOfInterest: the property {name} is required.")
        lab_id = streams[o.datastream_id]["lab_id"]
        key = (lab_id, json.dumps(fields, sort_keys=True, default=str))
        if key not in found:
            same = [pk for pk, *values in FeatureOfInterest.objects.filter(
                lab_id=lab_id, generated_from=None, name=fields["name"]).order_by("pk")
                .values_list("pk", *fields) if values == list(fields.values())]
            if same:
                found[key] = same[0]
            else:
                found[key] = FeatureOfInterest.objects.create(lab_id=lab_id, **fields).pk
                announce("FeatureOfInterest", [found[key]])
        o.feature_of_interest_id = found[key]
        o.new_feature = None


def _raw_row(o: NewObservation, new_id, number) -> tuple:
    exact = json_result(o.result, number)
    return (new_id, o.datastream_id, o.phenomenon_time_start, o.phenomenon_time_end,
            o.result_time, number, None if exact is None else json.dumps(exact),
            type(o.result) is int,
            None if o.result_quality is None else json.dumps(o.result_quality),
            o.valid_time_start, o.valid_time_end,
            None if o.parameters is None else json.dumps(o.parameters),
            o.feature_of_interest_id, o.dedupe_key)


def _insert_raw(observations: list[NewObservation], numbers: list) -> list[int | None]:
    ids: list[int | None] = [None] * len(observations)
    plain = [i for i, o in enumerate(observations) if o.dedupe_key is None]
    keyed = [i for i, o in enumerate(observations) if o.dedupe_key is not None]
    for positions, dedupe in ((plain, False), (keyed, True)):
        if not positions:
            continue
        rows = [observations[i] for i in positions]
        row_numbers = [numbers[i] for i in positions]
        if _postgres():
            new_ids = (_copy_deduplicated(rows, row_numbers) if dedupe
                       else _copy_rows(rows, row_numbers))
        else:
            new_ids = _insert_values(rows, row_numbers, dedupe=dedupe)
        for position, new_id in zip(positions, new_ids, strict=True):
            ids[position] = new_id
    return ids


_sequence_name: str | None = None
# Binary COPY: PostgreSQL parses nothing, psycopg's C dumpers write the values (the jsonb
# dumper serialises the Python objects itself).
COPY_TYPES = ["bigint", "bigint", "timestamptz", "timestamptz", "timestamptz", "float8",
              "jsonb", "bool", "jsonb", "timestamptz", "timestamptz", "jsonb", "bigint"]
LEAN_COLUMNS = ("id", "datastream_id", "phenomenon_time_start", "result_number",
                "result_integer", "feature_of_interest_id")
LEAN_TYPES = ["bigint", "bigint", "timestamptz", "float8", "bool", "bigint"]


def _copy_rows(observations: list[NewObservation], numbers: list) -> list[int]:
    """PostgreSQL: ids from the sequence in one query, then the rows with a binary COPY —
    several times faster than INSERT for thousands of rows. A batch of plain numeric minute
    values (the usual one) sends only the six columns it fills."""
    global _sequence_name
    lean = not any(o.phenomenon_time_end is not None or o.result_time is not None
                   or o.result_quality is not None or o.valid_time_start is not None
                   or o.parameters is not None for o in observations) and all(
        json_result(o.result, number) is None
        for o, number in zip(observations, numbers, strict=True))
    with connection.cursor() as cursor:
        if _sequence_name is None:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [OBSERVATION_TABLE])
            _sequence_name = cursor.fetchone()[0]
        # One row holding an array: cheaper to fetch than one row per id.
        cursor.execute("SELECT array_agg(nextval(%s)) FROM generate_series(1, %s)",
                       [_sequence_name, len(observations)])
        new_ids = cursor.fetchone()[0]
        if lean:
            columns, types = LEAN_COLUMNS, LEAN_TYPES
        else:
            columns, types = RAW_COLUMNS[:-1], COPY_TYPES
        with cursor.cursor.copy(f"COPY {OBSERVATION_TABLE} ({', '.join(columns)}) "
                                "FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            write = copy.write_row
            if lean:
                for o, new_id, number in zip(observations, new_ids, numbers, strict=True):
                    write((new_id, o.datastream_id, o.phenomenon_time_start, number,
                           type(o.result) is int, o.feature_of_interest_id))
            else:
                for o, new_id, number in zip(observations, new_ids, numbers, strict=True):
                    write((new_id, o.datastream_id, o.phenomenon_time_start,
                           o.phenomenon_time_end, o.result_time, number,
                           json_result(o.result, number), type(o.result) is int,
                           o.result_quality,
                           o.valid_time_start, o.valid_time_end, o.parameters,
                           o.feature_of_interest_id))
    return new_ids


STAGE = "sta_ingest_stage"


def _copy_deduplicated(observations: list[NewObservation], numbers: list) -> list[int | None]:
    """PostgreSQL, rows with a dedupe key (MQTT): a binary COPY into a temporary table of the
    session, then one `INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING`, so a redelivered
    message is skipped; None for each skipped row."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE} (position integer, "
            "datastream_id bigint, phenomenon_time_start timestamptz, "
            "phenomenon_time_end timestamptz, result_time timestamptz, result_number float8, "
            "result_json jsonb, result_integer boolean, result_quality jsonb, "
            "valid_time_start timestamptz, valid_time_end timestamptz, parameters jsonb, "
            "feature_of_interest_id bigint, dedupe_key bigint) ON COMMIT DELETE ROWS")
        # Empty also within one transaction that stores twice (ON COMMIT empties it after).
        cursor.execute(f"TRUNCATE {STAGE}")
        with cursor.cursor.copy(f"COPY {STAGE} FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["integer", *COPY_TYPES[1:], "bigint"])
            write = copy.write_row
            for position, (o, number) in enumerate(zip(observations, numbers, strict=True)):
                write((position, o.datastream_id, o.phenomenon_time_start,
                       o.phenomenon_time_end, o.result_time, number,
                       json_result(o.result, number), type(o.result) is int, o.result_quality,
                       o.valid_time_start, o.valid_time_end, o.parameters,
                       o.feature_of_interest_id, o.dedupe_key))
        columns = ", ".join(RAW_COLUMNS[1:])
        cursor.execute(
            f"INSERT INTO {OBSERVATION_TABLE} ({columns}) SELECT {columns} FROM {STAGE} "
            "ORDER BY position ON CONFLICT (datastream_id, dedupe_key) "
            "WHERE dedupe_key IS NOT NULL DO NOTHING RETURNING id, datastream_id, dedupe_key")
        by_key = {(datastream_id, key): new_id
                  for new_id, datastream_id, key in cursor.fetchall()}
    # A key repeated within the batch is stored once: the first one gets the id.
    return [by_key.pop((o.datastream_id, o.dedupe_key), None) for o in observations]


def _insert_values(observations: list[NewObservation], numbers: list, *,
                   dedupe: bool) -> list[int | None]:
    """INSERT … VALUES … RETURNING in chunks; with `dedupe`, rows whose (datastream,
    dedupe_key) is stored already are skipped (None)."""
    columns = RAW_COLUMNS[1:]
    json_cast = "::jsonb" if _postgres() else ""
    placeholder = "(" + ", ".join(f"%s{json_cast}" if c in JSON_COLUMNS else "%s"
                                  for c in columns) + ")"
    conflict = (" ON CONFLICT (datastream_id, dedupe_key) WHERE dedupe_key IS NOT NULL"
                " DO NOTHING" if dedupe else "")
    ids: list[int | None] = []
    with connection.cursor() as cursor:
        for start in range(0, len(observations), VALUES_CHUNK):
            chunk = observations[start:start + VALUES_CHUNK]
            params = []
            for observation, number in zip(chunk, numbers[start:start + VALUES_CHUNK],
                                           strict=True):
                row = _raw_row(observation, None, number)[1:]
                params.extend(_db_time(v) if isinstance(v, datetime) else v for v in row)
            cursor.execute(
                f"INSERT INTO {OBSERVATION_TABLE} ({', '.join(columns)}) VALUES "
                + ", ".join([placeholder] * len(chunk)) + conflict
                + " RETURNING id, datastream_id, dedupe_key", params)
            returned = cursor.fetchall()
            if dedupe:
                by_key = {(row[1], row[2]): row[0] for row in returned}
                # A key repeated within the batch is stored once: the first one gets the id.
                for observation in chunk:
                    ids.append(by_key.pop((observation.datastream_id, observation.dedupe_key),
                                          None))
            else:
                ids.extend(row[0] for row in returned)
    return ids


def _add_to_hourly(rows: list[tuple[NewObservation, float]]) -> None:
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
    least, greatest = ("LEAST", "GREATEST") if _postgres() else ("MIN", "MAX")
    update = (f"count = {table}.count + excluded.count, total = {table}.total + excluded.total, "
              f"minimum = {least}({table}.minimum, excluded.minimum), "
              f"maximum = {greatest}({table}.maximum, excluded.maximum)" if add else
              "count = excluded.count, total = excluded.total, minimum = excluded.minimum, "
              "maximum = excluded.maximum")
    conflict = f"ON CONFLICT (datastream_id, hour) DO UPDATE SET {update}"
    with connection.cursor() as cursor:
        if _postgres():
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
                [(d, _db_time(h), *values) for (d, h), values in items])


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
        if _postgres():
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
            params = [_db_time(start)] * 2 + [_db_time(end)] * 2
            if result_start is not None:
                sets += ["result_time_start = CASE WHEN result_time_start IS NULL OR "
                         "result_time_start > %s THEN %s ELSE result_time_start END",
                         "result_time_end = CASE WHEN result_time_end IS NULL OR "
                         "result_time_end < %s THEN %s ELSE result_time_end END"]
                params += [_db_time(result_start)] * 2 + [_db_time(result_end)] * 2
            cursor.execute(f"UPDATE {DATASTREAM_TABLE} SET {', '.join(sets)} WHERE id = %s",
                           [*params, datastream_id])


def _fold(observations: list[NewObservation], streams: dict[int, dict]) -> list[int]:
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


def _widen_areas(observations: list[NewObservation]) -> None:
    """The datastreams' observedArea grows by the features of the new observations (areas.py)."""
    from . import areas

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
    from . import areas  # the observedArea of served windows only, like the span

    areas.refresh(list(streams.values_list("pk", flat=True)), now=now)


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
        params += [datastream_id, _db_time(start), _db_time(end),
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


# --- changes through the API ----------------------------------------------------------------


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


# --- privacy level ---------------------------------------------------------------------------


def change_privacy(datastream: Datastream, *, level: str, aggregation_window: int | None = None,
                   counts_people: bool | None = None,
                   k_threshold: int | None = None) -> Datastream:
    """Changes a datastream's privacy level and aggregation settings (docs/privacy.md):
    public ↔ restricted freely; to aggregated folds the stored raw observations into windows
    and deletes the raw rows and their hourly aggregates; from aggregated to anything else is
    refused, because there is no raw data left to show. ValidationError naming the field."""
    window = aggregation_window if aggregation_window is not None else (
        datastream.aggregation_window)
    counts = datastream.counts_people if counts_people is None else counts_people
    k = datastream.k_threshold if k_threshold is None else k_threshold
    if level not in PrivacyLevel.values:
        raise ValidationError({"privacy_level": _("Unknown privacy level.")})
    if level == PrivacyLevel.AGGREGATED and window < MIN_AGGREGATION_WINDOW:
        raise ValidationError({"aggregation_window": _(
            "An aggregation window is at least one hour (3600 seconds).")})
    if k < 1:
        raise ValidationError({"k_threshold": _("The smallest count shown is at least 1.")})
    with transaction.atomic():
        current = Datastream.objects.select_for_update().get(pk=datastream.pk)
        was = current.privacy_level
        if was == PrivacyLevel.AGGREGATED and level != PrivacyLevel.AGGREGATED:
            raise ValidationError({"privacy_level": _(
                "An aggregated datastream stays aggregated: its raw values were never stored, "
                "so there is nothing else to show.")})
        windows = Observation.objects.filter(datastream=current, bucket_count__isnull=False)
        if (was == PrivacyLevel.AGGREGATED and window != current.aggregation_window
                and windows.exists()):
            raise ValidationError({"aggregation_window": _(
                "The window of an aggregated datastream that holds data cannot change.")})
        if level == PrivacyLevel.AGGREGATED and was != PrivacyLevel.AGGREGATED:
            _fold_stored(current, window, counts)
        elif level == PrivacyLevel.AGGREGATED and counts != current.counts_people:
            # The window's value is the sum for counts of people, the mean otherwise.
            for row in windows.only("id", "bucket_count", "bucket_sum"):
                row.result_number = (row.bucket_sum if counts
                                     else row.bucket_sum / row.bucket_count)
                row.save(update_fields=["result_number"])
        current.privacy_level = level
        current.aggregation_window = window
        current.counts_people = counts
        current.k_threshold = k
        current.save(update_fields=["privacy_level", "aggregation_window", "counts_people",
                                    "k_threshold"])
        if level == PrivacyLevel.AGGREGATED:  # the span covers only the served windows
            refresh_aggregated_spans([current.pk])
    datastream.refresh_from_db()
    return datastream


def _fold_stored(datastream: Datastream, window: int, counts_people: bool) -> None:
    raw = Observation.objects.filter(datastream=datastream, bucket_count__isnull=True)
    if raw.filter(result_number__isnull=True).exists():
        raise ValidationError({"privacy_level": _(
            "The datastream holds observations whose result is not a number; they cannot be "
            "aggregated. Delete them first.")})
    windows: dict[datetime, list] = {}
    for start, number, feature in raw.values_list(
            "phenomenon_time_start", "result_number", "feature_of_interest_id").iterator(10000):
        key = window_of(start, window)
        entry = windows.get(key)
        if entry is None:
            windows[key] = [1, number, feature]
        else:
            entry[0] += 1
            entry[1] += number
    raw.delete()
    HourlyAggregate.objects.filter(datastream=datastream).delete()
    Observation.objects.bulk_create([
        Observation(datastream=datastream, phenomenon_time_start=start,
                    phenomenon_time_end=start + timedelta(seconds=window),
                    result_number=total if counts_people else total / count,
                    bucket_count=count, bucket_sum=total, feature_of_interest_id=feature)
        for start, (count, total, feature) in sorted(windows.items())], batch_size=1000)


# --- retention -------------------------------------------------------------------------------


def apply_retention(now=None, *, batch_size: int = 10000, progress=None) -> int:
    """Deletes raw observations older than each datastream's retention_days, in batches (each
    its own transaction, so a long run holds no long locks); hourly aggregates and aggregated
    windows stay. The cut-off is rounded down to a full hour, so an hour is never half
    deleted. Returns how many rows were deleted; `progress(datastream, deleted)` after each
    batch."""
    now = now or timezone.now()
    total = 0
    streams = Datastream.objects.filter(retention_days__isnull=False).order_by("pk")
    for datastream in streams.only("id", "name", "retention_days"):
        cutoff = hour_of(now - timedelta(days=datastream.retention_days))
        deleted_here = 0
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {OBSERVATION_TABLE} WHERE id IN (SELECT id FROM "
                    f"{OBSERVATION_TABLE} WHERE datastream_id = %s AND bucket_count IS NULL "
                    "AND phenomenon_time_start < %s LIMIT %s)",
                    [datastream.pk, _db_time(cutoff), batch_size])
                deleted = cursor.rowcount
            deleted_here += deleted
            if deleted and progress:
                progress(datastream, deleted_here)
            if deleted < batch_size:
                break
        if deleted_here:
            first = Observation.objects.filter(datastream=datastream).aggregate(
                first=Min("phenomenon_time_start"))["first"]
            changes = {"phenomenon_time_start": first}
            if first is None:  # nothing left: no span
                changes["phenomenon_time_end"] = None
            Datastream.objects.filter(pk=datastream.pk).update(**changes)
            from . import areas  # the expired rows' features may have left it

            areas.refresh([datastream.pk])
        total += deleted_here
    DeliveryReceipt.objects.filter(
        received_at__lt=now - timedelta(days=DeliveryReceipt.RECEIPT_DAYS)).delete()
    refresh_aggregated_spans(now=now)  # windows closed since their last value
    return total

