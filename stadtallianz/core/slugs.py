"""Readable, unique address names (slugs) for organisations, groups, events, …"""

from django.db import models
from django.utils.text import slugify

# German letters slugify would only strip ("Münster" -> "munster"); spelt out they stay readable.
_GERMAN_LETTERS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe",
                                 "Ü": "Ue", "ß": "ss"})


def unique_slug(queryset: models.QuerySet, text: str, *, fallback: str,
                reserved: frozenset[str] = frozenset(), max_length: int = 200) -> str:
    """`text` slugified, with -2, -3, … when the slug is taken in `queryset` or `reserved`
    (path segments that are routes of their own)."""
    base = slugify(text.translate(_GERMAN_LETTERS))[:max_length].strip("-") or fallback
    taken = set(queryset.filter(slug__startswith=base).values_list("slug", flat=True)) | reserved
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
