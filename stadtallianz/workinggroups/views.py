"""Pages of the working groups: list, group page, the leads' manage page and the forms.

Groups are public, so an unknown group is 404 and a forbidden action 403 (a visitor is sent to
the login page first). Archived groups stay visible but read-only.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stadtallianz.accounts.models import User
from stadtallianz.core.forms import add_service_errors
from stadtallianz.core.markdown import render_markdown
from stadtallianz.core.models import FocusArea
from stadtallianz.partners.models import Organisation

from . import permissions, services
from .forms import (
    DecisionForm,
    GroupCreateForm,
    GroupFilterForm,
    GroupForm,
    InviteForm,
    JoinRequestForm,
    OrganisationAddForm,
    RoleForm,
)
from .models import GroupMembership, WorkingGroup

FOCUS_AREAS = Prefetch("focus_areas", queryset=FocusArea.objects.only("slug", "name_de",
                                                                      "name_en", "position"))


def _show_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def group_list(request):
    focus_areas = list(FocusArea.objects.active().only("slug", "name_de", "name_en"))
    form = GroupFilterForm(request.GET or None, focus_areas=focus_areas)
    groups = WorkingGroup.objects.with_counts().listed().prefetch_related(FOCUS_AREAS)
    focus = ""
    if form.is_bound and form.is_valid():
        focus = form.cleaned_data["focus"]
    if focus:
        through = WorkingGroup.focus_areas.through
        groups = groups.filter(pk__in=through.objects.filter(focusarea__slug=focus)
                               .values("workinggroup_id"))
    return render(request, "workinggroups/list.html", {
        "form": form, "groups": list(groups), "focus": focus,
        "can_create": permissions.can_create(request.user),
    })


def _group(slug, **related) -> WorkingGroup:
    return get_object_or_404(WorkingGroup.objects.prefetch_related(FOCUS_AREAS), slug=slug)


def detail(request, slug):
    return _render_detail(request, _group(slug))


def _render_detail(request, group: WorkingGroup, join_form=None, status: int = 200):
    memberships = list(group.memberships.active()
                       .select_related("user").order_by("-role", "user__full_name", "pk"))
    # "member" sorts after "lead" in reverse, so leads come first.
    leads = [m for m in memberships if m.role == GroupMembership.Role.LEAD]
    members = [m for m in memberships if m.role != GroupMembership.Role.LEAD]
    own = permissions.membership_of(request.user, group)
    organisations = list(group.organisations.order_by("name").only(
        "name", "slug", "status", "type", "logo", "summary_de", "summary_en"))
    return render(request, "workinggroups/detail.html", {
        "group": group,
        "description_html": render_markdown(group.description, top_level=3),
        "leads": leads,
        "members": members,
        "member_count": len(memberships),
        "organisations": organisations,
        "own": own,
        "can_see_people": permissions.can_see_people(request.user),
        "can_join": permissions.can_join(request.user, group) and own is None,
        "can_edit": permissions.can_edit(request.user, group),
        "can_manage": permissions.can_manage(request.user, group),
        "can_archive": permissions.can_archive(request.user, group),
        "join_form": join_form or JoinRequestForm(),
    }, status=status)


@login_required
def create(request):
    if not permissions.can_create(request.user):
        raise PermissionDenied
    form = GroupCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in services.GROUP_FIELDS}
        leads = []
        email = form.cleaned_data.get("lead_email")
        if email:
            lead = User.objects.filter(email__iexact=email, is_active=True).first()
            if lead is None:
                form.add_error("lead_email", _("No one is registered with this e-mail address."))
            else:
                leads.append(lead)
        if not form.errors:
            try:
                group = services.group_create(by=request.user, data=data, leads=leads,
                                              focus_areas=list(form.cleaned_data["focus_areas"]))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The working group has been created."))
                return redirect(group)
    return render(request, "workinggroups/form.html", {"form": form, "group": None})


@login_required
def edit(request, slug):
    group = _group(slug)
    if not permissions.can_edit(request.user, group):
        raise PermissionDenied
    form = GroupForm(request.POST or None, instance=copy.copy(group))
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in services.GROUP_FIELDS}
        try:
            services.group_update(group=group, by=request.user, data=data,
                                  focus_areas=list(form.cleaned_data["focus_areas"]))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The working group has been saved."))
            return redirect(group)
    return render(request, "workinggroups/form.html", {"form": form, "group": group})


@login_required
@require_POST
def set_state(request, slug):
    group = _group(slug)
    if not permissions.can_archive(request.user, group):
        raise PermissionDenied
    if request.POST.get("state") == WorkingGroup.State.ARCHIVED:
        services.group_archive(group=group, by=request.user)
        messages.success(request, _("The working group has been archived."))
    else:
        services.group_reactivate(group=group, by=request.user)
        messages.success(request, _("The working group is active again."))
    return redirect(group)


@login_required
@require_POST
def join(request, slug):
    group = _group(slug)
    form = JoinRequestForm(request.POST)
    if not form.is_valid():
        # The message is shown again with its error next to it.
        return _render_detail(request, group, join_form=form, status=400)
    try:
        membership = services.membership_join(group=group, by=request.user,
                                              message=form.cleaned_data["message"])
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            add_service_errors(form, error)
            return _render_detail(request, group, join_form=form, status=400)
        _show_errors(request, error)
    else:
        if membership.is_active:
            messages.success(request, _("You have joined the working group."))
        else:
            messages.success(request, _("Your request has been sent to the group's leads."))
    return redirect(group)


@login_required
@require_POST
def leave(request, slug):
    group = _group(slug)
    membership = get_object_or_404(GroupMembership, group=group, user=request.user)
    try:
        services.membership_leave(membership=membership, by=request.user)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("You have left the working group.")
                         if membership.is_active else _("Your request has been withdrawn."))
    return redirect(group)


@login_required
@require_POST
def respond(request, slug):
    group = _group(slug)
    membership = get_object_or_404(GroupMembership, group=group, user=request.user,
                                   state=GroupMembership.State.INVITED)
    accept = request.POST.get("answer") == "accept"
    try:
        services.membership_respond(membership=membership, by=request.user, accept=accept)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("You have joined the working group.") if accept
                         else _("You have declined the invitation."))
    return redirect(group)


def _managed_group(request, slug) -> WorkingGroup:
    group = _group(slug)
    if not permissions.can_manage(request.user, group):
        raise PermissionDenied
    return group


@login_required
def manage(request, slug):
    group = _managed_group(request, slug)
    invite_form = InviteForm(request.POST if request.POST.get("action") == "invite" else None)
    organisation_form = OrganisationAddForm(
        request.POST if request.POST.get("action") == "organisation" else None, group=group)
    if request.method == "POST":
        if invite_form.is_bound and invite_form.is_valid():
            try:
                services.membership_invite(group=group, by=request.user,
                                           email=invite_form.cleaned_data["email"])
            except ValidationError as error:
                add_service_errors(invite_form, error)
            else:
                messages.success(request, _("The invitation has been sent."))
                return redirect("workinggroups:manage", slug=group.slug)
        elif organisation_form.is_bound and organisation_form.is_valid():
            try:
                services.organisation_add(group=group, by=request.user,
                                          organisation=organisation_form.cleaned_data[
                                              "organisation"])
            except ValidationError as error:
                add_service_errors(organisation_form, error)
            else:
                messages.success(request, _("The organisation has been added."))
                return redirect("workinggroups:manage", slug=group.slug)
    memberships = list(group.memberships.select_related("user").order_by(
        "state", "-role", "user__full_name", "pk"))
    return render(request, "workinggroups/manage.html", {
        "group": group,
        "requests": [m for m in memberships if m.state == GroupMembership.State.REQUESTED],
        "invited": [m for m in memberships if m.state == GroupMembership.State.INVITED],
        "active": [m for m in memberships if m.state == GroupMembership.State.ACTIVE],
        "organisations": list(group.organisations.order_by("name").only("name", "slug")),
        "invite_form": invite_form,
        "organisation_form": organisation_form,
        "decision_form": DecisionForm(),
        "role_choices": GroupMembership.Role.choices,
    })


def _membership(request, slug, pk) -> tuple[WorkingGroup, GroupMembership]:
    group = _managed_group(request, slug)
    membership = get_object_or_404(GroupMembership.objects.select_related("user"), pk=pk,
                                   group=group)
    return group, membership


@login_required
@require_POST
def decide(request, slug, pk):
    group, membership = _membership(request, slug, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or decline."))
        return redirect("workinggroups:manage", slug=group.slug)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.membership_decide(membership=membership, by=request.user, approve=approve,
                                   message=form.cleaned_data["message"])
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("The request has been approved.") if approve
                         else _("The request has been declined."))
    return redirect("workinggroups:manage", slug=group.slug)


@login_required
@require_POST
def member_role(request, slug, pk):
    group, membership = _membership(request, slug, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
        return redirect("workinggroups:manage", slug=group.slug)
    try:
        services.membership_set_role(membership=membership, by=request.user,
                                     role=form.cleaned_data["role"])
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("The role of %(name)s has been changed.")
                         % {"name": membership.user})
    return redirect("workinggroups:manage", slug=group.slug)


@login_required
@require_POST
def member_remove(request, slug, pk):
    group, membership = _membership(request, slug, pk)
    try:
        services.membership_leave(membership=membership, by=request.user)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("%(name)s has been removed.") % {"name": membership.user})
    return redirect("workinggroups:manage", slug=group.slug)


@login_required
@require_POST
def organisation_remove(request, slug, pk):
    group = _managed_group(request, slug)
    organisation = get_object_or_404(Organisation, pk=pk, group_organisations__group=group)
    services.organisation_remove(group=group, by=request.user, organisation=organisation)
    messages.success(request, _("The organisation has been removed."))
    return redirect("workinggroups:manage", slug=group.slug)
