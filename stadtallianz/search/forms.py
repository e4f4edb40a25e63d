from django import forms
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.i18n import choice_label

from .models import SearchEntry
from .services import MAX_QUERY_LENGTH

Type = SearchEntry.Type
# Every type the search finds, as the search page lists them (a test checks none is missing).
SEARCHED_TYPES = {
    Type.PARTNER: _("partners"),
    Type.WORKING_GROUP: _("working groups"),
    Type.THREAD: _("discussions"),
    Type.EVENT: _("events"),
    Type.ARTICLE: _("articles"),
    Type.DOCUMENT: _("documents"),
    Type.IDEA: _("ideas"),
    Type.PROJECT: _("projects"),
    Type.LIVING_LAB: _("living labs"),
    Type.CALL: _("funding calls"),
    Type.NOTICE: _("partner searches"),
    Type.DATASET: _("open datasets"),
}


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search terms"), required=False, max_length=MAX_QUERY_LENGTH,
                        help_text=_('Several words find results with all of them; "in quotes" '
                                    "finds a phrase, or (oder) finds either word, -word "
                                    "excludes one. Parts of compound words are found too."),
                        widget=forms.TextInput(attrs={"type": "search"}))
    type = forms.ChoiceField(label=_("Type"), required=False,
                             choices=[("", _("All types")), *SearchEntry.Type.choices])
    focus = forms.ChoiceField(label=_("Focus area"), required=False)

    def __init__(self, *args, focus_areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus"].choices = [("", _("All focus areas")),
                                        *[(area.slug, choice_label(area, "name"))
                                          for area in focus_areas]]
