"""The pattern page's examples (core.views.styleguide, /de/styleguide/): live components fed with
made-up data, no database."""

from django import forms
from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _


class ExampleForm(forms.Form):
    name = forms.CharField(label=_("Name of the organisation"), max_length=100)
    email = forms.EmailField(label=_("E-mail address for the public contact"),
                             help_text=_("Shown on the organisation's page."))
    kind = forms.ChoiceField(label=_("Type"), choices=[
        ("", "---------"), ("company", _("Company")), ("research", _("Research institute"))])
    summary = forms.CharField(label=_("What the organisation offers"), widget=forms.Textarea,
                              required=False)
    consent = forms.BooleanField(label=_("I agree to the privacy notice."))

    def clean(self):
        cleaned = super().clean()
        raise forms.ValidationError(_("This is an example of an error of the whole form."))
        return cleaned  # pragma: no cover


def context(request) -> dict:
    refused = ExampleForm(data={"refused-name": "", "refused-email": "no-address"},
                          prefix="refused")
    refused.is_valid()
    page = Paginator(range(70), 10).page(2)
    rows = [
        {"name": "Stadtwerke Münster", "type": _("Municipal company"), "since": "2025",
         "state": (_("Partner"), "success")},
        {"name": "Fachhochschule Münster", "type": _("Research institute"), "since": "2025",
         "state": (_("Review pending"), "info")},
        {"name": "Radverkehrsinitiative Münsterland", "type": _("Association"), "since": "2026",
         "state": (_("Re-signing required"), "warning")},
    ]
    return {
        "empty_form": ExampleForm(prefix="empty"),
        "refused_form": refused,
        "page": page,
        "rows": rows,
        "card_meta": [_("Mobility"), _("Energy"), "Münster"],
        "card_badges": [(_("Partner"), "success"), (_("Data offered"), "info")],
        "tab_links": [("#tabs", _("Overview"), True), ("#tabs", _("Members"), False),
                      ("#tabs", _("Events"), False)],
    }
