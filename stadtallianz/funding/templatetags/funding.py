"""`{{ deadline.due_at|countdown }}` ("noch 12 Tage", "heute", "abgelaufen") and
`{{ amount|euro }}` ("2.000.000 €")."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from stadtallianz.core.templatetags.formatting import number

register = template.Library()


def days_left(due_at, now=None) -> int:
    """Calendar days from today to the deadline's day, both in the site's time zone."""
    now = now or timezone.now()
    try:
        day = timezone.localdate(due_at)
    except OverflowError:  # the last moment of 9999 has no local time: its day in UTC
        day = due_at.date()
    return (day - timezone.localdate(now)).days


@register.filter(expects_localtime=False)
def countdown(due_at, now=None):
    if due_at is None:
        return ""
    now = now or timezone.now()
    if due_at < now:
        return gettext("expired")
    days = days_left(due_at, now)
    if days <= 0:
        return gettext("ends today")
    return ngettext("%(count)s day left", "%(count)s days left", days) % {"count": days}


@register.filter
def euro(value):
    if value is None or value == "":
        return ""
    return f"{number(value, 0)}\u00a0€"


@register.filter
def percent(value):
    if value is None or value == "":
        return ""
    text = number(value.normalize() if hasattr(value, "normalize") else value)
    return f"{text}\u00a0%"
