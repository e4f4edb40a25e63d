"""Checking and converting the property values of a write request, one property kind at a time
(the kinds of entities.py). Every error is a StaError 400 naming the entity and the property."""


from django.core.exceptions import ValidationError
from django.utils import translation

from stadtallianz.core import geo, jsonlimits

from ..entities import EntityType, Property
from ..errors import StaError, bad_request
from ..timefmt import written_interval, written_time

# GeoJSON geometries the API accepts for locations, features and observed areas.
GEOMETRY_TYPES = ("Point", "LineString", "Polygon", "MultiPolygon")


def request_json(request):
    """The request's JSON body; 413 when it is larger than DATA_UPLOAD_MAX_MEMORY_SIZE."""
    from django.conf import settings
    from django.core.exceptions import RequestDataTooBig

    try:
        body = request.body
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        raise StaError(f"The request body is larger than {limit} MB; send fewer entities or "
                       "observations per request (e.g. 10,000 per CreateObservations).",
                       413) from None
    return parse_json(body)


def parse_json(body: bytes, what: str = "The request body"):
    """The body read within the input limits (core/jsonlimits, docs/api.md "Input limits"):
    a body over one is a 400 naming the limit and where it was exceeded."""
    try:
        return jsonlimits.parse_json(body or b"null")
    except jsonlimits.InvalidJson as error:
        raise bad_request(error.message.replace("The body", what, 1)) from None


def _validation_message(error: ValidationError) -> str:
    # The API's messages are English whatever language the request negotiated.
    with translation.override("en"):
        return " ".join(str(message) for message in error.messages)


def geometry(value, where: str) -> dict:
    """A GeoJSON geometry (or a Feature holding one), checked: Point, LineString, Polygon or
    MultiPolygon in WGS 84."""
    if not isinstance(value, dict):
        raise bad_request(f"{where} must be a GeoJSON object, e.g. "
                          '{"type": "Point", "coordinates": [7.62, 51.96]}.')
    if value.get("type") == "Feature":
        return {**value, "geometry": geometry(value.get("geometry"), where)}
    kind = value.get("type")
    if kind not in GEOMETRY_TYPES:
        raise bad_request(f"{where}: GeoJSON type {kind!r} is not supported; use "
                          f"{', '.join(GEOMETRY_TYPES)} (or a Feature of one).")
    with translation.override("en"):  # the API's messages are English
        return _checked(value, kind, where)


def _checked(value: dict, kind: str, where: str) -> dict:
    try:
        if kind == "LineString":
            coordinates = value.get("coordinates")
            if not isinstance(coordinates, list) or len(coordinates) < 2:
                raise bad_request(f"{where}: a LineString is a list of at least two positions.")
            if len(coordinates) > geo.MAX_POSITIONS:
                raise bad_request(f"{where}: at most {geo.MAX_POSITIONS} positions.")
            for position in coordinates:
                geo._position(position, "LineString")
            return {"type": kind, "coordinates": coordinates}
        return geo.validate_geometry(value)
    except ValidationError as error:
        raise bad_request(f"{where}: {_validation_message(error)}") from None


def _string(entity: EntityType, prop: Property, value) -> str:
    if not isinstance(value, str):
        raise bad_request(f"{entity.name}: {prop.name} must be a string, not {_kind(value)}.")
    limit = entity.model._meta.get_field(prop.field).max_length
    if limit and len(value) > limit:
        raise bad_request(f"{entity.name}: {prop.name} is longer than {limit} characters.")
    return value


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


# JSON properties that must be objects (the standard's JSON_Object); others take any JSON.
OBJECT_PROPERTIES = {"unitOfMeasurement", "properties", "parameters"}


def convert(entity: EntityType, prop: Property, value) -> dict:
    """{model field: value} for one property of a write request."""
    where = f"{entity.name}: {prop.name}"
    if value is None:
        if prop.required:
            raise bad_request(f"{where} is required and cannot be null.")
        return dict.fromkeys(prop.fields)
    kind = prop.kind
    if kind == "string":
        return {prop.field: _string(entity, prop, value)}
    if kind == "json":
        if prop.name in OBJECT_PROPERTIES and not isinstance(value, dict):
            raise bad_request(f"{where} must be a JSON object, not {_kind(value)}.")
        if prop.name == "unitOfMeasurement":
            for key in ("name", "symbol", "definition"):
                if key in value and value[key] is not None and not isinstance(value[key], str):
                    raise bad_request(f"{where}: {key} must be a string.")
        _finite(value, where)
        return {prop.field: value}
    if kind == "geometry":
        return {prop.field: geometry(value, where)}
    if kind == "datetime":
        return {prop.field: written_time(value, where)}
    if kind == "interval":
        start, end = written_interval(value, where)
        return {prop.fields[0]: start, prop.fields[1]: end if end is not None else start}
    if kind == "time":
        start, end = written_interval(value, where)
        return {prop.fields[0]: start, prop.fields[1]: end}
    if kind == "result":
        _finite(value, where)
        return {"result": value}
    raise bad_request(f"{where} cannot be set.")


# JSON integers beyond 64 bits cannot be stored (PostgreSQL's jsonb takes them, SQLite's JSON1
# does not), so they are refused everywhere: the input limits' integer range.
LARGEST_INTEGER = jsonlimits.MAX_INTEGER + 1


def _finite(value, where: str) -> None:
    """A JSON value about to be stored is within the input limits (docs/api.md), as the body it
    came in was; checked again because a value can be built, not only sent: a JSON Patch adds
    a value inside a stored one, so repeated patches could nest without bound."""
    try:
        jsonlimits.check_value(value)
    except jsonlimits.InvalidJson as error:
        raise bad_request(f"{where}: {error.message}") from None
