"""Forms of living labs: the lab itself, a datastream's privacy and retention, device tokens."""

from django import forms
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.i18n import choice_label
from stadtallianz.core.widgets import GeoJSONPlaceInput
from stadtallianz.partners.models import Organisation
from stadtallianz.projects.forms import MARKDOWN_HELP, GeometryField
from stadtallianz.projects.models import Project
from stadtallianz.sensorthings.models import PrivacyLevel

from . import permissions
from .models import LivingLab

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT_FIELDS = ["name_de", "name_en", "description_de", "description_en", "trial_de", "trial_en",
               "learnings_de", "learnings_en", "permits_de", "permits_en"]
LAB_FIELDS = [*TEXT_FIELDS, "area", "starts_on", "ends_on", "state", "contact_name",
              "contact_email", "default_privacy_level"]
LAB_RELATIONS = ["partners", "projects"]


class LabFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("All states")), *LivingLab.State.choices])


class LabForm(forms.ModelForm):
    area = GeometryField(
        label=_("Area"), widget=GeoJSONPlaceInput(attrs={"rows": 5}),
        help_text=_('GeoJSON geometry (Point, Polygon or MultiPolygon, longitude before '
                    'latitude), e.g. {"type": "Point", "coordinates": [7.6086, 51.9553]}.'))

    class Meta:
        model = LivingLab
        fields = [*LAB_FIELDS, *LAB_RELATIONS]
        widgets = {
            "description_de": forms.Textarea(attrs={"rows": 8}),
            "description_en": forms.Textarea(attrs={"rows": 8}),
            "trial_de": forms.Textarea(attrs={"rows": 4}),
            "trial_en": forms.Textarea(attrs={"rows": 4}),
            "learnings_de": forms.Textarea(attrs={"rows": 6}),
            "learnings_en": forms.Textarea(attrs={"rows": 6}),
            "permits_de": forms.Textarea(attrs={"rows": 3}),
            "permits_en": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DATE, "ends_on": DATE,
            "partners": forms.SelectMultiple(attrs={"size": 8}),
            "projects": forms.SelectMultiple(attrs={"size": 8}),
        }
        help_texts = {name: MARKDOWN_HELP for name in
                      ("description_de", "description_en", "trial_de", "trial_en",
                       "learnings_de", "learnings_en")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = Organisation.objects.public().order_by("name")
        self.fields["projects"].queryset = Project.objects.order_by("title_de")
        self.fields["projects"].label_from_instance = lambda project: choice_label(project, "title")
        if self.instance.pk is None:
            self.fields["operator"] = forms.ModelChoiceField(
                label=_("Operator"), queryset=permissions.operators_for(user),
                help_text=_("The partner organisation that runs the lab; its admins manage it."))
            self.order_fields(["operator", "name_de"])


WINDOWS = [(3600, _("1 hour")), (3 * 3600, _("3 hours")), (6 * 3600, _("6 hours")),
           (24 * 3600, _("1 day"))]


class PrivacyForm(forms.Form):
    """A datastream's privacy level and retention. The rules of a change (no way back from
    aggregated, window at least an hour, …) are ingest.change_privacy's; its errors are shown
    next to the fields."""

    privacy_level = forms.ChoiceField(label=_("Privacy level"), choices=PrivacyLevel.choices)
    aggregation_window = forms.TypedChoiceField(
        label=_("Aggregation window"), choices=WINDOWS, coerce=int, initial=3600,
        help_text=_("Aggregated datastreams only: values are served only as aggregates over "
                    "windows of this length, once a window has closed."))
    counts_people = forms.BooleanField(
        label=_("Counts people"), required=False,
        help_text=_("Aggregated datastreams only: a window with a count below k is withheld."))
    k_threshold = forms.IntegerField(label=_("Smallest count shown (k)"), min_value=2,
                                     max_value=1000, initial=5)
    retention_days = forms.IntegerField(
        label=_("Keep raw observations (days)"), required=False, min_value=1, max_value=36500,
        help_text=_("Older raw observations are deleted every night; hourly aggregates are "
                    "kept. Empty: keep them."))


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What the token is for, e.g. the device it sits in."))


RANGES = [("day", _("Last 24 hours")), ("week", _("Last 7 days")), ("month", _("Last 30 days")),
          ("year", _("Last 12 months")), ("custom", _("Custom: from – to"))]
RANGE_MAX_DAYS = 366


class RangeForm(forms.Form):
    """The time range of the lab page's charts, tables and CSV downloads (URL parameters
    range, from, to; a GET form, so it works without script)."""

    range = forms.ChoiceField(label=_("Time range"), required=False,
                              choices=[("", _("Last 24 hours and 30 days")), *RANGES])
    start = forms.DateField(label=_("From"), required=False, widget=DATE,
                            help_text=_("Only for a custom range: the first day."))
    end = forms.DateField(label=_("To"), required=False, widget=DATE,
                          help_text=_("Only for a custom range: the last day, included."))

    def add_prefix(self, field_name):
        # The URL says from and to ("from" is a Python keyword, so the fields are start, end).
        return {"start": "from", "end": "to"}.get(field_name, field_name)

    def clean(self):
        from datetime import date

        from django.utils import timezone

        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if cleaned.get("range") != "custom":
            return cleaned
        if "start" in cleaned and start is None:
            self.add_error("start", _("Give the first day of the range."))
        if "end" in cleaned and end is None:
            self.add_error("end", _("Give the last day of the range."))
        if start is None or end is None:
            return cleaned
        today = timezone.localdate()
        if start < date(2000, 1, 1):
            self.add_error("start", _("The range cannot start before 2000."))
        elif end < start:
            self.add_error("end", _("The last day must not be before the first."))
        elif start > today:
            self.add_error("start", _("The range cannot start in the future."))
        elif (end - start).days + 1 > RANGE_MAX_DAYS:
            self.add_error("end", _("A range can cover at most %(days)s days.")
                           % {"days": RANGE_MAX_DAYS})
        return cleaned

    def query(self) -> str:
        """The range as URL parameters, for the live refresh and the CSV links ("" for none)."""
        from urllib.parse import urlencode

        if not self.is_bound or not self.is_valid() or not self.cleaned_data["range"]:
            return ""
        params = {"range": self.cleaned_data["range"]}
        if params["range"] == "custom":
            params["from"] = self.cleaned_data["start"].isoformat()
            params["to"] = self.cleaned_data["end"].isoformat()
        return urlencode(params)
