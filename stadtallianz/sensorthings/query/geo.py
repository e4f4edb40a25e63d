"""Geospatial `$filter` functions without PostGIS.

Geometries are GeoJSON in JSON columns. A geospatial condition (`st_within(location,
geography'POLYGON((…))')`, `geo.distance(location, geography'POINT(…)') lt 0.01`), parsed by
filter_syntax.py and handed over by the compiler (filter.py), is evaluated with Shapely over
every row of the entity that holds the geometry — Locations, FeaturesOfInterest or
Datastreams' observedArea, a few thousand rows at most — and the condition becomes
`<path>__id__in=[matching ids]`, which the database combines with the rest of the query.
Distances and lengths are in the units of the coordinates (degrees for WGS 84), as with a
PostGIS geometry column; FROST-Server behaves the same.
"""

import operator

import shapely
from django.db.models import Q
from shapely.geometry import shape

from .filter_syntax import MIRROR, Call, Literal, Path, filter_error
from .visibility import visible_queryset

PREDICATES = {
    "geo.intersects": shapely.intersects, "st_intersects": shapely.intersects,
    "st_equals": shapely.equals, "st_disjoint": shapely.disjoint,
    "st_touches": shapely.touches, "st_within": shapely.within,
    "st_overlaps": shapely.overlaps, "st_crosses": shapely.crosses,
    "st_contains": shapely.contains,
}
COMPARE = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "ge": operator.ge,
           "lt": operator.lt, "le": operator.le}


def to_shape(geojson):
    """A Shapely geometry from stored GeoJSON (a geometry or a Feature), or None."""
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    if not isinstance(geojson, dict):
        return None
    try:
        return shape(geojson)
    except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.GEOSException):
        return None


def _geometry_rows(compiler, path: Path):
    """(orm prefix of the holder, [(id, shape)]) for a geometry path like Thing/Locations/…
    (to-one navigations only; to-many ones were turned into subqueries before)."""
    operand = compiler.path(path)
    if operand.type != "geometry":
        raise filter_error(f"{'/'.join(path.parts)} is not a geometry", path.position)
    entity, prefix = operand.extra["entity"], operand.extra["prefix"]
    column = operand.field[len(prefix):]
    # Through the privacy filter like every read (restricted datastreams' observedArea).
    rows = [(pk, to_shape(value)) for pk, value in
            visible_queryset(entity, compiler.caller).values_list("id", column).iterator()]
    return prefix, [(pk, geometry) for pk, geometry in rows if geometry is not None]


def _split_args(node: Call):
    """(path, literal geometry, path_first) of a two-argument geospatial call."""
    first, second = node.args[0], node.args[1]
    if isinstance(first, Path) and isinstance(second, Literal) and second.type == "geometry":
        return first, second.value, True
    if isinstance(second, Path) and isinstance(first, Literal) and first.type == "geometry":
        return second, first.value, False
    raise filter_error(f"{node.name} compares a geometry property with a geometry literal "
                       "such as geography'POINT(7.6 51.9)'", node.position)


def predicate_condition(compiler, node: Call) -> Q:
    path, literal, path_first = _split_args(node)
    prefix, rows = _geometry_rows(compiler, path)
    if node.name == "st_relate":
        pattern = node.args[2]
        if not (isinstance(pattern, Literal) and pattern.type == "string"):
            raise filter_error("st_relate needs a DE-9IM pattern string as third argument",
                               node.position)
        try:
            def test(a, b):
                return shapely.relate_pattern(a, b, pattern.value)
            test(literal, literal)
        except shapely.errors.GEOSException:
            raise filter_error(f"'{pattern.value}' is not a DE-9IM pattern",
                               pattern.position) from None
    else:
        test = PREDICATES[node.name]
    ids = [pk for pk, geometry in rows
           if (test(geometry, literal) if path_first else test(literal, geometry))]
    return Q(**{f"{prefix}id__in": ids})


def measure_condition(compiler, node) -> Q:
    """geo.distance(…) / geo.length(…) compared with a number literal."""
    op, measure, limit = node.op, node.left, node.right
    if not isinstance(measure, Call):
        op, measure, limit = MIRROR[op], node.right, node.left
    if not (isinstance(limit, Literal) and limit.type == "number"):
        raise filter_error(f"{measure.name} can only be compared with a number literal",
                           node.position)
    if measure.name == "geo.length":
        if not isinstance(measure.args[0], Path):
            raise filter_error("geo.length needs a geometry property", measure.position)
        prefix, rows = _geometry_rows(compiler, measure.args[0])
        values = [(pk, geometry.length) for pk, geometry in rows]
    else:
        path, literal, _first = _split_args(measure)
        prefix, rows = _geometry_rows(compiler, path)
        values = [(pk, shapely.distance(geometry, literal)) for pk, geometry in rows]
    compare = COMPARE[op]
    ids = [pk for pk, value in values if compare(value, limit.value)]
    return Q(**{f"{prefix}id__in": ids})


__all__ = ["predicate_condition", "measure_condition", "to_shape"]
