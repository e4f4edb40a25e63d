from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.models import FocusArea

from .keys import CHOICES

FIRST_YEAR = 2020


def year_choices():
    return [(year, str(year)) for year in range(timezone.localdate().year + 1, FIRST_YEAR - 1,
                                                -1)]


class FilterForm(forms.Form):
    focus_area = forms.ChoiceField(label=_("Focus area"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int,
                                  empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].choices = [("", _("All focus areas"))] + [
            (area.slug, area.name) for area in FocusArea.objects.active()]
        self.fields["year"].choices = [("", _("All years"))] + year_choices()

    def filters(self) -> dict:
        """The valid filters; an unknown value is dropped (the page shows all)."""
        if not self.is_bound or not self.is_valid():
            return {"focus_area": None, "year": None}
        return {"focus_area": self.cleaned_data["focus_area"] or None,
                "year": self.cleaned_data["year"]}


class TargetForm(forms.Form):
    key = forms.ChoiceField(label=_("Figure"), choices=CHOICES)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    value = forms.DecimalField(label=_("Target value"), min_value=0, max_digits=16,
                               decimal_places=2,
                               help_text=_("In the figure's unit (percent for the data "
                                           "availability, euros for funding)."))
    note = forms.CharField(label=_("Note"), max_length=300, required=False,
                           help_text=_("Where the target comes from, e.g. a council decision."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices()
        self.fields["year"].initial = timezone.localdate().year
