"""`{% latest_articles group %}` and `{% documents_for group|event|article %}`: the knowledge
sections of the group, event and article pages, with only what the person looking may see."""

from django import template

from stadtallianz.events.models import Event
from stadtallianz.workinggroups.models import WorkingGroup

from .. import permissions
from ..models import Article
from ..views import documents_of

register = template.Library()
LATEST = 3


@register.inclusion_tag("knowledge/includes/latest_articles.html", takes_context=True)
def latest_articles(context, group, limit=LATEST):
    user = context["request"].user
    articles = list(Article.objects.visible_to(user).filter(group=group).listed()[:limit])
    for article in articles:
        article.group = group
    return {"group": group, "articles": articles, "LANGUAGE_CODE": context.get("LANGUAGE_CODE"),
            "can_create": permissions.can_write_in(user, group)}


@register.inclusion_tag("knowledge/includes/documents.html", takes_context=True)
def documents_for(context, parent):
    user = context["request"].user
    if isinstance(parent, WorkingGroup):
        field = "group"
    elif isinstance(parent, Event):
        field = "event"
    elif isinstance(parent, Article):
        field = "article"
    else:
        raise template.TemplateSyntaxError("documents_for takes a group, an event or an article")
    return {"documents": list(documents_of(user, **{field: parent})), "parent": parent,
            "parent_field": field, "prefix": field,
            "can_upload": permissions.can_upload_to(user, **{field: parent})}
