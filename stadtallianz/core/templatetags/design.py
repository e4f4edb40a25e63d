"""Template helpers of the design system (docs/architecture.md, "Design system")."""

from django import forms as django_forms
from django import template

from stadtallianz.core import sections

register = template.Library()


def _as_forms(value) -> list:
    """A form, a formset or a list of them, as a flat list of forms (and formsets)."""
    if not value:
        return []
    if isinstance(value, (django_forms.BaseForm, django_forms.BaseFormSet)):
        return [value]
    if isinstance(value, (list, tuple)):
        return [item for entry in value for item in _as_forms(entry)]
    return []


def _target(bound) -> str:
    """The id to link to: the input, or for a group of radio buttons or check boxes (which Django
    labels by a fieldset, not an input) its first option."""
    if bound.id_for_label:
        return bound.id_for_label
    return bound.field.widget.id_for_label(bound.auto_id, "0") or bound.auto_id


def _entries(form, non_field: list, fields: list) -> None:
    if isinstance(form, django_forms.BaseFormSet):
        non_field.extend(form.non_form_errors())
        for member in form.forms:
            _entries(member, non_field, fields)
        return
    if not form.is_bound or not form.errors:
        return
    non_field.extend(form.non_field_errors())
    for bound in form:
        if not bound.errors:
            continue
        if bound.is_hidden:  # nothing to link to: said as the form's error
            non_field.extend(f"{bound.label}: {message}" for message in bound.errors)
            continue
        for message in bound.errors:
            fields.append({"id": _target(bound),
                           "label": str(bound.label).rstrip(" .:"),
                           "message": message})


@register.simple_tag
def error_summary(form=None, forms=None) -> dict:
    """What the error summary above refused forms lists: the forms' own errors, and one entry
    per field error with the field's id (to link to), label and message, in the fields' order."""
    non_field, fields = [], []
    every = _as_forms(form) + _as_forms(forms)
    for each in every:
        _entries(each, non_field, fields)
    first = every[0] if every else None
    key = (getattr(first, "prefix", None) or f"f{id(first):x}") if first else "form"
    return {"non_field": non_field, "fields": fields, "any": bool(non_field or fields),
            "id": f"{key}-error-summary-title"}


@register.simple_tag(takes_context=True)
def page_sections(context, place: str, obj):
    """The sections higher apps add to this page at `place` (core/sections.py)."""
    return sections.render(place, context["request"], obj)


@register.filter
def shown_choice(label):
    """An option's label as every select shows it (core.forms.shown_choice_label: Django's
    empty choice says what to do)."""
    from stadtallianz.core.forms import shown_choice_label

    return shown_choice_label(label)
