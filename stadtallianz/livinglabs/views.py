"""Pages of living labs: the list, the lab's page with its map, datastreams and live charts
(refreshed by htmx), CSV downloads, and the operator's forms (the lab, datastream privacy,
device tokens). Every lab page is public; sensor data is read through
stadtallianz.sensorthings.privacy (readings.py), so a viewer sees only what they may."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stadtallianz.core.exports import csv_response
from stadtallianz.core.forms import add_service_errors
from stadtallianz.core.markdown import render_markdown
from stadtallianz.partners.models import Organisation
from stadtallianz.sensorthings.models import Datastream, Location

from . import charts, forms, permissions, readings, services
from .models import LabToken, LivingLab, PrivacyLevel

PAGE_SIZE = 20
# The lab page shows live charts for this many datastreams; the rest are listed with their
# latest value and CSV download (the page stays fast for a lab with hundreds of sensors).
CHARTED = 30


def lab_list(request):
    form = forms.LabFilterForm(request.GET or None)
    labs = LivingLab.objects.select_related("operator").order_by("name_de", "pk")
    state = ""
    if form.is_bound and form.is_valid():
        state = form.cleaned_data["state"]
        if state:
            labs = labs.filter(state=state)
    page = Paginator(labs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "livinglabs/list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, {
        "form": form, "page": page, "filtered": bool(state),
        "query": f"state={state}" if state else "",
        "can_create": permissions.can_create(request.user)})


def _lab(slug) -> LivingLab:
    return get_object_or_404(LivingLab.objects.select_related("operator"), slug=slug)


# What the map draws of a thing's location (the STA accepts any GeoJSON geometry).
DRAWN_GEOMETRIES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                    "MultiPolygon")


def _area_collection(lab: LivingLab, locations) -> dict:
    """The lab's area and the locations of its things, for the map (core/js/featuremap.js)."""
    url = lab.get_absolute_url()
    features = [{"type": "Feature", "geometry": lab.area,
                 "properties": {"title": lab.name, "subtitle": _("Area of the lab"),
                                "url": url}}]
    for location in locations:
        geometry = location.location
        if isinstance(geometry, dict) and geometry.get("type") == "Feature":
            geometry = geometry.get("geometry")  # devices may send a whole GeoJSON feature
        if isinstance(geometry, dict) and geometry.get("type") in DRAWN_GEOMETRIES:
            features.append({"type": "Feature", "geometry": geometry,
                             "properties": {"title": location.name,
                                            "subtitle": location.description[:200],
                                            "url": f"{url}#things"}})
    return {"type": "FeatureCollection", "features": features}


def _streams_with_charts(caller, datastreams, period: readings.Range | None = None):
    """Each datastream with its latest value and charts: the last 24 hours and 30 days, or the
    one range the reader chose (a fixed number of queries either way)."""
    charted = datastreams[:CHARTED]
    if period is None:
        series = readings.series_of(charted, caller=caller)
    else:
        series = {pk: {"range": drawn}
                  for pk, drawn in readings.series_in(charted, period, caller=caller).items()}
    latest = readings.latest_observations(datastreams)
    rows = []
    for index, stream in enumerate(datastreams):
        drawn = series.get(stream.pk)
        newest = latest.get(stream.pk)
        first = next(iter(drawn.values())) if drawn else None
        rows.append({
            "stream": stream, "latest": newest,
            "latest_text": charts.value_text(newest.result) if newest else "",
            "charts": [{"id": key, "chart": charts.draw(value)}
                       for key, value in drawn.items()] if drawn else [],
            "kind": first.kind if first else "mean",
            "charted": index < CHARTED,
            "window_hours": stream.aggregation_window // 3600,
        })
    return rows


def _range(request) -> tuple[forms.RangeForm, readings.Range | None, str]:
    """The reader's time range from the URL: its form (errors shown next to the fields, and
    the default ranges drawn meanwhile), the range, and its URL parameters."""
    form = forms.RangeForm(request.GET if "range" in request.GET else None)
    if not form.is_bound or not form.is_valid() or not form.cleaned_data["range"]:
        return form, None, ""
    data = form.cleaned_data
    period = readings.range_of(data["range"], start=data["start"], end=data["end"])
    return form, period, form.query()


def _range_label(form, period) -> str:
    if period is None:
        return ""
    if form.cleaned_data["range"] == "custom":
        from django.utils import formats

        return _("%(start)s to %(end)s") % {
            "start": formats.date_format(form.cleaned_data["start"], "SHORT_DATE_FORMAT"),
            "end": formats.date_format(form.cleaned_data["end"], "SHORT_DATE_FORMAT")}
    return str(dict(forms.RANGES)[form.cleaned_data["range"]])


def lab_detail(request, slug):
    lab = _lab(slug)
    caller = readings.caller_of_page(request)
    range_form, period, range_query = _range(request)
    datastreams = list(readings.visible_datastreams(caller, lab))
    things = {}
    for stream in datastreams:
        things.setdefault(stream.thing_id, {"thing": stream.thing, "streams": []})
    locations = list(Location.objects.filter(lab=lab).order_by("pk")[:500])
    rows = _streams_with_charts(caller, datastreams, period)
    for row in rows:
        things[row["stream"].thing_id]["streams"].append(row)
    # Only things with a datastream the viewer may see: a thing that carries nothing but
    # restricted datastreams would tell outsiders what is measured there (the SensorThings API
    # lists things as public metadata, but their names are chosen by the devices).
    return render(request, "livinglabs/detail.html", {
        "lab": lab,
        "description_html": render_markdown(lab.description, top_level=3),
        "trial_html": render_markdown(lab.trial, top_level=3),
        "learnings_html": render_markdown(lab.learnings, top_level=3),
        # Public partners only: a withdrawn organisation's page is gone.
        "partners": list(Organisation.objects.public().filter(living_labs=lab).order_by("name")),
        "projects": list(lab.projects.order_by("title_de")),
        "area_geojson": _area_collection(lab, locations),
        "locations": locations,
        "things": list(things.values()),
        "can_manage": permissions.can_manage(request.user, lab),
        "now": timezone.now(),
        "range_form": range_form, "range_query": range_query,
        "range_label": _range_label(range_form, period),
    }, status=400 if range_form.errors else 200)


def _visible_stream(caller, lab, pk) -> Datastream:
    stream = readings.visible_datastream(caller, lab, pk)
    if stream is None:  # restricted streams do not exist for outsiders
        raise Http404
    return stream


def datastream_chart(request, slug, pk):
    """One datastream's latest value and charts: the partial the lab page's live refresh
    (livinglabs/live.js) reads its values from, for the same range as the page."""
    lab = _lab(slug)
    caller = readings.caller_of_page(request)
    range_form, period, range_query = _range(request)
    row = _streams_with_charts(caller, [_visible_stream(caller, lab, pk)], period)[0]
    return render(request, "livinglabs/includes/datastream.html", {
        "lab": lab, "row": row, "range_query": range_query,
        "range_label": _range_label(range_form, period)})


# The CSV's columns: plain words in the reader's language, or (format=utc, for machines) the
# SensorThings names with times in UTC. docs/api.md, "Living lab CSV downloads".
MACHINE_HEADERS = ["phenomenon_time_start", "phenomenon_time_end", "result_time", "result"]


def _csv_headers(stream, utc: bool) -> list[str]:
    aggregated = stream.privacy_level == PrivacyLevel.AGGREGATED
    if utc:
        headers = list(MACHINE_HEADERS)
        if aggregated:
            headers[3] = "result_sum" if stream.counts_people else "result_mean"
        return headers
    if aggregated:
        value = (_("Total of the window") if stream.counts_people
                 else _("Mean of the window"))
    else:
        value = _("Value")
    unit = stream.unit_of_measurement if isinstance(stream.unit_of_measurement, dict) else {}
    if unit.get("symbol"):
        value = f"{value} ({unit['symbol']})"
    return [_("Measured from"), _("Measured until"), _("Result time"), value]


def datastream_csv(request, slug, pk):
    lab = _lab(slug)
    caller = readings.caller_of_page(request)
    stream = _visible_stream(caller, lab, pk)
    range_form, period, _query = _range(request)
    if range_form.errors:
        return render(request, "livinglabs/csv_error.html",
                      {"lab": lab, "range_form": range_form}, status=400)
    utc = request.GET.get("format") == "utc"
    suffix = "-utc" if utc else ""
    return csv_response(f"{lab.slug}-datastream-{stream.pk}{suffix}.csv",
                        _csv_headers(stream, utc),
                        readings.csv_rows(caller, stream, period=period, utc=utc))


# ---------------------------------------------------------------------------------------------
# Management: the operator's admins and the coordination office


def _managed(request, slug) -> LivingLab:
    lab = _lab(slug)
    if not permissions.can_manage(request.user, lab):
        raise PermissionDenied
    return lab


def _form_data(form):
    data = {name: form.cleaned_data[name] for name in forms.LAB_FIELDS}
    relations = {name: form.cleaned_data[name] for name in forms.LAB_RELATIONS}
    return data, relations


@login_required
def lab_create(request):
    if not permissions.can_create(request.user):
        raise PermissionDenied
    form = forms.LabForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data, relations = _form_data(form)
        try:
            lab = services.create_lab(actor=request.user, operator=form.cleaned_data["operator"],
                                      data=data, relations=relations)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The living lab has been created."))
            return redirect(lab)
    return render(request, "livinglabs/lab_form.html", {"form": form, "lab": None},
                  status=400 if form.errors else 200)


@login_required
def lab_edit(request, slug):
    lab = _managed(request, slug)
    # A copy for the form, which writes the posted values into its instance: the service
    # compares against the lab as stored.
    form = forms.LabForm(request.POST or None, instance=copy.copy(lab), user=request.user)
    if request.method == "POST" and form.is_valid():
        data, relations = _form_data(form)
        try:
            services.update_lab(lab=lab, actor=request.user, data=data, relations=relations)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The living lab has been saved."))
            return redirect(lab)
    return render(request, "livinglabs/lab_form.html", {"form": form, "lab": lab},
                  status=400 if form.errors else 200)


@login_required
def datastream_privacy(request, slug, pk):
    lab = _managed(request, slug)
    stream = get_object_or_404(Datastream.objects.select_related("lab", "thing"), lab=lab, pk=pk)
    initial = {"privacy_level": stream.privacy_level,
               "aggregation_window": stream.aggregation_window,
               "counts_people": stream.counts_people, "k_threshold": stream.k_threshold,
               "retention_days": stream.retention_days}
    form = forms.PrivacyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_privacy(datastream=stream, actor=request.user,
                                 level=data["privacy_level"],
                                 aggregation_window=data["aggregation_window"],
                                 counts_people=data["counts_people"],
                                 k_threshold=data["k_threshold"],
                                 retention_days=data["retention_days"])
        except ValidationError as error:
            add_service_errors(form, _renamed(error))
        else:
            messages.success(request, _("The privacy settings have been saved."))
            return redirect("livinglabs:datastreams", slug=lab.slug)
    return render(request, "livinglabs/privacy_form.html",
                  {"form": form, "lab": lab, "stream": stream},
                  status=400 if form.errors else 200)


def _renamed(error: ValidationError) -> ValidationError:
    """change_privacy names the level `level` (its argument); the form calls it privacy_level."""
    if hasattr(error, "error_dict") and "level" in error.error_dict:
        errors = dict(error.error_dict)
        errors["privacy_level"] = errors.pop("level")
        return ValidationError(errors)
    return error


@login_required
def datastream_settings(request, slug):
    """The operator's overview of every datastream of the lab (restricted ones included) with
    their privacy level and retention."""
    lab = _managed(request, slug)
    streams = list(Datastream.objects.filter(lab=lab).select_related("thing")
                   .order_by("thing_id", "pk"))
    return render(request, "livinglabs/datastreams.html", {"lab": lab, "streams": streams})


@login_required
def tokens(request, slug):
    lab = _managed(request, slug)
    form = forms.TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            token, key = services.issue_token(lab=lab, actor=request.user,
                                              name=form.cleaned_data["name"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # Shown on this answer only: the key is not stored and the page is not cached.
            issued = {"token": token, "key": key, "secret": key[len(token.username) + 1:]}
            form = forms.TokenForm()
    response = render(request, "livinglabs/tokens.html", {
        "lab": lab, "form": form, "issued": issued,
        "tokens": list(lab.tokens.select_related("created_by")),
        "mqtt_url": _mqtt_address(), "sta_url": request.build_absolute_uri("/sta/v1.1"),
        # What the lab's devices sent that could not be stored (sensorthings/deadletters.py).
        **_rejected_messages(lab),
    }, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"
    return response


def _rejected_messages(lab) -> dict:
    from stadtallianz.sensorthings.deadletters import RejectedMessage, recent_for_lab

    return {"rejected": list(recent_for_lab(lab)),
            "rejected_keep_days": RejectedMessage.KEEP_DAYS}


def _mqtt_address() -> str:
    """The broker address devices use: MQTT_PUBLIC_URL without user info, never MQTT_URL,
    which carries the bridge's own password."""
    from django.conf import settings

    from stadtallianz.sensorthings.query.root import public_endpoint

    return public_endpoint(settings.MQTT_PUBLIC_URL) if settings.MQTT_PUBLIC_URL.strip() else ""


@login_required
@require_POST
def token_revoke(request, slug, pk):
    lab = _managed(request, slug)
    token = get_object_or_404(LabToken.objects.select_related("lab"), lab=lab, pk=pk)
    services.revoke_token(token=token, actor=request.user)
    messages.success(request, _("The token %(name)s has been revoked.") % {"name": token.name})
    return redirect("livinglabs:tokens", slug=lab.slug)
