from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Post, Thread

BODY_HELP = _("Markdown. Mention members with @[Full Name] or @name@example.org.")


class BodyForm(forms.Form):
    body = forms.CharField(label=_("Text"), max_length=20000, help_text=BODY_HELP,
                           widget=forms.Textarea(attrs={"rows": 6}))


class ThreadForm(BodyForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    visibility = forms.ChoiceField(label=_("Who can read it"),
                                   choices=Thread.Visibility.choices,
                                   initial=Thread.Visibility.MEMBERS, widget=forms.RadioSelect)
    field_order = ["title", "visibility", "body"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("What is wrong with this post?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 4}))


__all__ = ["BodyForm", "ThreadForm", "ReasonForm", "ReportForm", "Post"]
