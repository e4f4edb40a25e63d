"""The impact dashboard: the key figures as cards (value, trend, target and status, a chart
with its table), the filters, a CSV per figure and one of the whole dashboard; and the
coordination office's page for the targets."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stadtallianz.core.exports import csv_response
from stadtallianz.core.forms import add_service_errors
from stadtallianz.core.office import with_office

from . import charts, permissions, services
from .figures import REACHED, key_figures
from .forms import FilterForm, TargetForm
from .keys import KEYS
from .models import ImpactTarget


def _filters(request):
    form = FilterForm(request.GET or None)
    return form, form.filters()


def dashboard(request):
    form, filters = _filters(request)
    figures = key_figures(**filters)
    cards = [{"figure": figure, "chart": charts.draw(figure.chart),
              # The filters set that this figure does not follow (the card says so).
              "ignored": [name for name in figure.ignores if filters.get(name)]}
             for figure in figures]
    query = request.GET.urlencode() if any(filters.values()) else ""
    return render(request, "impact/dashboard.html", {
        "form": form, "cards": cards, "filters": filters, "query": query,
        "can_set_targets": permissions.can_set_targets(request.user), "REACHED": REACHED,
    })


def figure_csv(request, key):
    if key not in KEYS:
        raise Http404
    _form, filters = _filters(request)
    figure = next(f for f in key_figures(**filters) if f.key == key)
    return csv_response(f"impact-{key}.csv", [str(c) for c in figure.columns], figure.rows)


def dashboard_csv(request):
    _form, filters = _filters(request)
    headers = [_("Figure"), _("Kind"), _("Value"), _("Unit"), _("Target value"), _("Target year"),
               _("Status"), _("How it is computed"), _("List")]
    statuses = {"reached": _("reached"), "on_track": _("on track"), "behind": _("behind")}
    rows = [[f.title, f.kind_label, f.value, f.unit, f.target, f.target_year,
             statuses.get(f.status, ""), f.how, request.build_absolute_uri(f.link)]
            for f in key_figures(**filters)]
    return csv_response("impact.csv", headers, rows)


def _deny(request):
    if not permissions.can_set_targets(request.user):
        raise PermissionDenied(with_office(_("Only the %(office)s sets the targets of the "
                                             "impact dashboard.")))


@login_required
def targets(request):
    _deny(request)
    form = TargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_set(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The target was saved."))
            return redirect("impact:targets")
    return render(request, "impact/targets.html", {
        "form": form, "targets": list(ImpactTarget.objects.select_related("set_by")),
    })


@login_required
@require_POST
def target_delete(request, pk):
    _deny(request)
    target = get_object_or_404(ImpactTarget, pk=pk)
    services.target_delete(actor=request.user, target=target)
    messages.success(request, _("The target was deleted."))
    return redirect("impact:targets")
