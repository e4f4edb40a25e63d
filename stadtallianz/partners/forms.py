from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.i18n import choice_label, name_choice
from stadtallianz.core.models import FocusArea
from stadtallianz.core.widgets import CoordinateInput, PlacePickerInput

from .models import Membership, Offer, Organisation

LOGO_MAX_BYTES = 2 * 1024 * 1024
# Formats as Pillow names them after reading the file; the file name's extension is not trusted.
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


def _formfield(field, **kwargs):
    # A website typed without a scheme is taken as https, as Django 6 will do by default.
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search"}))
    type = forms.ChoiceField(label=_("Type"), required=False)
    focus = forms.ChoiceField(label=_("Focus area"), required=False)
    category = forms.ChoiceField(label=_("Offer category"), required=False)

    def __init__(self, *args, focus_areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("All types")), *Organisation.Type.choices]
        self.fields["focus"].choices = [("", _("All focus areas")),
                                        *[(area.slug, choice_label(area, "name"))
                                          for area in focus_areas]]
        self.fields["category"].choices = [("", _("All categories")), *Offer.Category.choices]


class OrganisationCreateForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "type", "summary_de", "summary_en", "description_de", "description_en",
                  "website"]
        formfield_callback = _formfield


class OrganisationForm(forms.ModelForm):
    focus_areas = forms.ModelMultipleChoiceField(
        label=_("Focus areas"), required=False, queryset=FocusArea.objects.active(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organisation
        fields = ["name", "type", "summary_de", "summary_en", "description_de", "description_en",
                  "website", "logo", "contact_name", "contact_role", "contact_email", "phone",
                  "street", "postal_code", "city", "latitude", "longitude", "focus_areas"]
        help_texts = {
            "contact_email": _("Shown publicly on the profile; leave empty to show none."),
            "phone": _("For example +49 251 492-0."),
            "description_de": _("Markdown is allowed."),
            "description_en": _("Markdown is allowed."),
            "logo": _("PNG, JPEG or WebP, at most 2 MB."),
            "latitude": _("Decimal degrees, for example 51.962944."),
            "longitude": _("Decimal degrees, for example 7.628694."),
        }
        widgets = {"logo": forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/webp"}),
            "latitude": PlacePickerInput(), "longitude": CoordinateInput()}
        formfield_callback = _formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_areas"].label_from_instance = name_choice
        # type="tel": phones show a telephone keypad.
        self.fields["phone"].widget.input_type = "tel"

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        # Only a new upload has to be checked; False means "remove", the stored file was checked.
        if not logo or logo is True or not hasattr(logo, "image"):
            return logo
        if logo.size > LOGO_MAX_BYTES:
            raise ValidationError(
                _("The logo is %(size)s; it may be at most %(max)s."),
                params={"size": filesizeformat(logo.size), "max": filesizeformat(LOGO_MAX_BYTES)},
                code="too_large",
            )
        image_format = getattr(logo.image, "format", None)
        if image_format not in LOGO_FORMATS:
            raise ValidationError(_("Upload a PNG, JPEG or WebP image."), code="format")
        slug = self.instance.slug or "logo"
        logo.name = f"{slug}.{LOGO_FORMATS[image_format]}"
        return logo

    def clean_latitude(self):
        value = self.cleaned_data.get("latitude")
        if value is not None and not -90 <= value <= 90:
            raise ValidationError(_("The latitude must lie between -90 and 90."), code="range")
        return value

    def clean_longitude(self):
        value = self.cleaned_data.get("longitude")
        if value is not None and not -180 <= value <= 180:
            raise ValidationError(_("The longitude must lie between -180 and 180."), code="range")
        return value

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        both_valid = "latitude" in cleaned and "longitude" in cleaned
        if both_valid and (latitude is None) != (longitude is None):
            raise ValidationError(_("Enter both latitude and longitude, or neither."),
                                  code="incomplete_location")
        return cleaned


class OfferForm(forms.ModelForm):
    class Meta:
        model = Offer
        fields = ["kind", "category", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}


class OfferUpdateForm(forms.ModelForm):
    class Meta:
        model = Offer
        fields = ["category", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices,
                             initial=Membership.Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
