"""API input that names another object (a slug, a number, an e-mail address): one rule for all.

Whatever is sent in such a field — nothing, an empty or blank text, an unknown or impossible
value — the answer is a 422 naming the field, never a server error: an empty text of a required
reference is "required" (it used to reach a service as None), a number no database column can
hold is "unknown" without asking the database (SQLite raises OverflowError on it), and anything
else that names nothing is "unknown". A blank optional reference means "none".
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from .api import NOT_FOUND

# The largest value of the databases' 64-bit integer columns; a larger number names nothing.
MAX_DATABASE_INTEGER = 2**63 - 1


def _normalised(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _impossible(value) -> bool:
    return isinstance(value, int) and not -MAX_DATABASE_INTEGER <= value <= MAX_DATABASE_INTEGER


def unknown(field: str, message: str | None = None) -> ValidationError:
    return ValidationError({field: message or str(NOT_FOUND)}, code="unknown")


def referenced_one(queryset: QuerySet, value, field: str, *, lookup: str = "slug",
                   required: bool = False, message: str | None = None):
    """The one object of `queryset` whose `lookup` is `value`; None for a blank optional one."""
    value = _normalised(value)
    if value is None:
        if required:
            # Django's own message, translated in its catalogue.
            raise ValidationError({field: str(forms.Field.default_error_messages["required"])},
                                  code="required")
        return None
    if _impossible(value):
        raise unknown(field, message)
    found = queryset.filter(**{lookup: value}).first()
    if found is None:
        raise unknown(field, message)
    return found


def referenced_all(queryset: QuerySet, values, field: str, *, lookup: str = "slug") -> list | None:
    """The objects of `queryset` named by `values` (None when the field was not sent); 422
    naming the field and the values that name nothing."""
    if values is None:
        return None
    values = [_normalised(value) for value in values]
    possible = [value for value in values if value is not None and not _impossible(value)]
    found = {getattr(obj, lookup): obj for obj in queryset.filter(**{f"{lookup}__in": possible})}
    missing = [str(value) if value is not None else "''" for value in values
               if value not in found]
    if missing:
        raise ValidationError({field: f"Unknown: {', '.join(missing[:20])}."}, code="unknown")
    return list(found.values())
