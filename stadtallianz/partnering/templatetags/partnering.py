"""`{% open_notices_for project %}` (or `idea=…`, `call=…`): the open partner searches of a
project, an idea or a call with links to all of them and to post one; the section partnering
adds to those pages (sections.py, core/sections.py)."""

from urllib.parse import urlencode

from django import template

from stadtallianz.funding.models import Call
from stadtallianz.ideas.models import Idea
from stadtallianz.projects.models import Project

from .. import permissions, queries

register = template.Library()


@register.inclusion_tag("partnering/includes/open_notices.html", takes_context=True)
def open_notices_for(context, subject):
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if isinstance(subject, Project):
        notices = queries.open_notices_for(project=subject, user=user)
        query = {"project": subject.slug}
    elif isinstance(subject, Idea):
        notices = queries.open_notices_for(idea=subject, user=user)
        query = {"idea": subject.pk}
    elif isinstance(subject, Call):
        notices = queries.open_notices_for(call=subject, user=user)
        query = {"call": subject.slug}
    else:
        raise template.TemplateSyntaxError("open_notices_for takes a project, an idea or a call")
    return {"notices": list(notices[:10]), "filter_query": urlencode(query),
            "can_post": user is not None and permissions.can_post(user), "user": user}
