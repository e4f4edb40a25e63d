"""The "suggested partners" sections matchmaking adds to the pages of a project, a call and a
partner-search notice (core.sections; registered in MatchmakingConfig.ready).

The section is a placeholder that loads the suggestions when it scrolls into view (htmx,
`hx-trigger="revealed"`), with a link to the suggestions page for a browser without JavaScript:
the embedding page pays no ranking and keeps its query count. Shown only to those who may see
suggestions (permissions.py); "" for everyone else.
"""

from django.template.loader import render_to_string
from django.urls import reverse

from .models import Kind
from .permissions import can_see_suggestions

# place -> (kind, URL name, the keyword argument and the attribute that fills it)
PLACES = {
    "projects.project": (Kind.PROJECT, "matchmaking:project", "slug", "slug"),
    "funding.call": (Kind.CALL, "matchmaking:call", "slug", "slug"),
    "partnering.notice": (Kind.NOTICE, "matchmaking:notice", "pk", "pk"),
}


def section_for(place: str):
    kind, url_name, keyword, attribute = PLACES[place]

    def render(request, obj) -> str:
        if not can_see_suggestions(request.user):
            return ""
        url = reverse(url_name, kwargs={keyword: getattr(obj, attribute)})
        return render_to_string("matchmaking/section.html",
                                {"url": url, "kind": kind, "subject": obj}, request=request)

    render.__qualname__ = f"suggested_partners_{kind}"
    return render


def register() -> None:
    from stadtallianz.core import sections

    for place in PLACES:
        sections.register(place, section_for(place), order=300)
