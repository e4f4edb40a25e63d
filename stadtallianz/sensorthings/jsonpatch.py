"""JSON Patch (RFC 6902) for `PATCH` with `Content-Type: application/json-patch+json`, the
SensorThings 1.1 requirement update-entity-jsonpatch.

The operations are applied to the entity's JSON (the properties as a GET shows them, plus its
single navigation properties as {"@iot.id": n}); the properties that changed are then written
through the same Writer.update as a PATCH with a JSON object, so every check, the lab scope of
the step and the privacy rules apply unchanged. Errors (the media type's choices, see RFC 5789
§2.2): a malformed patch document is a 400; an operation that does not apply to the entity (a
failing `test`, a path that does not exist) is a 409 Conflict; in either case nothing changes.
"""

import copy
import json

from .errors import StaError, bad_request

MEDIA_TYPE = "application/json-patch+json"
# A patch of more operations than this is refused (400): entities have a few dozen members.
MAX_OPERATIONS = 100
OPERATIONS = ("add", "remove", "replace", "move", "copy", "test")


def conflict(message: str) -> StaError:
    return StaError(message, 409)


def _pointer(text, where: str) -> list[str]:
    """An RFC 6901 JSON Pointer as its list of reference tokens."""
    if not isinstance(text, str) or (text and not text.startswith("/")):
        raise bad_request(f"{where}: a path is a JSON Pointer such as \"/properties/colour\".")
    if text == "":
        return []
    steps = text[1:].split("/")
    for step in steps:
        rest = step.replace("~0", "").replace("~1", "")
        if "~" in rest:
            raise bad_request(f"{where}: '~' in a JSON Pointer is written ~0 (and '/' is ~1).")
    return [step.replace("~1", "/").replace("~0", "~") for step in steps]


def _index(container: list, step: str, where: str, *, appending: bool) -> int:
    if appending and step == "-":
        return len(container)
    if not step.isdigit() or (len(step) > 1 and step.startswith("0")):
        raise conflict(f"{where}: '{step}' is not an index of the list.")
    index = int(step)
    if index > len(container) or (index == len(container) and not appending):
        raise conflict(f"{where}: the list has no index {index}.")
    return index


def _parent(document, steps: list[str], where: str):
    """The container that holds the last step."""
    node = document
    for step in steps[:-1]:
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list):
            node = node[_index(node, step, where, appending=False)]
        else:
            raise conflict(f"{where}: the path does not exist in the entity.")
    if not isinstance(node, dict | list):
        raise conflict(f"{where}: the path does not exist in the entity.")
    return node


def _get(document, steps: list[str], where: str):
    if not steps:
        return document
    parent, last = _parent(document, steps, where), steps[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise conflict(f"{where}: the path does not exist in the entity.")
        return parent[last]
    return parent[_index(parent, last, where, appending=False)]


def _remove(document, steps: list[str], where: str):
    if not steps:
        raise bad_request(f"{where}: the entity itself cannot be removed.")
    parent, last = _parent(document, steps, where), steps[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise conflict(f"{where}: the path does not exist in the entity.")
        return parent.pop(last)
    return parent.pop(_index(parent, last, where, appending=False))


def _add(document, steps: list[str], value, where: str):
    if not steps:
        return value
    parent, last = _parent(document, steps, where), steps[-1]
    if isinstance(parent, dict):
        parent[last] = value
    else:
        parent.insert(_index(parent, last, where, appending=True), value)
    return document


def _member(operation: dict, name: str, where: str):
    if name not in operation:
        raise bad_request(f"{where}: the operation {operation.get('op')!r} needs \"{name}\".")
    return operation[name]


def apply(document: dict, operations) -> dict:
    """The document after the operations; the input is not changed. StaError 400/409."""
    if not isinstance(operations, list):
        raise bad_request("A JSON Patch is a list of operations, e.g. "
                          '[{"op": "replace", "path": "/name", "value": "Boje 2"}].')
    if len(operations) > MAX_OPERATIONS:
        raise bad_request(f"A JSON Patch holds at most {MAX_OPERATIONS} operations.")
    result = copy.deepcopy(document)
    for number, operation in enumerate(operations, start=1):
        where = f"JSON Patch operation {number}"
        if not isinstance(operation, dict) or operation.get("op") not in OPERATIONS:
            raise bad_request(f"{where}: an operation is an object whose \"op\" is one of "
                              f"{', '.join(OPERATIONS)}.")
        op = operation["op"]
        path = _pointer(_member(operation, "path", where), where)
        if op == "add":
            result = _add(result, path, copy.deepcopy(_member(operation, "value", where)),
                          where)
        elif op == "remove":
            _remove(result, path, where)
        elif op == "replace":
            value = copy.deepcopy(_member(operation, "value", where))
            _get(result, path, where)  # must exist
            if path:
                _remove(result, path, where)
            result = _add(result, path, value, where)
        elif op == "test":
            expected = _member(operation, "value", where)
            if not _equal(_get(result, path, where), expected):
                raise conflict(f"{where}: test failed, the value at "
                               f"{operation['path']!r} is not the one expected.")
        else:  # move, copy
            source = _pointer(_member(operation, "from", where), where)
            if op == "move" and path[:len(source)] == source and path != source:
                raise bad_request(f"{where}: a value cannot be moved into itself.")
            value = (_remove(result, source, where) if op == "move"
                     else copy.deepcopy(_get(result, source, where)))
            result = _add(result, path, value, where)
        if not isinstance(result, dict):
            raise bad_request(f"{where}: the entity must stay a JSON object.")
    return result


def _equal(left, right) -> bool:
    """JSON equality (RFC 6902 §4.6): numbers by value, but true is not 1."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_equal(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            _equal(a, b) for a, b in zip(left, right, strict=True))
    numbers = (int, float)
    if type(left) in numbers or type(right) in numbers:
        return type(left) in numbers and type(right) in numbers and left == right
    return type(left) is type(right) and left == right


def entity_document(entity, obj, base_url: str) -> dict:
    """What a patch applies to: the entity's JSON as a GET shows it, without the links, plus
    each single navigation as {"@iot.id": n} (so "/Sensor/@iot.id" can be replaced)."""
    from .query.serialize import entity_json

    document = {key: value for key, value in entity_json(entity, obj, base_url).items()
                if key == "@iot.id" or not key.startswith("@iot.") and "@iot." not in key}
    for navigation in entity.navigations.values():
        if not navigation.to_many:
            document[navigation.name] = {"@iot.id": getattr(obj, f"{navigation.accessor}_id")}
    return document


def changes(before: dict, after: dict) -> dict:
    """The members that differ, as the body of a PATCH with a JSON object (a removed member is
    null). The id cannot change."""
    if not _equal(before.get("@iot.id"), after.get("@iot.id")):
        raise bad_request("JSON Patch: @iot.id is given by the server and cannot change.")
    body = {}
    for key in before.keys() | after.keys():
        if key == "@iot.id":
            continue
        if key not in after:
            body[key] = None
        elif key not in before or not _same(before[key], after[key]):
            body[key] = after[key]
    return body


def _same(left, right) -> bool:
    """Unchanged, type included (1 and 1.0 are different values of a result)."""
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)
