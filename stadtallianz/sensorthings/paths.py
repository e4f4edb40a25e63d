"""Resource paths of the SensorThings API: `Things(1)/Datastreams`, `Datastreams(1)/Thing`,
`Things(1)/name/$value`, `Datastreams(1)/Observations/$ref` …, parsed into segments that the
read and write layers resolve against the entity table."""

import re
from dataclasses import dataclass

from .entities import BY_SET_NAME, ENTITY_TYPES, EntityType, Navigation
from .errors import bad_request, not_found

_SEGMENT = re.compile(r"^(?P<name>[A-Za-z]+)(?:\((?P<id>[^)]*)\))?$")


@dataclass(frozen=True)
class Segment:
    entity: EntityType  # the type this segment addresses
    navigation: Navigation | None  # None for the first segment (an entity set)
    id: int | None  # set when the segment addresses one entity by id

    @property
    def is_collection(self) -> bool:
        if self.id is not None:
            return False
        return self.navigation is None or self.navigation.to_many


@dataclass(frozen=True)
class ResourcePath:
    segments: tuple[Segment, ...]
    property_name: str | None = None  # e.g. "name" in Things(1)/name
    value: bool = False  # …/$value
    ref: bool = False  # …/$ref

    @property
    def target(self) -> Segment:
        return self.segments[-1]

    @property
    def entity(self) -> EntityType:
        return self.target.entity

    @property
    def is_collection(self) -> bool:
        return self.property_name is None and self.target.is_collection


# The largest id any entity can have (a 64-bit key): a larger one is a missing entity (404),
# not a bad request, as the standard treats every id that does not exist.
LARGEST_ID = 2**63 - 1


def _parse_id(raw: str, name: str) -> int:
    if not re.fullmatch(r"\d+", raw):
        raise bad_request(f"The id of {name} must be a whole number, not '{raw}'.")
    if len(raw.lstrip("0")) > len(str(LARGEST_ID)) or int(raw) > LARGEST_ID:
        raise not_found(f"There is no {name}({raw}).")
    return int(raw)


def parse(path: str) -> ResourcePath:
    """Parses a path relative to the service root (no leading slash)."""
    parts = [part for part in path.strip("/").split("/") if part]
    if not parts:
        raise bad_request("The path is empty.")
    segments: list[Segment] = []
    prop = None
    value = ref = False
    for position, part in enumerate(parts):
        if part == "$value":
            if prop is None or position != len(parts) - 1:
                raise bad_request("$value follows a property, e.g. Things(1)/name/$value.")
            value = True
            continue
        if part == "$ref":
            if prop is not None or position != len(parts) - 1 or len(segments) < 1:
                raise bad_request("$ref ends a path to entities, e.g. Things(1)/Locations/$ref.")
            ref = True
            continue
        if prop is not None:
            raise bad_request(f"Nothing can follow the property {prop} except $value.")
        match = _SEGMENT.match(part)
        if not match:
            raise bad_request(f"'{part}' is not a valid path segment.")
        name, raw_id = match["name"], match["id"]
        if not segments:
            entity = BY_SET_NAME.get(name)
            if entity is None:
                raise not_found(f"There is no entity set {name}.")
            segments.append(Segment(entity, None, None if raw_id is None
                                    else _parse_id(raw_id, name)))
            continue
        current = segments[-1]
        if current.is_collection:
            raise bad_request(
                f"'{part}' must follow one entity, e.g. {current.entity.set_name}(1).")
        navigation = current.entity.navigations.get(name)
        if navigation is not None:
            if raw_id is not None and not navigation.to_many:
                raise bad_request(f"{name} is a single entity and takes no id.")
            segments.append(Segment(ENTITY_TYPES[navigation.target], navigation,
                                    None if raw_id is None else _parse_id(raw_id, name)))
            continue
        if raw_id is None and name in current.entity.properties:
            prop = name
            continue
        raise bad_request(f"{current.entity.name} has no property or navigation {name}.")
    return ResourcePath(tuple(segments), prop, value, ref)
