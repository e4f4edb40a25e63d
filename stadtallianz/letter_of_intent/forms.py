from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Version


class SignForm(forms.Form):
    # The number of the version the signatory read: if a newer one is published meanwhile, the
    # service refuses instead of recording a signature of a text nobody saw.
    version = forms.IntegerField(widget=forms.HiddenInput)
    signatory_name = forms.CharField(label=_("Name of the signatory"), max_length=150)
    signatory_function = forms.CharField(
        label=_("Function of the signatory"), max_length=150,
        help_text=_("For example: managing director, chair of the board."),
    )
    authority_confirmed = forms.BooleanField(
        label=_("I confirm that the signatory is authorised to sign this letter of intent on "
                "behalf of the organisation."),
        required=True,
        error_messages={"required": _("Please confirm that the signatory is authorised to sign.")},
    )


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, withdraw our organisation from the alliance."),
        required=True,
        error_messages={"required": _("Please confirm the withdrawal.")},
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the rejection"), widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("The organisation's admins receive this text by e-mail."),
        error_messages={"required": _("Please give a reason for the rejection.")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Please give a reason for the rejection."))
        return reason


class VersionForm(forms.ModelForm):
    class Meta:
        model = Version
        fields = ["title_de", "title_en", "text_de", "text_en"]
        widgets = {"text_de": forms.Textarea(attrs={"rows": 16}),
                   "text_en": forms.Textarea(attrs={"rows": 16})}
