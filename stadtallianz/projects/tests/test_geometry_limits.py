"""A geometry typed into a form (project places, a living lab's area) is read within the input
limits (core/jsonlimits): hostile JSON is a form error naming the limit, never a server error."""

import pytest
from django import forms
from django.utils import translation

from stadtallianz.projects.forms import GeometryField


@pytest.mark.parametrize("text, limit", [
    ("[" * 100_000, "depth"),
    ('{"type": "Point", "coordinates": ' + "[" * 40 + "7" + "]" * 40 + "}", "depth"),
    ('{"type": "Point\\ud800", "coordinates": [7.6, 51.9]}', "characters"),
    ('{"type": "Point", "coordinates": [7.6, 51.9], "x": "\\u0000"}', "characters"),
    ('{"type": "Point", "coordinates": [1e999, 51.9]}', "number"),
    ('{"type": "Point", "coordinates": [' + "9" * 5000 + ", 51.9]}", "integer range"),
])
def test_hostile_geometry_text_is_a_form_error_naming_the_limit(text, limit):
    with translation.override("de"), pytest.raises(forms.ValidationError) as caught:
        GeometryField().clean(text)
    (message,) = caught.value.messages
    assert message.startswith("Die Geometrie überschreitet eine Eingabegrenze")
    assert f"limit: {limit}" in message


def test_valid_and_invalid_json():
    assert GeometryField().clean('{"type": "Point", "coordinates": [7.6, 51.9]}') == {
        "type": "Point", "coordinates": [7.6, 51.9]}
    with translation.override("de"), pytest.raises(forms.ValidationError) as caught:
        GeometryField().clean('{"type": ')
    assert caught.value.messages == ["Das ist kein gültiges JSON."]
