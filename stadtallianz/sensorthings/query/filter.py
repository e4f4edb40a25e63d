"""`$filter` and `$orderby` expressions compiled to Django ORM expressions and Q objects, from
the AST that filter_syntax.py parses.

No SQL is ever built from strings: every literal becomes a query parameter.

Semantics worth knowing (docs/standards.md):
- A path through a to-many navigation (`Datastreams/Observations/result gt 5` on Things) means
  "any": the comparison is compiled into `id IN (subquery)` over the navigation's target, and
  that subquery is filtered by the privacy rules (privacy.py) like every other read, so a
  filter cannot probe restricted or raw aggregated data. A comparison that also names the
  entity's own properties or another to-many navigation
  (`HistoricalLocations/Locations/properties/field eq properties/field`) becomes a correlated
  EXISTS subquery per to-many navigation, the outer values referenced with OuterRef.
- Date functions (year() … fractionalseconds(), totaloffsetminutes()) of a null time are null,
  so a comparison with them leaves the entity out (also with ne).
- Interval properties (phenomenonTime, validTime, resultTime of a datastream) compare as
  intervals: `gt`/`ge` look at the start, `lt`/`le` at the end, `eq` needs both to match.
- Geospatial functions are evaluated with Shapely over the rows of the entity that holds the
  geometry (there are few Locations and FeaturesOfInterest), and become `…__id__in=[ids]`.
  Distances and lengths are in the units of the coordinates (degrees for WGS 84), as on a
  PostGIS geometry column.
"""

from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import UTC, datetime

from django.db.models import (
    BooleanField,
    DateField,
    DateTimeField,
    DurationField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    TextField,
    TimeField,
    Value,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import (
    Cast,
    Ceil,
    Concat,
    Extract,
    Floor,
    Length,
    Lower,
    Mod,
    Round,
    StrIndex,
    Substr,
    Trim,
    TruncDate,
    TruncTime,
    Upper,
)
from django.db.models.lookups import (
    Contains,
    EndsWith,
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
    StartsWith,
)
from django.utils import timezone

from ..entities import ENTITY_TYPES, EntityType
from ..errors import StaError
from ..timefmt import parse_time
from . import geo
from .filter_syntax import (
    ARITHMETIC,
    BOOLEAN_FUNCTIONS,
    COMPARISONS,
    GEO_MEASURES,
    GEO_PREDICATES,
    MAX_POSITION,
    MIRROR,
    Binary,
    Call,
    Literal,
    Not,
    Path,
    filter_error,
    parse_expression_list,
    parse_filter,
)
from .visibility import visible_queryset


@dataclass
class Operand:
    """A compiled value: a Django expression with its type. `field` is set for a plain model
    field (so comparisons with a literal can use ORM lookups, which handle JSON keys);
    `end_field` for the end of an interval property; `value` for a literal."""

    type: str  # string number datetime duration bool json geometry interval result null
    expr: object = None
    field: str | None = None
    end_field: str | None = None
    literal: bool = False
    value: object = None
    extra: dict = dataclass_field(default_factory=dict)


class JsonText(Func):
    """The text of a JSON string value (the value itself, not a key in it)."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra):  # SQLite and others
        sql, params = compiler.compile(self.source_expressions[0])
        return f"json_extract({sql}, '$')", params

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} #>> '{{}}')", params


class FractionalSeconds(Func):
    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra):  # SQLite: seconds with fraction "SS.SSS"
        sql, params = compiler.compile(self.source_expressions[0])
        return (f"(CAST(strftime('%f', {sql}) AS REAL) - "
                f"CAST(strftime('%S', {sql}) AS REAL))"), params + params

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (f"(EXTRACT(MICROSECONDS FROM {sql})::float8 / 1000000 - "
                f"floor(EXTRACT(SECOND FROM {sql})))"), params + params


class ZeroUnlessNull(Func):
    """0 for a time, null for a null time (totaloffsetminutes: every time is stored in UTC)."""

    template = "CASE WHEN %(expressions)s IS NULL THEN NULL ELSE 0 END"
    output_field = IntegerField()


@dataclass(frozen=True)
class OuterPath:
    """A path of the enclosing entity inside a correlated subquery (see Compiler.correlated)."""

    path: "Path"
    compiler: "Compiler"
    levels: int = 1  # how many subqueries out the entity is

    def ref(self, name: str):
        expression = name
        for _level in range(self.levels):
            expression = OuterRef(expression)
        return expression

    @property
    def position(self) -> int:
        return self.path.position


def json_member(column: str, keys, *, text: bool = False, ref=F):
    """The member at `keys` of a JSON column, built as nested key transforms so that every key
    is a plain key ('x__isnull' is the member named so, not a Django lookup). text: the
    member's value as text (for strings and numbers cast from it). ref: OuterRef for a column
    of the enclosing query."""
    expr = ref(column)
    for key in keys[:-1]:
        expr = KeyTransform(key, expr, output_field=JSONField())
    if text:
        return KeyTextTransform(keys[-1], expr)
    # The output field is given so that lookups built on the member prepare their right-hand
    # side as JSON, as Django does for "column__key__lookup".
    return KeyTransform(keys[-1], expr, output_field=JSONField())


def _lookup_name(op: str) -> str:
    return {"eq": "exact", "ne": "exact", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}[op]


LOOKUPS = {"eq": Exact, "ne": Exact, "gt": GreaterThan, "ge": GreaterThanOrEqual,
           "lt": LessThan, "le": LessThanOrEqual}
EXTRACTS = {"year": "year", "month": "month", "day": "day", "hour": "hour",
            "minute": "minute", "second": "second"}


def _paths(node) -> list[Path]:
    if isinstance(node, Path):
        return [node]
    if isinstance(node, Binary):
        return _paths(node.left) + _paths(node.right)
    if isinstance(node, Not):
        return _paths(node.operand)
    if isinstance(node, Call):
        return [p for arg in node.args for p in _paths(arg)]
    return []


def _strip(node, count: int):
    """The node with the first `count` parts removed from every path."""
    if isinstance(node, Path):
        return replace(node, parts=node.parts[count:])
    if isinstance(node, Binary):
        return replace(node, left=_strip(node.left, count), right=_strip(node.right, count))
    if isinstance(node, Not):
        return replace(node, operand=_strip(node.operand, count))
    if isinstance(node, Call):
        return replace(node, args=tuple(_strip(arg, count) for arg in node.args))
    return node


def _hop_key(hop) -> tuple:
    """Paths through the same to-many navigation (at the same place) share a subquery."""
    prefix, depth, navigation, _target = hop
    return prefix, depth, navigation.name


def _map_paths(node, change):
    """The node with each Path and OuterPath replaced by change(leaf)."""
    if isinstance(node, Path | OuterPath):
        return change(node)
    if isinstance(node, Binary):
        return replace(node, left=_map_paths(node.left, change),
                       right=_map_paths(node.right, change))
    if isinstance(node, Not):
        return replace(node, operand=_map_paths(node.operand, change))
    if isinstance(node, Call):
        return replace(node, args=tuple(_map_paths(arg, change) for arg in node.args))
    return node


def _outer_paths(node) -> list[OuterPath]:
    found = []
    _map_paths(node, lambda leaf: found.append(leaf) if isinstance(leaf, OuterPath) else None)
    return found


class Compiler:
    def __init__(self, entity: EntityType, caller, now: datetime | None = None):
        self.entity = entity
        self.caller = caller
        self.now = now or timezone.now()

    # ------------------------------------------------------------------ boolean structure
    def condition(self, node) -> Q:
        if isinstance(node, Binary) and node.op in ("and", "or"):
            left, right = self.condition(node.left), self.condition(node.right)
            return left & right if node.op == "and" else left | right
        if isinstance(node, Not):
            return ~self.condition(node.operand)
        return self.leaf(node)

    def leaf(self, node) -> Q:
        """A comparison or boolean function; paths through a to-many navigation turn the
        whole leaf into a subquery over the navigation's target (any semantics)."""
        hops = {}
        plain = False
        for path in _paths(node):
            hop = self._first_to_many(path)
            if hop is None:
                plain = True
            else:
                hops[_hop_key(hop)] = hop
        outer = _outer_paths(node)
        if not hops:
            for outer_path in outer:  # a to-many path of an enclosing entity: EXISTS here
                hop = outer_path.compiler._first_to_many(outer_path.path)
                if hop is not None:
                    return self.correlated(node, hop, outer_path)
            return self.direct_leaf(node)
        if len(hops) > 1 or plain or outer:
            return self.correlated(node, next(iter(hops.values())))
        prefix, depth, navigation, target = next(iter(hops.values()))
        inner = Compiler(target, self.caller, self.now).leaf(_strip(node, depth + 1))
        ids = visible_queryset(target, self.caller).filter(inner).filter(
            **{f"{navigation.reverse}__isnull": False}).values(navigation.reverse)
        return Q(**{f"{prefix}id__in": ids})

    def correlated(self, node, hop, owner: OuterPath | None = None) -> Q:
        """A comparison through a to-many navigation that also names values outside it: EXISTS
        (a row of the navigation's target, readable by the caller, linked to the entity, for
        which the comparison holds), the values outside referenced from the enclosing queries
        (OuterRef). The navigation is one of this entity's paths, or (`owner`) of an enclosing
        entity's; further to-many navigations nest the same way, one EXISTS each."""
        prefix, depth, navigation, target = hop
        if owner is None:
            source, levels = self, 0

            def through_hop(leaf) -> bool:
                found = isinstance(leaf, Path) and self._first_to_many(leaf)
                return bool(found) and _hop_key(found) == _hop_key(hop)
        else:
            source, levels = owner.compiler, owner.levels

            def through_hop(leaf) -> bool:
                found = (isinstance(leaf, OuterPath) and leaf.compiler is source
                         and leaf.levels == levels and source._first_to_many(leaf.path))
                return bool(found) and _hop_key(found) == _hop_key(hop)

        def change(leaf):
            if through_hop(leaf):  # continues in the subquery's entity
                path = leaf if isinstance(leaf, Path) else leaf.path
                return replace(path, parts=path.parts[depth + 1:])
            if isinstance(leaf, OuterPath):  # one subquery further out now
                return replace(leaf, levels=leaf.levels + 1)
            return OuterPath(leaf, self)

        inner = Compiler(target, self.caller, self.now).condition(_map_paths(node, change))
        link = f"{prefix}pk" if prefix else "pk"
        for _level in range(levels + 1):
            link = OuterRef(link)
        linked = visible_queryset(target, self.caller).filter(**{navigation.reverse: link})
        return Q(Exists(linked.filter(inner)))

    def _first_to_many(self, path: Path):
        """(orm prefix, index, navigation, target entity) of the first to-many navigation of
        a path, or None."""
        entity, prefix = self.entity, ""
        for index, part in enumerate(path.parts[:-1]):
            navigation = entity.navigations.get(part)
            if navigation is None:
                return None
            target = ENTITY_TYPES[navigation.target]
            if navigation.to_many:
                return prefix, index, navigation, target
            entity, prefix = target, f"{prefix}{navigation.accessor}__"
        return None

    def direct_leaf(self, node) -> Q:
        if isinstance(node, Binary) and node.op in COMPARISONS:
            if _is_geo_measure(node.left) or _is_geo_measure(node.right):
                return geo.measure_condition(self, node)
            return self.compare(node.op, self.operand(node.left), self.operand(node.right),
                                node.position)
        if isinstance(node, Call) and node.name in GEO_PREDICATES:
            return geo.predicate_condition(self, node)
        if isinstance(node, Call) and node.name in BOOLEAN_FUNCTIONS:
            return self.string_predicate(node)
        operand = self.operand(node)
        if operand.type != "bool":
            raise filter_error("the expression is not a condition (true or false)",
                               getattr(node, "position", None))
        if operand.literal:
            # Not Q(): an empty Q is dropped when combined, so "not true" would match all
            # and "… or true" nothing.
            return Q(pk__isnull=False) if operand.value else Q(pk__in=[])
        return Q(Exact(operand.expr, True))

    # ---------------------------------------------------------------------- comparisons
    def compare(self, op: str, left: Operand, right: Operand, position: int) -> Q:
        if left.literal and not right.literal:
            left, right, op = right, left, MIRROR[op]
        right = self._time_from_string(left, right)
        if right.type == "null" or left.type == "null":
            other = left if right.type == "null" else right
            if op not in ("eq", "ne"):
                raise filter_error("null can only be compared with eq or ne", position)
            q = self._is_null(other)
            return q if op == "eq" else ~q
        if left.type == "interval" or right.type == "interval":
            return self.compare_interval(op, left, right, position)
        if {left.type, right.type} == {"date", "datetime"} and right.literal:
            right = replace(right, type="date", value=right.value.date())
        if (op in ("eq", "ne") and left.type == right.type == "json"
                and left.extra.get("keys") and right.extra.get("keys")):
            # Two JSON members: equal when their values are (as text, so strings compare too).
            q = Q(Exact(self.expr(left, "string"), self.expr(right, "string")))
            return ~q if op == "ne" else q
        left_type, right_type = self._comparable(left, right, position)
        if left.type == "result":
            left = self._result_as(left, right_type)
        if right.type == "result":
            right = self._result_as(right, left_type)
        if left.extra.get("keys") and right.literal:
            # Django's JSON key lookups (they compare the value as JSON on every database).
            lookup = left.expr.get_lookup(_lookup_name(op))
            q = Q(lookup(left.expr, right.value))
        elif left.field and right.literal and not (left.type == "number"
                                                   and isinstance(right.value, float)):
            q = Q(**{f"{left.field}__{_lookup_name(op)}": right.value})
        else:
            q = Q(LOOKUPS[op](self.expr(left, left_type), self.expr(right, right_type)))
        return ~q if op == "ne" else q

    @staticmethod
    def _time_from_string(left: Operand, right: Operand) -> Operand:
        """A quoted time compared with a time ("phenomenonTime gt '2026-03-01T00:00:00Z'", as
        clients written for other servers send) is read as a time when it is one."""
        if left.type in ("datetime", "interval") and right.literal and right.type == "string":
            try:
                return Operand("datetime", literal=True, value=parse_time(right.value))
            except StaError:
                return right
        return right

    def _is_null(self, operand: Operand) -> Q:
        if operand.type == "result":
            base = operand.field or ""
            return Q(**{f"{base}result_number__isnull": True,
                        f"{base}result_json__isnull": True})
        if operand.extra.get("keys"):
            return Q(operand.expr.get_lookup("isnull")(operand.expr, True))
        if operand.field:
            return Q(**{f"{operand.field}__isnull": True})
        return Q(Exact(operand.expr, None)) if operand.expr is not None else Q()

    def _comparable(self, left: Operand, right: Operand, position: int) -> tuple[str, str]:
        flexible = {"json", "result"}
        lt, rt = left.type, right.type
        timely = {"datetime", "date", "time", "duration"}
        if (lt in flexible and rt in timely) or (rt in flexible and lt in timely):
            kind = rt if lt in flexible else lt
            raise filter_error(f"a result or JSON value cannot be compared with a {kind}; "
                               "compare it with a string ('2026-01-01T00:00:00Z') or a "
                               "number", position)
        if lt in flexible and rt in flexible:
            return "number", "number"
        if lt in flexible:
            return rt, rt
        if rt in flexible:
            return lt, lt
        if lt == rt or {lt, rt} == {"number", "bool"}:
            return lt, rt
        if "geometry" in (lt, rt):
            raise filter_error("geometries are compared with the geospatial functions "
                               "(st_within, geo.intersects …), not with operators", position)
        raise filter_error(f"cannot compare a {lt} with a {rt}", position)

    def _result_as(self, operand: Operand, kind: str) -> Operand:
        """`result` is stored as a number or as JSON: compare numbers with the number column,
        anything else with the JSON column."""
        base = operand.field or ""
        if kind == "number":
            return Operand("number", F(f"{base}result_number"), field=f"{base}result_number")
        if kind == "string":
            return Operand("json", JsonText(F(f"{base}result_json")),
                           field=f"{base}result_json")
        return Operand("json", F(f"{base}result_json"), field=f"{base}result_json")

    def compare_interval(self, op: str, left: Operand, right: Operand, position: int) -> Q:
        """Interval semantics: after = start > t; before = end < t; eq = same instant."""
        if right.type == "interval" and left.type != "interval":
            left, right, op = right, left, MIRROR[op]
        if right.type == "interval":
            raise filter_error("two intervals cannot be compared", position)
        if right.type != "datetime":
            raise filter_error(f"cannot compare a time with a {right.type}", position)
        start, end = left.field, left.end_field
        value = right.value if right.literal else self.expr(right, "datetime")

        def end_is(lookup: str) -> Q:
            return Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__{lookup}": value})

        if op in ("gt", "ge"):
            return Q(**{f"{start}__{_lookup_name(op)}": value})
        if op in ("lt", "le"):
            return Q(**{f"{start}__{_lookup_name(op)}": value}) & end_is(_lookup_name(op))
        same = Q(**{start: value}) & end_is("exact")
        return same if op == "eq" else ~same

    def string_predicate(self, node: Call) -> Q:
        if node.name == "substringof":
            needle, haystack = node.args
        else:
            haystack, needle = node.args
        hay = self.operand(haystack)
        pin = self.operand(needle)
        for operand, arg in ((hay, haystack), (pin, needle)):
            if operand.type not in ("string", "json", "result"):
                raise filter_error(f"{node.name} needs strings, not a {operand.type}",
                                   arg.position if hasattr(arg, "position") else node.position)
        lookup = {"substringof": Contains, "endswith": EndsWith, "startswith": StartsWith}
        rhs = pin.value if pin.literal else self.expr(pin, "string")
        return Q(lookup[node.name](self.expr(hay, "string"), rhs))

    # ------------------------------------------------------------------------- operands
    def expr(self, operand: Operand, kind: str | None = None):
        """The operand as a Django expression, converted to `kind` where that is needed."""
        if operand.literal:
            if operand.type == "datetime":
                return Value(operand.value, output_field=DateTimeField())
            if operand.type == "duration":
                return Value(operand.value, output_field=DurationField())
            if operand.type == "number":
                return Value(operand.value, output_field=FloatField()
                             if isinstance(operand.value, float) else IntegerField())
            if operand.type == "bool":
                return Value(operand.value, output_field=BooleanField())
            if operand.type == "date":
                return Value(operand.value, output_field=DateField())
            if operand.type == "time":
                return Value(operand.value, output_field=TimeField())
            return Value(operand.value, output_field=TextField())
        if operand.type == "result":
            operand = self._result_as(operand, kind or "number")
        if operand.type == "json":
            keys = operand.extra.get("keys")
            ref = operand.extra.get("ref", F)
            if kind == "string" and keys:
                return json_member(operand.extra["column"], keys, text=True, ref=ref)
            if kind == "number":
                if not keys:
                    raise filter_error(f"{operand.field.rpartition('__')[2]} is a JSON value "
                                       "as a whole; name a member of it, e.g. "
                                       "properties/height")
                return Cast(json_member(operand.extra["column"], keys, text=True, ref=ref),
                            FloatField())
        if operand.type == "interval":
            return F(operand.field)
        return operand.expr

    def operand(self, node) -> Operand:
        if isinstance(node, Literal):
            if node.type == "geometry":
                raise filter_error("a geometry can only be used in a geospatial function",
                                   node.position)
            return Operand(node.type, literal=True, value=node.value)
        if isinstance(node, Path):
            return self.path(node)
        if isinstance(node, OuterPath):
            return node.compiler.path(node.path, outer=node.ref)
        if isinstance(node, Binary):
            if node.op in ARITHMETIC:
                return self.arithmetic(node)
            raise filter_error(f"'{node.op}' gives true or false and cannot be used as a value",
                               node.position)
        if isinstance(node, Not):
            raise filter_error("'not' gives true or false and cannot be used as a value",
                               node.position)
        if isinstance(node, Call):
            return self.call(node)
        raise filter_error("unsupported expression")

    def path(self, node: Path, *, outer=None) -> Operand:
        """The operand of a path; `outer` (a function making OuterRefs): of an enclosing query
        of a correlated subquery (no plain field names, which would be read as the
        subquery's)."""
        operand = self._path(node)
        if outer is None:
            return operand
        if operand.type == "result":
            base = operand.field or ""
            return Operand("number", outer(f"{base}result_number"))
        if operand.type == "json" and operand.extra.get("keys"):
            column, keys = operand.extra["column"], operand.extra["keys"]
            return Operand("json", json_member(column, keys, ref=outer),
                           extra={**operand.extra, "ref": outer})
        if operand.type == "interval":
            return Operand("datetime", outer(operand.field))
        if operand.type == "json":
            raise filter_error(f"{'/'.join(node.parts)} is a JSON value as a whole; name a "
                               "member of it, e.g. properties/height", node.position)
        if operand.field:
            return Operand(operand.type, outer(operand.field))
        raise filter_error("this value cannot be compared across a to-many navigation",
                           node.position)

    def _path(self, node: Path) -> Operand:
        entity, prefix = self.entity, ""
        parts = node.parts
        for index, part in enumerate(parts):
            navigation = entity.navigations.get(part)
            if navigation is not None:
                if navigation.to_many:
                    raise filter_error(f"{part} is a collection; name a property of it, e.g. "
                                       f"{part}/id (to-many paths are compared with any "
                                       "semantics only in $filter)", node.position)
                if index == len(parts) - 1:
                    raise filter_error(f"{part} is an entity; name one of its properties, e.g. "
                                       f"{part}/id", node.position)
                entity, prefix = ENTITY_TYPES[navigation.target], \
                    f"{prefix}{navigation.accessor}__"
                continue
            name = "id" if part in ("@iot.id", "id") else part
            prop = entity.properties.get(name)
            if prop is None:
                raise filter_error(f"{entity.name} has no property or navigation '{part}'",
                                   node.position)
            rest = parts[index + 1:]
            # GeoJSON members too: QGIS filters layers with
            # "location/type eq 'Point' or location/geometry/type eq 'Point'".
            if rest and prop.kind not in ("json", "geometry"):
                raise filter_error(f"{part} has no sub-properties", node.position)
            if rest:
                column = f"{prefix}{prop.field}"
                return Operand("json", json_member(column, rest), extra={"keys": rest,
                                                                         "column": column})
            if prop.kind == "json":
                orm = f"{prefix}{prop.field}"
                return Operand("json", F(orm), field=orm)
            if prop.kind == "result":
                return Operand("result", field=prefix or None, extra={"entity": entity})
            if prop.kind in ("interval", "time"):
                return Operand("interval", F(f"{prefix}{prop.fields[0]}"),
                               field=f"{prefix}{prop.fields[0]}",
                               end_field=f"{prefix}{prop.fields[1]}")
            orm = f"{prefix}{prop.field}"
            kind = {"id": "number", "string": "string", "datetime": "datetime",
                    "geometry": "geometry"}[prop.kind]
            return Operand(kind, F(orm), field=orm, extra={"entity": entity,
                                                           "prefix": prefix})
        raise filter_error("the path is incomplete", node.position)

    def arithmetic(self, node: Binary) -> Operand:
        left, right = self.operand(node.left), self.operand(node.right)
        lt = "number" if left.type in ("result", "json") else left.type
        rt = "number" if right.type in ("result", "json") else right.type
        if lt == "interval":
            lt = "datetime"
        if rt == "interval":
            rt = "datetime"
        if node.op in ("add", "sub") and lt == "datetime" and rt == "duration":
            expr = self.expr(left, "datetime")
            delta = self.expr(right)
            combined = expr + delta if node.op == "add" else expr - delta
            combined.output_field = DateTimeField()
            return Operand("datetime", combined)
        if node.op == "sub" and lt == rt == "datetime":
            difference = self.expr(left, "datetime") - self.expr(right, "datetime")
            difference.output_field = DurationField()
            return Operand("duration", difference)
        if lt != "number" or rt != "number":
            raise filter_error(f"'{node.op}' needs numbers (or a time and a duration), not a "
                               f"{left.type} and a {right.type}", node.position)
        a = Cast(self.expr(left, "number"), FloatField())
        b = Cast(self.expr(right, "number"), FloatField())
        if node.op == "mod":
            return Operand("number", Mod(a, b, output_field=FloatField()))
        combined = {"add": a + b, "sub": a - b, "mul": a * b, "div": a / b}[node.op]
        combined.output_field = FloatField()
        return Operand("number", combined)

    def call(self, node: Call) -> Operand:
        name = node.name
        if name in BOOLEAN_FUNCTIONS:
            raise filter_error(f"{name} gives true or false; use it as a condition",
                               node.position)
        if name in GEO_MEASURES:
            raise filter_error(f"{name} can only be compared with a number literal, e.g. "
                               f"{name}(…) lt 0.01", node.position)
        if name == "now":
            return Operand("datetime", literal=True, value=self.now)
        args = [self.operand(arg) for arg in node.args]
        if name in ("mindatetime", "maxdatetime"):
            if not args:
                return Operand("datetime", literal=True,
                               value=datetime.min.replace(tzinfo=UTC) if name == "mindatetime"
                               else datetime.max.replace(tzinfo=UTC))
            operand = args[0]
            if operand.type != "interval":
                raise filter_error(f"{name} needs a time interval property", node.position)
            chosen = operand.field if name == "mindatetime" else operand.end_field
            return Operand("datetime", F(chosen), field=chosen)

        def need(kind: str, index: int = 0):
            operand = args[index]
            ok = operand.type == kind or (kind == "datetime" and operand.type == "interval") \
                or operand.type in ("json", "result") and kind in ("string", "number")
            if not ok:
                raise filter_error(f"{name} needs a {kind}, not a {operand.type}",
                                   getattr(node.args[index], "position", node.position))
            if operand.literal and kind == "datetime":
                return Value(operand.value, output_field=DateTimeField())
            return self.expr(operand, kind)

        if name in EXTRACTS:
            return Operand("number", Extract(need("datetime"), EXTRACTS[name], tzinfo=UTC))
        if name == "fractionalseconds":
            return Operand("number", FractionalSeconds(need("datetime")))
        if name == "date":
            return Operand("date", TruncDate(need("datetime"), tzinfo=UTC))
        if name == "time":
            return Operand("time", TruncTime(need("datetime"), tzinfo=UTC))
        if name == "totaloffsetminutes":  # every time is stored in UTC
            return Operand("number", ZeroUnlessNull(need("datetime")))
        if name in ("round", "floor", "ceiling"):
            function = {"round": Round, "floor": Floor, "ceiling": Ceil}[name]
            return Operand("number", function(need("number"), output_field=FloatField()))
        if name == "length":
            return Operand("number", Length(need("string")))
        if name in ("tolower", "toupper", "trim"):
            function = {"tolower": Lower, "toupper": Upper, "trim": Trim}[name]
            return Operand("string", function(need("string")))
        if name == "concat":
            return Operand("string", Concat(need("string"), need("string", 1),
                                            output_field=TextField()))
        if name == "indexof":  # zero-based in OData, one-based in SQL
            return Operand("number", StrIndex(need("string"), need("string", 1)) - 1)
        if name == "substring":
            for index in range(1, len(args)):  # the databases take 32-bit positions only
                operand = args[index]
                if operand.literal and operand.type == "number" and not (
                        isinstance(operand.value, int) and 0 <= operand.value <= MAX_POSITION):
                    raise filter_error(f"substring needs whole numbers from 0 to {MAX_POSITION} "
                                       f"as positions and lengths, not {operand.value}",
                                       node.args[index].position)
            start = need("number", 1) + 1
            if len(args) == 3:
                return Operand("string", Substr(need("string"), start, need("number", 2)))
            return Operand("string", Substr(need("string"), start))
        raise filter_error(f"unknown function '{name}'", node.position)


def _is_geo_measure(node) -> bool:
    return isinstance(node, Call) and node.name in GEO_MEASURES


def compile_filter(text: str, entity: EntityType, caller) -> Q:
    return Compiler(entity, caller).condition(parse_filter(text))


def _as_orderby_message(message: str) -> str:
    """A message of the shared expression compiler, worded for $orderby."""
    message = message.replace(" (to-many paths are compared with any semantics only in "
                              "$filter)", " (to-many paths can be used only in $filter)")
    if message.startswith("$filter:"):
        message = "$orderby:" + message[len("$filter:"):]
    return message


def compile_orderby(text: str, entity: EntityType, caller) -> list:
    """$orderby -> ORM ordering expressions. Paths follow to-one navigations only."""
    compiler = Compiler(entity, caller)
    ordering = []
    for node, descending in parse_expression_list(text, "$orderby"):
        try:
            operand = compiler.operand(node)
            if operand.literal:
                continue
            if operand.type == "geometry":
                raise StaError("$orderby: geometries cannot be ordered.", 400)
            if operand.type == "json" and operand.extra.get("keys"):
                # The member as JSON: numbers sort as numbers, strings as text (PostgreSQL's
                # jsonb order puts strings before numbers, SQLite numbers before strings).
                expr = operand.expr
            else:
                expr = compiler.expr(operand, "number")
        except StaError as error:
            raise StaError(_as_orderby_message(error.message), 400) from None
        # No NULLS FIRST/LAST: PostgreSQL could then not read the order from the indexes.
        ordering.append(expr.desc() if descending else expr.asc())
    return ordering


