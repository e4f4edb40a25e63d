"""Public pages of the letter of intent, and signing, status and withdrawal for partner admins."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from stadtallianz.core.forms import add_service_errors
from stadtallianz.core.markdown import render_markdown
from stadtallianz.core.office import with_office
from stadtallianz.partners.models import Organisation
from stadtallianz.partners.permissions import can_view

from . import services
from .forms import SignForm, WithdrawForm
from .models import Signature, Version
from .permissions import can_sign, can_view_status, can_withdraw


def _version_page(request, version: Version, *, is_current: bool):
    signatories = []
    if is_current:
        signatories = (Signature.objects.confirmed()
                       .filter(organisation__status__in=Organisation.PUBLIC_STATUSES)
                       .select_related("organisation", "version")
                       .order_by("organisation__name"))
    earlier = Version.objects.published().exclude(pk=version.pk).order_by("-number")
    return render(request, "letter_of_intent/version.html", {
        "version": version,
        "text_html": render_markdown(version.text),
        "is_current": is_current,
        "signatories": signatories,
        "other_versions": earlier,
    })


def current(request):
    version = Version.objects.current()
    if version is None:
        raise Http404
    return _version_page(request, version, is_current=True)


def version_detail(request, number: int):
    version = get_object_or_404(Version.objects.published(), number=number)
    current_version = Version.objects.current()
    if current_version is not None and current_version.pk == version.pk:
        return redirect("letter_of_intent:current")
    return _version_page(request, version, is_current=False)


def _organisation_for(request, slug: str, allowed) -> Organisation:
    """The organisation, if the person may act on it: otherwise login, 403, or 404."""
    organisation = get_object_or_404(Organisation, slug=slug)
    # As on its profile: who may not see a non-public organisation cannot tell it exists.
    if not can_view(request.user, organisation):
        raise Http404
    if not allowed(request.user, organisation):
        raise PermissionDenied
    return organisation


@require_http_methods(["GET", "POST"])
def sign(request, slug: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    organisation = _organisation_for(request, slug, can_sign)
    version = Version.objects.current()
    refusal = services.refusal_to_sign(organisation, version)
    form = SignForm(
        request.POST if request.method == "POST" else None,
        initial={"version": version.number if version else None,
                 "signatory_name": request.user.full_name},
    )
    if request.method == "POST" and refusal is None and form.is_valid():
        signed_version = (Version.objects.published()
                          .filter(number=form.cleaned_data["version"]).first())
        try:
            if signed_version is None:
                raise ValidationError(_("Please sign the version shown on this page."))
            services.signature_create(
                organisation=organisation, version=signed_version, by=request.user,
                signatory_name=form.cleaned_data["signatory_name"],
                signatory_function=form.cleaned_data["signatory_function"],
                authority_confirmed=form.cleaned_data["authority_confirmed"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, with_office(_("Thank you. Your signature awaits review by "
                                                    "the %(office)s.")))
            return redirect("letter_of_intent:status", slug=organisation.slug)
    status = 409 if request.method == "POST" and refusal else 200
    return render(request, "letter_of_intent/sign.html", {
        "organisation": organisation,
        "version": version,
        "text_html": render_markdown(version.text, top_level=3) if version else "",
        "refusal": refusal,
        "form": form,
    }, status=status)


def status(request, slug: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    organisation = _organisation_for(request, slug, can_view_status)
    signatures = organisation.signatures.select_related("version").order_by("-signed_at", "-id")
    version = Version.objects.current()
    return render(request, "letter_of_intent/status.html", {
        "organisation": organisation,
        "signatures": signatures,
        "current_version": version,
        "can_sign": can_sign(request.user, organisation)
        and services.refusal_to_sign(organisation, version) is None,
        "can_withdraw": can_withdraw(request.user, organisation)
        and organisation.status in services.WITHDRAWABLE,
    })


@require_http_methods(["GET", "POST"])
def withdraw(request, slug: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    organisation = _organisation_for(request, slug, can_withdraw)
    possible = organisation.status in services.WITHDRAWABLE
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and possible and form.is_valid():
        try:
            services.organisation_withdraw(organisation=organisation, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your organisation has withdrawn from the alliance. "
                                        "It can sign the letter of intent again at any time."))
            return redirect("letter_of_intent:status", slug=organisation.slug)
    return render(request, "letter_of_intent/withdraw.html", {
        "organisation": organisation, "form": form, "possible": possible,
    }, status=409 if request.method == "POST" and not possible else 200)
