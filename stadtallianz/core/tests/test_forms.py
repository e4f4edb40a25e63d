from django import forms
from django.core.exceptions import ValidationError

from stadtallianz.core.forms import add_service_errors


class NameForm(forms.Form):
    name = forms.CharField()


def test_a_service_error_is_shown_next_to_its_field_or_above_the_form():
    """Messages for a field of the form go to it; the rest become errors of the whole form."""
    form = NameForm({"name": "x"})
    assert form.is_valid()
    add_service_errors(form, ValidationError({"name": "Taken.", "slug": "Reserved."}))
    add_service_errors(form, ValidationError("Too late."))
    assert form.errors["name"] == ["Taken."]
    assert form.non_field_errors() == ["Reserved.", "Too late."]
