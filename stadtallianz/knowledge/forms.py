from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from stadtallianz.accounts.models import User
from stadtallianz.core.i18n import choice_label, name_choice
from stadtallianz.core.models import FocusArea, Principle, SustainableDevelopmentGoal
from stadtallianz.partners.models import Organisation

from . import filetypes
from .models import Article, Document

MARKDOWN_HELP = _("Markdown: ## headings, **bold**, *italic*, lists, links, tables.")


class ArticleForm(forms.ModelForm):
    co_authors = forms.CharField(
        label=_("Co-authors"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E-mail addresses of registered people who may write here, one per line. "
                    "You are an author yourself."))

    class Meta:
        model = Article
        fields = ["title", "summary", "body", "kind", "language", "visibility", "focus_areas",
                  "principles", "sdgs", "organisations"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 16}),
            "focus_areas": forms.CheckboxSelectMultiple,
            "principles": forms.CheckboxSelectMultiple,
            "sdgs": forms.CheckboxSelectMultiple,
            "organisations": forms.CheckboxSelectMultiple,
        }
        help_texts = {"body": MARKDOWN_HELP,
                      "organisations": _("Organisations of the authors that contributed.")}

    def __init__(self, *args, user, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.group = user, group
        if not self.instance.pk:
            # The model's own checks (members-only needs a group) see the group.
            self.instance.group = group
        self.fields["focus_areas"].queryset = FocusArea.objects.active()
        self.fields["focus_areas"].label_from_instance = name_choice
        self.fields["principles"].queryset = Principle.objects.all()
        self.fields["sdgs"].queryset = SustainableDevelopmentGoal.objects.all()
        authors = [user.pk]
        if self.instance.pk:
            authors = list(self.instance.authors.values_list("pk", flat=True))
            self.initial["co_authors"] = "\n".join(
                self.instance.authors.exclude(pk=user.pk).values_list("email", flat=True))
        self.fields["organisations"].queryset = Organisation.objects.filter(
            memberships__user__in=authors).distinct().order_by("name")
        if group is None and not (self.instance.pk and self.instance.group_id):
            # Only a working group's article can be for members only.
            self.fields["visibility"].choices = [(Article.Visibility.PUBLIC,
                                                  Article.Visibility.PUBLIC.label)]

    def clean_co_authors(self):
        emails = [line.strip() for line in
                  self.cleaned_data["co_authors"].replace(",", "\n").splitlines() if line.strip()]
        people = list(User.objects.filter(email__in=emails, is_active=True))
        found = {person.email.lower() for person in people}
        missing = [email for email in emails if email.lower() not in found]
        if missing:
            raise ValidationError(_("No registered person has the address %(emails)s."),
                                  code="unknown_person", params={"emails": ", ".join(missing)})
        return [person for person in people if person.pk != self.user.pk]

    def article_data(self) -> dict:
        """The fields for the service; the person saving stays an author if they were one (a
        lead editing someone's article does not become its author)."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        editor_is_author = (not self.instance.pk
                            or self.instance.authors.filter(pk=self.user.pk).exists())
        data["authors"] = [*([self.user] if editor_is_author else []),
                           *self.cleaned_data["co_authors"]]
        return data


class ArticleFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    focus_area = forms.ChoiceField(label=_("Focus area"), required=False)
    principle = forms.ChoiceField(label=_("Guiding principle"), required=False)
    sdg = forms.ChoiceField(label=_("SDG"), required=False)
    group = forms.ChoiceField(label=_("Working group"), required=False)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *Article.Kind.choices]
        self.fields["focus_area"].choices = [
            ("", _("All focus areas")),
            *[(area.slug, choice_label(area, "name")) for area in FocusArea.objects.active()]]
        self.fields["principle"].choices = [
            ("", _("All principles")),
            *[(p.slug, str(p)) for p in Principle.objects.all()]]
        self.fields["sdg"].choices = [
            ("", _("All SDGs")),
            *[(str(goal.number), str(goal)) for goal in SustainableDevelopmentGoal.objects.all()]]
        self.fields["group"].choices = [
            ("", _("All articles")), ("alliance", _("Whole alliance")),
            *[(group.slug, choice_label(group, "name")) for group in groups]]


def check_file(upload):
    try:
        filetypes.check_upload(upload, max_bytes=settings.DOCUMENT_MAX_BYTES)
    except ValidationError as error:
        raise ValidationError(error.messages, code=error.error_list[0].code) from error
    return upload


class DocumentForm(forms.ModelForm):
    file = forms.FileField(label=_("File"), help_text=_(
        "PDF, PNG, JPEG, WebP, ODF or Microsoft Office documents, CSV or plain text."))

    class Meta:
        model = Document
        fields = ["title", "description", "visibility", "file"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, parent: dict, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's own checks (one parent; members-only needs a group) see the parent.
        for name, value in parent.items():
            setattr(self.instance, name, value)
        if self.instance.parent_group is None:
            self.fields["visibility"].choices = [(Document.Visibility.PUBLIC,
                                                  Document.Visibility.PUBLIC.label)]
        else:
            # Private documents are shared by other apps (an application's documents), never
            # uploaded to a group, event or article.
            self.fields["visibility"].choices = [
                (value, label) for value, label in Document.Visibility.choices
                if value != Document.Visibility.PRIVATE]
        self.fields["file"].help_text = _(
            "PDF, PNG, JPEG, WebP, ODF or Microsoft Office documents, CSV or plain text; at "
            "most %(max)s MB.") % {"max": f"{settings.DOCUMENT_MAX_BYTES / 1_048_576:g}"}

    def clean_file(self):
        return check_file(self.cleaned_data["file"])


class VersionForm(forms.Form):
    file = forms.FileField(label=_("New version"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, PNG, JPEG, WebP, ODF or Microsoft Office documents, CSV or plain text; at "
            "most %(max)s MB.") % {"max": f"{settings.DOCUMENT_MAX_BYTES / 1_048_576:g}"}

    def clean_file(self):
        return check_file(self.cleaned_data["file"])
