from django import forms
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.models import FocusArea, Principle, SustainableDevelopmentGoal
from stadtallianz.workinggroups.models import WorkingGroup

from . import images, services
from .listing import SORTS
from .models import Idea

MARKDOWN_HELP = _("Markdown: ## headings, **bold**, *italic*, lists, links.")


class IdeaForm(forms.ModelForm):
    # The version the editor started from (optimistic locking); only on edits.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = Idea
        fields = ["title", "description", "focus_areas", "principles", "sdgs", "working_group",
                  "place_name", "latitude", "longitude"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 12}),
            "focus_areas": forms.CheckboxSelectMultiple,
            "principles": forms.CheckboxSelectMultiple,
            "sdgs": forms.CheckboxSelectMultiple,
            "latitude": forms.NumberInput(attrs={"step": "0.000001"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001"}),
        }
        help_texts = {
            "description": MARKDOWN_HELP,
            "working_group": _("The working group that should take up the idea, if you know "
                               "one."),
            "place_name": _("Where the idea would happen, for example a street or a district."),
            "latitude": _("Decimal degrees, for example 51.962. Click on the map to fill it "
                          "in."),
            "longitude": _("Decimal degrees, for example 7.626."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_areas"].queryset = FocusArea.objects.active()
        self.fields["principles"].queryset = Principle.objects.all()
        self.fields["sdgs"].queryset = SustainableDevelopmentGoal.objects.all()
        groups = WorkingGroup.objects.active()
        if self.instance.working_group_id:
            groups = groups | WorkingGroup.objects.filter(pk=self.instance.working_group_id)
        self.fields["working_group"].queryset = groups
        if self.instance.pk:
            self.fields["version"].required = True
            self.initial.setdefault("version", self.instance.version)

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        both_valid = "latitude" in cleaned and "longitude" in cleaned
        if both_valid and (latitude is None) != (longitude is None):
            self.add_error("longitude" if longitude is None else "latitude",
                           _("Give both latitude and longitude, or neither."))
        return cleaned

    def idea_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class NewIdeaForm(IdeaForm):
    """Submission: the idea and, optionally, a first image with its description."""

    image = forms.ImageField(label=_("Image"), required=False, help_text=_(
        "Optional. PNG, JPEG or WebP, at most 5 MB."))
    image_alt = forms.CharField(label=_("Description of the image"), required=False,
                                max_length=300, help_text=_(
                                    "What the image shows, for people who cannot see it."))

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image:
            images.check_image(image)
        return image

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("image") and not cleaned.get("image_alt", "").strip():
            self.add_error("image_alt", _("Describe what the image shows."))
        return cleaned


class ImageForm(forms.Form):
    image = forms.ImageField(label=_("Image"), help_text=_("PNG, JPEG or WebP, at most 5 MB."))
    alt_text = forms.CharField(label=_("Description of the image"), max_length=300,
                               help_text=_("What the image shows, for people who cannot see "
                                           "it."))

    def clean_image(self):
        image = self.cleaned_data["image"]
        images.check_image(image)
        return image


class CoAuthorForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), help_text=_(
        "The address of a registered person's account. You will not be told whether it has "
        "one."))


class StateForm(forms.Form):
    state = forms.ChoiceField(label=_("New state"))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 4}), help_text=_(
                                 "Shown publicly. Required when the idea is declined."))
    merged_into = forms.IntegerField(label=_("Merged into idea number"), required=False,
                                     min_value=1, help_text=_(
                                         "Required when the idea is merged: the number of "
                                         "the idea it goes into (in its address)."))

    def __init__(self, *args, idea: Idea, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [(state, Idea.State(state).label) for state in
                                        Idea.State.values
                                        if state in services.allowed_transitions(idea)]


class IdeaFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)
    focus_area = forms.ChoiceField(label=_("Focus area"), required=False)
    principle = forms.TypedChoiceField(label=_("Guiding principle"), required=False,
                                       coerce=int, empty_value=None)
    sdg = forms.TypedChoiceField(label=_("SDG"), required=False, coerce=int, empty_value=None)
    group = forms.ChoiceField(label=_("Working group"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False)

    def __init__(self, *args, groups=(), focus_areas=(), principles=(), sdgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states")), *Idea.State.choices]
        self.fields["focus_area"].choices = [
            ("", _("All focus areas")), *[(area.slug, area.name) for area in focus_areas]]
        self.fields["principle"].choices = [
            ("", _("All principles")), *[(str(p.number), str(p)) for p in principles]]
        self.fields["sdg"].choices = [
            ("", _("All SDGs")), *[(str(goal.number), str(goal)) for goal in sdgs]]
        self.fields["group"].choices = [
            ("", _("All working groups")), *[(group.slug, group.name) for group in groups]]
        labels = {"newest": _("Newest"), "supported": _("Most supported"),
                  "discussed": _("Most discussed")}
        self.fields["sort"].choices = [(key, labels[key]) for key in SORTS]
