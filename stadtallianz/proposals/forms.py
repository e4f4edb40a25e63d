"""Forms of funding applications. The checks live in the services (budget against the call,
transitions) and the models, so the pages show the same errors as the API."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from stadtallianz.funding.models import Call
from stadtallianz.ideas.models import Idea
from stadtallianz.knowledge.forms import check_file
from stadtallianz.knowledge.models import Document
from stadtallianz.partners.models import Organisation
from stadtallianz.projects import permissions as project_permissions
from stadtallianz.projects.models import Project

from . import permissions, services
from .models import Application, ApplicationMember, BudgetLine, ChecklistItem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0"),
         "widget": forms.NumberInput(attrs={"step": "0.01", "min": "0"})}


class CallChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.programme.funder})"


class ApplicationCreateForm(forms.Form):
    call = CallChoiceField(label=_("Call"), queryset=Call.objects.none())
    organisation = forms.ModelChoiceField(label=_("Coordinator"), queryset=Organisation.objects
                                          .none(), help_text=_(
                                              "The organisation that coordinates the "
                                              "consortium; you administer it."))
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none(),
                                     required=False)
    idea = forms.ModelChoiceField(label=_("or idea"), queryset=Idea.objects.none(),
                                  required=False,
                                  help_text=_("An idea on its way to a project."))
    title = forms.CharField(label=_("Title of the application"), max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = (Call.objects.current().select_related("programme")
                                        .order_by("title_de", "pk"))
        self.fields["organisation"].queryset = permissions.coordinator_organisations(user)
        projects = Project.objects.order_by("title_de", "pk")
        if not (user.is_authenticated and user.is_coordination_office):
            projects = project_permissions.team_projects(user).order_by("title_de", "pk")
        self.fields["project"].queryset = projects
        self.fields["idea"].queryset = (Idea.objects.listed_for(user)
                                        .filter(project__isnull=True)
                                        .exclude(state__in=[Idea.State.DECLINED,
                                                            Idea.State.MERGED])
                                        .order_by("title", "pk"))


class ApplicationEditForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["title", "published"]


class MemberForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"),
                                          queryset=Organisation.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=[
        choice for choice in ApplicationMember.Role.choices
        if choice[0] != ApplicationMember.Role.COORDINATOR])

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            Organisation.objects.public().exclude(application_memberships__application=application)
            .order_by("name"))


class BudgetForm(forms.Form):
    """A member's budget: per cost category the amount (eligible costs) and the funding
    requested; the own contribution is their difference."""

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        current = {line.category: line for line in member.budget_lines.all()}
        for category, label in BudgetLine.Category.choices:
            line = current.get(category)
            self.fields[f"{category}_amount"] = forms.DecimalField(
                label=_("%(category)s: amount (EUR)") % {"category": label},
                initial=line.amount if line else Decimal("0"), **MONEY)
            self.fields[f"{category}_requested"] = forms.DecimalField(
                label=_("%(category)s: requested funding (EUR)") % {"category": label},
                initial=line.requested if line else Decimal("0"), **MONEY)

    def clean(self):
        data = super().clean()
        for category, label in BudgetLine.Category.choices:
            amount = data.get(f"{category}_amount")
            requested = data.get(f"{category}_requested")
            if amount is not None and requested is not None and requested > amount:
                self.add_error(f"{category}_requested", _(
                    "%(category)s: the requested funding cannot exceed the amount.")
                    % {"category": label})
        return data

    def lines(self) -> dict:
        return {category: {"amount": self.cleaned_data[f"{category}_amount"],
                           "requested": self.cleaned_data[f"{category}_requested"]}
                for category in BudgetLine.Category.values}


class TransitionForm(forms.Form):
    state = forms.ChoiceField(label=_("New state"), choices=Application.State.choices)
    on = forms.DateField(label=_("Date"), required=False, widget=DATE,
                         help_text=_("Empty: today."))


class GrantForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount granted (EUR)"), **MONEY)
    reference = forms.CharField(label=_("Grant reference"), max_length=100, help_text=_(
        "The grant agreement number or Förderkennzeichen."))
    starts_on = forms.DateField(label=_("Funded from"), widget=DATE)
    ends_on = forms.DateField(label=_("Funded until"), widget=DATE)
    on = forms.DateField(label=_("Date of the grant decision"), required=False, widget=DATE,
                         help_text=_("Empty: today."))


class ChecklistItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["text"]


class DocumentLinkForm(forms.Form):
    document = forms.ModelChoiceField(label=_("Document"), queryset=Document.objects.none(),
                                      help_text=_("Documents for members only that you can "
                                                  "open."))

    def __init__(self, *args, user, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = (
            Document.objects.visible_to(user).filter(visibility=Document.Visibility.MEMBERS)
            .exclude(application_links__application=application).order_by("title", "pk"))


class DocumentUploadForm(forms.Form):
    """A document for the consortium only, checked like every knowledge upload."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, PNG, JPEG, WebP, ODF or Microsoft Office documents, CSV or plain text; at "
            "most %(max)s MB.") % {"max": f"{settings.DOCUMENT_MAX_BYTES / 1_048_576:g}"}

    def clean_file(self):
        return check_file(self.cleaned_data["file"])


def transition_choices(application: Application) -> list[tuple[str, str]]:
    """The states a person may move the application to by a button (granted has its form)."""
    return [(state, Application.State(state).label) for state in services.next_states(application)
            if state != Application.State.GRANTED]

