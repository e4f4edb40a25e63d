"""A higher app's section appears on a lower app's page, in order, escaped unless marked safe,
and only where it has something for the reader."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils.html import format_html

from stadtallianz.core import sections


@pytest.fixture
def place():
    name = "tests.example"
    yield name
    sections._SECTIONS.pop(name, None)


def first(request, obj):
    return format_html("<section>first for {}</section>", obj)


def second(request, obj):
    return "<b>not marked safe</b>" if request.GET.get("show") else ""


def render(place, query=""):
    template = Template('{% load design %}{% page_sections place obj %}')
    request = RequestFactory().get("/" + query)
    return template.render(Context({"request": request, "place": place, "obj": "Aufruf <1>"}))


def test_sections_render_in_order_and_escape_what_is_not_marked_safe(place):
    sections.register(place, second, order=20)
    sections.register(place, first, order=10)
    assert render(place, "?show=1") == ("<section>first for Aufruf &lt;1&gt;</section>"
                                        "&lt;b&gt;not marked safe&lt;/b&gt;")


def test_a_section_with_nothing_for_the_reader_and_an_unknown_place_render_nothing(place):
    sections.register(place, second)
    assert render(place) == ""
    assert render("tests.nowhere") == ""


def test_a_section_registered_twice_shows_once(place):
    sections.register(place, first)
    sections.register(place, first)
    assert render(place).count("<section>") == 1
