from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NotificationSettings


class SettingsForm(forms.Form):
    email_mode = forms.ChoiceField(
        label=_("E-mails about notifications"), widget=forms.RadioSelect,
        choices=NotificationSettings.EmailMode.choices,
        help_text=_("Notifications always appear in your list on this site."))
