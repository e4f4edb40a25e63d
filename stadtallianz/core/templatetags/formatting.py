"""Dates and numbers in the reader's language (issue 14, "Dates and numbers").

`{{ event|daterange }}` (or `{{ start|daterange:end }}`) says when something happens, the date
once for a time within one day:

- de: "12. Dezember 2026, 17:00–19:00 Uhr"; across days
  "12. Dezember 2026, 17:00 Uhr – 13. Dezember 2026, 12:00 Uhr"
- en: "12 December 2026, 17:00–19:00"; across days
  "12 December 2026, 17:00 – 13 December 2026, 12:00"

`{{ value|longdate }}` is the date alone ("12. Dezember 2026" / "12 December 2026"),
`{{ value|number }}` and `{{ value|number:2 }}` a number with the language's decimal and
thousands separators ("1.234,5" / "1,234.5"). Times are shown in the site's time zone
(settings.TIME_ZONE, Europe/Berlin), each moment with its own offset, so a range across a
change of daylight saving time is right at both ends. The formats themselves are in
core/formats (settings.FORMAT_MODULE_PATH).
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext

from stadtallianz.core import timerange

register = template.Library()


def _local(value):
    """A stored moment as the reader sees it: local to the site (UTC beyond year 9999)."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timerange.shown(value)
    return value


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _time(value) -> str:
    return formats.time_format(value, "H:i")


def format_range(start, end=None) -> str:
    """The text of `daterange`, for Python code (e-mails, exports) as well as templates."""
    if start is None:
        return ""
    start = _local(start)
    if not isinstance(start, datetime):
        if end is None or end == start:
            return _date(start)
        return gettext("%(start)s – %(end)s") % {"start": _date(start), "end": _date(end)}
    if end is None:
        return gettext("%(date)s, %(time)s") % {"date": _date(start), "time": _time(start)}
    end = _local(end)
    if end.date() == start.date():
        # Translators: an event within one day; German adds "Uhr".
        return gettext("%(date)s, %(start)s–%(end)s") % {
            "date": _date(start), "start": _time(start), "end": _time(end)}
    # Translators: an event across days; German adds "Uhr" after each time.
    return gettext("%(start_date)s, %(start)s – %(end_date)s, %(end)s") % {
        "start_date": _date(start), "start": _time(start),
        "end_date": _date(end), "end": _time(end)}


@register.filter(expects_localtime=False)
def daterange(value, end=None):
    """`{{ event|daterange }}` (an object with starts_at and ends_at), or
    `{{ start|daterange:end }}`."""
    if value is None or value == "":
        return ""
    if hasattr(value, "starts_at"):
        return format_range(value.starts_at, getattr(value, "ends_at", None))
    return format_range(value, end or None)


@register.filter(expects_localtime=False)
def longdate(value):
    """The date alone: "12. Dezember 2026" / "12 December 2026"."""
    if value is None or value == "":
        return ""
    value = _local(value)
    if isinstance(value, datetime | date):
        return _date(value)
    return value


@register.filter(expects_localtime=False)
def longdatetime(value):
    """A moment: "12. Dezember 2026, 17:00 Uhr" / "12 December 2026, 17:00"."""
    if value is None or value == "":
        return ""
    return format_range(value)


@register.filter(is_safe=True)
def number(value, decimal_places=None):
    """A number in the reader's language, thousands grouped: "1.234,56" on German pages.

    With an argument, that many decimal places; without, as many as the value has."""
    if value is None or value == "":
        return ""
    try:
        value = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return value
    places = None
    if decimal_places not in (None, ""):
        try:
            places = int(decimal_places)
        except (TypeError, ValueError):
            places = None
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places)) if places >= 0 else value
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter(is_safe=True)
def coordinate(value):
    """A latitude or longitude in decimal degrees, six places, without grouping: "51,962944"."""
    if value is None or value == "":
        return ""
    try:
        value = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError, TypeError):
        return value
    return formats.number_format(value, decimal_pos=6, use_l10n=True)


# A card's summary is at most this long (characters), cut at a word and ended with "…".
SUMMARY_LENGTH = 160


def plain_summary_of(source: str, length: int = SUMMARY_LENGTH) -> str:
    """The beginning of a Markdown text as one line of plain text: no markup, no headings' #,
    no link targets, at most `length` characters, cut at a word."""
    import html

    from django.utils.html import strip_tags

    from stadtallianz.core.markdown import render_markdown

    # Only the beginning is rendered: a card never shows more.
    rendered = str(render_markdown((source or "")[: length * 4]))
    # A heading runs into the text after it: "Warum: Das macht …", not "Warum Das macht …".
    rendered = re.sub(r"([^.!?:;])\s*</h[1-6]>", r"\1:</h>", rendered)
    # Blocks end in a space, so that paragraphs and list items do not run together.
    rendered = re.sub(r"(</(?:p|h|h[1-6]|li|td|th|pre|blockquote)>|<br ?/?>)", r" \1", rendered)
    text = " ".join(html.unescape(strip_tags(rendered)).split())
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    if " " in cut[length // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-–") + "…"


@register.filter
def plain_summary(value, length=SUMMARY_LENGTH):
    """`{{ idea.description|plain_summary }}`: the first ~160 characters as plain text."""
    try:
        length = int(length)
    except (TypeError, ValueError):
        length = SUMMARY_LENGTH
    return plain_summary_of(value or "", length)


@register.filter
def largest(items, attribute):
    """The largest value of `attribute` among `items` (0 for none): the scale of a list's
    relative bars, e.g. `page.object_list|largest:"support_count"`. Reads what is loaded."""
    values = [getattr(item, attribute, 0) or 0 for item in items or ()]
    return max(values, default=0)
