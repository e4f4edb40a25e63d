"""`POST /CreateObservations`: many observations in one request, in the DataArray form of the
standard (SensorThings API 1.1, "Create multiple Observation entities with one POST"):

    [{"Datastream": {"@iot.id": 1},
      "components": ["phenomenonTime", "result", "FeatureOfInterest/id"],
      "dataArray": [["2026-05-01T10:00:00Z", 20.1, 1], ["2026-05-01T10:01:00Z", 20.3, 1]]}]

The answer is 201 with one entry per row, in the order of the rows: the new observation's
selfLink, or "error" for a row that could not be stored (a bad time or result, a missing
FeatureOfInterest, a Datastream that does not exist, a closed window of an aggregated
datastream), as the standard's response format provides; the other rows are stored. When no
row could be stored the answer is a 400 naming the first row's problem. A request
that is malformed as a whole (not a list, an item without components or dataArray, an unknown
component), a token writing to another lab's datastream (403) and a body over the size limit
(413) are refused whole: nothing is stored.

This is the bulk ingest path (tens of thousands of rows a second): rows are checked with plain
Python (datetime.fromisoformat) and go to ingest.store as slotted records, never as model
instances; on PostgreSQL store() writes them with COPY.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.http import JsonResponse

from .. import ingest
from ..errors import StaError, bad_request
from ..query.serialize import base_url_of
from ..timefmt import parse_time, plausible, written_interval
from .values import LARGEST_INTEGER, _finite, request_json

COMPONENTS = ("id", "phenomenonTime", "result", "resultTime", "FeatureOfInterest/id",
              "parameters", "validTime", "resultQuality")
_fromisoformat = datetime.fromisoformat


def _instant(text, where: str) -> datetime:
    """An ISO 8601 instant in UTC within the plausible range of observations."""
    return plausible(_parsed_instant(text, where), where)


def _parsed_instant(text, where: str) -> datetime:
    """An ISO 8601 instant in UTC; the common form takes the fast path."""
    if type(text) is str:
        try:
            value = _fromisoformat(text)
        except ValueError:
            return parse_time(text, where)  # lower-case z and the like, or the error
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        if value.tzinfo is not UTC:
            try:
                return value.astimezone(UTC)
            except OverflowError:
                return parse_time(text, where)  # the error naming the time
        return value
    return parse_time(text, where)


def _link_id(value, where: str) -> int:
    if isinstance(value, dict):
        value = value.get("@iot.id")
    if type(value) is not int:
        raise bad_request(f"{where} must be a whole number id (or {{\"@iot.id\": n}}).")
    return value


def _result(value, where: str):
    kind = type(value)
    if kind is float or kind is str or value is None or kind is bool:
        return value  # JSON floats are finite: parse_json refuses NaN and Infinity
    if kind is int:
        if -LARGEST_INTEGER < value < LARGEST_INTEGER:
            return value
        raise bad_request(f"{where}: the number {value} is too large.")
    _finite(value, where)
    return value


def _rows(item, number: int, now: datetime) -> list:
    where = f"CreateObservations: item {number}"
    if not isinstance(item, dict):
        raise bad_request(f"{where} must be an object with Datastream, components and "
                          "dataArray.")
    unknown = set(item) - {"Datastream", "components", "dataArray", "dataArray@iot.count"}
    if unknown:
        raise bad_request(f"{where} has an unknown member {sorted(unknown)[0]!r}.")
    datastream_id = _link_id(item.get("Datastream"), f"{where}: Datastream")
    components = item.get("components")
    if (not isinstance(components, list) or not components
            or not all(isinstance(c, str) for c in components)):
        raise bad_request(f"{where}: components must be a list of names, e.g. "
                          '["phenomenonTime", "result"].')
    for component in components:
        if component not in COMPONENTS:
            raise bad_request(f"{where}: unknown component {component!r}; known are "
                              f"{', '.join(COMPONENTS)}.")
    if len(set(components)) != len(components):
        raise bad_request(f"{where}: a component is named twice.")
    if "result" not in components:
        raise bad_request(f"{where}: the component result is required.")
    rows = item.get("dataArray")
    if not isinstance(rows, list):
        raise bad_request(f"{where}: dataArray must be a list of rows.")
    index = {name: position for position, name in enumerate(components)}
    width = len(components)
    at_time, at_result = index.get("phenomenonTime"), index["result"]
    extras = [(name, index[name]) for name in EXTRA_COMPONENTS if name in index]
    new = ingest.NewObservation
    out = []
    append = out.append
    # The common case (an ISO instant, a number or text) is checked inline without building a
    # message; anything else goes through the checks that name item, row and problem. A row
    # that fails is None in its place (try costs nothing while nothing is raised).
    for row_number, row in enumerate(rows, start=1):
        try:
            if type(row) is not list or len(row) != width:
                raise bad_request(f"{where}, row {row_number}: a row is a list of {width} "
                                  "values, one per component.")
            end = None
            if at_time is None:
                start = now
            else:
                raw = row[at_time]
                if type(raw) is str and "/" not in raw:
                    start = _instant(raw, f"{where}, row {row_number}: phenomenonTime")
                else:
                    start, end = _time_or_interval(
                        raw, f"{where}, row {row_number}: phenomenonTime")
            result = row[at_result]
            kind = type(result)
            if not (kind is float or kind is str or result is None or kind is bool
                    or (kind is int and -LARGEST_INTEGER < result < LARGEST_INTEGER)):
                result = _result(result, f"{where}, row {row_number}: result")
            observation = new(datastream_id, start, result, end)
            if extras:
                _set_extras(observation, row, extras, f"{where}, row {row_number}")
            append(observation)
        except StaError as error:
            append(RowError(error.message))
    return out


EXTRA_COMPONENTS = ("resultTime", "FeatureOfInterest/id", "parameters", "validTime",
                    "resultQuality")


def _time_or_interval(raw, where: str):
    if isinstance(raw, str) and "/" in raw:
        return written_interval(raw, where)
    return _instant(raw, where), None


def _set_extras(observation, row: list, extras, where: str) -> None:
    for name, position in extras:
        value = row[position]
        if value is None:
            continue
        if name == "resultTime":
            observation.result_time = _instant(value, f"{where}: resultTime")
        elif name == "FeatureOfInterest/id":
            observation.feature_of_interest_id = _link_id(value,
                                                          f"{where}: FeatureOfInterest/id")
        elif name == "parameters":
            if not isinstance(value, dict):
                raise bad_request(f"{where}: parameters must be an object.")
            _finite(value, f"{where}: parameters")
            observation.parameters = value
        elif name == "validTime":
            valid_start, valid_end = written_interval(value, f"{where}: validTime")
            observation.valid_time_start = valid_start
            observation.valid_time_end = valid_end if valid_end is not None else valid_start
        else:  # resultQuality
            _finite(value, f"{where}: resultQuality")
            observation.result_quality = value


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that could not be stored; "error" in the answer."""

    message: str


def create_observations(request, caller):
    data = request_json(request)
    if not isinstance(data, list):
        raise bad_request("CreateObservations takes a JSON list of "
                          '{"Datastream": {"@iot.id": n}, "components": […], '
                          '"dataArray": [[…], …]}.')
    now = datetime.now(UTC)
    rows: list = []
    for number, item in enumerate(data, start=1):
        rows.extend(_rows(item, number, now))
    with transaction.atomic():
        results = store_rows(rows, caller.lab_id)
    if results and all(type(result) is RowError for result in results):
        # Nothing was created: a 400 that names the (first) problem helps more than a list
        # of "error".
        more = f" ({len(results) - 1} more rows failed too)" if len(results) > 1 else ""
        raise bad_request(results[0].message + more)
    base = base_url_of(request)
    return JsonResponse([f"{base}/Observations({result})" if type(result) is int else "error"
                         for result in results], safe=False, status=201)


def store_rows(rows: list, lab_id: int) -> list:
    """Stores the rows that are not RowErrors; the new id or a RowError for each, in order.
    The usual request (every row good) is one ingest.store call. Rows of a Datastream that does
    not exist for the token fail together (one check per datastream); what else store refuses
    (a missing FeatureOfInterest, text for an aggregated datastream, a served window) is found
    by halving the failing part, each attempt in its own savepoint. A datastream of another lab
    (403) refuses the request whole. Runs inside the caller's transaction."""
    results: list = list(rows)
    good = [(position, row) for position, row in enumerate(rows) if type(row) is not RowError]
    for datastream_id in sorted({row.datastream_id for _position, row in good}):
        try:
            with transaction.atomic():
                ingest.check_datastreams({datastream_id}, lab_id)
        except StaError as error:
            if error.status == 403:
                raise
            for position, row in good:
                if row.datastream_id == datastream_id:
                    results[position] = RowError(error.message)
    _store_part([(p, r) for p, r in good if type(results[p]) is not RowError], lab_id, results)
    return results


def _store_part(part: list, lab_id: int, results: list) -> None:
    if not part:
        return
    # store() fills in generated features of interest; a failed attempt rolls them back, so
    # the next attempt must start from what the rows named.
    named = [row.feature_of_interest_id for _position, row in part]
    try:
        ids = ingest.store([row for _position, row in part], lab_id=lab_id)
    except StaError as error:
        if error.status == 403:
            raise
        for (_position, row), feature in zip(part, named, strict=True):
            row.feature_of_interest_id = feature
        if len(part) == 1:
            results[part[0][0]] = RowError(error.message)
            return
        middle = len(part) // 2
        _store_part(part[:middle], lab_id, results)
        _store_part(part[middle:], lab_id, results)
        return
    for (position, _row), new_id in zip(part, ids, strict=True):
        results[position] = new_id
