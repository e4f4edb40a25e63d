import json

from django import template

register = template.Library()


@register.filter
def as_json(value) -> str:
    """An audit entry's before/after as compact JSON, as the CSV export shows it too."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
