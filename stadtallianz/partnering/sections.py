"""The open partner searches of a project, an idea or a call, as a section of their pages
(core/sections.py): those apps sit below partnering and do not import it."""

from django.template.loader import render_to_string

from .templatetags.partnering import open_notices_for


def open_notices(request, subject) -> str:
    context = open_notices_for({"request": request, "user": request.user}, subject)
    return render_to_string("partnering/includes/open_notices.html", context, request=request)
