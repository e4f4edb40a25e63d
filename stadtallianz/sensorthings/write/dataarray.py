"""`POST /CreateObservations`: many observations in one request, in the DataArray form of the
standard (SensorThings API 1.1, "Create multiple Observation entities with one POST"):

    [{"Datastream": {"@iot.id": 1},
      "components": ["phenomenonTime", "result", "FeatureOfInterest/id"],
      "dataArray": [["2026-05-01T10:00:00Z", 20.1, 1], ["2026-05-01T10:01:00Z", 20.3, 1]]}]

The answer is 201 with the list of the new observations' selfLinks, in the order of the rows.
All or nothing: a request with one bad row stores no row and answers 400 naming the item, the
row and the problem (the standard also allows an "error" entry per failed row; a client that
gets 400 here can fix its data and send the whole batch again without duplicates).

This is the bulk ingest path (tens of thousands of rows a second): rows are checked with plain
Python (datetime.fromisoformat) and go to ingest.store as slotted records, never as model
instances; on PostgreSQL store() writes them with COPY.
"""

from datetime import UTC, datetime

from django.http import JsonResponse

from .. import ingest
from ..errors import bad_request
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
    # message; anything else goes through the checks that name item, row and problem.
    for row_number, row in enumerate(rows, start=1):
        if type(row) is not list or len(row) != width:
            raise bad_request(f"{where}, row {row_number}: a row is a list of {width} values, "
                              "one per component.")
        end = None
        if at_time is None:
            start = now
        else:
            raw = row[at_time]
            if type(raw) is str and "/" not in raw:
                start = _instant(raw, f"{where}, row {row_number}: phenomenonTime")
            else:
                start, end = _time_or_interval(raw, f"{where}, row {row_number}: phenomenonTime")
        result = row[at_result]
        kind = type(result)
        if not (kind is float or kind is str or result is None or kind is bool
                or (kind is int and -LARGEST_INTEGER < result < LARGEST_INTEGER)):
            result = _result(result, f"{where}, row {row_number}: result")
        observation = new(datastream_id, start, result, end)
        if extras:
            _set_extras(observation, row, extras, f"{where}, row {row_number}")
        append(observation)
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


def create_observations(request, caller):
    data = request_json(request)
    if not isinstance(data, list):
        raise bad_request("CreateObservations takes a JSON list of "
                          '{"Datastream": {"@iot.id": n}, "components": […], '
                          '"dataArray": [[…], …]}.')
    now = datetime.now(UTC)
    observations = []
    for number, item in enumerate(data, start=1):
        observations.extend(_rows(item, number, now))
    ids = ingest.store(observations, lab_id=caller.lab_id)
    base = base_url_of(request)
    return JsonResponse([f"{base}/Observations({new_id})" for new_id in ids], safe=False,
                        status=201)
