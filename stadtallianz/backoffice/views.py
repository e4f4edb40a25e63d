"""The coordination office's back office: applications, partners, versions, focus areas, audit log.

Every view is for coordinators and superusers only (`coordination_office_required`); the changes
themselves are made by the services of the app that owns the data.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stadtallianz.core.exports import csv_response, xlsx_response
from stadtallianz.core.forms import add_service_errors
from stadtallianz.core.markdown import render_markdown
from stadtallianz.core.models import AuditEntry, FocusArea
from stadtallianz.letter_of_intent import services as letter_services
from stadtallianz.letter_of_intent.forms import RejectForm, VersionForm
from stadtallianz.letter_of_intent.models import Signature, Version
from stadtallianz.partners.models import Organisation

from . import exports, services
from .filters import audit_entries
from .forms import FocusAreaForm, PartnerFilterForm
from .permissions import coordination_office_required
from .work_queue import work_queue

PAGE_SIZE = 50


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@coordination_office_required
def dashboard(request):
    counts = dict(Organisation.objects.order_by().values_list("status")
                  .annotate(n=Count("pk")).values_list("status", "n"))
    status_counts = [(value, label, counts.get(value, 0))
                     for value, label in Organisation.Status.choices]
    return render(request, "backoffice/dashboard.html", {
        "status_counts": status_counts,
        "organisation_count": sum(counts.values()),
        "queues": work_queue(),
        "draft_version": Version.objects.filter(published_at__isnull=True).first(),
        "current_version": Version.objects.current(),
        "recent_entries": AuditEntry.objects.select_related("actor", "content_type")[:10],
    })


@coordination_office_required
def applications(request):
    pending = (Signature.objects.pending().select_related("organisation", "version", "signed_by")
               .order_by("signed_at", "id"))
    page = Paginator(pending, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "backoffice/applications.html", {"page": page})


def _application_page(request, signature, reject_form=None, status=200):
    # Read again for the page (after a refused rejection, too): deleted meanwhile, a 404.
    signature = get_object_or_404(Signature.objects.select_related(
        "organisation", "version", "signed_by", "reviewed_by"), pk=signature.pk)
    history = (signature.organisation.signatures.exclude(pk=signature.pk)
               .select_related("version").order_by("-signed_at"))
    return render(request, "backoffice/application.html", {
        "signature": signature,
        "organisation": signature.organisation,
        "history": history,
        "is_pending": signature.state == Signature.State.PENDING,
        "reject_form": reject_form or RejectForm(),
    }, status=status)


@coordination_office_required
def application(request, pk: int):
    signature = get_object_or_404(Signature, pk=pk)
    return _application_page(request, signature)


@coordination_office_required
@require_POST
def application_confirm(request, pk: int):
    signature = get_object_or_404(Signature, pk=pk)
    try:
        signature = letter_services.signature_confirm(signature=signature, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("backoffice:application", pk=pk)
    messages.success(request, _("The signature of %(name)s is confirmed.")
                     % {"name": signature.organisation.name})
    return redirect("backoffice:applications")


@coordination_office_required
@require_POST
def application_reject(request, pk: int):
    signature = get_object_or_404(Signature, pk=pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            signature = letter_services.signature_reject(
                signature=signature, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The signature of %(name)s is rejected.")
                             % {"name": signature.organisation.name})
            return redirect("backoffice:applications")
    return _application_page(request, signature, reject_form=form)


@coordination_office_required
def partners(request):
    form = PartnerFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    organisations = (exports.filter_organisations(exports.organisations_with_signatures(), data)
                     .order_by("name", "pk"))
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "backoffice/partners.html", {
        "form": form, "page": page, "query": _query_without_page(request),
    })


@coordination_office_required
def partners_export(request):
    form = PartnerFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    organisations = exports.filter_organisations(exports.organisations_with_signatures(), data)
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    headers = exports.partner_headers()
    rows = exports.partner_rows(organisations)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(f"partners-{stamp}.xlsx", _("Partners"), headers, rows)
    return csv_response(f"partners-{stamp}.csv", headers, rows)


@coordination_office_required
def audit(request):
    filterset, entries = audit_entries(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "backoffice/audit.html", {
        "form": filterset.form, "page": page, "query": _query_without_page(request),
    })


@coordination_office_required
def audit_export(request):
    """The filtered entries as CSV (or XLSX with ?format=xlsx), sentences in the reader's
    language."""
    _filterset, entries = audit_entries(request)
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    headers, rows = exports.audit_headers(), exports.audit_rows(entries)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(f"audit-log-{stamp}.xlsx", _("Audit log"), headers, rows)
    return csv_response(f"audit-log-{stamp}.csv", headers, rows)


@coordination_office_required
def versions(request):
    all_versions = Version.objects.annotate(
        confirmed_count=Count("signatures", filter=Q(signatures__state=Signature.State.CONFIRMED)),
    ).order_by("-number")
    return render(request, "backoffice/versions.html", {
        "versions": all_versions,
        "has_draft": Version.objects.filter(published_at__isnull=True).exists(),
    })


@coordination_office_required
def version_create(request):
    form = VersionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            version = letter_services.version_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The draft is saved. Check the preview before publishing."))
            return redirect("backoffice:version_preview", number=version.number)
    return render(request, "backoffice/version_form.html", {"form": form, "version": None})


@coordination_office_required
def version_edit(request, number: int):
    version = get_object_or_404(Version, number=number)
    if version.is_published:
        messages.error(request, _("A published version cannot be changed."))
        return redirect("backoffice:version_preview", number=number)
    form = VersionForm(request.POST if request.method == "POST" else None, instance=version)
    if request.method == "POST" and form.is_valid():
        try:
            letter_services.version_update(version=version, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("backoffice:version_preview", number=number)
    return render(request, "backoffice/version_form.html", {"form": form, "version": version})


@coordination_office_required
def version_preview(request, number: int):
    version = get_object_or_404(Version, number=number)
    return render(request, "backoffice/version_preview.html", {
        "version": version,
        "text_de_html": render_markdown(version.text_de, top_level=3),
        "text_en_html": render_markdown(version.text_en, top_level=3),
        "partner_count": Organisation.objects.filter(status=Organisation.Status.PARTNER).count(),
    })


@coordination_office_required
@require_POST
def version_publish(request, number: int):
    version = get_object_or_404(Version, number=number)
    try:
        asked = letter_services.version_publish(version=version, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("backoffice:version_preview", number=number)
    messages.success(request, _("Version %(number)s is published. %(count)s partners were asked "
                                "to re-sign.") % {"number": version.number, "count": len(asked)})
    return redirect("backoffice:versions")


@coordination_office_required
def focus_areas(request):
    return render(request, "backoffice/focus_areas.html", {
        "focus_areas": FocusArea.objects.annotate(organisation_count=Count("organisations")),
    })


@coordination_office_required
def focus_area_create(request):
    form = FocusAreaForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.focus_area_create(by=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The focus area is saved."))
            return redirect("backoffice:focus_areas")
    return render(request, "backoffice/focus_area_form.html", {"form": form, "focus_area": None})


@coordination_office_required
def focus_area_edit(request, pk: int):
    focus_area = get_object_or_404(FocusArea, pk=pk)
    form = FocusAreaForm(request.POST if request.method == "POST" else None, instance=focus_area)
    if request.method == "POST" and form.is_valid():
        try:
            services.focus_area_update(focus_area=focus_area, by=request.user,
                                       data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The focus area is saved."))
            return redirect("backoffice:focus_areas")
    return render(request, "backoffice/focus_area_form.html",
                  {"form": form, "focus_area": focus_area})
