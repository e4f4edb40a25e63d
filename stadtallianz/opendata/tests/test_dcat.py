"""The catalogue as DCAT-AP.de RDF for harvesters: /dcat/catalog (content negotiation, file
extensions, hydra paging) and /dcat/datasets/<slug>; what each dataset says; that nothing
unpublished or restricted appears; the direct Turtle writer against rdflib."""

from datetime import date, timedelta

import pytest
from django.test import override_settings
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from stadtallianz.core.testing import query_count
from stadtallianz.livinglabs.tests.conftest import streams  # noqa: F401 - fixture
from stadtallianz.opendata import dcat, sync
from stadtallianz.opendata.models import Dataset
from stadtallianz.sensorthings.tests.conftest import lab, make_datastream  # noqa: F401

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
SITE = "https://allianz.example.org"
FORMATS = {"ttl": ("text/turtle", "turtle"), "rdf": ("application/rdf+xml", "xml"),
           "jsonld": ("application/ld+json", "json-ld")}

pytestmark = pytest.mark.usefixtures("site_url")


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = SITE + "/"


def parse(response, fmt="turtle") -> Graph:
    assert response.status_code == 200, response.content[:500]
    return Graph().parse(data=response.content.decode(), format=fmt)


def dataset_iri(dataset) -> URIRef:
    return URIRef(f"{SITE}/dcat/datasets/{dataset.slug}")


def difference(first, second):
    _both, only_first, only_second = graph_diff(to_isomorphic(first), to_isomorphic(second))
    return sorted(only_first)[:5], sorted(only_second)[:5]


def one(graph, predicate):
    """The one value of `predicate` in the graph (the paging node's)."""
    values = list(graph.objects(None, predicate))
    assert len(values) <= 1, values
    return values[0] if values else None


def one_subject(graph, rdf_type):
    subjects = list(graph.subjects(RDF.type, rdf_type))
    assert len(subjects) == 1, subjects
    return subjects[0]


def datasets_in(graph) -> set[str]:
    return {str(s) for s in graph.subjects(RDF.type, DCAT.Dataset)}


# Formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize("accept,media_type", [
    ("", "text/turtle"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", "text/turtle"),
    ("text/turtle", "text/turtle"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/ld+json", "application/ld+json"),
    ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "application/rdf+xml"),
])
def test_the_catalogue_answers_the_format_asked_for(client, make_dataset, accept, media_type):
    make_dataset()
    response = client.get("/dcat/catalog", HTTP_ACCEPT=accept)
    assert response["Content-Type"].startswith(media_type)
    assert "Accept" in response["Vary"]
    graph = parse(response, {"text/turtle": "turtle", "application/rdf+xml": "xml",
                             "application/ld+json": "json-ld"}[media_type])
    assert (URIRef(f"{SITE}/dcat/catalog"), RDF.type, DCAT.Catalog) in graph


def test_the_three_serialisations_are_the_same_graph(client, make_dataset, make_organisation,
                                                     lab, streams):  # noqa: F811
    sync.sync_lab_datasets(lab)
    make_dataset(publisher=make_organisation("Stadtwerke"),
                 title_de='Zählung „Promenade“ mit "Anführungszeichen" \\ und\nZeilen',
                 description_de="Tab\tund Steuerzeichen \x07 und Emoji 🚲",
                 keywords=["Rad", 'Rad "schnell"'],
                 spatial={"type": "Polygon", "coordinates": [[[7.6, 51.9], [7.7, 51.9],
                                                              [7.7, 52.0], [7.6, 51.9]]]},
                 distributions=(("CSV", "https://example.org/a b<c>.csv"),))
    # One address (the paging names it), each format asked for.
    graphs = {ext: parse(client.get("/dcat/catalog", HTTP_ACCEPT=media_type), fmt)
              for ext, (media_type, fmt) in FORMATS.items()}
    for ext, (media_type, _fmt) in FORMATS.items():
        assert client.get(f"/dcat/catalog.{ext}")["Content-Type"].startswith(media_type)
    assert isomorphic(graphs["ttl"], graphs["rdf"]), difference(graphs["ttl"], graphs["rdf"])
    assert isomorphic(graphs["ttl"], graphs["jsonld"]), difference(graphs["ttl"],
                                                                   graphs["jsonld"])
    # The direct Turtle writer says what the rdflib graph of the same description says.
    nodes, _page = dcat.catalogue_page(url=f"{SITE}/dcat/catalog")
    direct = dcat.to_graph(nodes)
    assert isomorphic(graphs["ttl"], direct), difference(graphs["ttl"], direct)
    titles = {str(o) for o in graphs["ttl"].objects(None, DCTERMS.title)}
    assert 'Zählung „Promenade“ mit "Anführungszeichen" \\ und\nZeilen' in titles


def test_a_dataset_record_in_every_format(client, make_dataset):
    dataset = make_dataset()
    graphs = [parse(client.get(f"/dcat/datasets/{dataset.slug}.{ext}"), fmt)
              for ext, (_media, fmt) in FORMATS.items()]
    graphs.append(parse(client.get(f"/dcat/datasets/{dataset.slug}",
                                   HTTP_ACCEPT="application/ld+json"), "json-ld"))
    for graph in graphs:
        assert isomorphic(graph, graphs[0])
    assert datasets_in(graphs[0]) == {str(dataset_iri(dataset))}


# What a dataset says ----------------------------------------------------------------------


@override_settings(OPEN_DATA_REGIONAL_KEY="055150000000", OPEN_DATA_GEOCODING_LEVEL="municipality",
                   DCAT_CONTRIBUTOR_ID="http://dcat-ap.de/def/contributors/stadtMuenster",
                   SITE_NAME="Allianz Smart City Münster")
def test_a_partners_dataset_says_what_govdata_reads(client, make_dataset, make_organisation):
    organisation = make_organisation("Stadtwerke Münster")
    dataset = make_dataset(
        publisher=organisation, licence="cc-by/4.0", themes=["TRAN", "ENVI"],
        keywords=["Radverkehr", "Zählung"], accrual_periodicity="WEEKLY",
        title_en="Bicycle counts", description_en="Counts of cyclists.",
        contact_name="Open-Data-Team", contact_email="opendata@stadtwerke.example.org",
        spatial={"type": "Point", "coordinates": [7.6261, 51.9607]},
        temporal_start=date(2024, 1, 1), temporal_end=date(2025, 12, 31),
        distributions=(("CSV", "https://stadtwerke.example.org/zaehlung.csv"),
                       ("GEOJSON", "/de/data/datasets/x/locations.geojson")))
    graph = parse(client.get(f"/dcat/datasets/{dataset.slug}.ttl"))
    ds = dataset_iri(dataset)
    value = graph.value

    assert (ds, DCTERMS.title, Literal(dataset.title_de, lang="de")) in graph
    assert (ds, DCTERMS.title, Literal("Bicycle counts", lang="en")) in graph
    assert (ds, DCTERMS.description, Literal("Counts of cyclists.", lang="en")) in graph
    assert value(ds, DCTERMS.identifier) == Literal(str(dataset.uid))
    publisher = value(ds, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert value(publisher, FOAF.name) == Literal("Stadtwerke Münster")
    contact = value(ds, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in graph
    assert value(contact, VCARD.fn) == Literal("Open-Data-Team")
    assert value(contact, VCARD.hasEmail) == URIRef("mailto:opendata@stadtwerke.example.org")
    assert set(graph.objects(ds, DCAT.keyword)) == {Literal("Radverkehr"), Literal("Zählung")}
    theme = "http://publications.europa.eu/resource/authority/data-theme/"
    assert set(graph.objects(ds, DCAT.theme)) == {URIRef(theme + "TRAN"), URIRef(theme + "ENVI")}
    key = URIRef("http://dcat-ap.de/def/politicalGeocoding/regionalKey/055150000000")
    assert value(ds, DCATDE.politicalGeocodingURI) == key
    assert value(ds, DCATDE.politicalGeocodingLevelURI) == URIRef(
        "http://dcat-ap.de/def/politicalGeocoding/Level/municipality")
    assert list(graph.objects(ds, DCATDE.contributorID)) == [
        URIRef("http://dcat-ap.de/def/contributors/stadtMuenster")]
    places = set(graph.objects(ds, DCTERMS.spatial))
    assert key in places
    place = next(p for p in places if p != key)
    assert "7.6261" in str(value(place, LOCN.geometry))
    assert str(value(place, DCAT.bbox)).startswith("POLYGON((7.6261 51.9607")
    period = value(ds, DCTERMS.temporal)
    assert value(period, DCAT.startDate) == Literal("2024-01-01", datatype=XSD.date)
    assert value(period, DCAT.endDate) == Literal("2025-12-31", datatype=XSD.date)
    assert value(ds, DCTERMS.accrualPeriodicity) == URIRef(
        "http://publications.europa.eu/resource/authority/frequency/WEEKLY")
    assert value(ds, DCTERMS.issued).datatype == XSD.dateTime
    assert value(ds, DCTERMS.modified).datatype == XSD.dateTime
    assert value(ds, DCAT.landingPage) == URIRef(f"{SITE}/de/data/datasets/{dataset.slug}/")
    assert value(ds, DCTERMS.accessRights) == URIRef(
        "http://publications.europa.eu/resource/authority/access-right/PUBLIC")

    distributions = list(graph.objects(ds, DCAT.distribution))
    assert len(distributions) == 2
    by_format = {str(value(d, DCTERMS["format"])).rpartition("/")[2]: d for d in distributions}
    csv, geojson = by_format["CSV"], by_format["GEOJSON"]
    assert value(csv, DCAT.accessURL) == URIRef("https://stadtwerke.example.org/zaehlung.csv")
    assert value(csv, DCAT.downloadURL) == URIRef("https://stadtwerke.example.org/zaehlung.csv")
    assert value(geojson, DCAT.downloadURL) == URIRef(
        f"{SITE}/de/data/datasets/x/locations.geojson")
    assert value(csv, DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/text/csv")
    assert value(geojson, DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/application/geo+json")
    for distribution in distributions:
        assert value(distribution, DCTERMS.license) == URIRef(
            "http://dcat-ap.de/def/licenses/cc-by/4.0")
        assert value(distribution, DCTERMS.title) is not None
        assert value(distribution, DCTERMS.modified).datatype == XSD.dateTime


def test_the_alliance_publishes_its_own_datasets(client, make_dataset, settings):
    settings.SITE_NAME = "Allianz Smart City Münster"
    dataset = make_dataset(kind=Dataset.Kind.PLATFORM, platform_key="projects", publisher=None)
    graph = parse(client.get("/dcat/catalog.ttl"))
    publisher = graph.value(dataset_iri(dataset), DCTERMS.publisher)
    catalogue = URIRef(f"{SITE}/dcat/catalog")
    assert publisher == graph.value(catalogue, DCTERMS.publisher)
    assert graph.value(publisher, FOAF.name) == Literal("Allianz Smart City Münster")
    # The catalogue itself.
    assert graph.value(catalogue, DCTERMS.title, any=True) is not None
    assert graph.value(catalogue, DCTERMS.description, any=True) is not None
    assert graph.value(catalogue, FOAF.homepage) == URIRef(f"{SITE}/de/data/")
    assert graph.value(catalogue, DCTERMS.license) == URIRef(
        "http://dcat-ap.de/def/licenses/dl-zero-de/2.0")
    assert URIRef("http://publications.europa.eu/resource/authority/language/DEU") in set(
        graph.objects(catalogue, DCTERMS.language))
    assert list(graph.objects(catalogue, DCAT.dataset)) == [dataset_iri(dataset)]


def test_a_lab_dataset_is_served_by_the_sensorthings_api(client, lab, streams):  # noqa: F811
    sync.sync_lab_datasets(lab)
    aggregated = Dataset.objects.published().get(datastreams=streams["counts"])
    graph = parse(client.get("/dcat/catalog.ttl"))
    ds = dataset_iri(aggregated)
    # The aggregation is described in the description, in both languages.
    descriptions = {o.language: str(o) for o in graph.objects(ds, DCTERMS.description)}
    assert "zusammengefasst als Summe" in descriptions["de"]
    assert "aggregated as the total" in descriptions["en"]
    api = next(d for d in graph.objects(ds, DCAT.distribution)
               if graph.value(d, DCAT.accessService) is not None)
    service = graph.value(api, DCAT.accessService)
    assert (service, RDF.type, DCAT.DataService) in graph
    assert graph.value(service, DCAT.endpointURL) == URIRef(f"{SITE}/sta/v1.1")
    assert graph.value(service, DCAT.endpointDescription) is not None
    assert graph.value(service, DCTERMS.license) is not None
    assert graph.value(service, DCTERMS.title, any=True) is not None
    assert ds in set(graph.objects(service, DCAT.servesDataset))
    assert (URIRef(f"{SITE}/dcat/catalog"), DCAT.service, service) in graph
    access = str(graph.value(api, DCAT.accessURL))
    assert access.startswith(f"{SITE}/sta/v1.1/Datastreams?$filter=")
    assert f"id%20eq%20{streams['counts'].pk}" in access
    # A CSV per year with the period it covers.
    yearly = [d for d in graph.objects(ds, DCAT.distribution)
              if graph.value(d, DCTERMS.temporal) is not None]
    assert yearly and all(graph.value(graph.value(d, DCTERMS.temporal), DCAT.startDate)
                          for d in yearly)


# Privacy ------------------------------------------------------------------------------------


def test_restricted_datastreams_never_appear(client, lab, streams):  # noqa: F811
    sync.sync_lab_datasets(lab)
    restricted = streams["restricted"]
    for ext in FORMATS:
        body = client.get(f"/dcat/catalog.{ext}").content.decode()
        assert "Geheimsensor Quokka" not in body
        assert f"id%20eq%20{restricted.pk}" not in body
        assert "Wassertemperatur" in body  # the public one is there
    for dataset in Dataset.objects.filter(kind=Dataset.Kind.LAB):
        body = client.get(f"/dcat/datasets/{dataset.slug}.ttl").content.decode()
        assert "Geheimsensor Quokka" not in body


@pytest.mark.parametrize("state", [Dataset.State.DRAFT, Dataset.State.SUBMITTED,
                                   Dataset.State.REJECTED, Dataset.State.WITHDRAWN])
def test_unpublished_datasets_never_appear(client, make_dataset, state):
    shown = make_dataset()
    hidden = make_dataset(state=state, title_de="Verborgener Datensatz")
    for ext in FORMATS:
        body = client.get(f"/dcat/catalog.{ext}").content.decode()
        assert "Verborgener Datensatz" not in body
        assert hidden.slug not in body
        assert shown.slug in body
    for ext in FORMATS:
        assert client.get(f"/dcat/datasets/{hidden.slug}.{ext}").status_code == 404
    assert client.get(f"/dcat/datasets/{hidden.slug}").status_code == 404
    graph = parse(client.get("/dcat/catalog"))
    assert one(graph, HYDRA.totalItems) == Literal(1)


# Paging -------------------------------------------------------------------------------------


def test_paging_covers_every_dataset_once(client, make_dataset):
    made = {str(dataset_iri(make_dataset())) for _ in range(7)}
    seen: list[str] = []
    url, pages = "/dcat/catalog.rdf?per_page=3", 0
    while url:
        graph = parse(client.get(url), "xml")
        pages += 1
        seen += datasets_in(graph)
        paging = one_subject(graph, HYDRA.PagedCollection)
        assert graph.value(paging, HYDRA.totalItems).toPython() == 7
        assert graph.value(paging, HYDRA.itemsPerPage).toPython() == 3
        assert str(graph.value(paging, HYDRA.firstPage)) == (
            f"{SITE}/dcat/catalog.rdf?page=1&per_page=3")
        assert str(graph.value(paging, HYDRA.lastPage)) == (
            f"{SITE}/dcat/catalog.rdf?page=3&per_page=3")
        previous = graph.value(paging, HYDRA.previousPage)
        assert (previous is None) == (pages == 1)
        following = graph.value(paging, HYDRA.nextPage)
        url = str(following).removeprefix(SITE) if following else None
    assert pages == 3
    assert len(seen) == 7 and set(seen) == made


def test_the_page_size_has_a_default_and_a_bound(client, make_dataset):
    make_dataset()
    graph = parse(client.get("/dcat/catalog.ttl"))
    assert one(graph, HYDRA.itemsPerPage) == Literal(dcat.PAGE_SIZE)
    assert one(graph, HYDRA.nextPage) is None
    assert str(one(graph, HYDRA.firstPage)) == f"{SITE}/dcat/catalog.ttl?page=1"
    graph = parse(client.get("/dcat/catalog.ttl?per_page=100000"))
    assert one(graph, HYDRA.itemsPerPage) == Literal(dcat.MAX_PAGE_SIZE)


@pytest.mark.parametrize("query,status", [("page=2", 404), ("page=0", 400), ("page=x", 400)])
def test_pages_that_do_not_exist(client, make_dataset, query, status):
    make_dataset()
    assert client.get(f"/dcat/catalog.ttl?{query}").status_code == status


def test_an_empty_catalogue_has_one_page(client, db):
    graph = parse(client.get("/dcat/catalog.ttl"))
    assert datasets_in(graph) == set()
    assert one(graph, HYDRA.totalItems) == Literal(0)


def test_a_page_costs_the_same_queries_for_more_datasets(client, make_dataset,
                                                         make_organisation):
    def add(number):
        for index in range(number):
            make_dataset(publisher=make_organisation(f"Partner {index}") if index % 2 else None,
                         distributions=(("CSV", "/a.csv"), ("JSON", "/a.json")))

    add(2)
    few = query_count(client.get, "/dcat/catalog.ttl")
    add(20)
    many = query_count(client.get, "/dcat/catalog.ttl")
    assert many == few
    assert few <= 4  # count and newest change, the datasets with their publishers, distributions


def test_a_change_shows_at_once_though_pages_are_kept(client, make_dataset):
    """Pages are kept per version of the catalogue (count and newest change): a change, a
    withdrawal or a new dataset is in the next answer."""
    dataset = make_dataset(title_de="Alter Titel")
    assert "Alter Titel" in client.get("/dcat/catalog.rdf").content.decode()
    dataset.title_de = "Neuer Titel"
    dataset.modified = dataset.modified + timedelta(seconds=1)
    dataset.save()
    body = client.get("/dcat/catalog.rdf").content.decode()
    assert "Neuer Titel" in body and "Alter Titel" not in body
    other = make_dataset(title_de="Zweiter Datensatz")
    assert "Zweiter Datensatz" in client.get("/dcat/catalog.rdf").content.decode()
    Dataset.objects.filter(pk=other.pk).update(state=Dataset.State.WITHDRAWN)
    assert "Zweiter Datensatz" not in client.get("/dcat/catalog.rdf").content.decode()


@pytest.mark.parametrize(("path", "accept"), [("/dcat/catalog.ttl", None),
                                              ("/dcat/catalog", "application/ld+json"),
                                              ("/dcat/catalog.rdf?page=2&per_page=1", None)])
def test_an_unchanged_page_is_not_modified_for_a_harvester_with_its_etag(client, make_dataset,
                                                                          path, accept):
    """A page's ETag names its version: sent back with If-None-Match it is 304 with no body
    (no page read or built), until anything in the page may have changed."""
    dataset = make_dataset(title_de="Alter Titel")
    make_dataset(title_de="Noch einer")
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    first = client.get(path, **headers)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    again = client.get(path, HTTP_IF_NONE_MATCH=etag, **headers)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert query_count(client.get, path, HTTP_IF_NONE_MATCH=etag, **headers) <= 2
    assert client.get(path, HTTP_IF_NONE_MATCH='"other"', **headers).status_code == 200
    # Another format or page is another entity.
    assert client.get("/dcat/catalog.jsonld", HTTP_IF_NONE_MATCH=etag).status_code == 200
    dataset.title_de = "Neuer Titel"
    dataset.modified = dataset.modified + timedelta(seconds=1)
    dataset.save()
    changed = client.get(path, HTTP_IF_NONE_MATCH=etag, **headers)
    assert changed.status_code == 200 and changed["ETag"] != etag
