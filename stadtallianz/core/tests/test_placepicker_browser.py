"""The place picker in Chromium (tiles off: MAP_TILE_URL=none): a click on the map fills the
latitude and longitude (with the German decimal comma), dragging the marker moves them, typing
moves the marker, and on a GeoJSON field the map writes the point."""

import json

import pytest
from playwright.sync_api import expect

from conftest import DEMO_PASSWORD
from stadtallianz.sensorthings.tests.conftest import lab  # noqa: F401
from tests.browser.conftest import (  # noqa: F401
    axe_violations,
    browser,
    login,
    page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def test_clicking_fills_the_fields_and_dragging_moves_them(page, live_server,  # noqa: F811
                                                           citizen):
    login(page, live_server, citizen.email, DEMO_PASSWORD, "de")
    page.goto(f"{live_server.url}/de/ideas/new/")
    map_ = page.locator(".place-picker-map")
    expect(map_).to_have_attribute("data-ready", "1")
    assert page.locator("#id_latitude").input_value() == ""
    # Leaflet's controls speak the page's language.
    expect(map_.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Vergrößern")
    map_.click()  # scrolled into view, at its centre
    latitude, longitude = page.locator("#id_latitude"), page.locator("#id_longitude")
    expect(latitude).not_to_have_value("")
    assert "," in latitude.input_value()  # the decimal comma of a German page
    clicked = longitude.input_value()
    first = (_number(latitude.input_value()), _number(clicked))
    assert 51.8 < first[0] < 52.1 and 7.5 < first[1] < 7.8  # Münster, the map's start
    # Drag the marker 80 px right and 60 px down: east and south.
    marker = page.locator(".place-picker-map .leaflet-marker-icon").bounding_box()
    page.mouse.move(marker["x"] + marker["width"] / 2, marker["y"] + marker["height"] - 4)
    page.mouse.down()
    page.mouse.move(marker["x"] + 60, marker["y"] + 40, steps=5)
    page.mouse.move(marker["x"] + 80 + marker["width"] / 2,
                    marker["y"] + 60 + marker["height"] - 4, steps=5)
    page.mouse.up()
    expect(longitude).not_to_have_value(clicked)
    moved = (_number(latitude.input_value()), _number(longitude.input_value()))
    assert moved[0] < first[0] and moved[1] > first[1]
    # Typing moves the marker (the text is the source of truth) and the idea saves.
    before = page.locator(".place-picker-map .leaflet-marker-icon").bounding_box()
    latitude.fill("51,9700")
    longitude.fill("7,6300")
    longitude.press("Tab")
    after = page.locator(".place-picker-map .leaflet-marker-icon").bounding_box()
    assert before != after
    page.fill("#id_title", "Trinkbrunnen")
    page.fill("#id_description", "Mehr Wasser.")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    from stadtallianz.ideas.models import Idea

    idea = Idea.objects.get()
    assert (float(idea.latitude), float(idea.longitude)) == (51.97, 7.63)
    assert page.csp_violations == []


def test_on_a_geojson_field_the_map_writes_the_point(page, live_server, lab,  # noqa: F811
                                                     partner_admin):
    login(page, live_server, partner_admin.email, DEMO_PASSWORD, "en")
    page.goto(f"{live_server.url}/en/living-labs/{lab.slug}/edit/")
    map_ = page.locator(".place-picker-map")
    expect(map_).to_have_attribute("data-ready", "1")
    map_.click()  # scrolled into view, at its centre
    expect(page.locator("#id_area_lat")).not_to_have_value("")
    geometry = json.loads(page.locator("#id_area").input_value())
    assert geometry["type"] == "Point"
    assert geometry["coordinates"] == [_number(page.locator("#id_area_lon").input_value()),
                                       _number(page.locator("#id_area_lat").input_value())]
    assert "." in page.locator("#id_area_lat").input_value()  # English: a decimal point
    assert axe_violations(page) == [] and page.csp_violations == []
