"""Forms of the partner search. The checks live in services.py, so a page shows the same
errors as the API, each next to its field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.i18n import choice_label, name_choice
from stadtallianz.core.models import FocusArea
from stadtallianz.funding.models import Call
from stadtallianz.partners.models import Organisation

from . import permissions
from .models import Notice, Role

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MARKDOWN_HELP = _("Markdown: ## headings, **bold**, *italic*, lists, links, tables.")


class PlainSelect(forms.Select):
    """A select without the "required" attribute: a filter form's empty choice is valid."""

    use_required_attribute = lambda self, initial: False  # noqa: E731


class NoticeFilterForm(forms.Form):
    wanted_type = forms.ChoiceField(
        label=_("Organisation type wanted"), required=False, widget=PlainSelect,
        choices=[("", _("All types")), *Organisation.Type.choices])
    role = forms.ChoiceField(label=_("Role sought"), required=False, widget=PlainSelect,
                             choices=[("", _("All roles")), *Role.choices])
    focus_area = forms.ChoiceField(label=_("Focus area"), required=False, widget=PlainSelect)
    call = forms.ChoiceField(label=_("Call"), required=False, widget=PlainSelect)
    state = forms.ChoiceField(
        label=_("Show"), required=False, widget=PlainSelect,
        choices=[("", _("Open notices only")), ("all", _("Also closed and archived ones"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].choices = [("", _("All focus areas"))] + [
            (area.slug, choice_label(area, "name")) for area in FocusArea.objects.active()]
        self.fields["call"].choices = [("", _("All calls"))] + [
            (call.slug, choice_label(call, "title"))
            for call in Call.objects.only("slug", "title_de", "title_en").order_by("title_de")]

    def filters(self) -> dict:
        """The valid filters as keyword arguments of queries.listed."""
        if not (self.is_bound and self.is_valid()):
            return {}
        data = self.cleaned_data
        return {"wanted_type": data["wanted_type"], "role": data["role"],
                "focus_area": data["focus_area"], "call": data["call"],
                "open_only": data["state"] != "all"}


class NoticeForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(),
        help_text=_("The partner organisation that is looking for partners."))
    project = forms.ModelChoiceField(
        label=_("Project"), required=False, queryset=None,
        help_text=_("A project whose team you are in; or choose an idea, or only a call."))
    idea = forms.ModelChoiceField(label=_("Idea"), required=False, queryset=None,
                                  help_text=_("An open idea you wrote."))
    call = forms.ModelChoiceField(label=_("Call"), required=False, queryset=None,
                                  help_text=_("The funding call the consortium applies to."))
    title_de = forms.CharField(label=_("title (German)"), max_length=200)
    title_en = forms.CharField(label=_("title (English)"), max_length=200, required=False)
    description_de = forms.CharField(label=_("description (German)"), max_length=10000,
                                     required=False, help_text=MARKDOWN_HELP,
                                     widget=forms.Textarea(attrs={"rows": 6}))
    description_en = forms.CharField(label=_("description (English)"), max_length=10000,
                                     required=False, help_text=MARKDOWN_HELP,
                                     widget=forms.Textarea(attrs={"rows": 6}))
    roles_sought = forms.MultipleChoiceField(label=_("roles sought"), choices=Role.choices,
                                             widget=forms.CheckboxSelectMultiple)
    capabilities_sought_de = forms.CharField(
        label=_("capabilities sought (German)"), max_length=5000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=Notice._meta.get_field("capabilities_sought_de").help_text)
    capabilities_sought_en = forms.CharField(
        label=_("capabilities sought (English)"), max_length=5000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}))
    wanted_types = forms.MultipleChoiceField(
        label=_("organisation types wanted"), required=False,
        choices=Organisation.Type.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every type is welcome."))
    focus_areas = forms.ModelMultipleChoiceField(
        label=_("focus areas"), required=False, queryset=FocusArea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: those of the project, idea or call."))
    deadline = forms.DateField(label=_("answers wanted by"), required=False, widget=DATE,
                               help_text=_("Optional; no later than the expiry."))
    expires_on = forms.DateField(label=_("shown until"), widget=DATE,
                                 help_text=_("At most a year ahead; you can renew it then."))

    def __init__(self, *args, user, notice: Notice | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.notice = notice
        if notice is not None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = permissions.postable_organisations(user)
        projects = permissions.postable_projects(user)
        ideas = permissions.postable_ideas(user)
        calls = Call.objects.visible_to(user)
        if notice is not None:
            # What the notice is for now stays a choice even if the person left its team.
            if notice.project_id:
                projects = projects.model.objects.filter(
                    pk__in=[notice.project_id, *projects.values_list("pk", flat=True)])
            if notice.idea_id:
                ideas = ideas.model.objects.filter(
                    pk__in=[notice.idea_id, *ideas.values_list("pk", flat=True)])
        self.fields["project"].queryset = projects.order_by("title_de", "pk")
        self.fields["project"].label_from_instance = lambda project: choice_label(project,
                                                                                  "title")
        self.fields["idea"].queryset = ideas.order_by("title", "pk")
        self.fields["call"].queryset = calls.order_by("title_de", "pk")
        self.fields["call"].label_from_instance = lambda call: choice_label(call, "title")
        self.fields["focus_areas"].queryset = FocusArea.objects.active()
        self.fields["focus_areas"].label_from_instance = name_choice

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("organisation", None)
        data.pop("focus_areas", None)
        return data


def notice_initial(notice: Notice) -> dict:
    return {"project": notice.project_id, "idea": notice.idea_id, "call": notice.call_id,
            "title_de": notice.title_de, "title_en": notice.title_en,
            "description_de": notice.description_de, "description_en": notice.description_en,
            "roles_sought": notice.roles_sought,
            "capabilities_sought_de": notice.capabilities_sought_de,
            "capabilities_sought_en": notice.capabilities_sought_en,
            "wanted_types": notice.wanted_types,
            "focus_areas": list(notice.focus_areas.all()),
            "deadline": notice.deadline, "expires_on": notice.expires_on}


class RenewForm(forms.Form):
    expires_on = forms.DateField(label=_("shown until"), widget=DATE,
                                 help_text=_("At most a year ahead; you can renew it then."))
    deadline = forms.DateField(label=_("answers wanted by"), required=False, widget=DATE,
                               help_text=_("Optional; no later than the expiry."))


class InterestForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("For the organisation"),
                                          queryset=Organisation.objects.none())
    message = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What your organisation offers for this search. The notice's owner sees "
                    "your organisation and this message; your name and e-mail address only "
                    "once they accept."))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:  # evaluated by the caller's check already
            self.fields["organisation"].initial = organisations[0].pk
