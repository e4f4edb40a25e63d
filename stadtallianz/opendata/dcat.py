"""The catalogue as DCAT-AP.de 3.0 RDF (docs/standards.md, "Open data: the DCAT-AP.de
catalogue").

One description, two writers. `catalogue_page()` and `dataset_record()` describe the catalogue
as a list of nodes (a subject and its predicate/object pairs, `Node`); `to_turtle()` writes
them as Turtle directly (a page of 100 datasets in a few milliseconds, where rdflib's Turtle
serialiser needs about a second), `to_graph()` makes an rdflib Graph of them for RDF/XML,
JSON-LD and the SHACL check. The tests parse the Turtle back and compare it with the graph
(isomorphic), so the direct writer is checked against rdflib.

Every dataset comes from `Dataset.objects.published()`; a lab dataset's description
(opendata.sync) names only its public and aggregated datastreams and says how the aggregated
ones are aggregated.
Absolute addresses come from settings.SITE_URL.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.conf import settings
from django.db.models import Count, Max, Prefetch
from django.urls import reverse
from django.utils import translation

from .models import Dataset, Distribution
from .vocabularies import (
    ACCESS_RIGHT_PUBLIC,
    FALLBACK_THEME,
    FILE_TYPES,
    FREQUENCIES,
    LICENCES,
    THEMES,
)

NAMESPACES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatde": "http://dcat-ap.de/def/dcatde/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "locn": "http://www.w3.org/ns/locn#",
    "gsp": "http://www.opengis.net/ont/geosparql#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
}
LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
GEOCODING_KEY = "http://dcat-ap.de/def/politicalGeocoding/regionalKey/"
GEOCODING_LEVEL = "http://dcat-ap.de/def/politicalGeocoding/Level/"
IANA = "https://www.iana.org/assignments/media-types/"
# The catalogue's own metadata are free of any condition (as GovData's are).
METADATA_LICENCE = "dl-zero-de/2.0"
# Licences that ask for attribution: the distribution names whom to credit
# (dcatde:licenseAttributionByText).
ATTRIBUTION_LICENCES = {"dl-by-de/2.0", "cc-by/4.0", "cc-by-sa/4.0", "odbl"}
STA_SPEC = "https://docs.ogc.org/is/18-088/18-088.html"

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


_IRI_UNSAFE = re.compile(r'[<>"{}|^`\\\x00-\x20\x7f]')
# Characters XML 1.0 cannot carry (RDF/XML): the C0 controls but tab, line feed and return.
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _percent(match) -> str:
    return "".join(f"%{b:02X}" for b in match.group().encode())


class IRI(str):
    """An IRI object (a plain `str` object is never written: every literal is a `Lit`).
    Characters an IRI may not hold (a space, "<", a control character in a partner's link)
    are percent-encoded, the same for every writer."""

    def __new__(cls, value: str):
        if _IRI_UNSAFE.search(value):
            value = _IRI_UNSAFE.sub(_percent, value)
        return super().__new__(cls, value)


@dataclass(frozen=True)
class Lit:
    value: str
    lang: str | None = None
    datatype: str | None = None  # a prefixed name ("xsd:date") or a full IRI

    def __post_init__(self):
        # Control characters in a text (pasted from elsewhere) would break RDF/XML.
        if _XML_UNSAFE.search(self.value):
            object.__setattr__(self, "value", _XML_UNSAFE.sub("", self.value))


@dataclass
class Node:
    subject: str
    types: list[str]
    properties: list[tuple[str, object]] = field(default_factory=list)

    def add(self, predicate: str, obj):
        if obj is not None and obj != "":
            self.properties.append((predicate, obj))


# --------------------------------------------------------------------------------------------
# Values


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def absolute(url: str) -> str:
    """A partner's own address stays as it is; a path on this site gets SITE_URL."""
    if url.startswith(("http://", "https://")):
        return url
    return site_url() + ("" if url.startswith("/") else "/") + url


def date_time(value: datetime | None) -> Lit | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
        return Lit(value.replace(tzinfo=None).isoformat(timespec="seconds") + "Z",
                   datatype="xsd:dateTime")
    return Lit(value.isoformat(timespec="seconds"), datatype="xsd:dateTime")


def day(value: date | None) -> Lit | None:
    return Lit(value.isoformat(), datatype="xsd:date") if value else None


def texts(node: Node, predicate: str, german: str, english: str):
    node.add(predicate, Lit(german, "de") if german else None)
    node.add(predicate, Lit(english, "en") if english else None)


def political_geocoding() -> tuple[IRI, IRI]:
    return (IRI(GEOCODING_KEY + settings.OPEN_DATA_REGIONAL_KEY),
            IRI(GEOCODING_LEVEL + settings.OPEN_DATA_GEOCODING_LEVEL))


def _positions(geometry):
    """Every [x, y] position of a GeoJSON geometry."""
    if not isinstance(geometry, dict):
        return
    if geometry.get("type") == "GeometryCollection":
        for part in geometry.get("geometries") or []:
            yield from _positions(part)
        return
    stack = [geometry.get("coordinates")]
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple) and len(item) >= 2 and all(
                isinstance(c, int | float) for c in item[:2]):
            yield float(item[0]), float(item[1])
        elif isinstance(item, list | tuple):
            stack.extend(item)


def bounding_box(geometry) -> str | None:
    """The WKT polygon around a GeoJSON geometry (dcat:bbox), None if it has no position."""
    points = [p for p in _positions(geometry) if all(map(math.isfinite, p))]
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    w, e, s, n = min(xs), max(xs), min(ys), max(ys)
    return (f"POLYGON(({w:g} {s:g}, {e:g} {s:g}, {e:g} {n:g}, {w:g} {n:g}, {w:g} {s:g}))")


# --------------------------------------------------------------------------------------------
# The description


class Describer:
    """Turns datasets into nodes. Made once per answer: the addresses that are the same for
    every dataset are worked out once (a page of 100 datasets must not call reverse() 200
    times)."""

    def __init__(self):
        self.base = site_url()
        self.catalogue = IRI(f"{self.base}/dcat/catalog")
        self.alliance = IRI(f"{self.base}/dcat/catalog#publisher")
        self.service = IRI(f"{self.base}/dcat/services/sensorthings")
        with translation.override(settings.LANGUAGE_CODE):
            self.page_pattern = reverse("opendata:dataset", kwargs={"slug": "SLUG"})
            self.home = reverse("opendata:catalogue")
            self.partner_pattern = reverse("partners:detail", kwargs={"slug": "SLUG"})
        self.geocoding, self.geocoding_level = political_geocoding()
        self.agents: dict[str, Node] = {}
        self.lab_datasets: list[IRI] = []

    def dataset_iri(self, dataset) -> IRI:
        return IRI(f"{self.base}/dcat/datasets/{dataset.slug}")

    def landing_page(self, dataset) -> IRI:
        return IRI(self.base + self.page_pattern.replace("SLUG", dataset.slug))

    # Agents -----------------------------------------------------------------------------

    def alliance_agent(self) -> IRI:
        if self.alliance not in self.agents:
            node = Node(self.alliance, ["foaf:Agent"])
            node.add("foaf:name", Lit(settings.SITE_NAME))
            node.add("foaf:homepage", IRI(self.base + "/"))
            self.agents[self.alliance] = node
        return self.alliance

    def publisher(self, dataset) -> tuple[IRI, str]:
        organisation = dataset.publisher
        if organisation is None:
            return self.alliance_agent(), settings.SITE_NAME
        iri = IRI(self.base + self.partner_pattern.replace("SLUG", organisation.slug))
        if iri not in self.agents:
            node = Node(iri, ["foaf:Agent"])
            node.add("foaf:name", Lit(organisation.name))
            if organisation.website:
                node.add("foaf:homepage", IRI(organisation.website))
            self.agents[iri] = node
        return iri, organisation.name

    # Datasets ---------------------------------------------------------------------------

    def dataset(self, dataset) -> list[Node]:
        iri = self.dataset_iri(dataset)
        node = Node(iri, ["dcat:Dataset"])
        nodes = [node]
        texts(node, "dct:title", dataset.title_de, dataset.title_en)
        # A lab dataset's description (opendata.sync) names its public and aggregated
        # datastreams, never a restricted one, and says how each aggregated one is aggregated.
        texts(node, "dct:description", dataset.description_de, dataset.description_en)
        node.add("dct:identifier", Lit(str(dataset.uid)))
        publisher, publisher_name = self.publisher(dataset)
        node.add("dct:publisher", publisher)

        contact = Node(IRI(f"{iri}#contact"), ["vcard:Kind"])
        contact.add("vcard:fn", Lit(dataset.contact_name or publisher_name))
        if dataset.contact_email:
            contact.add("vcard:hasEmail", IRI("mailto:" + dataset.contact_email))
        node.add("dcat:contactPoint", contact.subject)
        nodes.append(contact)

        for keyword in dataset.keywords or []:
            node.add("dcat:keyword", Lit(str(keyword)))
        themes = [t for t in (dataset.themes or []) if t in THEMES] or [FALLBACK_THEME]
        for theme in themes:
            node.add("dcat:theme", IRI(THEMES[theme].uri))

        node.add("dcatde:politicalGeocodingURI", self.geocoding)
        node.add("dcatde:politicalGeocodingLevelURI", self.geocoding_level)
        node.add("dcatde:contributorID", IRI(settings.DCAT_CONTRIBUTOR_ID))
        node.add("dct:spatial", self.geocoding)
        if dataset.spatial:
            place = Node(IRI(f"{iri}#spatial"), ["dct:Location"])
            place.add("locn:geometry", Lit(json.dumps(dataset.spatial, separators=(",", ":")),
                                           datatype="gsp:geoJSONLiteral"))
            box = bounding_box(dataset.spatial)
            if box:
                place.add("dcat:bbox", Lit(box, datatype="gsp:wktLiteral"))
            node.add("dct:spatial", place.subject)
            nodes.append(place)
        if dataset.temporal_start or dataset.temporal_end:
            period = Node(IRI(f"{iri}#temporal"), ["dct:PeriodOfTime"])
            period.add("dcat:startDate", day(dataset.temporal_start))
            period.add("dcat:endDate", day(dataset.temporal_end))
            node.add("dct:temporal", period.subject)
            nodes.append(period)
        frequency = FREQUENCIES.get(dataset.accrual_periodicity) or FREQUENCIES["UNKNOWN"]
        node.add("dct:accrualPeriodicity", IRI(frequency.uri))
        node.add("dct:issued", date_time(dataset.issued))
        node.add("dct:modified", date_time(dataset.modified))
        node.add("dcat:landingPage", self.landing_page(dataset))
        node.add("dct:accessRights", IRI(ACCESS_RIGHT_PUBLIC))
        node.add("dct:language", IRI(LANGUAGE + "DEU"))
        if dataset.title_en:
            node.add("dct:language", IRI(LANGUAGE + "ENG"))

        licence = LICENCES.get(dataset.licence)
        for distribution in dataset.distributions.all():
            described = self.distribution(dataset, distribution, licence, publisher_name)
            node.add("dcat:distribution", described[0].subject)
            nodes.extend(described)
        if dataset.kind == Dataset.Kind.LAB:
            self.lab_datasets.append(iri)
        return nodes

    def distribution(self, dataset, distribution, licence, publisher_name) -> list[Node]:
        node = Node(IRI(f"{self.dataset_iri(dataset)}#distribution-{distribution.uid}"),
                    ["dcat:Distribution"])
        texts(node, "dct:title", distribution.title_de, distribution.title_en)
        texts(node, "dct:description", distribution.description_de,
              distribution.description_en)
        node.add("dcat:accessURL", IRI(absolute(distribution.access_url)))
        if distribution.download_url:
            node.add("dcat:downloadURL", IRI(absolute(distribution.download_url)))
        file_type = FILE_TYPES.get(distribution.file_type)
        if file_type is not None:
            node.add("dct:format", IRI(file_type.uri))
            node.add("dcat:mediaType", IRI(IANA + file_type.media_type))
        if licence is not None:
            node.add("dct:license", IRI(licence.uri))
            if licence.key in ATTRIBUTION_LICENCES:
                node.add("dcatde:licenseAttributionByText", Lit(publisher_name))
        node.add("dct:modified", date_time(distribution.modified))
        if dataset.kind == Dataset.Kind.LAB and distribution.kind == Distribution.Kind.API:
            node.add("dcat:accessService", self.service)
        nodes = [node]
        if distribution.period_start or distribution.period_end:
            # A lab dataset's CSV per period: the days it covers.
            period = Node(IRI(f"{node.subject}-period"), ["dct:PeriodOfTime"])
            period.add("dcat:startDate", day(distribution.period_start))
            period.add("dcat:endDate", day(distribution.period_end))
            node.add("dct:temporal", period.subject)
            nodes.append(period)
        return nodes

    def service_node(self, served: list[IRI]) -> Node:
        node = Node(self.service, ["dcat:DataService"])
        texts(node, "dct:title", "SensorThings-API der Reallabore",
              "SensorThings API of the living labs")
        texts(node, "dct:description",
              "Die Messwerte der Reallabore nach dem OGC-Standard SensorThings API 1.1: "
              "öffentliche Datenströme mit allen Beobachtungen, aggregierte Datenströme nur "
              "mit zusammengefassten Werten je Zeitfenster. Eingeschränkte Datenströme sind "
              "nicht enthalten.",
              "The living labs' measurements through the OGC SensorThings API 1.1: public "
              "datastreams with every observation, aggregated datastreams with one value per "
              "window only. Restricted datastreams are not included.")
        node.add("dcat:endpointURL", IRI(f"{self.base}/sta/v1.1"))
        node.add("dcat:endpointDescription", IRI(f"{self.base}/sta/v1.1"))
        node.add("dct:conformsTo", IRI(STA_SPEC))
        node.add("dct:publisher", self.alliance_agent())
        node.add("dct:license", IRI(LICENCES[DEFAULT_SERVICE_LICENCE].uri))
        node.add("dct:accessRights", IRI(ACCESS_RIGHT_PUBLIC))
        node.add("dct:format", IRI(FILE_TYPES["JSON"].uri))
        for iri in served:
            node.add("dcat:servesDataset", iri)
        return node

    def finish(self) -> list[Node]:
        """The agents and the data service the described datasets named."""
        nodes = []
        if self.lab_datasets:
            nodes.append(self.service_node(self.lab_datasets))
        return nodes + list(self.agents.values())


DEFAULT_SERVICE_LICENCE = "dl-by-de/2.0"


def datasets_for_rdf(queryset=None):
    """Published datasets with what their description reads, in a number of queries that
    does not grow with the number of datasets."""
    queryset = Dataset.objects.published() if queryset is None else queryset
    return (queryset.select_related("publisher")
            # What no channel of the catalogue reads: the review's note, the publisher's texts.
            .defer("review_note", "publisher__description_de", "publisher__description_en",
                   "publisher__summary_de", "publisher__summary_en")
            .prefetch_related(
                Prefetch("distributions",
                         queryset=Distribution.objects.order_by("position", "pk")))
            .order_by("pk"))


# --------------------------------------------------------------------------------------------
# Catalogue pages and single records


@dataclass
class Page:
    number: int
    per_page: int
    total: int

    @property
    def last(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def page_size(value) -> int:
    try:
        size = int(value)
    except (TypeError, ValueError):
        return PAGE_SIZE
    return min(max(size, 1), MAX_PAGE_SIZE)


def catalogue_node(describer: Describer, datasets: list[IRI], modified) -> Node:
    node = Node(describer.catalogue, ["dcat:Catalog"])
    name = settings.SITE_NAME
    texts(node, "dct:title", f"{name}: Open-Data-Katalog", f"{name}: open data catalogue")
    texts(node, "dct:description",
          f"Die offenen Daten der {name}: Messwerte der Reallabore (öffentliche und "
          "aggregierte Datenströme), die eigenen Daten der Allianz (Partnerverzeichnis, "
          "Projekte, Ideen, Veranstaltungen, eingeworbene Fördermittel) und die Datenangebote "
          "der Partnerinnen und Partner.",
          f"The open data of {name}: the living labs' measurements (public and aggregated "
          "datastreams), the alliance's own data (partner directory, projects, ideas, events, "
          "funding acquired) and the partners' own data offers.")
    node.add("dct:publisher", describer.alliance_agent())
    node.add("dct:language", IRI(LANGUAGE + "DEU"))
    node.add("dct:language", IRI(LANGUAGE + "ENG"))
    node.add("foaf:homepage", IRI(describer.base + describer.home))
    node.add("dct:license", IRI(LICENCES[METADATA_LICENCE].uri))
    node.add("dcat:themeTaxonomy", IRI(THEMES.scheme))
    node.add("dct:spatial", describer.geocoding)
    node.add("dct:modified", date_time(modified))
    for iri in datasets:
        node.add("dcat:dataset", iri)
    if describer.lab_datasets:
        node.add("dcat:service", describer.service)
    return node


def paging_node(url: str, page: Page) -> Node:
    """hydra:PagedCollection as ckanext-dcat writes it (the addresses as literals), which
    ckanext-dcat's and ckanext-dcatde's harvesters follow."""
    separator = "&" if "?" in url else "?"
    size = "" if page.per_page == PAGE_SIZE else f"&per_page={page.per_page}"

    def at(number):
        return f"{url}{separator}page={number}{size}"

    node = Node(IRI(at(page.number)), ["hydra:PagedCollection"])
    node.add("hydra:totalItems", Lit(str(page.total), datatype="xsd:integer"))
    node.add("hydra:itemsPerPage", Lit(str(page.per_page), datatype="xsd:integer"))
    node.add("hydra:firstPage", Lit(at(1)))
    node.add("hydra:lastPage", Lit(at(page.last)))
    if page.number < page.last:
        node.add("hydra:nextPage", Lit(at(page.number + 1)))
    if page.number > 1:
        node.add("hydra:previousPage", Lit(at(min(page.number - 1, page.last))))
    return node


def catalogue_summary(queryset=None) -> dict:
    """How many datasets are published and when the newest change was: the catalogue's
    version (a dataset published, changed or withdrawn changes one of them)."""
    published = Dataset.objects.published() if queryset is None else queryset
    return published.aggregate(total=Count("pk"), modified=Max("modified"))


def catalogue_page(*, page: int = 1, per_page: int = PAGE_SIZE, url: str | None = None,
                   queryset=None, summary: dict | None = None) -> tuple[list[Node], Page]:
    """One page of the catalogue: the catalogue, its datasets on this page (ordered by their
    key, so that paging is stable while datasets are added), what they name, and the paging.
    `url` is the page's address without query (for hydra); None: no paging node."""
    published = Dataset.objects.published() if queryset is None else queryset
    summary = catalogue_summary(published) if summary is None else summary
    info = Page(number=max(1, page), per_page=per_page, total=summary["total"])
    start = (info.number - 1) * per_page
    rows = list(datasets_for_rdf(published)[start:start + per_page])
    describer = Describer()
    nodes = []
    for dataset in rows:
        nodes.extend(describer.dataset(dataset))
    iris = [describer.dataset_iri(dataset) for dataset in rows]
    head = [catalogue_node(describer, iris, summary["modified"])]
    if url is not None:
        head.append(paging_node(url, info))
    return head + nodes + describer.finish(), info


def dataset_record(dataset) -> list[Node]:
    """One dataset as its own document (/dcat/datasets/<slug>.ttl)."""
    describer = Describer()
    dataset = datasets_for_rdf(Dataset.objects.filter(pk=dataset.pk)).get()
    nodes = describer.dataset(dataset)
    return nodes + describer.finish()


def whole_catalogue(queryset=None) -> list[Node]:
    """Every published dataset in one description (the nightly SHACL check)."""
    published = Dataset.objects.published() if queryset is None else queryset
    describer = Describer()
    nodes = []
    iris = []
    for dataset in datasets_for_rdf(published).iterator(chunk_size=500):
        nodes.extend(describer.dataset(dataset))
        iris.append(describer.dataset_iri(dataset))
    modified = published.aggregate(modified=Max("modified"))["modified"]
    return [catalogue_node(describer, iris, modified)] + nodes + describer.finish()


# --------------------------------------------------------------------------------------------
# Writers

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r\t]')


def _string(value: str) -> str:
    if _NEEDS_ESCAPE.search(value):
        value = _NEEDS_ESCAPE.sub(lambda match: _ESCAPES[match.group()], value)
    return f'"{value}"'


def _iri(value: str) -> str:
    return f"<{value if isinstance(value, IRI) else IRI(value)}>"


def _term(obj) -> str:
    if isinstance(obj, IRI):
        return _iri(obj)
    if isinstance(obj, Lit):
        text = _string(obj.value)
        if obj.lang:
            return f"{text}@{obj.lang}"
        if obj.datatype:
            return f"{text}^^{_name(obj.datatype)}"
        return text
    raise TypeError(f"not an RDF term: {obj!r}")


def _name(name: str) -> str:
    """A prefixed name as written in Turtle, or a full IRI in brackets."""
    prefix, _sep, local = name.partition(":")
    return name if prefix in NAMESPACES and local else _iri(name)


def _expand(name: str) -> str:
    prefix, _sep, local = name.partition(":")
    return NAMESPACES[prefix] + local if prefix in NAMESPACES else name


def to_turtle(nodes: list[Node]) -> str:
    lines = [f"@prefix {prefix}: <{iri}> ." for prefix, iri in NAMESPACES.items()]
    lines.append("")
    for node in nodes:
        parts = [f"{_iri(node.subject)} a {', '.join(node.types)}"]
        for predicate, obj in node.properties:
            parts.append(f"    {predicate} {_term(obj)}")
        lines.append(" ;\n".join(parts) + " .\n")
    return "\n".join(lines)


def to_graph(nodes: list[Node]):
    from rdflib import RDF, Graph, Literal, Namespace, URIRef

    graph = Graph()
    for prefix, iri in NAMESPACES.items():
        graph.bind(prefix, Namespace(iri))
    for node in nodes:
        subject = URIRef(node.subject)
        for type_ in node.types:
            graph.add((subject, RDF.type, URIRef(_expand(type_))))
        for predicate, obj in node.properties:
            if isinstance(obj, IRI):
                term = URIRef(obj)
            elif obj.lang:
                term = Literal(obj.value, lang=obj.lang)
            elif obj.datatype:
                term = Literal(obj.value, datatype=URIRef(_expand(obj.datatype)))
            else:
                term = Literal(obj.value)
            graph.add((subject, URIRef(_expand(predicate)), term))
    return graph


FORMATS = {
    # extension: (media type, rdflib format)
    "ttl": ("text/turtle", "turtle"),
    "rdf": ("application/rdf+xml", "xml"),
    "jsonld": ("application/ld+json", "json-ld"),
}


def serialise(nodes: list[Node], extension: str) -> str:
    if extension == "ttl":
        return to_turtle(nodes)
    graph = to_graph(nodes)
    if extension == "jsonld":
        context = {prefix: iri for prefix, iri in NAMESPACES.items()}
        return graph.serialize(format="json-ld", context=context, auto_compact=True)
    return graph.serialize(format=FORMATS[extension][1])
