"""Entities in their SensorThings JSON form.

Everything works on plain rows (a dict of model attribute names to values, as `.values()` or a
model instance's `__dict__` gives them), so large Observation lists are serialised without
building model instances. Internal columns (lab, bucket_*, dedupe_key, privacy settings) are
never written: only the properties of the entity table (entities.py) are.
"""

from functools import lru_cache

from django.urls import reverse

from ..entities import ENTITY_TYPES, EntityType, Property
from ..models import result_of
from ..timefmt import format_interval, format_time


def base_url_of(request) -> str:
    """The service root's absolute URL without a trailing slash, e.g. http://host/sta/v1.1."""
    return request.build_absolute_uri(reverse("sensorthings:root")).rstrip("/")


def self_link(entity: EntityType, entity_id, base_url: str) -> str:
    return f"{base_url}/{entity.set_name}({entity_id})"


def property_value(prop: Property, row: dict):
    """The STA value of one property from a row."""
    kind = prop.kind
    if kind == "result":
        return result_of(row.get("result_number"), row.get("result_json"),
                         row.get("result_integer"))
    if kind == "datetime":
        return format_time(row.get(prop.field))
    if kind == "interval":
        return format_interval(row.get(prop.fields[0]), row.get(prop.fields[1]))
    if kind == "time":  # an instant, or an interval when the end is set
        start, end = row.get(prop.fields[0]), row.get(prop.fields[1])
        return format_time(start) if end is None else format_interval(start, end)
    return row.get(prop.field)


def model_fields(entity: EntityType, names=None) -> list[str]:
    """The model attribute names needed to serialise the given properties (all when None)."""
    fields = ["id"]
    for name, prop in entity.properties.items():
        if names is not None and name not in names:
            continue
        for field in prop.fields:
            if field not in fields:
                fields.append(field)
    return fields


PLAIN, DATETIME, INTERVAL, TIME, RESULT = range(5)
# Written even when null: the standard makes them part of every Observation.
ALWAYS_WRITTEN = {("Observation", "result"), ("Observation", "resultTime")}
_KIND_CODES = {"datetime": DATETIME, "interval": INTERVAL, "time": TIME, "result": RESULT}


@lru_cache(maxsize=256)
def _plan(entity_name: str, properties: frozenset | None, navigations: frozenset | None):
    """What row_json writes for one entity type and $select, worked out once."""
    entity = ENTITY_TYPES[entity_name]
    with_id = properties is None or "id" in properties
    with_link = properties is None or "@iot.selfLink" in properties
    props = tuple(
        (name, _KIND_CODES.get(prop.kind, PLAIN), prop.fields[0],
         prop.fields[-1], properties is None and (entity_name, name) not in ALWAYS_WRITTEN)
        for name, prop in entity.properties.items()
        if name != "id" and (properties is None or name in properties))
    navs = tuple((f"{name}@iot.navigationLink", f"/{name}") for name in entity.navigations
                 if navigations is None or name in navigations)
    return with_id, with_link, props, navs


def row_json(entity: EntityType, row: dict, base_url: str, properties=None,
             navigations=None, self_link_too: bool = True) -> dict:
    """One entity. `properties` / `navigations`: the names to include ($select); None = all.
    Optional properties without a value are left out, as FROST-Server does; an Observation's
    `result` and `resultTime` are always written (null is valid for both). The property kinds
    are inlined: this runs for every entity served."""
    with_id, with_link, props, navs = _plan(
        entity.name, None if properties is None else frozenset(properties),
        None if navigations is None else frozenset(navigations))
    entity_id = row["id"]
    link = f"{base_url}/{entity.set_name}({entity_id})"
    out: dict = {}
    if with_id:
        out["@iot.id"] = entity_id
    if with_link and self_link_too:
        out["@iot.selfLink"] = link
    get = row.get
    for name, kind, first, last, skip_empty in props:
        value = get(first)
        if kind == PLAIN:
            pass
        elif kind == RESULT:
            value = result_of(get("result_number"), get("result_json"), get("result_integer"))
        elif value is not None:
            if kind == DATETIME:
                value = format_time(value)
            elif kind == INTERVAL:
                value = format_interval(value, get(last))
            else:  # TIME: an instant, or an interval when the end is set
                end = get(last)
                value = format_time(value) if end is None else format_interval(value, end)
        if value is None and skip_empty:
            continue
        out[name] = value
    for key, suffix in navs:
        out[key] = link + suffix
    return out


def entity_json(entity: EntityType, obj, base_url: str) -> dict:
    """The full default representation of a model instance: "@iot.id", "@iot.selfLink", every
    property in STA form and a navigation link for each navigation property."""
    row = obj.__dict__ if hasattr(obj, "__dict__") else obj
    if any(field not in row for field in model_fields(entity)):  # deferred fields
        row = {field: getattr(obj, field) for field in model_fields(entity)}
    return row_json(entity, row, base_url)
