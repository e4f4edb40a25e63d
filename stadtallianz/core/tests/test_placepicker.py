"""The place picker (core/widgets.py): the map is an addition, the text inputs stay labelled and
the way to give a place; a decimal comma is accepted (and shown on German pages)."""

import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from stadtallianz.core.widgets import GeoJSONPlaceInput, normalise_decimal
from stadtallianz.events.forms import EventForm
from stadtallianz.ideas.forms import IdeaForm
from stadtallianz.ideas.models import Idea
from stadtallianz.livinglabs.forms import LabForm
from stadtallianz.partners.forms import OrganisationForm
from stadtallianz.projects.forms import ProjectPlaceForm


def _labelled(html: str, input_id: str) -> bool:
    return (f'id="{input_id}"' in html
            and re.search(rf'<label[^>]*for="{re.escape(input_id)}"', html) is not None)


def _form_html(form) -> str:
    # Each app's templates render fields with this include; so does this test.
    from django.template.loader import render_to_string

    return "".join(render_to_string("core/includes/form_field.html", {"field": field})
                   for field in form)


@pytest.mark.django_db
@pytest.mark.parametrize("make_form, lat_id, lon_id", [
    (lambda user: OrganisationForm(), "id_latitude", "id_longitude"),
    (lambda user: IdeaForm(), "id_latitude", "id_longitude"),
    (lambda user: EventForm(), "id_latitude", "id_longitude"),
    (lambda user: ProjectPlaceForm(), "id_geometry_lat", "id_geometry_lon"),
    (lambda user: LabForm(user=user), "id_area_lat", "id_area_lon"),
], ids=["organisation", "idea", "event", "project-place", "lab"])
def test_the_widget_renders_in_each_form_with_labelled_text_inputs(make_form, lat_id, lon_id,
                                                                   coordinator):
    html = _form_html(make_form(coordinator))
    assert _labelled(html, lat_id) and _labelled(html, lon_id)
    anchor = re.search(r'<span class="place-picker" hidden data-lat-input="([^"]+)"', html)
    assert anchor and anchor.group(1) == lat_id
    assert "core/js/placepicker.js" in html and "vendor/leaflet/dist/leaflet.js" in html
    assert "<script>" not in html and " style=" not in html  # CSP: nothing inline
    for input_id in (lat_id, lon_id):
        tag = re.search(rf'<input[^>]*id="{input_id}"[^>]*>', html).group(0)
        assert 'type="text"' in tag and 'inputmode="decimal"' in tag


def test_a_decimal_comma_is_a_decimal_point():
    assert normalise_decimal(" 51,9607 ") == "51.9607"
    assert normalise_decimal("51.9607") == "51.9607"
    assert normalise_decimal("1,234.5") == "1,234.5"  # left to the field to refuse


@pytest.mark.django_db
def test_coordinates_are_shown_with_the_page_decimal_separator():
    idea = Idea(latitude=Decimal("51.962600"), longitude=Decimal("7.625600"))
    with translation.override("de"):
        html = str(IdeaForm(instance=idea)["latitude"])
    assert 'value="51,962600"' in html
    with translation.override("en"):
        assert 'value="51.962600"' in str(IdeaForm(instance=idea)["latitude"])
    with translation.override("de"):  # posted again after an error elsewhere
        form = IdeaForm({"title": "", "latitude": "51.9626", "longitude": "7,6"})
        assert not form.is_valid()
        assert 'value="51,9626"' in str(form["latitude"])
        assert 'value="7,6"' in str(form["longitude"])


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "en"])
def test_an_idea_is_placed_by_typed_text_with_a_decimal_comma(citizen, language):
    client = Client()
    client.force_login(citizen)
    with translation.override(language):
        url = reverse("ideas:create")
    response = client.post(url, {"title": "Trinkbrunnen", "description": "Mehr Wasser.",
                                 "latitude": "51,9626", "longitude": "7,6256"})
    assert response.status_code == 302, response.context["form"].errors
    idea = Idea.objects.get()
    assert (idea.latitude, idea.longitude) == (Decimal("51.962600"), Decimal("7.625600"))


@pytest.mark.django_db
def test_a_bad_typed_coordinate_is_an_error_next_to_the_field(citizen):
    client = Client()
    client.force_login(citizen)
    with translation.override("de"):
        response = client.post(reverse("ideas:create"), {
            "title": "T", "description": "D", "latitude": "51,96,1", "longitude": "7,6"})
    assert response.status_code == 400
    assert 'id="id_latitude_error"' in response.content.decode()


def _posted(widget, **data):
    return widget.value_from_datadict(data, {}, "area")


def test_geojson_latitude_and_longitude_compose_a_point():
    widget = GeoJSONPlaceInput()
    value = _posted(widget, area="", area_lat="51,9553", area_lon="7,6086", area_shown=";")
    assert json.loads(value) == {"type": "Point", "coordinates": [7.6086, 51.9553]}


def test_geojson_text_wins_when_the_coordinates_were_not_changed():
    widget = GeoJSONPlaceInput()
    polygon = '{"type": "Polygon", "coordinates": [[[7,51],[8,51],[8,52],[7,51]]]}'
    assert _posted(widget, area=polygon, area_lat="51,5", area_lon="7,5",
                   area_shown="51,5;7,5") == polygon
    assert _posted(widget, area=polygon, area_lat="", area_lon="", area_shown=";") == polygon
    changed = _posted(widget, area='{"type": "Point", "coordinates": [7.5, 51.5]}',
                      area_lat="51,6", area_lon="7,5", area_shown="51,5;7,5")
    assert json.loads(changed)["coordinates"] == [7.5, 51.6]


@pytest.mark.django_db
def test_a_project_place_is_saved_from_typed_coordinates_and_errors_stay_at_the_field():
    with translation.override("de"):
        form = ProjectPlaceForm({"name": "Domplatz", "geometry": "", "geometry_lat": "51,9626",
                                 "geometry_lon": "7,6256", "geometry_shown": ";"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["geometry"] == {"type": "Point", "coordinates": [7.6256, 51.9626]}
        bad = ProjectPlaceForm({"name": "Domplatz", "geometry": "", "geometry_lat": "abc",
                                "geometry_lon": "7,6", "geometry_shown": ";"})
        assert not bad.is_valid() and "geometry" in bad.errors
        assert 'id="id_geometry_lat" value="abc"' in str(bad["geometry"])  # kept to correct


@pytest.mark.django_db
def test_a_point_in_the_geojson_fills_the_latitude_and_longitude_inputs():
    with translation.override("de"):
        html = str(ProjectPlaceForm(initial={
            "geometry": {"type": "Point", "coordinates": [7.6256, 51.9626]}})["geometry"])
    assert 'id="id_geometry_lat" value="51,9626"' in html
    assert 'id="id_geometry_lon" value="7,6256"' in html
