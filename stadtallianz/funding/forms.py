"""Forms of the funding pages. A call's form carries its rates per applicant type and its
deadlines as fields of their own; the service checks them together with the call."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.i18n import choice_label, name_choice
from stadtallianz.core.models import FocusArea
from stadtallianz.core.timerange import UTCDateTimeField
from stadtallianz.partners.models import Organisation

from .models import Call, Deadline, Programme

MARKDOWN_HELP = _("Markdown: **bold**, *italic*, lists, links.")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CallFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search"}))
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("Open and forthcoming")), *Call.State.choices,
                                       ("all", _("All states"))])
    focus_area = forms.ChoiceField(label=_("Focus area"), required=False)
    level = forms.ChoiceField(label=_("level"), required=False,
                              choices=[("", _("All levels")), *Programme.Level.choices])
    applicant_type = forms.ChoiceField(
        label=_("Open to"), required=False,
        choices=[("", _("All applicant types")), *Organisation.Type.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].choices = [("", _("All focus areas"))] + [
            (area.slug, choice_label(area, "name")) for area in FocusArea.objects.active()]
        self.fields["level"].label = _("Level")


class ProgrammeForm(forms.ModelForm):
    url = forms.URLField(label=_("link"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Programme
        fields = ["name_de", "name_en", "funder", "level", "description_de", "description_en",
                  "url"]
        widgets = {"description_de": forms.Textarea(attrs={"rows": 5}),
                   "description_en": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"description_de": MARKDOWN_HELP, "description_en": MARKDOWN_HELP}


def rate_field_name(applicant_type: str) -> str:
    return f"rate_{applicant_type}"


DEADLINE_FIELDS = {Deadline.Stage.SINGLE: "deadline_single",
                   Deadline.Stage.FIRST: "deadline_first",
                   Deadline.Stage.SECOND: "deadline_second"}


class CallForm(forms.ModelForm):
    """Times are entered in Europe/Berlin (the same clock as Brussels, where EU deadlines are
    17:00) and stored in UTC."""

    eligible_types = forms.MultipleChoiceField(
        label=_("eligible applicant types"), required=False,
        choices=Organisation.Type.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every type may apply."))
    focus_areas = forms.ModelMultipleChoiceField(
        label=_("focus areas"), required=False, queryset=FocusArea.objects.none(),
        widget=forms.CheckboxSelectMultiple)
    deadline_single = UTCDateTimeField(label=_("Deadline (single stage)"), required=False,
                                       widget=DateTimeInput())
    deadline_first = UTCDateTimeField(label=_("Deadline of the first stage"), required=False,
                                      widget=DateTimeInput())
    deadline_second = UTCDateTimeField(label=_("Deadline of the second stage"),
                                       required=False, widget=DateTimeInput())
    url = forms.URLField(label=_("link to the call"), required=False, max_length=500,
                         assume_scheme="https")
    verified = forms.BooleanField(
        label=_("I have checked these data against the source today."), required=False)

    class Meta:
        model = Call
        fields = ["programme", "source", "source_id", "title_de", "title_en", "summary_de",
                  "summary_en", "state", "opens_on", "total_budget", "min_amount",
                  "max_amount", "expected_grants", "funding_type", "funding_rate", "region",
                  "keywords", "legal_basis", "contact", "url", "links", "checklist"]
        widgets = {"opens_on": DATE,
                   "summary_de": forms.Textarea(attrs={"rows": 5}),
                   "summary_en": forms.Textarea(attrs={"rows": 5}),
                   "contact": forms.Textarea(attrs={"rows": 3}),
                   "links": forms.Textarea(attrs={"rows": 3}),
                   "checklist": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"summary_de": MARKDOWN_HELP, "summary_en": MARKDOWN_HELP}

    RATE_FIELDS = [rate_field_name(value) for value in Organisation.Type.values]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.order_by("name_de")
        self.fields["focus_areas"].queryset = FocusArea.objects.active()
        self.fields["focus_areas"].label_from_instance = name_choice
        for value, label in Organisation.Type.choices:
            self.fields[rate_field_name(value)] = forms.DecimalField(
                label=label, required=False, max_digits=5, decimal_places=2,
                validators=[MinValueValidator(0), MaxValueValidator(100)])
        call = self.instance
        if call.pk:
            self.initial["eligible_types"] = list(call.eligible_types)
            self.initial["focus_areas"] = list(call.focus_areas.all())
            for rate in call.rates.all():
                self.initial[rate_field_name(rate.applicant_type)] = rate.rate
            for deadline in call.deadlines.all():
                self.initial[DEADLINE_FIELDS[deadline.stage]] = deadline.due_at

    def validate_unique(self):
        """The service checks the source identifier, with a message that names it."""

    def model_fields(self):
        return [self[name] for name in self.Meta.fields]

    def rate_fields(self):
        return [self[name] for name in self.RATE_FIELDS]

    def deadline_fields(self):
        return [self[name] for name in DEADLINE_FIELDS.values()]

    def service_arguments(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["eligible_types"] = list(self.cleaned_data["eligible_types"])
        rates = {value: self.cleaned_data[rate_field_name(value)]
                 for value in Organisation.Type.values
                 if self.cleaned_data.get(rate_field_name(value)) is not None}
        deadlines = [{"stage": stage, "due_at": self.cleaned_data[name]}
                     for stage, name in DEADLINE_FIELDS.items() if self.cleaned_data.get(name)]
        return {"data": data, "focus_areas": list(self.cleaned_data["focus_areas"]),
                "rates": rates, "deadlines": deadlines,
                "verified": self.cleaned_data["verified"]}

    def add_service_error(self, error) -> None:
        """The service's errors next to their fields; those on the rates and deadlines next to
        the first rate or deadline field that was filled in."""
        for field, messages in error.message_dict.items():
            if field == "rates":
                target = next((name for name in self.RATE_FIELDS if self.cleaned_data.get(name)
                               is not None), self.RATE_FIELDS[0])
            elif field == "deadlines":
                target = next((name for name in DEADLINE_FIELDS.values()
                               if self.cleaned_data.get(name)), "deadline_single")
            else:
                target = field if field in self.fields else None
            self.add_error(target, messages)
