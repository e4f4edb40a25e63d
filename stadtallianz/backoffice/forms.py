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


class FocusAreaForm(forms.ModelForm):
    class Meta:
        model = FocusArea
        fields = ["slug", "name_de", "name_en", "description_de", "description_en", "position",
                  "is_active"]
        widgets = {"description_de": forms.Textarea(attrs={"rows": 4}),
                   "description_en": forms.Textarea(attrs={"rows": 4})}
