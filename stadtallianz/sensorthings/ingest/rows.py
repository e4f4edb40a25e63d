"""Writing raw observations in bulk: on PostgreSQL with ids taken from the sequence in one
query and the rows sent with a binary COPY; rows that carry a `dedupe_key` (an MQTT message the
broker may deliver twice) through `INSERT … ON CONFLICT DO NOTHING`, so a redelivered message is
stored once; on SQLite `INSERT … VALUES … RETURNING` in chunks."""

# The SQL below is assembled from constant table and column names only; every value is a
# query parameter.
# ruff: noqa: S608
import json
from datetime import datetime

from django.db import connection

from .records import (
    OBSERVATION_TABLE,
    VALUES_CHUNK,
    NewObservation,
    db_time,
    json_result,
    postgres,
)

# The columns a raw observation is written with (bucket_* stay NULL).
RAW_COLUMNS = ("id", "datastream_id", "phenomenon_time_start", "phenomenon_time_end",
               "result_time", "result_number", "result_json", "result_integer",
               "result_quality", "valid_time_start", "valid_time_end", "parameters",
               "feature_of_interest_id", "dedupe_key")
JSON_COLUMNS = {"result_json", "result_quality", "parameters"}


def _raw_row(o: NewObservation, new_id, number) -> tuple:
    exact = json_result(o.result, number)
    return (new_id, o.datastream_id, o.phenomenon_time_start, o.phenomenon_time_end,
            o.result_time, number, None if exact is None else json.dumps(exact),
            type(o.result) is int,
            None if o.result_quality is None else json.dumps(o.result_quality),
            o.valid_time_start, o.valid_time_end,
            None if o.parameters is None else json.dumps(o.parameters),
            o.feature_of_interest_id, o.dedupe_key)


def insert_raw(observations: list[NewObservation], numbers: list) -> list[int | None]:
    ids: list[int | None] = [None] * len(observations)
    plain = [i for i, o in enumerate(observations) if o.dedupe_key is None]
    keyed = [i for i, o in enumerate(observations) if o.dedupe_key is not None]
    for positions, dedupe in ((plain, False), (keyed, True)):
        if not positions:
            continue
        rows = [observations[i] for i in positions]
        row_numbers = [numbers[i] for i in positions]
        if postgres():
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
    json_cast = "::jsonb" if postgres() else ""
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
                params.extend(db_time(v) if isinstance(v, datetime) else v for v in row)
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
