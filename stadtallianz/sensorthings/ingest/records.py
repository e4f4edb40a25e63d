"""What an observation is on its way in (NewObservation), how its result is kept (a number
in result_number, anything else in result_json), the hour and the window it falls into, and
what the modules of ingest share about the database."""

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection

from ..models import FLOAT_EXACT_INTEGER, Datastream, DeliveryReceipt, HourlyAggregate, Observation

OBSERVATION_TABLE = Observation._meta.db_table
HOURLY_TABLE = HourlyAggregate._meta.db_table
DATASTREAM_TABLE = Datastream._meta.db_table
RECEIPT_TABLE = DeliveryReceipt._meta.db_table
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


def db_time(value):
    return connection.ops.adapt_datetimefield_value(value) if value is not None else None


def postgres() -> bool:
    return connection.vendor == "postgresql"
