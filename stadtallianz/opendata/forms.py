"""The forms of the partners' datasets and of the coordination office's review. The choices come
from the vocabularies (vocabularies.py), made when the form is made so that their labels follow
the reader's language; the services check everything again."""

import json

from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.models import FocusArea

from .vocabularies import FILE_TYPES, FREQUENCIES, LICENCES, THEMES


class DatasetForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Publisher"), queryset=None,
        help_text=_("The partner organisation that offers the data."))
    title_de = forms.CharField(label=_("Title (German)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    description_de = forms.CharField(label=_("Description (German)"), max_length=20000,
                                     widget=forms.Textarea(attrs={"rows": 6}),
                                     help_text=_("What the data contains, how it is collected "
                                                 "and what it may be used for. Markdown."))
    description_en = forms.CharField(label=_("Description (English)"), max_length=20000,
                                     required=False, widget=forms.Textarea(attrs={"rows": 6}))
    contact_name = forms.CharField(label=_("Contact"), max_length=200,
                                   help_text=_("A team or role rather than a person, e.g. "
                                               "“Open-Data-Team”."))
    contact_email = forms.EmailField(label=_("Contact e-mail"),
                                     help_text=_("A role address that stays valid."))
    licence = forms.ChoiceField(label=_("Licence"))
    themes = forms.MultipleChoiceField(label=_("Themes"), widget=forms.CheckboxSelectMultiple,
                                       help_text=_("The EU data themes the data belongs to."))
    focus_areas = forms.ModelMultipleChoiceField(
        label=_("Focus areas"), queryset=FocusArea.objects.active().order_by("position", "pk"),
        required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("The alliance's focus areas the data serves."))
    keywords = forms.CharField(label=_("Keywords"), max_length=1000, required=False,
                               help_text=_("Separated by commas."))
    accrual_periodicity = forms.ChoiceField(label=_("Update frequency"))
    temporal_start = forms.DateField(label=_("Covers from"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    temporal_end = forms.DateField(label=_("Covers until"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    spatial = forms.CharField(
        label=_("Spatial coverage (GeoJSON)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A GeoJSON geometry (Point, Polygon, MultiPolygon). Empty: the whole "
                    "municipality."))

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations
        self.fields["licence"].choices = LICENCES.choices()
        self.fields["themes"].choices = THEMES.choices()
        self.fields["accrual_periodicity"].choices = FREQUENCIES.choices()

    def clean_keywords(self):
        return [word.strip() for word in self.cleaned_data["keywords"].split(",")
                if word.strip()]

    def clean_spatial(self):
        text = self.cleaned_data["spatial"].strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("Enter valid GeoJSON.")) from None

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("organisation", None)
        return data

    @staticmethod
    def initial_of(dataset) -> dict:
        return {"title_de": dataset.title_de, "title_en": dataset.title_en,
                "description_de": dataset.description_de,
                "description_en": dataset.description_en,
                "contact_name": dataset.contact_name, "contact_email": dataset.contact_email,
                "licence": dataset.licence, "themes": dataset.themes,
                "focus_areas": list(dataset.focus_areas.all()),
                "keywords": ", ".join(dataset.keywords or []),
                "accrual_periodicity": dataset.accrual_periodicity,
                "temporal_start": dataset.temporal_start, "temporal_end": dataset.temporal_end,
                "spatial": json.dumps(dataset.spatial) if dataset.spatial else ""}


class DistributionForm(forms.Form):
    title_de = forms.CharField(label=_("Title of the link (German)"), max_length=200)
    title_en = forms.CharField(label=_("Title of the link (English)"), max_length=200,
                               required=False)
    access_url = forms.URLField(label=_("Web address"), max_length=1000, assume_scheme="https",
                                help_text=_("Where the file or the interface is, starting "
                                            "with https://."))
    file_type = forms.ChoiceField(label=_("Format"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's blank choice, which the site shows as its prompt ("– Bitte wählen –").
        self.fields["file_type"].choices = [*BLANK_CHOICE_DASH, *FILE_TYPES.choices()]


DistributionFormSet = forms.formset_factory(DistributionForm, extra=1, can_delete=True,
                                            max_num=50, validate_max=True)


def distributions_of(formset) -> list[dict]:
    return [{name: form.cleaned_data[name] for name in ("title_de", "title_en", "access_url",
                                                          "file_type")}
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[("publish", _("Publish the dataset")),
                 ("return", _("Return it for changes"))])
    note = forms.CharField(label=_("Note to the partner"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Needed when you return the dataset: what should "
                                       "change."))
