from django import forms
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.i18n import choice_label, name_choice
from stadtallianz.core.models import FocusArea
from stadtallianz.partners.models import Organisation

from .models import GroupMembership, WorkingGroup


class GroupForm(forms.ModelForm):
    focus_areas = forms.ModelMultipleChoiceField(
        label=_("Focus areas"), queryset=FocusArea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one focus area.")})

    class Meta:
        model = WorkingGroup
        fields = ["name_de", "name_en", "description_de", "description_en", "focus_areas",
                  "join_policy"]
        help_texts = {
            "description_de": _("Markdown: **bold**, *italic*, lists, links."),
            "description_en": _("Markdown: **bold**, *italic*, lists, links."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_areas"].queryset = FocusArea.objects.active()
        self.fields["focus_areas"].label_from_instance = name_choice


class GroupCreateForm(GroupForm):
    lead_email = forms.EmailField(
        label=_("E-mail address of the first lead"), required=False,
        help_text=_("A registered person who leads the group. Leave empty to add leads later."))


class GroupFilterForm(forms.Form):
    focus = forms.ChoiceField(label=_("Focus area"), required=False)

    def __init__(self, *args, focus_areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus"].choices = [("", _("All focus areas"))] + [
            (area.slug, choice_label(area, "name")) for area in focus_areas]


class JoinRequestForm(forms.Form):
    message = forms.CharField(label=_("Why would you like to join?"), required=False,
                              max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))])
    message = forms.CharField(label=_("Message to the person"), required=False,
                              max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"),
                             help_text=_("The person must have an account on the platform."))


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=GroupMembership.Role.choices)


class OrganisationAddForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Partner organisation"),
                                          queryset=Organisation.objects.none())

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = Organisation.objects.public().order_by("name").only("name", "slug", "status")
        if group is not None:
            queryset = queryset.exclude(group_organisations__group=group)
        self.fields["organisation"].queryset = queryset
