from django import forms
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.models import FocusArea
from stadtallianz.partners.models import Organisation


class PartnerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        help_text=_("Name, address name or city."))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *Organisation.Status.choices])
    type = forms.ChoiceField(label=_("Type"), required=False,
                             choices=[("", _("All types")), *Organisation.Type.choices])


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=100,
                             help_text=_("For example: partner.signature"))
    actor = forms.CharField(label=_("Actor (e-mail address contains)"), required=False,
                            max_length=254)
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return cleaned


class FocusAreaForm(forms.ModelForm):
    class Meta:
        model = FocusArea
        fields = ["slug", "name_de", "name_en", "description_de", "description_en", "position",
                  "is_active"]
        widgets = {"description_de": forms.Textarea(attrs={"rows": 4}),
                   "description_en": forms.Textarea(attrs={"rows": 4})}
