from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SearchEntry
from .services import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search terms"), required=False, max_length=MAX_QUERY_LENGTH,
                        help_text=_('Several words find results with all of them; "in quotes" '
                                    "finds a phrase, or finds either word, -word excludes one."),
                        widget=forms.TextInput(attrs={"type": "search"}))
    type = forms.ChoiceField(label=_("Type"), required=False,
                             choices=[("", _("All types")), *SearchEntry.Type.choices])
    focus = forms.ChoiceField(label=_("Focus area"), required=False)

    def __init__(self, *args, focus_areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus"].choices = [("", _("All focus areas")),
                                        *[(area.slug, area.name) for area in focus_areas]]
