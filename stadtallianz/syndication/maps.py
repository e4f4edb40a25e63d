"""The projects' map for the widget, drawn on the server as SVG.

A map library (Leaflet: 147 KB of script and 15 KB of style) would not fit the widgets' budget
of 30 KB, and a widget needs no panning: the places are projected in Web Mercator at the zoom
that fits them all, and the tiles under them (MAP_TILE_URL, when set) are placed as images
behind the points. Without tiles the points lie on a plain ground. The same projects are listed
as links below the map, so the map is never the only way in.
"""

import math
from dataclasses import dataclass, field

from django.conf import settings

from stadtallianz.core.geo import centre
from stadtallianz.projects.models import ProjectPlace

WIDTH, HEIGHT = 600, 320
PADDING = 24
TILE = 256
MAX_ZOOM = 15
# A widget shows at most this many places (the page stays small).
MAX_PLACES = 150
MUENSTER = (7.6261, 51.9607)


@dataclass
class Point:
    x: float
    y: float
    title: str
    url: str


@dataclass
class Tile:
    url: str
    x: float
    y: float


@dataclass
class DrawnMap:
    width: int = WIDTH
    height: int = HEIGHT
    points: list[Point] = field(default_factory=list)
    tiles: list[Tile] = field(default_factory=list)
    projects: list[tuple[str, str]] = field(default_factory=list)  # (title, url), once each


def _pixel(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    scale = TILE * 2 ** zoom
    lat = max(min(lat, 85.0), -85.0)
    x = (lon + 180.0) / 360.0 * scale
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) \
        / 2 * scale
    return x, y


def _zoom(positions) -> int:
    """The largest zoom at which every position fits inside the padded frame."""
    for zoom in range(MAX_ZOOM, 0, -1):
        xs, ys = zip(*(_pixel(lon, lat, zoom) for lon, lat in positions), strict=True)
        if (max(xs) - min(xs) <= WIDTH - 2 * PADDING
                and max(ys) - min(ys) <= HEIGHT - 2 * PADDING):
            return zoom
    return 1


def _tile_url(template: str, zoom: int, x: int, y: int) -> str:
    return (template.replace("{s}", "a").replace("{r}", "").replace("{z}", str(zoom))
            .replace("{x}", str(x)).replace("{y}", str(y)))


def project_map() -> DrawnMap:
    """Every project's places (one query), at most MAX_PLACES of them."""
    places = list(ProjectPlace.objects.select_related("project").only(
        "geometry", "project__slug", "project__title_de", "project__title_en")
        .order_by("project__title_de", "project_id", "pk")[:MAX_PLACES])
    drawn = DrawnMap()
    positions = [centre(place.geometry) for place in places]
    zoom = _zoom(positions or [MUENSTER])
    xs, ys = zip(*(_pixel(lon, lat, zoom) for lon, lat in positions or [MUENSTER]), strict=True)
    left = (max(xs) + min(xs)) / 2 - WIDTH / 2
    top = (max(ys) + min(ys)) / 2 - HEIGHT / 2
    seen = set()
    for place, (lon, lat) in zip(places, positions, strict=True):
        x, y = _pixel(lon, lat, zoom)
        url = place.project.get_absolute_url()
        drawn.points.append(Point(round(x - left, 1), round(y - top, 1), place.project.title, url))
        if url not in seen:
            seen.add(url)
            drawn.projects.append((place.project.title, url))
    if settings.MAP_TILE_URL:
        last = 2 ** zoom - 1
        for ty in range(int(top // TILE), int((top + HEIGHT) // TILE) + 1):
            for tx in range(int(left // TILE), int((left + WIDTH) // TILE) + 1):
                if 0 <= tx <= last and 0 <= ty <= last:
                    drawn.tiles.append(Tile(_tile_url(settings.MAP_TILE_URL, zoom, tx, ty),
                                            round(tx * TILE - left, 1), round(ty * TILE - top, 1)))
    return drawn
