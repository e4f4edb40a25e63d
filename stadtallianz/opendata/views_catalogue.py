"""The public catalogue pages: the list of datasets with search, filters and facet counts, and a
dataset's page with its metadata, distributions, a preview and ready-made API requests.

Who sees which dataset is one rule, `Dataset.objects.visible_to(user)` (models.py): the public
sees published datasets, a partner's people also their own organisation's drafts and
submissions, the coordination office everything. A lab dataset's preview reads its sensor data
as the public does (livinglabs.readings with an anonymous caller), so a page shows nobody more
than the SensorThings API shows everybody, and never a restricted datastream.
"""

from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stadtallianz.core.i18n import LanguageLabel, active_language
from stadtallianz.core.markdown import render_markdown
from stadtallianz.livinglabs import charts, readings
from stadtallianz.partners.models import Organisation
from stadtallianz.sensorthings.models import Location, PrivacyLevel

from . import permissions, queries
from .models import Dataset, Distribution, ValidationRun
from .sync import public_caller, sta_url
from .vocabularies import FILE_TYPES, FREQUENCIES, LICENCES, THEMES

PAGE_SIZE = 20
# A lab dataset's page charts this many datastreams (the rest are listed with their links).
CHARTED = 6
# The map of a lab dataset's places shows at most this many locations.
MAX_LOCATIONS = 200
# The platform datasets' preview: the first rows.
PREVIEW_ROWS = 10
# What the map draws (the SensorThings API accepts any GeoJSON geometry).
DRAWN_GEOMETRIES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                    "MultiPolygon")


class CatalogueFilterForm(forms.Form):
    """The catalogue's search, filters and order. The choices are checked against the
    vocabularies; the page then shows, for each filter, the values that find something with
    their counts (queries.facets)."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search"}))
    kind = forms.ChoiceField(label=gettext_lazy("Source"), required=False)
    theme = forms.ChoiceField(label=gettext_lazy("Theme"), required=False)
    publisher = forms.SlugField(label=gettext_lazy("Publisher"), required=False,
                                max_length=220, widget=forms.Select)
    format = forms.ChoiceField(label=gettext_lazy("Format"), required=False)
    licence = forms.ChoiceField(label=gettext_lazy("Licence"), required=False)
    focus_area = forms.SlugField(label=gettext_lazy("Focus area"), required=False,
                                 widget=forms.Select)
    sort = forms.ChoiceField(label=gettext_lazy("Order"), required=False, choices=[
        ("", gettext_lazy("Last changed first")), ("title", gettext_lazy("Title (A–Z)"))])

    EMPTY = {
        "kind": gettext_lazy("All sources"), "theme": gettext_lazy("All themes"),
        "publisher": gettext_lazy("All publishers"), "format": gettext_lazy("All formats"),
        "licence": gettext_lazy("All licences"), "focus_area": gettext_lazy("All focus areas"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", ""), *Dataset.Kind.choices]
        self.fields["theme"].choices = [("", ""), *THEMES.choices()]
        self.fields["format"].choices = [("", ""), *FILE_TYPES.choices()]
        self.fields["licence"].choices = [("", ""), *LICENCES.choices()]

    def filters(self) -> dict:
        """The valid filters given (a wrong value is said next to its field and ignored)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: self.cleaned_data[name] for name in queries.FILTERS
                if self.cleaned_data.get(name)} | (
            {"q": self.cleaned_data["q"].strip()}
            if self.cleaned_data.get("q", "").strip() else {})

    def show_facets(self, facets: dict) -> None:
        """Each filter's options: the values that find something, with their counts, and the
        chosen one even when it finds nothing now."""
        for name in queries.FILTERS:
            chosen = self.cleaned_data.get(name, "") if self.is_bound else ""
            options = [("", self.EMPTY[name])]
            listed = set()
            for item in facets[name]:
                label = _("%(label)s (%(count)s)") % {"label": item.label, "count": item.count}
                options.append((item.value, _lang_label(label, item.lang)))
                listed.add(item.value)
            if chosen and chosen not in listed:
                options.append((chosen, _("%(label)s (%(count)s)") % {
                    "label": self._label_of(name, chosen), "count": 0}))
            self.fields[name].widget.choices = options
            if hasattr(self.fields[name], "choices"):
                self.fields[name].choices = options

    def _label_of(self, name: str, value: str) -> str:
        for key, label in self.fields[name].choices if hasattr(self.fields[name],
                                                                 "choices") else ():
            if key == value:
                return str(label)
        return value


def _lang_label(label: str, lang: str) -> LanguageLabel:
    shown = LanguageLabel(label)
    shown.lang = lang
    return shown


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def catalogue(request):
    form = CatalogueFilterForm(request.GET or None)
    filters = form.filters()
    filtered = bool(filters)
    visible = Dataset.objects.visible_to(request.user)
    if filters.get("q"):
        visible = queries.searched(visible, filters.pop("q"))
    datasets = queries.filter_datasets(visible, **filters)
    sort = form.cleaned_data.get("sort", "") if form.is_bound else ""
    datasets = queries.for_cards(queries.ordered(datasets, sort or "changed"))
    page = Paginator(datasets, PAGE_SIZE).get_page(request.GET.get("page"))
    form.show_facets(queries.facets(visible, filters))
    cards = [{"dataset": dataset, "formats": queries.formats_of(dataset),
              "themes": [THEMES[key] for key in dataset.themes if key in THEMES],
              "licence": LICENCES.get(dataset.licence)}
             for dataset in page.object_list]
    return render(request, "opendata/catalogue.html", {
        "form": form, "page": page, "cards": cards, "filtered": filtered,
        "alliance_name": settings.SITE_NAME,
        "validation": ValidationRun.objects.order_by("-checked_at").first(),
        "machine_links": [
            (media_type, reverse("dcat:catalog_file", kwargs={"ext": ext}), name)
            for media_type, ext, name in (("text/turtle", "ttl", "Turtle"),
                                          ("application/rdf+xml", "rdf", "RDF/XML"),
                                          ("application/ld+json", "jsonld", "JSON-LD"))],
        "ckan_search": "/api/3/action/package_search",
        "site_url": settings.SITE_URL.rstrip("/"),
    })


def _safe_url(url: str) -> str:
    """A distribution's address as a link: a path on this site or an http(s) address; nothing
    else (a `javascript:` address a partner typed) becomes a link."""
    url = (url or "").strip()
    if url.startswith("/") and not url.startswith("//"):
        return url
    if url.lower().startswith(("https://", "http://")):
        return url
    return ""


def _withdrawn(request, slug: str):
    """A lab dataset that was published and is withdrawn (none of its datastreams may be shown
    to everybody any more) is gone, not unknown: harvesters drop it on a 410."""
    gone = (Dataset.objects.filter(slug=slug, kind=Dataset.Kind.LAB,
                                   state=Dataset.State.WITHDRAWN)
            .select_related("lab").first())
    if gone is None:
        return None
    return render(request, "opendata/dataset_withdrawn.html", {"dataset": gone}, status=410)


def _lab_preview(dataset: Dataset) -> dict:
    """The lab dataset's datastreams as the public sees them (never a restricted one), with
    charts of the last 24 hours and 30 days for the first few, and the map of their places."""
    caller = public_caller()
    streams = list(readings.visible_datastreams(caller, dataset.lab)
                   .filter(datasets=dataset).exclude(privacy_level=PrivacyLevel.RESTRICTED))
    charted = streams[:CHARTED]
    series = readings.series_of(charted, caller=caller)
    rows = []
    for index, stream in enumerate(streams):
        drawn = series.get(stream.pk) if index < CHARTED else None
        first = next(iter(drawn.values())) if drawn else None
        rows.append({
            "stream": stream,
            "charts": [{"id": key, "chart": charts.draw(value)} for key, value in drawn.items()]
            if drawn else [],
            "kind": first.kind if first else "mean",
            "charted": index < CHARTED,
            "window_hours": stream.aggregation_window // 3600,
            "sta_url": _absolute(f"/sta/v1.1/Datastreams({stream.pk})/Observations"),
        })
    locations = list(Location.objects.filter(things__datastreams__in=[s.pk for s in streams])
                     .distinct().order_by("pk")[:MAX_LOCATIONS])
    features = []
    for location in locations:
        geometry = location.location
        if isinstance(geometry, dict) and geometry.get("type") == "Feature":
            geometry = geometry.get("geometry")
        if isinstance(geometry, dict) and geometry.get("type") in DRAWN_GEOMETRIES:
            features.append({"type": "Feature", "geometry": geometry,
                             "properties": {"title": location.name,
                                            "subtitle": location.description[:200],
                                            "url": f"{dataset.lab.get_absolute_url()}#things"}})
    return {"streams": rows, "locations": locations,
            "sta_datastreams": _absolute(sta_url([s.pk for s in streams])) if streams else "",
            "geojson": {"type": "FeatureCollection", "features": features}
            if features else None}


def _cell(value) -> str:
    """A preview cell in the reader's language: dates and numbers localised, a list joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value) if timezone.is_aware(value)
                                   else value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, int | float | Decimal):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    if isinstance(value, list | tuple):
        return ", ".join(_cell(item) for item in value)
    return str(value)


def _platform_preview(dataset: Dataset) -> dict:
    """The first rows of a platform dataset, and what each column means (opendata.alliance_data's
    SPECS)."""
    from . import alliance_data

    columns, rows = alliance_data.preview(dataset, limit=PREVIEW_ROWS)
    language = active_language()
    # A column of one language's text (summary_de) is marked as such on the other's pages.
    langs = [next((code for code in ("de", "en")
                   if column.name.endswith(f"_{code}") and code != language), "")
             for column in columns]
    return {"columns": [{"name": column.name, "description": column.description}
                        for column in columns],
            "rows": [[{"text": _cell(value), "lang": lang}
                      for value, lang in zip(row, langs, strict=False)] for row in rows]}


def dataset(request, slug):
    found = (Dataset.objects.visible_to(request.user)
             .select_related("publisher", "lab", "observed_property")
             .filter(slug=slug).first())
    if found is None or (found.kind == Dataset.Kind.LAB
                         and found.state == Dataset.State.WITHDRAWN):
        if (gone := _withdrawn(request, slug)) is not None:
            return gone
        raise Http404
    distributions = [
        {"distribution": distribution, "url": _safe_url(distribution.download_url
                                                        or distribution.access_url),
         "format": FILE_TYPES.get(distribution.file_type)}
        for distribution in Distribution.objects.filter(dataset=found).order_by("position", "pk")]
    publisher = found.publisher
    context = {
        "dataset": found,
        "description_html": render_markdown(found.description, top_level=3),
        "distributions": distributions,
        "publisher": publisher,
        "publisher_public": publisher is not None
        and publisher.status in Organisation.PUBLIC_STATUSES,
        "alliance_name": settings.SITE_NAME,
        "licence": LICENCES.get(found.licence),
        "themes": [THEMES[key] for key in found.themes if key in THEMES],
        "frequency": FREQUENCIES.get(found.accrual_periodicity),
        "focus_areas": list(found.focus_areas.order_by("position", "slug")),
        "regional_key": settings.OPEN_DATA_REGIONAL_KEY,
        "is_public": found.state == Dataset.State.PUBLISHED,
        "site_url": settings.SITE_URL.rstrip("/"),
        "ckan_show": _absolute(f"/api/3/action/package_show?id={found.slug}"),
        "dcat_record": _absolute(reverse("dcat:dataset_file",
                                         kwargs={"slug": found.slug, "ext": "ttl"})),
        "spatial_geojson": None,
        "can_edit": permissions.can_edit(request.user, found),
        "can_review": permissions.can_review(request.user, found),
    }
    if found.kind == Dataset.Kind.LAB and found.lab_id:
        context["lab"] = _lab_preview(found)
    elif found.kind == Dataset.Kind.PLATFORM:
        context["table"] = _platform_preview(found)
    if found.spatial and found.kind != Dataset.Kind.LAB and isinstance(found.spatial, dict) \
            and found.spatial.get("type") in DRAWN_GEOMETRIES:
        context["spatial_geojson"] = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": found.spatial,
             "properties": {"title": found.title, "url": found.get_absolute_url()}}]}
    return render(request, "opendata/dataset.html", context)
