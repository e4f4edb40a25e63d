from django import forms
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.i18n import choice_label, name_choice
from stadtallianz.core.models import FocusArea, Principle, SustainableDevelopmentGoal
from stadtallianz.core.widgets import CoordinateInput, PlacePickerInput
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
            "latitude": PlacePickerInput(),
            "longitude": CoordinateInput(),
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
        self.fields["focus_areas"].label_from_instance = name_choice
        self.fields["principles"].queryset = Principle.objects.all()
        self.fields["sdgs"].queryset = SustainableDevelopmentGoal.objects.all()
        groups = WorkingGroup.objects.active()
        if self.instance.working_group_id:
            groups = groups | WorkingGroup.objects.filter(pk=self.instance.working_group_id)
        self.fields["working_group"].queryset = groups
        self.fields["working_group"].label_from_instance = name_choice
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
    """The decision on an idea. The idea it is merged into is found by its title: a search
    field (`merge_search`, answered as the person types with htmx, or by the "Search" button
    without script) and the results as radio buttons (`merged_into`)."""

    state = forms.ChoiceField(label=_("New state"))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 4}), help_text=_(
                                 "Shown publicly. Required when the idea is declined."))
    merge_search = forms.CharField(
        label=_("Find the idea it is merged into"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Required when the idea is merged: a word of its title (or its number), "
                    "then choose it from the results."))
    merged_into = forms.TypedChoiceField(label=_("Merged into"), required=False, coerce=int,
                                         empty_value=None, widget=forms.RadioSelect)

    def __init__(self, *args, idea: Idea, **kwargs):
        super().__init__(*args, **kwargs)
        self.idea = idea
        self.fields["state"].choices = [("", _("Choose the new state")),
                                        *services.decision_options(idea)]
        query = self.data.get("merge_search", "") if self.is_bound else ""
        self.results = services.search_merge_targets(idea, query)
        chosen = self.data.get("merged_into", "") if self.is_bound else ""
        if chosen.isdecimal() and all(str(r.pk) != chosen for r in self.results):
            # The one chosen before a new search stays choosable (if it still may be chosen).
            self.results = [*services.merge_targets(idea).filter(pk=int(chosen))
                            .only("pk", "title", "state", "created_at"), *self.results]
        self.searched = bool(query.strip())
        self.fields["merged_into"].choices = [
            (target.pk, _("%(title)s (no. %(number)s, %(state)s)") % {
                "title": target.title, "number": target.pk,
                "state": target.get_state_display()})
            for target in self.results]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("state") == Idea.State.MERGED and not cleaned.get("merged_into") \
                and "merged_into" not in self.errors:
            self.add_error("merged_into" if self.results else "merge_search",
                           _("Choose the idea it is merged into."))
        return cleaned


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
            ("", _("All focus areas")), *[(area.slug, choice_label(area, "name"))
                                     for area in focus_areas]]
        self.fields["principle"].choices = [
            ("", _("All principles")), *[(str(p.number), str(p)) for p in principles]]
        self.fields["sdg"].choices = [
            ("", _("All SDGs")), *[(str(goal.number), str(goal)) for goal in sdgs]]
        self.fields["group"].choices = [
            ("", _("All working groups")), *[(group.slug, choice_label(group, "name"))
                                         for group in groups]]
        labels = {"newest": _("Newest"), "supported": _("Most supported"),
                  "discussed": _("Most discussed")}
        self.fields["sort"].choices = [(key, labels[key]) for key in SORTS]
