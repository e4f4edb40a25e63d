"""Suggestion pages: the person's own (/suggestions/: calls, partner searches and projects that
fit their organisation), and the partners suggested for a project, a call or a notice, as a page
of their own or as an htmx fragment (`HX-Request`, or `?fragment=1`) that the project, call and
notice pages embed. Each suggestion is a card with its reasons and a "not relevant" button (a
POST form with CSRF: it works without JavaScript)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stadtallianz.partners.models import Organisation

from . import permissions, services, suggestions
from .forms import DismissForm
from .models import Kind

DENIED = services.DENIED


def _is_fragment(request) -> bool:
    return request.headers.get("HX-Request") == "true" or request.GET.get("fragment") == "1"


@login_required
def index(request):
    """The person's organisations' suggestions: one organisation at a time (?organisation=)."""
    organisations = list(Organisation.objects.public().filter(
        memberships__user=request.user).order_by("name", "pk"))
    if not organisations and not permissions.can_see_suggestions(request.user):
        raise PermissionDenied(DENIED)
    chosen = next((o for o in organisations if o.slug == request.GET.get("organisation")),
                  organisations[0] if organisations else None)
    found = suggestions.subjects_for(request.user, chosen) if chosen else []
    return render(request, "matchmaking/index.html", {
        "organisations": organisations, "organisation": chosen, "suggestions": found,
        "subject_kind": Kind.ORGANISATION, "subject_id": chosen.pk if chosen else None,
        "undo_last": request.session.pop("matchmaking_undo", None),
    })


def _partners_page(request, kind: str, key):
    subject = suggestions.get_subject(request.user, kind, key)
    if not permissions.can_see_suggestions(request.user):
        if _is_fragment(request):
            return HttpResponse("")  # an embedding page shows nothing to others
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.get_full_path()}")
        raise PermissionDenied(DENIED)
    context = {
        "subject": subject, "kind": kind, "subject_kind": kind, "subject_id": subject.pk,
        "suggestions": suggestions.partners_for(request.user, kind, subject),
        "next": subject.get_absolute_url() if _is_fragment(request) else request.path,
        "undo_last": request.session.pop("matchmaking_undo", None),
    }
    template = "matchmaking/partners_fragment.html" if _is_fragment(request) else \
        "matchmaking/partners.html"
    return render(request, template, context)


def for_project(request, slug):
    return _partners_page(request, Kind.PROJECT, slug)


def for_call(request, slug):
    return _partners_page(request, Kind.CALL, slug)


def for_notice(request, pk):
    return _partners_page(request, Kind.NOTICE, pk)


def _back(request, form_next: str):
    if form_next and url_has_allowed_host_and_scheme(
            form_next, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(form_next)
    return redirect("matchmaking:index")


@login_required
@require_POST
def dismiss(request):
    return _change(request, services.dismiss,
                   _("The suggestion is hidden. You will not see it here again."))


@login_required
@require_POST
def undo(request):
    return _change(request, services.undo, _("The suggestion is shown again."))


def _change(request, service, done: str):
    form = DismissForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("The request was incomplete."), status=400)
    data = form.cleaned_data
    try:
        service(by=request.user, subject_kind=data["subject_kind"],
                subject_id=data["subject_id"], object_kind=data["object_kind"],
                object_id=data["object_id"])
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400)
    messages.success(request, done)
    if service is services.dismiss:
        # The next page offers to bring it back (the undo).
        request.session["matchmaking_undo"] = {key: data[key] for key in (
            "subject_kind", "subject_id", "object_kind", "object_id")}
    return _back(request, data.get("next", ""))

