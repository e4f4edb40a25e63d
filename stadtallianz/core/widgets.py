"""Form widgets shared by the apps.

The place picker: a place is given by clicking on a map or dragging its marker, and the
latitude and longitude stay text inputs (the keyboard's way, and the source of truth: the map
follows them and they follow the map). Without script the inputs are all there is and work
alone. core/static/core/js/placepicker.js draws the map (Leaflet, with MAP_TILE_URL's tiles or
a plain background); the widget's template loads it, so a form only names the widget:

- a latitude/longitude pair of number fields: PlacePickerInput on the latitude (naming its
  longitude field), CoordinateInput on the longitude;
- a GeoJSON geometry field (a point or an area): GeoJSONPlaceInput, which adds latitude and
  longitude inputs that compose a Point (an area is still given as GeoJSON text).

Coordinates are shown with the page's decimal separator (a comma on German pages) and accepted
with a comma or a point in any language.
"""

import json
import math
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext_lazy as _


def normalise_decimal(value):
    """'51,9607' → '51.9607': one decimal comma (and no point) is a decimal point; spaces go."""
    if not isinstance(value, str):
        return value
    value = value.strip().replace(" ", "").replace("\u00a0", "")
    if value.count(",") == 1 and "." not in value:
        value = value.replace(",", ".")
    return value


def _shown_number(value) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, float):
        value = Decimal(str(round(value, 7)))
    if isinstance(value, str):  # posted again after an error: a number shown as the page's
        try:
            value = Decimal(normalise_decimal(value))
        except ArithmeticError:
            return value  # not a number: as typed, next to its error
        if not value.is_finite():
            return str(value)
    if isinstance(value, Decimal):
        return formats.localize_input(value)
    return str(value)


def _map_attrs() -> dict:
    return {
        "tile_url": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "decimal_separator": formats.get_format("DECIMAL_SEPARATOR"),
    }


class CoordinateInput(forms.TextInput):
    """A latitude or a longitude as text: a decimal comma or point, the page's shown."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false",
                          **(attrs or {})})

    def format_value(self, value):
        return _shown_number(value) or None

    def value_from_datadict(self, data, files, name):
        return normalise_decimal(super().value_from_datadict(data, files, name))


class PlacePickerInput(CoordinateInput):
    """The latitude of a pair, with the map that sets it and its longitude (the field named
    `longitude` of the same form and prefix)."""

    template_name = "core/widgets/placepicker.html"

    def __init__(self, attrs=None, *, longitude: str = "longitude"):
        super().__init__(attrs)
        self.longitude = longitude

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        prefix = name.rsplit("-", 1)[0] + "-" if "-" in name else ""
        context["picker"] = {**_map_attrs(), "lat_id": context["widget"]["attrs"].get("id", ""),
                             "lon_name": prefix + self.longitude}
        return context


def _point_of(value) -> tuple[str, str]:
    """The latitude and longitude of a GeoJSON Point as shown, or two empty strings."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return "", ""
    if isinstance(value, dict) and value.get("type") == "Point":
        coordinates = value.get("coordinates")
        if isinstance(coordinates, list) and len(coordinates) == 2 and all(
                _showable(c) for c in coordinates):
            return _coordinate_text(coordinates[1]), _coordinate_text(coordinates[0])
    return "", ""


def _showable(coordinate) -> bool:
    if isinstance(coordinate, str):  # typed text that is no number, shown again with its error
        return True
    return (isinstance(coordinate, int | float) and not isinstance(coordinate, bool)
            and math.isfinite(coordinate))


def _coordinate_text(coordinate) -> str:
    return coordinate if isinstance(coordinate, str) else _shown_number(Decimal(str(coordinate)))


def _number_or_text(text: str):
    try:
        number = float(text)
    except ValueError:
        return text  # the geometry check names it: coordinates must be finite numbers
    return number


class GeoJSONPlaceInput(forms.Textarea):
    """A GeoJSON geometry as text, with latitude and longitude inputs for a point and the map.

    The posted value: the latitude and longitude when they were changed (then they make a
    Point; both emptied leaves the text), otherwise the GeoJSON text. With script the three stay
    in step, so both ways agree."""

    template_name = "core/widgets/geojson_place.html"

    def __init__(self, attrs=None):
        super().__init__({"rows": 4, "spellcheck": "false", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        latitude, longitude = _point_of(value)
        base = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["picker"] = {**_map_attrs(), "geojson_id": base, "lat_id": f"{base}_lat",
                             "lon_id": f"{base}_lon", "latitude": latitude,
                             "longitude": longitude, "shown": f"{latitude};{longitude}"}
        return context

    def value_from_datadict(self, data, files, name):
        text = data.get(name)
        latitude = normalise_decimal(data.get(f"{name}_lat", "") or "")
        longitude = normalise_decimal(data.get(f"{name}_lon", "") or "")
        shown = [normalise_decimal(part) for part in (data.get(f"{name}_shown") or ";")
                 .split(";", 1)]
        if f"{name}_lat" not in data or [latitude, longitude] == shown:
            return text
        if not latitude and not longitude:
            return text
        coordinates = [_number_or_text(longitude), _number_or_text(latitude)]
        if not latitude or not longitude:
            coordinates = [c for c in coordinates if c != ""]
        return json.dumps({"type": "Point", "coordinates": coordinates})

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_lat" not in data


LATITUDE_LABEL = _("Latitude")
LONGITUDE_LABEL = _("Longitude")
