"""Sections a higher app adds to a lower app's page.

A call's page (funding) shows the applications, partner searches and suggested partners for
it, which live in apps above funding; a project's page shows its partner searches. The lower
page names a place (`"funding.call"`) and renders `{% page_sections "funding.call" call %}`
there; a higher app registers a function for that place in its AppConfig.ready. The function
gets the request and the object and returns HTML (a rendered template) or "" when it has
nothing to show to this reader, so each app decides who sees its section by its own rules.
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

Section = Callable[[HttpRequest, object], str]

_SECTIONS: dict[str, list[tuple[int, str, Section]]] = {}


def register(place: str, render: Section, *, order: int = 100) -> None:
    """Adds `render` to `place`; sections show in `order`, then in the order registered. The
    same function registered twice (a second AppConfig.ready in tests) is kept once."""
    name = f"{render.__module__}.{render.__qualname__}"
    sections = _SECTIONS.setdefault(place, [])
    if any(known == name for _order, known, _render in sections):
        return
    sections.append((order, name, render))
    sections.sort(key=lambda section: section[0])


def render(place: str, request: HttpRequest, obj) -> SafeString:
    """The HTML of every section registered for `place`, in order (an unknown place: none)."""
    parts = (section(request, obj) for _order, _name, section in _SECTIONS.get(place, ()))
    return format_html_join("", "{}", ((part,) for part in parts if part))
