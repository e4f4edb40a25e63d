"""Pages of funding programmes and calls: the list with filters, the deadline calendar, a
call's page (deadlines with a countdown, rates per applicant type, follow button), the forms,
and the programmes. Who may do what is decided in permissions.py; the services check it for
every change, so a page asks it only to decide what to show."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stadtallianz.core.forms import add_service_errors
from stadtallianz.core.markdown import render_markdown
from stadtallianz.partners.models import Organisation

from . import permissions, queries, services
from .forms import CallFilterForm, CallForm, ProgrammeForm
from .models import Call, CallFollow, Programme

PAGE_SIZE = 20


def _filtered(request):
    form = CallFilterForm(request.GET or None)
    calls = queries.listed(request.user)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    calls = queries.filter_calls(calls, **filters)
    return form, calls, filters


def call_list(request):
    form, calls, filters = _filtered(request)
    calls = calls.order_by("next_due_at", "title_de", "pk")
    page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("page"))
    followed = set()
    if request.user.is_authenticated:
        followed = set(CallFollow.objects.filter(
            user=request.user, call__in=[call.pk for call in page.object_list])
            .values_list("call_id", flat=True))
    template = "funding/call_list.html"
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        template += "#results"
    return render(request, template, {
        "form": form, "page": page, "filtered": bool(filters), "followed": followed,
        "can_edit": permissions.can_edit_calls(request.user),
        "can_import": permissions.can_import(request.user),
    })


def calendar(request):
    """Upcoming deadlines of open and forthcoming calls, grouped by month."""
    deadlines = list(queries.upcoming_deadlines(Call.objects.visible_to(request.user)
                                                .current())[:300])
    return render(request, "funding/calendar.html", {"deadlines": deadlines})


def _call(slug) -> Call:
    return get_object_or_404(Call.objects.select_related("programme", "verified_by")
                             .prefetch_related(*queries.detail_prefetch()), slug=slug)


def call_detail(request, slug):
    call = _call(slug)
    if not Call.objects.visible_to(request.user).filter(pk=call.pk).exists():
        raise PermissionDenied
    now = timezone.now()
    rates = {rate.applicant_type: rate.rate for rate in call.rates.all()}
    types = call.eligible_types or Organisation.Type.values
    rate_rows = [{"type": Organisation.Type(value).label,
                  "rate": rates.get(value, call.funding_rate),
                  "own": value in rates} for value in types if value in Organisation.Type.values]
    follower_count = call.follows.count()
    verified_name = ""
    if call.verified_by is not None:
        # Signed-in people see who checked it (the office or a partner's admin); visitors the
        # public name.
        verified_name = (call.verified_by.full_name if request.user.is_authenticated
                         else call.verified_by.public_name)
    return render(request, "funding/call_detail.html", {
        "call": call, "now": now, "verified_name": verified_name,
        "deadlines": list(call.deadlines.all()),
        "summary_html": render_markdown(call.summary, top_level=3),
        "rate_rows": rate_rows,
        "focus_areas": queries.focus_area_fit(call),
        "is_following": services.is_following(request.user, call),
        "follower_count": follower_count,
        "interested": (list(queries.interested_organisations(call))
                       if request.user.is_authenticated else []),
        "can_edit": permissions.can_edit_call(request.user, call),
        "can_delete": permissions.can_delete(request.user),
    })


@require_POST
@login_required
def follow(request, slug):
    call = get_object_or_404(Call, slug=slug)
    if request.POST.get("action") == "unfollow":
        services.unfollow(call=call, user=request.user)
        messages.success(request, _("You no longer follow this call."))
    else:
        services.follow(call=call, user=request.user)
        messages.success(request, _("You follow this call: its deadlines are in your deadline "
                                    "calendar, and you are reminded 30, 14 and 3 days before "
                                    "each."))
    return redirect(call)


@require_POST
@login_required
def verify(request, slug):
    call = get_object_or_404(Call, slug=slug)
    services.verify_call(call=call, actor=request.user)
    messages.success(request, _("Marked as checked against the source today."))
    return redirect(call)


@require_POST
@login_required
def delete(request, slug):
    call = get_object_or_404(Call, slug=slug)
    services.delete_call(call=call, actor=request.user)
    messages.success(request, _("The call has been deleted."))
    return redirect("funding:call_list")


def _call_form(request, call: Call | None):
    form = CallForm(request.POST or None, instance=call)
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        try:
            if call is None:
                call = services.create_call(actor=request.user, **arguments)
            else:
                call = services.update_call(call=call, actor=request.user, **arguments)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The call has been saved."))
            return redirect(call)
    return render(request, "funding/call_form.html", {"form": form, "call": call},
                  status=400 if form.errors else 200)


@login_required
def call_create(request):
    if not permissions.can_edit_calls(request.user):
        raise PermissionDenied
    return _call_form(request, None)


@login_required
def call_edit(request, slug):
    call = get_object_or_404(Call, slug=slug)
    if not permissions.can_edit_call(request.user, call):
        raise PermissionDenied
    return _call_form(request, call)


# ---------------------------------------------------------------------------------------------
# Programmes


def programme_list(request):
    order = {level: index for index, level in enumerate(Programme.Level.values)}
    programmes = sorted(Programme.objects.order_by("name_de", "pk"),
                        key=lambda programme: order.get(programme.level, len(order)))
    return render(request, "funding/programme_list.html", {
        "programmes": programmes, "levels": Programme.Level,
        "can_edit": permissions.can_edit_calls(request.user)})


def programme_detail(request, slug):
    programme = get_object_or_404(Programme, slug=slug)
    calls = queries.listed(request.user).filter(programme=programme).order_by(
        "next_due_at", "title_de", "pk")
    # Open calls first, then forthcoming, then closed.
    order = {Call.State.OPEN: 0, Call.State.FORTHCOMING: 1, Call.State.CLOSED: 2}
    return render(request, "funding/programme_detail.html", {
        "programme": programme,
        "calls": sorted(calls, key=lambda call: order.get(call.state, 3)),
        "description_html": render_markdown(programme.description, top_level=3),
        "can_edit": permissions.can_edit_programme(request.user, programme)})


def _programme_form(request, programme: Programme | None):
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ProgrammeForm.Meta.fields}
        try:
            if programme is None:
                programme = services.create_programme(actor=request.user, data=data)
            else:
                programme = services.update_programme(programme=programme, actor=request.user,
                                                      data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The programme has been saved."))
            return redirect(programme)
    return render(request, "funding/programme_form.html",
                  {"form": form, "programme": programme}, status=400 if form.errors else 200)


@login_required
def programme_create(request):
    if not permissions.can_edit_calls(request.user):
        raise PermissionDenied
    return _programme_form(request, None)


@login_required
def programme_edit(request, slug):
    programme = get_object_or_404(Programme, slug=slug)
    if not permissions.can_edit_programme(request.user, programme):
        raise PermissionDenied
    return _programme_form(request, programme)
