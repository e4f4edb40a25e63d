"""The DCAT-AP.de catalogue checked with GovData's DCAT-AP.de 3.0 SHACL shapes, read from
../shared/standards/dcat-ap-de-3.0-shacl/ (never copied), and the nightly `validate_catalogue`.

The shapes look up every controlled term (`skos:inScheme`); the slices of the official
vocabularies the catalogue uses are opendata/data/vocabularies/*.ttl (validation adds them)."""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from stadtallianz.livinglabs.tests.conftest import streams  # noqa: F401 - fixture
from stadtallianz.opendata import alliance_data, dcat, sync, validation
from stadtallianz.opendata.models import Dataset, ValidationRun
from stadtallianz.opendata.vocabularies import (
    ACCESS_RIGHT_PUBLIC,
    FILE_TYPES,
    FREQUENCIES,
    LICENCES,
    THEMES,
)
from stadtallianz.sensorthings.tests.conftest import lab, make_datastream  # noqa: F401

SHAPES_FOLDER = "dcat-ap-de-3.0-shacl"
SHAPE_FILES = {"dcat-ap-SHACL-DE.ttl", "dcat-ap-de-controlledvocabularies.ttl",
               "dcat-ap-de-deprecated.ttl", "dcat-ap-spec-german-additions.ttl"}
# The warnings that remain, each with its reason in docs/standards.md ("Warnings that remain").
KNOWN_WARNINGS = {("Warning", "dcatde:politicalGeocodingURI")}


def standards_dir() -> Path:
    """STANDARDS_DIR, else ../shared/standards beside the repository, else
    /work/shared/standards. A test that cannot find the shapes fails: it never skips."""
    repo = Path(settings.BASE_DIR)
    candidates = [Path(os.environ["STANDARDS_DIR"])] if os.environ.get("STANDARDS_DIR") else []
    candidates += [repo.parent / "shared" / "standards", Path("/work/shared/standards")]
    for candidate in candidates:
        if (candidate / SHAPES_FOLDER).is_dir():
            return candidate / SHAPES_FOLDER
    pytest.fail(f"GovData's DCAT-AP.de shapes ({SHAPES_FOLDER}) not found in any of "
                f"{[str(c) for c in candidates]}; set STANDARDS_DIR.")


@pytest.fixture(scope="module")
def shapes_dir():
    return standards_dir()


@pytest.fixture(scope="module")
def shapes(shapes_dir):
    return validation.shapes_graph(shapes_dir)


@pytest.fixture(scope="module")
def govdata_shapes(shapes_dir):
    return validation.shapes_graph(shapes_dir, conventions=False)


def check(shapes, nodes=None, **kwargs):
    nodes = dcat.whole_catalogue() if nodes is None else nodes
    return validation.validate_graph(dcat.to_graph(nodes), shapes, **kwargs)


def kinds(report, severity):
    return {(f["severity"], f["path"]) for f in report.findings if f["severity"] == severity}


@pytest.fixture
def one_of_each(make_dataset, make_organisation, lab, streams):  # noqa: F811
    """A lab's datasets made by opendata.sync (one of them an aggregated datastream's), the
    alliance's partner directory and a partner's own data offer."""
    sync.sync_lab_datasets(lab)
    platform_dataset = make_dataset(
        kind=Dataset.Kind.PLATFORM, platform_key="partners", publisher=None,
        title_de="Partnerverzeichnis", licence="dl-zero-de/2.0",
        distributions=(("CSV", "/de/data/datasets/partnerverzeichnis/partners.csv"),
                       ("JSON", "/de/data/datasets/partnerverzeichnis/partners.json")))
    partner_dataset = make_dataset(
        publisher=make_organisation("Stadtwerke"), licence="cc-by/4.0",
        spatial={"type": "Point", "coordinates": [7.6261, 51.9607]},
        temporal_start="2024-01-01", temporal_end="2025-12-31",
        distributions=(("CSV", "https://stadtwerke.example.org/daten/zaehlung.csv"),))
    labs = list(Dataset.objects.published().filter(kind=Dataset.Kind.LAB))
    return labs, platform_dataset, partner_dataset


def test_the_shapes_are_read_from_the_standards_folder(shapes_dir):
    names = {path.name for path in validation.shape_files(shapes_dir)}
    assert names >= SHAPE_FILES
    assert not any(name.startswith("example") for name in names)


def test_one_dataset_of_each_kind_has_no_violations(one_of_each, shapes):
    labs, _platform, _partner = one_of_each
    aggregated = [d for d in labs if "zusammengefasst als Summe" in d.description_de]
    assert aggregated, "the lab's aggregated datastream has no dataset"
    report = check(shapes)
    assert report.datasets == len(labs) + 2
    assert report.violations == 0, report.findings
    # Every warning is one that docs/standards.md lists with its reason.
    assert kinds(report, "Warning") <= KNOWN_WARNINGS, report.findings


def test_a_distribution_without_a_licence_is_a_violation(make_dataset, govdata_shapes):
    make_dataset(licence="")
    report = check(govdata_shapes)
    assert ("Violation", "dct:license") in kinds(report, "Violation"), report.findings


def test_a_contact_point_without_an_email_address_is_a_violation(make_dataset, govdata_shapes):
    make_dataset(contact_email="")
    report = check(govdata_shapes)
    assert any(f["severity"] == "Violation" and "vcard:Kind" in f["message"]
               for f in report.findings), report.findings


def test_a_dataset_without_a_contact_point_is_a_violation(make_dataset, govdata_shapes, shapes):
    make_dataset()
    nodes = [node for node in dcat.whole_catalogue() if "vcard:Kind" not in node.types]
    for node in nodes:
        node.properties = [(p, o) for p, o in node.properties if p != "dcat:contactPoint"]
    # GovData's shapes check a contact point that is there, not that there is one (DCAT-AP
    # only recommends it); GovData's convention 01 asks for one: opendata/data/shapes.
    assert check(govdata_shapes, nodes).violations == 0
    report = check(shapes, nodes)
    assert ("Violation", "dcat:contactPoint") in kinds(report, "Violation"), report.findings


def test_two_contributor_ids_are_a_violation(make_dataset, shapes):
    make_dataset()
    nodes = dcat.whole_catalogue()
    dataset_node = next(node for node in nodes if "dcat:Dataset" in node.types)
    dataset_node.add("dcatde:contributorID", dcat.IRI("http://dcat-ap.de/def/contributors/x"))
    report = check(shapes, nodes)
    assert ("Violation", "dcatde:contributorID") in kinds(report, "Violation"), report.findings


def test_the_shapes_look_up_every_term_in_its_vocabulary(make_dataset, govdata_shapes):
    """Without the vocabulary slices the controlled-term checks fail: they really read them."""
    make_dataset()
    report = check(govdata_shapes, vocabularies=False)
    paths = {path for _severity, path in kinds(report, "Violation")}
    assert {"dct:accrualPeriodicity", "dcat:theme", "dct:accessRights", "dct:format",
            "dct:language"} <= paths, report.findings


def test_the_slices_hold_every_term_the_catalogue_can_use():
    slices = validation.vocabulary_slices()

    def in_scheme(uri, scheme):
        return ((URIRef(uri), RDF.type, SKOS.Concept) in slices
                and (URIRef(uri), SKOS.inScheme, URIRef(scheme)) in slices)

    for vocabulary in (LICENCES, THEMES, FREQUENCIES, FILE_TYPES):
        for term in vocabulary:
            assert in_scheme(term.uri, vocabulary.scheme), term.uri
    authority = "http://publications.europa.eu/resource/authority/"
    assert in_scheme(ACCESS_RIGHT_PUBLIC, authority + "access-right")
    for language in ("DEU", "ENG"):
        assert in_scheme(dcat.LANGUAGE + language, authority + "language")
    key, level = dcat.political_geocoding()
    assert in_scheme(key, "http://dcat-ap.de/def/politicalGeocoding/regionalKey")
    assert in_scheme(level, "http://dcat-ap.de/def/politicalGeocoding/Level")
    assert in_scheme(settings.DCAT_CONTRIBUTOR_ID, "http://dcat-ap.de/def/contributors")


def test_the_demo_catalogue_has_no_violations(db, shapes):
    call_command("demo", stdout=StringIO())
    # What the nightly jobs do after the demo: the labs' and the alliance's datasets.
    sync.sync_lab_datasets()
    alliance_data.ensure_datasets()
    published = Dataset.objects.published()
    assert {kind for kind in published.values_list("kind", flat=True)} >= {
        Dataset.Kind.LAB, Dataset.Kind.PLATFORM}
    report = check(shapes)
    assert report.datasets == published.count()
    assert report.violations == 0, report.findings
    assert kinds(report, "Warning") <= KNOWN_WARNINGS, report.findings


# The nightly check ------------------------------------------------------------------------


def test_validate_catalogue_stores_the_outcome(make_dataset, shapes_dir, settings):
    make_dataset()
    make_dataset(licence="")
    settings.DCAT_SHACL_DIR = str(shapes_dir)
    output = StringIO()
    call_command("validate_catalogue", stdout=output)
    run = ValidationRun.objects.get()
    assert run.datasets == 2
    assert run.violations == 1 and not run.conforms
    assert run.warnings == 2  # politicalGeocodingURI, deprecated, once per dataset
    licence = next(f for f in run.findings if f["path"] == "dct:license")
    assert licence["severity"] == "Violation" and licence["count"] == 1
    assert "MUSS eine dcterms:license haben" in licence["message"]
    assert "2 dataset(s) checked: 1 violation(s), 2 warning(s)." in output.getvalue()


def test_validate_catalogue_without_shapes_says_so_and_stores_nothing(make_dataset, settings):
    make_dataset()
    settings.DCAT_SHACL_DIR = ""
    output = StringIO()
    call_command("validate_catalogue", stdout=output)
    assert "DCAT_SHACL_DIR is not set" in output.getvalue()
    assert not ValidationRun.objects.exists()


def test_validate_catalogue_refuses_a_folder_without_shapes(db, tmp_path, settings):
    settings.DCAT_SHACL_DIR = str(tmp_path)
    with pytest.raises(CommandError, match="No shapes"):
        call_command("validate_catalogue", stdout=StringIO())
    assert not ValidationRun.objects.exists()


def test_the_slices_parse_as_turtle():
    for path in validation.VOCABULARIES.glob("*.ttl"):
        Graph().parse(str(path), format="turtle")


def test_the_check_in_chunks_finds_what_one_check_finds(make_dataset, shapes_dir):
    make_dataset()
    make_dataset(licence="")
    make_dataset(contact_email="")
    whole = validation.check_catalogue(shapes_dir)
    chunked = validation.check_catalogue(shapes_dir, chunk=2)
    assert chunked.datasets == whole.datasets == 3
    assert (chunked.violations, chunked.warnings) == (whole.violations, whole.warnings)
    assert whole.violations >= 2
    strip = [{k: v for k, v in f.items() if k != "example"} for f in whole.findings]
    assert [{k: v for k, v in f.items() if k != "example"} for f in chunked.findings] == strip
