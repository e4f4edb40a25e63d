from django import template

from ..charts import number

register = template.Library()


@register.filter
def cell(value):
    """A table cell: numbers localised (decimal comma on German pages), text as it is."""
    if isinstance(value, bool) or value is None:
        return "–" if value is None else value
    if isinstance(value, (int, float)) or hasattr(value, "as_tuple"):
        return number(value)
    return value
