"""What the forms of every app share."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

# Django's empty choice ("---------") shows what to do instead (issue 14, Forms): in the option
# template every select renders (core/templates/django/forms/widgets/select_option.html) and in
# selects that render their options in Python (projects.forms.PlainSelect), through this.
DJANGO_BLANK_LABEL = BLANK_CHOICE_DASH[0][1]
CHOOSE_PROMPT = _("– Please choose –")


def shown_choice_label(label):
    return CHOOSE_PROMPT if label == DJANGO_BLANK_LABEL else label


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Shows a service's ValidationError on the form: each field's messages next to that field,
    the rest (and messages for fields the form does not have) above the form."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)
