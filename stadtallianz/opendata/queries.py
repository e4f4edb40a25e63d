"""Reads of the open-data catalogue that its channels share: the search over title, description
and keywords, the filters (kind, theme, publisher, format, licence, focus area), the facets
with their counts, and the list with what a card shows.

Every function takes the datasets a reader may see (`Dataset.objects.visible_to(user)` or
`.published()`) and narrows them; none widens what it was given. Each answers in a fixed number
of queries, however many datasets there are.
"""

import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Value
from django.db.models.functions import Coalesce, Lower, NullIf

from stadtallianz.core.i18n import active_language

from .models import Dataset, Distribution, text_matches
from .vocabularies import FILE_TYPES, LICENCES, THEMES

# The filters, in the order the catalogue page shows them.
FILTERS = ("kind", "theme", "publisher", "format", "licence", "focus_area")
# The publisher filter's value for the platform's own datasets (published by the alliance,
# without an organisation).
ALLIANCE = "alliance"
SORTS = ("changed", "title")
# A search takes at most this many words (each must occur somewhere).
MAX_WORDS = 10

FocusAreaLink = Dataset.focus_areas.through


def _contains(field: str, value: str) -> Q:
    """One JSON list field holding `value` (a string): `@>` on PostgreSQL; elsewhere the quoted
    value in the JSON text (keys of the vocabularies hold no quotes or backslashes)."""
    if connection.features.supports_json_field_contains:
        return Q(**{f"{field}__contains": [value]})
    return Q(**{f"{field}__icontains": json.dumps(value)})


def theme_filter(theme: str) -> Q:
    return _contains("themes", theme)


def search(datasets, q: str):
    """Datasets whose title, description, keywords, address name or publisher (either
    language) hold every word of q, whatever the case: the same column CKAN's `q` reads
    (Dataset.search_text)."""
    for word in (q or "").split()[:MAX_WORDS]:
        datasets = datasets.filter(text_matches(word))
    return datasets


# A search that finds at most this many datasets is evaluated once and the list's other
# queries (count, page, six facets) read its ids; a wider one stays a condition in each.
SEARCHED_ONCE = 2000


def searched(datasets, q: str):
    """The datasets the search finds, ready to be filtered and counted many times: the text
    search (a scan of every visible dataset's texts) runs once, in one query, instead of once
    per facet."""
    found = search(datasets, q)
    ids = list(found.order_by().values_list("pk", flat=True)[:SEARCHED_ONCE + 1])
    if len(ids) > SEARCHED_ONCE:
        return found
    return datasets.filter(pk__in=ids)


def filter_datasets(datasets, *, q: str = "", kind: str = "", theme: str = "",
                    publisher: str = "", format: str = "", licence: str = "",
                    focus_area: str = "", **_ignored):
    """The datasets that match every filter given (an empty value: no filter). `publisher` is
    an organisation's slug or ALLIANCE; `format` a file type key (CSV); `focus_area` a slug."""
    if q:
        datasets = search(datasets, q)
    if kind:
        datasets = datasets.filter(kind=kind)
    if theme:
        datasets = datasets.filter(theme_filter(theme))
    if publisher == ALLIANCE:
        datasets = datasets.filter(publisher__isnull=True)
    elif publisher:
        datasets = datasets.filter(publisher__slug=publisher)
    if format:
        datasets = datasets.filter(Exists(Distribution.objects.filter(
            dataset=OuterRef("pk"), file_type=format)))
    if licence:
        datasets = datasets.filter(licence=licence)
    if focus_area:
        datasets = datasets.filter(Exists(FocusAreaLink.objects.filter(
            dataset=OuterRef("pk"), focusarea__slug=focus_area)))
    return datasets


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    lang: str = ""  # the label's language when it is not the page's (a German-only name)


def _others(filters: dict, name: str) -> dict:
    """The filters but `name`: a facet counts what choosing each of its values would find."""
    return {key: value for key, value in filters.items() if key != name}


def _sorted(values: list[FacetValue]) -> list[FacetValue]:
    return sorted(values, key=lambda item: (-item.count, item.label.lower()))


def facets(datasets, filters: dict) -> dict[str, list[FacetValue]]:
    """For each filter, its values with the number of datasets each would find together with
    the other filters (only values that find something). Six queries."""
    found = {}

    base = filter_datasets(datasets, **_others(filters, "kind"))
    labels = dict(Dataset.Kind.choices)
    found["kind"] = _sorted([
        FacetValue(row["kind"], str(labels.get(row["kind"], row["kind"])), row["n"])
        for row in base.order_by().values("kind").annotate(n=Count("pk")) if row["n"]])

    base = filter_datasets(datasets, **_others(filters, "theme"))
    counts = base.aggregate(**{term.key: Count("pk", filter=theme_filter(term.key))
                               for term in THEMES})
    found["theme"] = _sorted([FacetValue(term.key, term.label, counts[term.key])
                              for term in THEMES if counts[term.key]])

    base = filter_datasets(datasets, **_others(filters, "publisher"))
    publishers = []
    for row in (base.order_by().values("publisher__slug", "publisher__name")
                .annotate(n=Count("pk"))):
        if row["publisher__slug"] is None:
            publishers.append(FacetValue(ALLIANCE, settings.SITE_NAME, row["n"]))
        else:
            publishers.append(FacetValue(row["publisher__slug"], row["publisher__name"],
                                         row["n"]))
    found["publisher"] = _sorted(publishers)

    base = filter_datasets(datasets, **_others(filters, "format"))
    rows = (Distribution.objects.filter(dataset__in=base.values("pk")).order_by()
            .values("file_type").annotate(n=Count("dataset", distinct=True)))
    found["format"] = _sorted([
        FacetValue(row["file_type"], FILE_TYPES[row["file_type"]].label
                   if row["file_type"] in FILE_TYPES else row["file_type"], row["n"])
        for row in rows])

    base = filter_datasets(datasets, **_others(filters, "licence"))
    found["licence"] = _sorted([
        FacetValue(row["licence"], LICENCES[row["licence"]].label
                   if row["licence"] in LICENCES else row["licence"], row["n"])
        for row in base.order_by().values("licence").annotate(n=Count("pk"))])

    base = filter_datasets(datasets, **_others(filters, "focus_area"))
    language = active_language()
    areas = []
    for row in (FocusAreaLink.objects.filter(dataset__in=base.values("pk"),
                                             focusarea__is_active=True).order_by()
                .values("focusarea__slug", "focusarea__name_de", "focusarea__name_en")
                .annotate(n=Count("dataset", distinct=True))):
        own = row[f"focusarea__name_{language}"]
        fallback = row["focusarea__name_de"] or row["focusarea__name_en"]
        areas.append(FacetValue(row["focusarea__slug"], own or fallback, row["n"],
                                "" if own else ("de" if row["focusarea__name_de"] else "en")))
    found["focus_area"] = _sorted(areas)
    return found


def ordered(datasets, sort: str = "changed"):
    """Newest change first (the default), or by title in the reader's language (the German
    title where there is no English one)."""
    if sort == "title":
        title = Lower(Coalesce(NullIf(F(f"title_{active_language()}"), Value("")),
                               F("title_de")))
        return datasets.annotate(sort_title=title).order_by("sort_title", "pk")
    return datasets.order_by("-modified", "pk")


def for_cards(datasets):
    """What a card shows, loaded with the list: the publisher and the distributions' formats
    (one more query for a page of cards)."""
    return datasets.select_related("publisher").prefetch_related(
        Prefetch("distributions",
                 queryset=Distribution.objects.only("pk", "dataset_id", "file_type", "position")
                 .order_by("position", "pk")))


def formats_of(dataset) -> list[str]:
    """The formats of a dataset's distributions, each once, in their order (from the prefetch
    of for_cards)."""
    seen = []
    for distribution in dataset.distributions.all():
        label = (FILE_TYPES[distribution.file_type].label if distribution.file_type in FILE_TYPES
                 else distribution.file_type)
        if label not in seen:
            seen.append(label)
    return seen
