"""The legal pages (public, in both languages), their edit page for the coordination office
and the page asking a person to accept a changed privacy notice."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from stadtallianz.core.markdown import render_markdown

from . import services
from .forms import ConsentForm, PageForm
from .models import DocumentVersion, Kind


def page(request, kind: str):
    version = services.current(kind)
    return render(request, "legal/page.html", {
        "kind": kind, "title": Kind(kind).label, "version": version,
        "text": render_markdown(version.text),
        "can_edit": services.can_edit(request.user)})


def edit(request, kind: str):
    if kind not in Kind.values:
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request)
    if not services.can_edit(request.user):
        raise PermissionDenied
    version = services.current(kind)
    form = PageForm(request.POST or None, kind=kind,
                    initial={"text_de": version.text_de, "text_en": version.text_en})
    if request.method == "POST" and form.is_valid():
        try:
            services.page_save(kind=kind, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field, message)
        else:
            messages.success(request, _("Saved as a new version."))
            return redirect(f"legal:{kind}")
    versions = (DocumentVersion.objects.of(kind).select_related("created_by")
                .only("number", "created_at", "material_change", "created_by__full_name"))
    return render(request, "legal/edit.html", {
        "kind": kind, "title": Kind(kind).label, "form": form, "versions": versions})


def redirect_to_login(request):
    from django.contrib.auth.views import redirect_to_login as to_login

    return to_login(request.get_full_path())


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return "/"


@login_required
def consent(request):
    version = services.consent_needed(request.user)
    target = _safe_next(request)
    if version is None:
        return redirect(target)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.consent_give(user=request.user, version=version)
        messages.success(request, _("Thank you. Your consent has been recorded."))
        return redirect(target)
    return render(request, "legal/consent.html", {
        "form": form, "version": version, "next": target,
        "text": render_markdown(version.text)})
