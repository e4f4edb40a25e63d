"""Checks GeoJSON geometries (RFC 7946) before they are stored: only Point, Polygon and
MultiPolygon, WGS 84 longitude/latitude within range, closed rings of at least four positions,
and a size limit so one place cannot blow up the map of all projects.

We validate by hand instead of using GEOS/GDAL: the project runs on plain PostgreSQL and SQLite
without PostGIS, and these rules are all the maps need.
"""

import math

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALLOWED_TYPES = ("Point", "Polygon", "MultiPolygon")
MAX_POSITIONS = 5000


def _position(value, where: str) -> tuple[float, float]:
    """Longitude, latitude and an optional altitude, every one a finite number: NaN or
    Infinity cannot be written as JSON (PostgreSQL's jsonb refuses them) and an integer too
    large for a float cannot be compared or drawn."""
    if (not isinstance(value, (list, tuple)) or len(value) not in (2, 3)
            or not all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in value)):
        raise ValidationError(
            _("%(where)s: a position is a list of longitude and latitude, e.g. [7.62, 51.96].")
            % {"where": where}, code="position")
    try:
        numbers = [float(n) for n in value]
    except OverflowError:  # an integer beyond the float range
        numbers = [math.inf]
    if not all(math.isfinite(n) for n in numbers):
        raise ValidationError(_("%(where)s: coordinates must be finite numbers.")
                              % {"where": where}, code="position")
    lon, lat = numbers[0], numbers[1]
    if not -180 <= lon <= 180:
        raise ValidationError(_("%(where)s: longitude %(value)s is outside -180 to 180.")
                              % {"where": where, "value": value[0]}, code="longitude")
    if not -90 <= lat <= 90:
        raise ValidationError(_("%(where)s: latitude %(value)s is outside -90 to 90.")
                              % {"where": where, "value": value[1]}, code="latitude")
    return lon, lat


def _polygon(rings, where: str) -> int:
    if not isinstance(rings, list) or not rings:
        raise ValidationError(_("%(where)s: a polygon is a non-empty list of rings.")
                              % {"where": where}, code="polygon")
    count = 0
    for index, ring in enumerate(rings, start=1):
        ring_where = _("%(where)s, ring %(number)s") % {"where": where, "number": index}
        if not isinstance(ring, list) or len(ring) < 4:
            raise ValidationError(_("%(where)s: a ring needs at least four positions.")
                                  % {"where": ring_where}, code="ring")
        positions = [_position(p, ring_where) for p in ring]
        if positions[0] != positions[-1]:
            raise ValidationError(
                _("%(where)s: the ring is not closed (the last position must equal the first).")
                % {"where": ring_where}, code="ring_open")
        count += len(positions)
    return count


def validate_geometry(geometry) -> dict:
    """Returns the geometry with only the keys we keep; raises ValidationError naming the
    problem."""
    if not isinstance(geometry, dict):
        raise ValidationError(_("The geometry must be a GeoJSON object."), code="type")
    kind = geometry.get("type")
    if kind not in ALLOWED_TYPES:
        raise ValidationError(
            _("Geometry type “%(type)s” is not supported; use Point, Polygon or MultiPolygon.")
            % {"type": kind}, code="type")
    coordinates = geometry.get("coordinates")
    if coordinates is None:
        raise ValidationError(_("The geometry has no coordinates."), code="coordinates")
    if kind == "Point":
        _position(coordinates, _("Point"))
        count = 1
    elif kind == "Polygon":
        count = _polygon(coordinates, _("Polygon"))
    else:
        if not isinstance(coordinates, list) or not coordinates:
            raise ValidationError(_("A MultiPolygon is a non-empty list of polygons."),
                                  code="polygon")
        count = sum(_polygon(polygon, _("Polygon %(number)s") % {"number": index})
                    for index, polygon in enumerate(coordinates, start=1))
    if count > MAX_POSITIONS:
        raise ValidationError(
            _("The geometry has %(count)s positions; at most %(max)s are allowed.")
            % {"count": count, "max": MAX_POSITIONS}, code="size")
    return {"type": kind, "coordinates": coordinates}


def centre(geometry: dict) -> tuple[float, float]:
    """A representative (longitude, latitude): the point, or the mean of the outer ring's
    positions — good enough to place a marker, not a true centroid."""
    if geometry["type"] == "Point":
        return float(geometry["coordinates"][0]), float(geometry["coordinates"][1])
    ring = (geometry["coordinates"][0] if geometry["type"] == "Polygon"
            else geometry["coordinates"][0][0])[:-1]
    return (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
