from django import forms
from django.utils.translation import gettext_lazy as _


class PageForm(forms.Form):
    text_de = forms.CharField(label=_("Text (German)"), widget=forms.Textarea(attrs={"rows": 20}),
                              help_text=_("Markdown: ## for headings, - for lists, "
                                          "[text](https://…) for links."))
    text_en = forms.CharField(label=_("Text (English)"),
                              widget=forms.Textarea(attrs={"rows": 20}))
    material_change = forms.BooleanField(
        label=_("Material change: ask everyone to accept the privacy notice again"),
        required=False,
        help_text=_("Leave unticked for corrections that do not change what is processed or "
                    "why."))

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        if kind != "privacy":
            del self.fields["material_change"]


class ConsentForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read the privacy notice and accept it."),
        error_messages={"required": _("Please accept the privacy notice to go on, or log out.")})
