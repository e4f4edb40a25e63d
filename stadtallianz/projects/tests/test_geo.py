import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from stadtallianz.core.geo import MAX_POSITIONS, centre, validate_geometry


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield

RING = [[7.62, 51.96], [7.63, 51.96], [7.63, 51.97], [7.62, 51.97], [7.62, 51.96]]


@pytest.mark.parametrize("geometry", [
    {"type": "Point", "coordinates": [7.6261, 51.9607]},
    {"type": "Point", "coordinates": [-180, 90, 55.5]},
    {"type": "Polygon", "coordinates": [RING]},
    {"type": "MultiPolygon", "coordinates": [[RING], [RING]]},
])
def test_valid_geometries_are_kept_without_extra_keys(geometry):
    assert validate_geometry({**geometry, "bbox": [0, 0, 1, 1]}) == geometry


@pytest.mark.parametrize(("geometry", "message"), [
    ("POINT(7 51)", "must be a GeoJSON object"),
    ({"type": "LineString", "coordinates": [[7, 51], [8, 52]]}, "LineString"),
    ({"type": "Point"}, "no coordinates"),
    ({"type": "Point", "coordinates": [7.6]}, "list of longitude and latitude"),
    ({"type": "Point", "coordinates": ["7", "51"]}, "list of longitude and latitude"),
    ({"type": "Point", "coordinates": [True, 51]}, "list of longitude and latitude"),
    ({"type": "Point", "coordinates": [181, 51]}, "longitude 181 is outside"),
    ({"type": "Point", "coordinates": [7, -91]}, "latitude -91 is outside"),
    ({"type": "Point", "coordinates": [7, float("nan")]}, "finite"),
    ({"type": "Point", "coordinates": [7, 51, float("nan")]}, "finite"),
    ({"type": "Point", "coordinates": [7, 51, float("inf")]}, "finite"),
    ({"type": "Point", "coordinates": [10 ** 400, 51]}, "finite"),
    ({"type": "Point", "coordinates": [7, 51, -(10 ** 400)]}, "finite"),
    ({"type": "Polygon", "coordinates": [[[*p, float("nan")] for p in RING]]}, "finite"),
    ({"type": "Polygon", "coordinates": []}, "non-empty list of rings"),
    ({"type": "Polygon", "coordinates": [RING[:3]]}, "at least four positions"),
    ({"type": "Polygon", "coordinates": [RING[:4] + [[7.0, 51.0]]]}, "ring 1: the ring is not "
                                                                     "closed"),
    ({"type": "MultiPolygon", "coordinates": [[RING], [[[7, 51]] * 3]]}, "Polygon 2"),
    ({"type": "MultiPolygon", "coordinates": []}, "non-empty list of polygons"),
])
def test_bad_geometries_are_refused_naming_the_problem(geometry, message):
    with pytest.raises(ValidationError) as error:
        validate_geometry(geometry)
    assert message in error.value.messages[0]


def test_size_limit():
    ring = [[7 + i / 1e6, 51] for i in range(MAX_POSITIONS)] + [[7, 51]]
    with pytest.raises(ValidationError, match="at most"):
        validate_geometry({"type": "Polygon", "coordinates": [ring]})


def test_centre():
    assert centre({"type": "Point", "coordinates": [7, 51]}) == (7.0, 51.0)
    lon, lat = centre({"type": "Polygon", "coordinates": [RING]})
    assert lon == pytest.approx(7.625) and lat == pytest.approx(51.965)
