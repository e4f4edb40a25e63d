"""POST, PATCH, PUT and DELETE of the SensorThings API, and `POST /CreateObservations`. PATCH
also takes a JSON Patch (application/json-patch+json, jsonpatch.py), written through the same
Writer.update as a PATCH with a JSON object; updates link existing entities but create none.

A lab token writes only in its own lab: what it creates belongs to its lab, it changes and
deletes only its lab's entities, and links only its own lab's Things, Locations and Datastreams
(other labs' Sensors and ObservedProperties, and their FeaturesOfInterest it may know of, may
be linked, as they describe shared things, but not changed). Each request is one transaction:
a deep insert that fails anywhere stores nothing. Observations are stored through
ingest.store, which keeps the hourly aggregates, the datastream's time span and the aggregated
windows right.
"""

from django.db import transaction
from django.http import HttpResponse, JsonResponse

from .. import jsonpatch
from ..entities import ENTITY_TYPES, EntityType
from ..errors import StaError, bad_request
from ..paths import ResourcePath
from ..query.serialize import base_url_of, entity_json, self_link
from .dataarray import create_observations
from .entities import Writer, back_navigation, is_many_to_many, resolve
from .values import request_json

__all__ = ["handle", "create_observations"]


def handle(request, caller, path: ResourcePath):
    writer = Writer(caller)
    if path.property_name is not None:
        raise bad_request("Write to the entity, not to one of its properties: e.g. PATCH "
                          'Things(1) with {"name": "…"}.')
    if path.ref:
        return _reference(request, writer, path)
    if request.method == "POST":
        return _create(request, writer, path)
    if path.target.is_collection:
        raise StaError(f"{request.method} needs one entity, e.g. {path.entity.set_name}(1).",
                       405)
    if request.method == "DELETE":
        return _delete(writer, path)
    return _update(request, writer, path, replace=request.method == "PUT")


def _body(request) -> dict:
    data = request_json(request)
    if not isinstance(data, dict):
        raise bad_request("The request body must be a JSON object.")
    return data


def _create(request, writer: Writer, path: ResourcePath):
    if not path.target.is_collection:
        raise StaError(f"POST creates in a collection, e.g. {path.entity.set_name}; to change "
                       "an entity use PATCH.", 405)
    data = _body(request)
    given = {}
    if len(path.segments) > 1:  # e.g. Things(1)/Datastreams: the new one links to the thing
        parent = resolve(writer.caller, path.segments[:-1])
        back = back_navigation(path.entity, path.target.navigation.reverse)
        given[back.name] = [parent] if back.to_many else parent
    with transaction.atomic():
        obj = writer.insert(path.entity, data, given=given)
        writer.announce_all()
    base = base_url_of(request)
    response = JsonResponse(_json(path.entity, obj, base), status=201)
    response["Location"] = self_link(path.entity, obj.pk, base)
    return response


def _json(entity: EntityType, obj, base: str) -> dict:
    # Read back: observations are written with SQL, and a window may have been folded into.
    return entity_json(entity, entity.model.objects.get(pk=obj.pk), base)


def _update(request, writer: Writer, path: ResourcePath, *, replace: bool):
    patch = request.content_type == jsonpatch.MEDIA_TYPE
    if patch and replace:
        raise StaError(f"{jsonpatch.MEDIA_TYPE} is accepted with PATCH, not with PUT.", 415)
    data = request_json(request) if patch else _body(request)
    found = resolve(writer.caller, path.segments)
    base = base_url_of(request)
    with transaction.atomic():
        obj = type(found).objects.select_for_update().get(pk=found.pk)
        if patch:  # JSON Patch: applied to the entity's JSON, written as the members it changed
            before = jsonpatch.entity_document(path.entity, obj, base)
            data = jsonpatch.changes(before, jsonpatch.apply(before, data))
        writer.update(path.entity, obj, data, replace=replace)
        writer.announce_all()
    return JsonResponse(_json(path.entity, obj, base))


def _delete(writer: Writer, path: ResourcePath):
    obj = resolve(writer.caller, path.segments)
    with transaction.atomic():
        writer.delete(path.entity, obj)
    return HttpResponse(status=204)


def _reference(request, writer: Writer, path: ResourcePath):
    """Linking and unlinking: POST Things(1)/Locations/$ref {"@iot.id": 2} adds a link,
    DELETE Things(1)/Locations(2)/$ref removes it, PUT Datastreams(1)/Sensor/$ref
    {"@iot.id": 3} sets a single one."""
    if len(path.segments) < 2:
        raise bad_request("$ref follows a navigation, e.g. Things(1)/Locations/$ref.")
    navigation = path.target.navigation
    source_entity = path.segments[-2].entity
    source = resolve(writer.caller, path.segments[:-1])
    writer.check_owned(source_entity, source)
    many = is_many_to_many(source_entity, navigation.accessor)
    if request.method == "DELETE":
        if path.target.id is None or not many:
            raise bad_request("DELETE …/$ref removes one link of a many-to-many navigation, "
                              "e.g. DELETE Things(1)/Locations(2)/$ref.")
        target = resolve(writer.caller, path.segments)
        with transaction.atomic():
            getattr(source, navigation.accessor).remove(target)
            if source_entity.name == "Thing" and navigation.name == "Locations":
                writer.after_link(source_entity, source, navigation.name, [])
            writer.announce_all()
        return HttpResponse(status=204)
    target_entity = ENTITY_TYPES[navigation.target]
    target = writer.link(target_entity, {"@iot.id": _referenced_id(_body(request),
                                                                    target_entity)})
    with transaction.atomic():
        if request.method == "POST" and many and path.target.id is None:
            getattr(source, navigation.accessor).add(target)
            writer.after_link(source_entity, source, navigation.name, [target])
        elif request.method == "PUT" and not navigation.to_many:
            writer.update(source_entity, source, {navigation.name: {"@iot.id": target.pk}},
                          replace=False)
        else:
            raise bad_request("Use POST …/$ref to add a link to a many-to-many navigation "
                              "(Things(1)/Locations/$ref) and PUT …/$ref to set a single one "
                              "(Datastreams(1)/Sensor/$ref).")
        writer.announce_all()
    return HttpResponse(status=204)


def _referenced_id(data: dict, target: EntityType) -> int:
    """The id in {"@iot.id": 2} or {"@iot.url": "…/Locations(2)"}."""
    if "@iot.id" in data:
        value = data["@iot.id"]
    else:
        url = data.get("@iot.url") or data.get("@iot.selfLink")
        if not isinstance(url, str):
            raise bad_request('The body of a $ref request is {"@iot.id": <id>} or '
                              '{"@iot.url": "<selfLink>"}.')
        tail = url.rstrip("/").rsplit("/", 1)[-1]
        prefix = f"{target.set_name}("
        inner = tail[len(prefix):-1] if tail.startswith(prefix) and tail.endswith(")") else ""
        if not inner.isdigit():
            raise bad_request(f"@iot.url must point to one of the {target.set_name}, e.g. "
                              f"…/{target.set_name}(1).")
        value = int(inner)
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f"The @iot.id of the {target.name} must be a whole number.")
    return value
