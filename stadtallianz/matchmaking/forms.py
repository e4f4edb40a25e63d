from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Kind


class DismissForm(forms.Form):
    """The hidden fields of a "not relevant" (or "show again") button."""

    subject_kind = forms.ChoiceField(label=_("suggestions for"), choices=Kind.choices)
    subject_id = forms.IntegerField(label=_("suggestions for (number)"), min_value=1,
                                    max_value=2**63 - 1)
    object_kind = forms.ChoiceField(label=_("suggestion"), choices=Kind.choices)
    object_id = forms.IntegerField(label=_("suggestion (number)"), min_value=1,
                                   max_value=2**63 - 1)
    next = forms.CharField(required=False, max_length=2000)
