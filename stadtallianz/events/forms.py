from django import forms
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.i18n import choice_label, name_choice
from stadtallianz.core.timerange import UTCDateTimeField
from stadtallianz.core.widgets import CoordinateInput, PlacePickerInput
from stadtallianz.workinggroups.models import WorkingGroup

from .models import Event

MARKDOWN_HELP = _("Markdown: **bold**, *italic*, lists, links.")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EventForm(forms.ModelForm):
    """Times are entered in Europe/Berlin (the site's time zone) and stored in UTC."""

    online_link = forms.URLField(label=_("online link"), required=False, assume_scheme="https",
                                 help_text=_("Shown only to registered attendees."))

    class Meta:
        model = Event
        fields = ["title_de", "title_en", "description_de", "description_en", "format",
                  "starts_at", "ends_at", "address", "latitude", "longitude", "room_notes",
                  "accessibility_notes", "online_link", "capacity", "visibility", "agenda",
                  "minutes"]
        # Odd offsets sent by hand become UTC; the range is the model's validator.
        field_classes = {"starts_at": UTCDateTimeField, "ends_at": UTCDateTimeField}
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "description_de": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "room_notes": forms.Textarea(attrs={"rows": 2}),
            "accessibility_notes": forms.Textarea(attrs={"rows": 2}),
            "agenda": forms.Textarea(attrs={"rows": 4}),
            "minutes": forms.Textarea(attrs={"rows": 6}),
            "latitude": PlacePickerInput(), "longitude": CoordinateInput(),
        }
        help_texts = {
            "starts_at": _("Local time in Münster (Europe/Berlin)."),
            "ends_at": _("Local time in Münster (Europe/Berlin)."),
            "description_de": MARKDOWN_HELP,
            "description_en": MARKDOWN_HELP,
            "agenda": MARKDOWN_HELP,
            "minutes": _("Added after the event. Markdown."),
        }


class CoordinatorEventForm(EventForm):
    """The coordination office plans events of any active group or of the whole alliance."""

    group = forms.ModelChoiceField(label=_("Working group"), required=False,
                                   queryset=WorkingGroup.objects.none(), to_field_name="slug",
                                   empty_label=_("Whole alliance"))
    field_order = ["group"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = WorkingGroup.objects.active()
        self.fields["group"].label_from_instance = name_choice


class EventFilterForm(forms.Form):
    group = forms.ChoiceField(label=_("Working group"), required=False)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [
            ("", _("All events")), ("alliance", _("Whole alliance")),
            *[(group.slug, choice_label(group, "name")) for group in groups]]
