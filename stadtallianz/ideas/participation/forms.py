"""Forms of the participation part of an idea page: comment, report, hide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Comment, IdeaReport


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"),
                           max_length=Comment._meta.get_field("body").max_length,
                           help_text=_("Markdown: **bold**, *italic*, lists and links."),
                           widget=forms.Textarea(attrs={"rows": 5}))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("What is wrong with it?"),
                             max_length=IdeaReport._meta.get_field("reason").max_length,
                             widget=forms.Textarea(attrs={"rows": 4}))


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reason for hiding"), max_length=500,
                             help_text=_("Shown in place of the hidden content."),
                             widget=forms.Textarea(attrs={"rows": 3}))
