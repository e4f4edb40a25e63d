"""Pages of the partners app: directory, profile, and the pages an organisation's admins use."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stadtallianz.core.markdown import render_markdown
from stadtallianz.core.models import FocusArea

from . import permissions, services
from .forms import (
    DirectoryFilterForm,
    InvitationForm,
    OfferForm,
    OfferUpdateForm,
    OrganisationCreateForm,
    OrganisationForm,
    RoleForm,
)
from .models import Invitation, Membership, Offer, Organisation

PARTNERS_PER_PAGE = 24
# Statuses in which an admin is asked to sign the letter of intent (again).
SIGNING_STATUSES = (
    Organisation.Status.DRAFT, Organisation.Status.RESIGN_REQUIRED,
    Organisation.Status.REJECTED, Organisation.Status.WITHDRAWN,
)


def directory(request):
    focus_areas = list(FocusArea.objects.active().only("slug", "name_de", "name_en"))
    form = DirectoryFilterForm(request.GET or None, focus_areas=focus_areas)
    partners = (
        Organisation.objects.public()
        .only("name", "slug", "type", "logo", "status", "summary_de", "summary_en")
        .prefetch_related(Prefetch("focus_areas",
                                   queryset=FocusArea.objects.only("slug", "name_de", "name_en")))
    )
    filters = {}
    if form.is_bound:
        form.is_valid()  # an invalid filter value is ignored, the valid ones still apply
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    partners = partners.search(q=filters.get("q", ""), type=filters.get("type", ""),
                               focus_area=filters.get("focus", ""),
                               category=filters.get("category", ""))
    page = Paginator(partners, PARTNERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filters": filters,
    }
    template = "partners/directory.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)


def _organisation_for(request, slug, *, manage: bool = False, view_members: bool = False):
    """The organisation if the person may see (and, with manage, change) it.

    A person who may not see a non-public organisation gets 404, so its existence stays private;
    one who may see but not change it gets 403.
    """
    organisation = get_object_or_404(Organisation, slug=slug)
    if not permissions.can_view(request.user, organisation):
        raise Http404
    if manage and not permissions.can_edit(request.user, organisation):
        raise PermissionDenied
    if view_members and not permissions.can_view_members(request.user, organisation):
        raise PermissionDenied
    return organisation


def detail(request, slug):
    organisation = get_object_or_404(
        Organisation.objects.prefetch_related(
            Prefetch("focus_areas", queryset=FocusArea.objects.only("slug", "name_de", "name_en"))
        ),
        slug=slug,
    )
    if not permissions.can_view(request.user, organisation):
        raise Http404
    can_edit = permissions.can_edit(request.user, organisation)
    is_admin = permissions.is_admin_of(request.user, organisation)
    members = None
    if permissions.can_view_members(request.user, organisation):
        members = list(organisation.memberships.select_related("user").order_by(
            "user__full_name", "user__email"))
    context = {
        "organisation": organisation,
        "description_html": render_markdown(organisation.description, top_level=3),
        "can_edit": can_edit,
        "is_admin": is_admin,
        "members": members,
        "offer_groups": _offer_groups(organisation.offers.all()),
        "show_sign_link": is_admin and organisation.status in SIGNING_STATUSES,
    }
    return render(request, "partners/detail.html", context)


def _offer_groups(offers):
    """Offers, then needs, each grouped by category in the order of the category choices."""
    category_labels = dict(Offer.Category.choices)
    groups = []
    by_kind = {kind: {} for kind in Offer.Kind.values}
    for offer in offers:
        by_kind[offer.kind].setdefault(offer.category, []).append(offer)
    for kind, label in Offer.Kind.choices:
        categories = [
            {"category": category, "label": category_labels[category],
             "items": by_kind[kind][category]}
            for category in Offer.Category.values if category in by_kind[kind]
        ]
        groups.append({"kind": kind, "label": label, "categories": categories})
    return groups


@login_required
def create(request):
    form = OrganisationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            organisation = services.organisation_create(
                by=request.user, name=data.pop("name"), type=data.pop("type"), data=data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The organisation has been registered. You are its administrator."))
            return redirect(organisation)
    return render(request, "partners/organisation_create.html", {"form": form})


@login_required
def edit(request, slug):
    organisation = _organisation_for(request, slug, manage=True)
    # The form validates a copy, so the organisation keeps its stored values for the audit entry.
    form = OrganisationForm(request.POST or None, request.FILES or None,
                            instance=copy.copy(organisation))
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in services.PROFILE_FIELDS}
        logo = form.cleaned_data.get("logo")
        if logo is False:
            data["logo"] = ""
        elif logo and "logo" in request.FILES:
            data["logo"] = logo
        try:
            services.organisation_update(organisation=organisation, by=request.user, data=data,
                                         focus_areas=form.cleaned_data["focus_areas"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The profile has been saved."))
            return redirect(organisation)
    return render(request, "partners/organisation_edit.html",
                  {"form": form, "organisation": organisation})


@login_required
def offers(request, slug):
    organisation = _organisation_for(request, slug, manage=True)
    form = OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_create(organisation=organisation, by=request.user,
                                  **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The entry has been added."))
            return redirect("partners:offers", slug=organisation.slug)
    return render(request, "partners/offers.html", {
        "organisation": organisation,
        "form": form,
        "offer_groups": _offer_groups(organisation.offers.all()),
    })


@login_required
def offer_edit(request, slug, pk):
    organisation = _organisation_for(request, slug, manage=True)
    offer = get_object_or_404(Offer, pk=pk, organisation=organisation)
    form = OfferUpdateForm(request.POST or None, instance=copy.copy(offer))
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_update(offer=offer, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The entry has been saved."))
            return redirect("partners:offers", slug=organisation.slug)
    return render(request, "partners/offer_edit.html",
                  {"organisation": organisation, "offer": offer, "form": form})


@login_required
@require_POST
def offer_delete(request, slug, pk):
    organisation = _organisation_for(request, slug, manage=True)
    offer = get_object_or_404(Offer, pk=pk, organisation=organisation)
    services.offer_delete(offer=offer, by=request.user)
    messages.success(request, _("The entry has been deleted."))
    return redirect("partners:offers", slug=organisation.slug)


@login_required
def members(request, slug):
    organisation = _organisation_for(request, slug, view_members=True)
    can_manage = permissions.can_manage_members(request.user, organisation)
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.membership_invite(organisation=organisation, by=request.user,
                                           **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The invitation has been sent."))
                return redirect("partners:members", slug=organisation.slug)
    memberships = list(organisation.memberships.select_related("user").order_by(
        "user__full_name", "user__email"))
    invitations = []
    if can_manage:
        invitations = list(organisation.invitations.filter(accepted_at__isnull=True)
                           .select_related("invited_by"))
    return render(request, "partners/members.html", {
        "organisation": organisation,
        "memberships": memberships,
        "invitations": invitations,
        "can_manage": can_manage,
        "form": form,
        "role_choices": Membership.Role.choices,
    })


def _membership_action(request, slug, pk):
    organisation = _organisation_for(request, slug, view_members=True)
    if not permissions.can_manage_members(request.user, organisation):
        raise PermissionDenied
    membership = get_object_or_404(Membership.objects.select_related("user"),
                                   pk=pk, organisation=organisation)
    return organisation, membership


def _show_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_POST
def member_remove(request, slug, pk):
    organisation, membership = _membership_action(request, slug, pk)
    try:
        services.membership_remove(membership=membership, by=request.user)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("%(name)s has been removed.") % {"name": membership.user})
    return redirect("partners:members", slug=organisation.slug)


@login_required
@require_POST
def member_role(request, slug, pk):
    organisation, membership = _membership_action(request, slug, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
        return redirect("partners:members", slug=organisation.slug)
    try:
        services.membership_change_role(membership=membership, by=request.user,
                                        role=form.cleaned_data["role"])
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("The role of %(name)s has been changed.")
                         % {"name": membership.user})
    return redirect("partners:members", slug=organisation.slug)


@login_required
@require_POST
def invitation_cancel(request, slug, pk):
    organisation = _organisation_for(request, slug, view_members=True)
    if not permissions.can_manage_members(request.user, organisation):
        raise PermissionDenied
    invitation = get_object_or_404(Invitation, pk=pk, organisation=organisation)
    try:
        services.invitation_cancel(invitation=invitation, by=request.user)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("The invitation has been cancelled."))
    return redirect("partners:members", slug=organisation.slug)


@login_required
@require_POST
def invitation_resend(request, slug, pk):
    organisation = _organisation_for(request, slug, view_members=True)
    if not permissions.can_manage_members(request.user, organisation):
        raise PermissionDenied
    invitation = get_object_or_404(Invitation, pk=pk, organisation=organisation)
    try:
        services.invitation_resend(invitation=invitation, by=request.user)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("The invitation to %(email)s has been sent again.")
                         % {"email": invitation.email})
    return redirect("partners:members", slug=organisation.slug)


def invitation_accept(request, token):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    invitation = get_object_or_404(Invitation.objects.select_related("organisation"), token=token)
    error = None
    gone = False
    if invitation.accepted_at is not None:
        error, gone = _("This invitation has already been used."), True
    elif invitation.is_expired:
        error, gone = services.INVITATION_EXPIRED_MESSAGE, True
    elif not permissions.can_accept(request.user, invitation):
        error = services.WRONG_ACCOUNT_MESSAGE
    if error is None and request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, by=request.user)
        except ValidationError as validation_error:
            error = " ".join(validation_error.messages)
            gone = validation_error.code in ("used", "expired", "already_member")
        else:
            messages.success(request, _("You have joined %(organisation)s.")
                             % {"organisation": invitation.organisation})
            return redirect(invitation.organisation)
    status = 200 if error is None else (410 if gone else 403)
    return render(request, "partners/invitation_accept.html",
                  {"invitation": invitation, "organisation": invitation.organisation,
                   "error": error}, status=status)
