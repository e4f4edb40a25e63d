from django import template
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from stadtallianz.core import audit_sentences

register = template.Library()


@register.filter
def waiting_since(value) -> str:
    """How long an item has waited, in whole days: "since today", "for 3 days"."""
    if not value:
        return ""
    days = (timezone.localdate() - timezone.localtime(value).date()).days
    if days <= 0:
        return gettext("since today")
    return ngettext("for %(count)s day", "for %(count)s days", days) % {"count": days}


@register.filter
def sentence(entry) -> str:
    return audit_sentences.sentence(entry)


@register.filter
def changes(entry):
    return audit_sentences.changes(entry)
