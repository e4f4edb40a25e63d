"""Forms of projects. Field checks live in the models (clean) and services, so the forms show
the same errors as the API, each next to its field."""

import json

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from stadtallianz.core import jsonlimits
from stadtallianz.core.forms import shown_choice_label
from stadtallianz.core.i18n import choice_label, name_choice
from stadtallianz.core.models import (
    FocusArea,
    Principle,
    SDGTarget,
    SustainableDevelopmentGoal,
)
from stadtallianz.core.widgets import GeoJSONPlaceInput
from stadtallianz.partners.models import Organisation
from stadtallianz.workinggroups.models import WorkingGroup

from .models import (
    BudgetLine,
    ConsortiumMember,
    Milestone,
    PhasePeriod,
    Project,
    ProjectPlace,
    ProjectSDG,
    ProjectUpdate,
    Result,
)

MARKDOWN_HELP = _("Markdown: ## headings, **bold**, *italic*, lists, links, tables.")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlainSelect(forms.Select):
    """A select rendered in Python: Django's widget renders a template per option, which costs
    milliseconds for the hundreds of organisations in the list's filter."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(v) for v in (value if isinstance(value, (list, tuple)) else [value])
                  if v is not None}
        options = format_html_join("", "<option value=\"{}\"{}{}>{}</option>", (
            (option, mark_safe(" selected") if str(option) in chosen else "",
             format_html(' lang="{}"', label.lang) if getattr(label, "lang", "") else "",
             shown_choice_label(label))
            for option, label in self.choices))
        return format_html("<select{}>{}</select>", flatatt(final), options)


class ProjectFilterForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), required=False, widget=PlainSelect,
                              choices=[("", _("All phases")), *Project.Phase.choices])
    focus_area = forms.ChoiceField(label=_("Focus area"), required=False, widget=PlainSelect)
    principle = forms.ChoiceField(label=_("Guiding principle"), required=False,
                                  widget=PlainSelect)
    sdg = forms.ChoiceField(label=_("SDG"), required=False, widget=PlainSelect)
    group = forms.ChoiceField(label=_("Working group"), required=False, widget=PlainSelect)
    organisation = forms.ChoiceField(label=_("Organisation"), required=False,
                                     widget=PlainSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].choices = [("", _("All focus areas"))] + [
            (f.slug, choice_label(f, "name")) for f in FocusArea.objects.active()]
        self.fields["principle"].choices = [("", _("All principles"))] + [
            (p.slug, str(p)) for p in Principle.objects.all()]
        self.fields["sdg"].choices = [("", _("All SDGs"))] + [
            (str(g.number), str(g)) for g in SustainableDevelopmentGoal.objects.all()]
        self.fields["group"].choices = [("", _("All working groups"))] + [
            (g.slug, choice_label(g, "name"))
            for g in WorkingGroup.objects.only("slug", "name_de", "name_en")
            .filter(pk__in=Project.objects.values("working_group_id")).order_by("name_de")]
        self.fields["organisation"].choices = [("", _("All organisations"))] + list(
            Organisation.objects.public().filter(pk__in=ConsortiumMember.objects.filter(
                state=ConsortiumMember.State.ACCEPTED).values("organisation_id"))
            .order_by("name").values_list("slug", "name"))


class ProjectForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        fields = ["title_de", "title_en", "summary_de", "summary_en", "description_de",
                  "description_en", "phase", "focus_areas", "principles"]
        widgets = {
            "summary_de": forms.Textarea(attrs={"rows": 3}),
            "summary_en": forms.Textarea(attrs={"rows": 3}),
            "description_de": forms.Textarea(attrs={"rows": 12}),
            "description_en": forms.Textarea(attrs={"rows": 12}),
            "focus_areas": forms.CheckboxSelectMultiple,
            "principles": forms.CheckboxSelectMultiple,
        }
        help_texts = {"description_de": MARKDOWN_HELP, "description_en": MARKDOWN_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_areas"].queryset = FocusArea.objects.active()
        self.fields["focus_areas"].label_from_instance = name_choice
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)


class ProjectCreateForm(ProjectForm):
    organisation = forms.ModelChoiceField(
        label=_("Lead organisation"), required=False, queryset=Organisation.objects.none(),
        help_text=_("Your organisation leads the project; you invite partners afterwards."))
    working_group = forms.ModelChoiceField(
        label=_("Working group"), required=False, queryset=WorkingGroup.objects.none(),
        help_text=_("The working group the project belongs to, if any."))

    class Meta(ProjectForm.Meta):
        fields = ["organisation", "working_group", *ProjectForm.Meta.fields]

    def __init__(self, *args, organisations, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["working_group"].queryset = groups
        self.fields["working_group"].label_from_instance = name_choice
        del self.fields["version"]

    def clean(self):
        data = super().clean()
        if not data.get("organisation") and not data.get("working_group"):
            self.add_error("organisation", _(
                "Choose the organisation or the working group the project belongs to."))
        return data


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due", "state", "done_at"]
        widgets = {"due": DATE, "done_at": DATE}


class ProjectUpdateForm(forms.ModelForm):
    class Meta:
        model = ProjectUpdate
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}
        help_texts = {"body": MARKDOWN_HELP}


class ResultForm(forms.ModelForm):
    class Meta:
        model = Result
        fields = ["title", "description", "state", "progress", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}),
                   "progress": forms.NumberInput(attrs={"min": 0, "max": 100})}


class BudgetLineForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["source", "label", "amount", "currency"]
        widgets = {"amount": forms.NumberInput(attrs={"min": 0, "step": "0.01"})}


class GeometryField(forms.CharField):
    """GeoJSON geometry typed (or pasted) as text; the model checks it with core.geo."""

    def prepare_value(self, value):
        if isinstance(value, dict):
            return json.dumps(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return jsonlimits.parse_json(value)  # bounded: docs/api.md "Input limits"
        except jsonlimits.InvalidJson as error:
            if error.limit == "syntax":
                raise forms.ValidationError(_("This is not valid JSON.")) from error
            raise forms.ValidationError(
                _("The geometry exceeds an input limit: %(detail)s"),
                params={"detail": error.message}) from error


class ProjectPlaceForm(forms.ModelForm):
    geometry = GeometryField(
        label=_("Geometry"), widget=GeoJSONPlaceInput(attrs={"rows": 6}),
        help_text=_('GeoJSON geometry (Point, Polygon or MultiPolygon, longitude before '
                    'latitude), e.g. {"type": "Point", "coordinates": [7.6261, 51.9607]}.'))

    class Meta:
        model = ProjectPlace
        fields = ["name", "geometry"]


class TargetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, target):
        return f"{target.code} {target.name}"


class ProjectSDGForm(forms.ModelForm):
    target = TargetChoiceField(label=_("Target"), required=False,
                               queryset=SDGTarget.objects.select_related("goal"),
                               help_text=_("Optional: one of the goal's targets."))

    class Meta:
        model = ProjectSDG
        fields = ["goal", "target"]


class PhasePeriodForm(forms.ModelForm):
    class Meta:
        model = PhasePeriod
        fields = ["phase", "start", "end"]
        widgets = {"start": DATE, "end": DATE}


class InviteForm(forms.Form):
    # Every public partner can be invited: hundreds of options, rendered cheaply.
    organisation = forms.ModelChoiceField(label=_("Organisation"), widget=PlainSelect,
                                          queryset=Organisation.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=[
        (ConsortiumMember.Role.PARTNER, ConsortiumMember.Role.PARTNER.label),
        (ConsortiumMember.Role.ASSOCIATED, ConsortiumMember.Role.ASSOCIATED.label)])

    def __init__(self, *args, project, lead_open=False, **kwargs):
        super().__init__(*args, **kwargs)
        if lead_open:  # a project without a lead organisation may invite one
            self.fields["role"].choices = [
                *self.fields["role"].choices,
                (ConsortiumMember.Role.LEAD, ConsortiumMember.Role.LEAD.label)]
        self.fields["organisation"].queryset = (
            Organisation.objects.public().exclude(pk__in=ConsortiumMember.objects.filter(
                project=project, state__in=[ConsortiumMember.State.INVITED,
                                            ConsortiumMember.State.ACCEPTED])
                .values("organisation")).order_by("name"))
