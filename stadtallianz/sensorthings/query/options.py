"""Query options of a request ($filter, $expand, $select, $orderby, $top, $skip, $count,
$resultFormat), including the nested options of $expand:
`$expand=Datastreams($filter=name eq 'a';$expand=Observations($top=1;$orderby=phenomenonTime desc))`
and slash paths (`$expand=Datastreams/Observations`)."""

import re
from dataclasses import dataclass, field

from ..entities import ENTITY_TYPES, EntityType
from ..errors import StaError

DEFAULT_TOP = 100
# The largest page of a collection, at the top level and inside $expand alike. A larger $top is
# served up to it with a next link (the standard leaves the page size to the server), never
# refused. What a whole request may read across all $expand levels together is bounded in
# expand.py (bound_work).
MAX_TOP = 10000
MAX_SKIP = 10**15
OPTION_NAMES = ("$filter", "$expand", "$select", "$orderby", "$top", "$skip", "$count",
                "$resultFormat")


def bad(message: str) -> StaError:
    return StaError(message, 400)


@dataclass
class Options:
    filter: str | None = None
    expand: list["Expand"] = field(default_factory=list)
    select: list[str] | None = None
    orderby: str | None = None
    top: int | None = None
    skip: int = 0
    count: bool = False
    result_format: str | None = None
    raw: dict = field(default_factory=dict)  # the option texts as given, for @iot.nextLink

    @property
    def limit(self) -> int:
        return DEFAULT_TOP if self.top is None else self.top


@dataclass
class Expand:
    navigation: str
    options: Options


def split_top_level(text: str, separator: str) -> list[str]:
    """Splits at `separator` outside parentheses and string literals."""
    parts, depth, quoted, current = [], 0, False, []
    for char in text:
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
            if depth < 0:
                raise bad(f"Unbalanced parentheses in '{text}'.")
        if char == separator and depth == 0 and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    if depth != 0 or quoted:
        raise bad(f"Unbalanced parentheses or quotes in '{text}'.")
    parts.append("".join(current))
    return parts


def _integer(name: str, text: str, maximum: int | None = None) -> int:
    text = text.strip()
    # Not str.isdigit(): that accepts '²' and other digits int() cannot read.
    if not re.fullmatch("[0-9]+", text):
        raise bad(f"{name} must be a whole number of 0 or more, not '{text}'.")
    # More digits than any limit: not converted (int() refuses over 4,300 digits anyway).
    digits = text.lstrip("0") or "0"
    value = int(digits) if len(digits) <= 20 else 10**20
    if maximum is not None and value > maximum:
        raise bad(f"{name} may be at most {maximum}, not {value}.")
    return value


MAX_EXPAND_DEPTH = 10


def parse_options(pairs, *, nested: bool = False, depth: int = 0) -> Options:
    """Options from (name, value) pairs (the request's query string or the inside of an
    $expand's parentheses). Unknown options starting with $ are refused."""
    options = Options()
    for name, value in pairs:
        if not name.startswith("$"):
            continue  # not a query option (e.g. a cache breaker); ignored as OData does
        if name not in OPTION_NAMES:
            raise bad(f"Unknown query option {name}; known are {', '.join(OPTION_NAMES)}.")
        if name in options.raw:
            raise bad(f"The query option {name} is given twice.")
        options.raw[name] = value
        if name == "$filter":
            if not value.strip():
                raise bad("$filter is empty.")
            options.filter = value
        elif name == "$orderby":
            options.orderby = value
        elif name == "$top":
            options.top = min(_integer("$top", value), MAX_TOP)
        elif name == "$skip":
            options.skip = _integer("$skip", value, MAX_SKIP)
        elif name == "$count":
            if value not in ("true", "false"):
                raise bad(f"$count must be true or false, not '{value}'.")
            options.count = value == "true"
        elif name == "$select":
            options.select = [item.strip() for item in value.split(",") if item.strip()]
            if not options.select:
                raise bad("$select is empty.")
        elif name == "$expand":
            if depth >= MAX_EXPAND_DEPTH:
                raise bad(f"$expand may be nested at most {MAX_EXPAND_DEPTH} levels deep.")
            options.expand = parse_expand(value, depth + 1)
        elif name == "$resultFormat":
            if nested:
                raise bad("$resultFormat=dataArray is only available on collections of "
                          "Observations, not inside $expand.")
            if value != "dataArray":
                raise bad(f"$resultFormat supports only dataArray (on collections of "
                          f"Observations), not '{value}'.")
            options.result_format = value
    return options


def parse_expand(text: str, depth: int = 1) -> list[Expand]:
    items: dict[str, Expand] = {}
    for part in split_top_level(text, ","):
        part = part.strip()
        if not part:
            raise bad(f"$expand has an empty item in '{text}'.")
        path, inner = part, ""
        if "(" in part:
            if not part.endswith(")"):
                raise bad(f"$expand item '{part}' must end with its closing parenthesis.")
            path, inner = part[:part.index("(")], part[part.index("(") + 1:-1]
        pairs = []
        for option in split_top_level(inner, ";") if inner.strip() else []:
            name, sep, value = option.partition("=")
            if not sep or not option.strip().startswith("$"):
                raise bad(f"The nested option '{option}' of $expand must be a query option "
                          "with its value ($name=value).")
            pairs.append((name.strip(), value))
        options = parse_options(pairs, nested=True, depth=depth)
        names = [name for name in path.strip().split("/") if name]
        if not names:
            raise bad(f"$expand item '{part}' names no navigation property.")
        if depth + len(names) - 1 > MAX_EXPAND_DEPTH:
            raise bad(f"$expand may be nested at most {MAX_EXPAND_DEPTH} levels deep.")
        # Datastreams/Observations($top=1) = Datastreams($expand=Observations($top=1))
        for name in reversed(names[1:]):
            options = Options(expand=[Expand(name, options)])
        _merge(items, Expand(names[0], options))
    return list(items.values())


def _merge(items: dict[str, Expand], item: Expand) -> None:
    existing = items.get(item.navigation)
    if existing is None:
        items[item.navigation] = item
        return
    merged = {e.navigation: e for e in existing.options.expand}
    for child in item.options.expand:
        _merge(merged, child)
    existing.options.expand = list(merged.values())
    for attribute in ("filter", "select", "orderby", "top"):
        if getattr(item.options, attribute) is not None:
            setattr(existing.options, attribute, getattr(item.options, attribute))
    existing.options.raw.update(item.options.raw)


def check(entity: EntityType, options: Options) -> None:
    """Refuses $select and $expand names the entity does not have (400)."""
    for name in options.select or []:
        if name in ("@iot.id", "id", "@iot.selfLink"):
            continue
        if name not in entity.properties and name not in entity.navigations:
            raise bad(f"$select: {entity.name} has no property {name}.")
    for item in options.expand:
        navigation = entity.navigations.get(item.navigation)
        if navigation is None:
            raise bad(f"$expand: {entity.name} has no navigation property {item.navigation}.")
        check(ENTITY_TYPES[navigation.target], item.options)


def selected(entity: EntityType, options: Options):
    """(property names, navigation names) to write; None = all."""
    if options.select is None:
        return None, None
    properties = set()
    navigations = set()
    for name in options.select:
        if name in ("@iot.id", "id"):
            properties.add("id")
        elif name == "@iot.selfLink":
            properties.add("@iot.selfLink")
        elif name in entity.navigations:
            navigations.add(name)
        else:
            properties.add(name)
    return properties, navigations
