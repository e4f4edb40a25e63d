"""CKAN's action API (opendata.ckan, /api/3/action/<name>): each action's answer in CKAN's
shape, the search's filters, sorting, paging and facets, CKAN's errors for bad parameters
(never a 500), privacy (only published datasets, in every action) and constant query counts."""

import json
import uuid
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from stadtallianz.core.testing import query_count
from stadtallianz.opendata import ckan
from stadtallianz.opendata.models import Dataset
from stadtallianz.partners.models import Organisation

pytestmark = pytest.mark.django_db

BASE = "/api/3/action/"


def call(client, action, method="get", **params):
    if method == "post":
        return client.post(BASE + action, data=json.dumps(params),
                           content_type="application/json")
    return client.get(BASE + action, params)


def result(client, action, method="get", **params):
    response = call(client, action, method, **params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True
    assert body["help"].endswith(f"{BASE}help_show?name={action}")
    return body["result"]


def error(client, action, status, method="get", **params):
    response = call(client, action, method, **params)
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    return body["error"]


@pytest.fixture
def catalogue(make_dataset, make_organisation):
    """Three published datasets of two partners and the alliance, and one of each state that
    nobody may see."""
    stadtwerke = make_organisation("Stadtwerke Münster", slug="stadtwerke",
                                   description_de="Energie.")
    uni = make_organisation("Universität", slug="uni")
    hidden_org = make_organisation("Entwurf GmbH", slug="entwurf",
                                   status=Organisation.Status.DRAFT)
    now = timezone.now()
    radverkehr = make_dataset(
        slug="radverkehr", title_de="Radverkehr Zählstellen", title_en="Bicycle counts",
        publisher=stadtwerke, keywords=["Radverkehr", "Zählung"], themes=["TRAN"],
        licence="dl-by-de/2.0", modified=now - timedelta(days=3),
        distributions=(("CSV", "/de/data/radverkehr.csv"),
                       ("JSON", "https://example.org/rad.json")))
    luft = make_dataset(
        slug="luftqualitaet", title_de="Luftqualität", publisher=uni,
        description_de="Messwerte der Luftgüte.",
        keywords=["Luft", "Stickstoffdioxid"], themes=["ENVI", "HEAL"], licence="cc-by/4.0",
        modified=now - timedelta(days=1), distributions=(("GEOJSON", "/de/data/luft.geojson"),))
    partner_list = make_dataset(
        slug="partner", kind=Dataset.Kind.PLATFORM, title_de="Partnerverzeichnis",
        publisher=None, description_de="Die Partnerinnen und Partner.", keywords=["Allianz"],
        themes=["REGI"], licence="dl-zero-de/2.0",
        modified=now - timedelta(days=2),
        distributions=(("CSV", "/de/data/partner.csv"), ("JSON", "/de/data/partner.json")))
    hidden = [
        make_dataset(slug=f"geheim-{state}", title_de=f"Geheim {state}", state=state,
                     publisher=hidden_org if state == Dataset.State.DRAFT else stadtwerke,
                     keywords=["Geheimwort"], themes=["JUST"], licence="odbl",
                     distributions=(("XML", "/x.xml"),))
        for state in (Dataset.State.DRAFT, Dataset.State.SUBMITTED, Dataset.State.REJECTED,
                      Dataset.State.WITHDRAWN)]
    return {"stadtwerke": stadtwerke, "uni": uni, "hidden_org": hidden_org,
            "radverkehr": radverkehr, "luft": luft, "partner": partner_list, "hidden": hidden}


def names(packages):
    return [package["name"] for package in packages]


# --- the simple actions --------------------------------------------------------------------------

def test_status_show_and_site_read(client, settings):
    status = result(client, "status_show")
    assert status["site_title"] == settings.SITE_NAME
    assert status["ckan_version"].startswith("2.")
    assert result(client, "site_read") is True


def test_package_list_is_the_published_names_in_order_with_limit_and_offset(client, catalogue):
    assert result(client, "package_list") == ["luftqualitaet", "partner", "radverkehr"]
    assert result(client, "package_list", limit=2) == ["luftqualitaet", "partner"]
    assert result(client, "package_list", limit=2, offset=2) == ["radverkehr"]
    assert result(client, "package_list", "post", limit=1, offset=1) == ["partner"]


def test_package_show_by_name_and_by_id_in_ckans_shape(client, catalogue, settings):
    dataset = catalogue["radverkehr"]
    package = result(client, "package_show", id="radverkehr")
    assert package == result(client, "package_show", id=str(dataset.uid))
    assert package["id"] == str(dataset.uid)
    assert package["name"] == "radverkehr"
    assert package["title"] == "Radverkehr Zählstellen"
    assert package["title_translated"] == {"de": "Radverkehr Zählstellen",
                                           "en": "Bicycle counts"}
    assert package["notes"] == dataset.description_de
    assert package["type"] == "dataset" and package["state"] == "active"
    assert package["private"] is False
    assert package["license_id"] == "dl-by-de/2.0"
    assert package["license_title"].startswith("Datenlizenz Deutschland")
    assert package["license_url"] == "https://www.govdata.de/dl-de/by-2-0"
    assert package["organization"]["name"] == "stadtwerke"
    assert package["organization"]["title"] == "Stadtwerke Münster"
    assert package["owner_org"] == package["organization"]["id"]
    assert uuid.UUID(package["owner_org"])
    assert [group["name"] for group in package["groups"]] == ["tran"]
    assert [tag["name"] for tag in package["tags"]] == ["Radverkehr", "Zählung"]
    assert package["num_tags"] == 2 and package["num_resources"] == 2
    assert package["url"] == f"{settings.SITE_URL}/de/data/datasets/radverkehr/"
    assert package["metadata_modified"] == (
        dataset.modified.astimezone(UTC).replace(tzinfo=None).isoformat())
    csv, remote = package["resources"]
    assert csv["url"] == f"{settings.SITE_URL}/de/data/radverkehr.csv"
    assert csv["format"] == "CSV" and csv["mimetype"] == "text/csv"
    assert csv["package_id"] == package["id"]
    assert csv["name"] == "CSV-Datei"
    assert remote["url"] == "https://example.org/rad.json"
    extras = {extra["key"]: extra["value"] for extra in package["extras"]}
    assert extras["contact_email"] == "opendata@example.org"
    assert json.loads(extras["theme"]) == [
        "http://publications.europa.eu/resource/authority/data-theme/TRAN"]
    assert extras["frequency"] == "http://publications.europa.eu/resource/authority/frequency/DAILY"
    assert json.loads(extras["politicalGeocodingURI"]) == [
        "http://dcat-ap.de/def/politicalGeocoding/regionalKey/"
        + settings.OPEN_DATA_REGIONAL_KEY]
    assert json.loads(extras["contributorID"]) == [settings.DCAT_CONTRIBUTOR_ID]
    assert all(isinstance(extra["value"], str) for extra in package["extras"])


def test_the_alliances_own_datasets_belong_to_the_alliance(client, catalogue, settings):
    package = result(client, "package_show", id="partner")
    assert package["organization"]["name"] == ckan.alliance_name()
    assert package["organization"]["title"] == settings.SITE_NAME
    organisation = result(client, "organization_show", id=ckan.alliance_name(),
                          include_datasets=True)
    assert names(organisation["packages"]) == ["partner"]
    assert organisation["package_count"] == 1


def test_resource_show(client, catalogue):
    distribution = catalogue["luft"].distributions.get()
    resource = result(client, "resource_show", id=str(distribution.uid))
    assert resource["id"] == str(distribution.uid)
    assert resource["format"] == "GEOJSON"
    assert resource["mimetype"] == "application/geo+json"
    assert resource["package_id"] == str(catalogue["luft"].uid)


def test_current_package_list_with_resources_newest_first(client, catalogue):
    packages = result(client, "current_package_list_with_resources")
    assert names(packages) == ["luftqualitaet", "partner", "radverkehr"]
    assert [len(package["resources"]) for package in packages] == [1, 2, 2]
    assert names(result(client, "current_package_list_with_resources", limit=1, offset=1)) == [
        "partner"]
    assert names(result(client, "current_package_list_with_resources", limit=2, page=2)) == [
        "radverkehr"]


def test_organization_list_and_show(client, catalogue):
    assert result(client, "organization_list") == [ckan.alliance_name(), "stadtwerke", "uni"]
    assert result(client, "organization_list", limit=1, offset=1) == ["stadtwerke"]
    full = result(client, "organization_list", all_fields="true", sort="package_count desc")
    assert {entry["name"]: entry["package_count"] for entry in full} == {
        ckan.alliance_name(): 1, "stadtwerke": 1, "uni": 1}
    assert all(entry["is_organization"] and entry["type"] == "organization" for entry in full)
    stadtwerke = result(client, "organization_show", id="stadtwerke")
    assert "packages" not in stadtwerke
    assert stadtwerke == result(client, "organization_show", id=stadtwerke["id"])
    assert stadtwerke["title"] == "Stadtwerke Münster"
    assert stadtwerke["description"] == "Energie."
    with_datasets = result(client, "organization_show", id="stadtwerke", include_datasets=True)
    assert names(with_datasets["packages"]) == ["radverkehr"]


def test_groups_are_the_eu_data_themes(client, catalogue):
    groups = result(client, "group_list")
    assert len(groups) == 13 and "tran" in groups and "envi" in groups
    full = {entry["name"]: entry for entry in result(client, "group_list", all_fields=True,
                                                     limit=25)}
    assert full["envi"]["package_count"] == 1
    assert full["just"]["package_count"] == 0  # only hidden datasets have it
    assert full["tran"]["title"] == "Verkehr"
    assert full["tran"]["uri"] == "http://publications.europa.eu/resource/authority/data-theme/TRAN"
    envi = result(client, "group_show", id="envi", include_datasets=True)
    assert names(envi["packages"]) == ["luftqualitaet"]
    assert envi["package_count"] == 1


def test_tag_list(client, catalogue):
    assert result(client, "tag_list") == ["Allianz", "Luft", "Radverkehr", "Stickstoffdioxid",
                                          "Zählung"]
    assert result(client, "tag_list", query="luft") == ["Luft"]
    assert result(client, "tag_list", all_fields=True, query="Zähl")[0]["name"] == "Zählung"


def test_license_list_from_the_vocabulary(client):
    licences = {entry["id"]: entry for entry in result(client, "license_list")}
    assert set(licences) == {"dl-by-de/2.0", "dl-zero-de/2.0", "cc-by/4.0", "cc-by-sa/4.0",
                             "cc-zero", "odbl"}
    cc_by = licences["cc-by/4.0"]
    assert cc_by["url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert cc_by["uri"] == "http://dcat-ap.de/def/licenses/cc-by/4.0"
    assert cc_by["od_conformance"] == "approved" and cc_by["is_okd_compliant"] is True


def test_help_show(client):
    assert "Search" in result(client, "help_show", name="package_search")


# --- package_search ------------------------------------------------------------------------------

def search(client, method="get", **params):
    return result(client, "package_search", method, **params)


def test_search_everything_newest_first_by_default(client, catalogue):
    found = search(client)
    assert found["count"] == 3
    assert names(found["results"]) == ["luftqualitaet", "partner", "radverkehr"]
    assert found["facets"] == {} and found["search_facets"] == {}
    assert search(client, q="*:*")["count"] == 3


def test_search_text(client, catalogue):
    assert names(search(client, q="zählstellen")["results"]) == ["radverkehr"]
    assert names(search(client, q="Bicycle")["results"]) == ["radverkehr"]
    assert names(search(client, q="Stickstoffdioxid")["results"]) == ["luftqualitaet"]
    assert names(search(client, q="Universität")["results"]) == ["luftqualitaet"]
    assert search(client, q="Zählung")["count"] == 1  # a keyword with an umlaut
    assert search(client, q="Geheim")["count"] == 0
    assert search(client, q="Radverkehr Luft")["count"] == 0  # all words must match
    assert search(client, q="Radverkehr OR Luft")["count"] == 2
    assert names(search(client, q='"Radverkehr Zählstellen"')["results"]) == ["radverkehr"]


@pytest.mark.parametrize(("fq", "expected"), [
    ("organization:stadtwerke", ["radverkehr"]),
    ("organization:uni OR organization:stadtwerke", ["luftqualitaet", "radverkehr"]),
    ("organization:(uni OR stadtwerke)", ["luftqualitaet", "radverkehr"]),
    ("-organization:stadtwerke", ["luftqualitaet", "partner"]),
    ("groups:envi", ["luftqualitaet"]),
    ("groups:tran groups:envi", []),
    ("tags:Radverkehr", ["radverkehr"]),
    ('tags:"Zählung"', ["radverkehr"]),
    ("tags:Geheimwort", []),
    ("res_format:CSV", ["partner", "radverkehr"]),
    ("res_format:GeoJSON", ["luftqualitaet"]),
    ("license_id:cc-by/4.0", ["luftqualitaet"]),
    ("license_id:http\\://dcat-ap.de/def/licenses/cc-by/4.0", ["luftqualitaet"]),
    ("res_format:CSV AND license_id:dl-zero-de/2.0", ["partner"]),
    ("+res_format:CSV +tags:Allianz", ["partner"]),
    ("res_format:CSV -organization:stadtwerke", ["partner"]),
    ("organization:entwurf", []),
    ("groups:just", []),
    ("name:radverkehr", ["radverkehr"]),
    ("type:dataset", ["luftqualitaet", "partner", "radverkehr"]),
    ("metadata_modified:[NOW-36HOURS TO *]", ["luftqualitaet"]),
    ("metadata_modified:[* TO NOW-36HOURS]", ["partner", "radverkehr"]),
    ("metadata_modified:[NOW-60HOURS TO NOW-36HOURS]", ["partner"]),
])
def test_search_filters(client, catalogue, fq, expected):
    found = search(client, fq=fq, sort="name asc")
    assert names(found["results"]) == expected
    assert found["count"] == len(expected)


def test_search_filters_by_dates_and_ids(client, catalogue):
    modified = catalogue["partner"].modified.astimezone(UTC)
    day_before = (modified - timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
    day_after = (modified + timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert names(search(client, fq=f"metadata_modified:[{day_before} TO {day_after}]")[
        "results"]) == ["partner"]
    stadtwerke_id = result(client, "organization_show", id="stadtwerke")["id"]
    assert names(search(client, fq=f"owner_org:{stadtwerke_id}")["results"]) == ["radverkehr"]
    assert names(search(client, fq=f"id:{catalogue['luft'].uid}")["results"]) == [
        "luftqualitaet"]
    assert names(search(client, fq_list=json.dumps(["res_format:CSV", "groups:regi"]))[
        "results"]) == ["partner"]


@pytest.mark.parametrize(("sort", "expected"), [
    ("name asc", ["luftqualitaet", "partner", "radverkehr"]),
    ("name desc", ["radverkehr", "partner", "luftqualitaet"]),
    ("metadata_modified asc", ["radverkehr", "partner", "luftqualitaet"]),
    ("title_string asc", ["luftqualitaet", "partner", "radverkehr"]),
    ("score desc, metadata_modified desc", ["luftqualitaet", "partner", "radverkehr"]),
])
def test_search_sort(client, catalogue, sort, expected):
    assert names(search(client, sort=sort)["results"]) == expected


def test_score_puts_title_matches_first(client, catalogue, make_dataset):
    make_dataset(slug="erwaehnt", title_de="Sonstiges", keywords=["Radverkehr"],
                 description_de="Anderes.",
                 modified=timezone.now())
    found = search(client, q="Radverkehr", sort="score desc")
    assert names(found["results"]) == ["radverkehr", "erwaehnt"]


def test_search_rows_and_start(client, catalogue):
    assert names(search(client, rows=2, sort="name asc")["results"]) == [
        "luftqualitaet", "partner"]
    page = search(client, rows=2, start=2, sort="name asc")
    assert names(page["results"]) == ["radverkehr"] and page["count"] == 3
    assert search(client, rows=0)["results"] == []
    assert search(client, rows=100000)["count"] == 3  # cut to 1000, as CKAN does
    assert search(client, start=10**17)["results"] == []


def test_search_facets_in_ckans_form(client, catalogue):
    found = search(client, **{"facet.field": json.dumps(
        ["organization", "groups", "tags", "res_format", "license_id"])})
    facets = found["facets"]
    assert facets["organization"] == {"stadtwerke": 1, "uni": 1, ckan.alliance_name(): 1}
    assert facets["groups"] == {"tran": 1, "envi": 1, "heal": 1, "regi": 1}
    assert facets["res_format"] == {"CSV": 2, "JSON": 2, "GEOJSON": 1}
    assert facets["license_id"] == {"dl-by-de/2.0": 1, "cc-by/4.0": 1, "dl-zero-de/2.0": 1}
    assert "Geheimwort" not in facets["tags"] and facets["tags"]["Radverkehr"] == 1
    organisations = found["search_facets"]["organization"]
    assert organisations["title"] == "organization"
    assert {"name": "stadtwerke", "display_name": "Stadtwerke Münster", "count": 1} in (
        organisations["items"])
    formats = found["search_facets"]["res_format"]["items"]
    assert [item["name"] for item in formats][:2] == ["CSV", "JSON"]  # most first
    filtered = search(client, "post", fq="res_format:CSV", **{"facet.field": ["groups"]})
    assert filtered["facets"] == {"groups": {"tran": 1, "regi": 1}}
    assert search(client, **{"facet.field": "tags"})["facets"]["tags"]["Luft"] == 1
    limited = search(client, **{"facet.field": '["res_format"]', "facet.limit": "1"})
    assert limited["facets"] == {"res_format": {"CSV": 2}}


def test_post_with_a_json_body_as_ckan_takes_it(client, catalogue):
    found = search(client, "post", q="Luft", rows=5, fq="groups:envi")
    assert names(found["results"]) == ["luftqualitaet"]
    form = client.post(BASE + "package_search", {"q": "Luft"})
    assert form.json()["result"]["count"] == 1


def test_get_answers_with_cors_for_any_site(client):
    response = call(client, "status_show")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = client.options(BASE + "package_search")
    assert preflight.status_code == 200
    assert "POST" in preflight["Access-Control-Allow-Methods"]


# --- errors --------------------------------------------------------------------------------------

def test_not_found_errors(client, catalogue):
    for name, params in [("package_show", {"id": "gibt-es-nicht"}),
                         ("package_show", {"id": str(uuid.uuid4())}),
                         ("resource_show", {"id": str(uuid.uuid4())}),
                         ("resource_show", {"id": "kein-uuid"}),
                         ("organization_show", {"id": "gibt-es-nicht"}),
                         ("organization_show", {"id": str(uuid.uuid4())}),
                         ("group_show", {"id": "xyz"})]:
        failure = error(client, name, 404, **params)
        assert failure["__type"] == "Not Found Error"
        assert failure["message"].startswith("Not found")


def test_unknown_action_is_a_bad_request(client):
    failure = error(client, "package_create", 400)
    assert failure["message"] == "Bad request - Action name not known: package_create"


@pytest.mark.parametrize(("name", "params", "field"), [
    ("package_search", {"rows": "zehn"}, "rows"),
    ("package_search", {"rows": "-1"}, "rows"),
    ("package_search", {"rows": "9" * 5000}, "rows"),
    ("package_search", {"start": "1e5"}, "start"),
    ("package_search", {"start": "99999999999999999999999"}, "start"),
    ("package_search", {"sort": "popularity desc"}, "sort"),
    ("package_search", {"sort": "name sideways"}, "sort"),
    ("package_search", {"sort": "name; DROP TABLE"}, "sort"),
    ("package_search", {"facet.field": '["organization"'}, "facet.field"),
    ("package_search", {"facet.field": "secret"}, "facet.field"),
    ("package_search", {"facet.field": '["secret"]'}, "facet.field"),
    ("package_search", {"facet.field": '[1, 2]'}, "facet.field"),
    ("package_search", {"facet.limit": "-5"}, "facet.limit"),
    ("package_search", {"fq": "organization:(uni"}, "fq"),
    ("package_search", {"fq": "organization:uni)"}, "fq"),
    ("package_search", {"fq": 'tags:"Radverkehr'}, "fq"),
    ("package_search", {"fq": "metadata_modified:[2024-01-01 TO"}, "fq"),
    ("package_search", {"fq": "metadata_modified:[gestern TO *]"}, "fq"),
    ("package_search", {"fq": "metadata_modified:[NOW-999999YEARS TO *]"}, "fq"),
    ("package_search", {"fq": "organization:[a TO b]"}, "fq"),
    ("package_search", {"fq": "secret_field:x"}, "fq"),
    ("package_search", {"fq": "organization:"}, "fq"),
    ("package_search", {"fq": "(" * 50 + "x" + ")" * 50}, "fq"),
    ("package_search", {"fq": " ".join(["a"] * 60)}, "fq"),
    ("package_search", {"fq": "! " * 400 + "x"}, "fq"),
    ("package_search", {"q": "NOT " * 200 + "x"}, "q"),
    ("package_search", {"q": "x" * 2000}, "q"),
    ("package_search", {"q": "Rad\x00verkehr"}, "q"),
    ("package_search", {"fq": "tags:\x00"}, "fq"),
    ("package_search", {"facet": "vielleicht"}, "facet"),
    ("package_list", {"limit": "viele"}, "limit"),
    ("package_list", {"offset": "-3"}, "offset"),
    ("organization_list", {"all_fields": "maybe"}, "all_fields"),
    ("organization_list", {"sort": "secret asc"}, "sort"),
    ("current_package_list_with_resources", {"limit": "x"}, "limit"),
    ("current_package_list_with_resources", {"page": "0"}, "page"),
    ("package_show", {}, "id"),
    ("package_show", {"id": "a\x00b"}, "id"),
])
def test_bad_parameters_are_validation_errors_naming_the_field(client, catalogue, name, params,
                                                               field):
    failure = error(client, name, 409, **params)
    assert failure["__type"] == "Validation Error"
    assert field in failure and failure[field]
    assert failure["message"]


def test_bad_json_bodies_are_bad_requests(client):
    for body in ["{", "[1, 2]", '"text"', "\xff"]:
        response = client.post(BASE + "package_search", data=body,
                               content_type="application/json")
        assert response.status_code == 400
        assert response.json()["success"] is False
    typed = call(client, "package_search", "post", rows=[1, 2])
    assert typed.status_code == 409 and "rows" in typed.json()["error"]
    huge = call(client, "package_search", "post", rows=10**30)
    assert huge.status_code == 409


# --- privacy -------------------------------------------------------------------------------------

def test_unpublished_datasets_appear_nowhere(client, catalogue):
    hidden = catalogue["hidden"]
    hidden_names = {dataset.slug for dataset in hidden}
    assert not hidden_names & set(result(client, "package_list"))
    assert search(client, q="Geheim")["count"] == 0
    assert search(client, fq="tags:Geheimwort")["count"] == 0
    assert search(client)["count"] == 3
    facets = search(client, **{"facet.field": json.dumps(list(ckan.FACET_FIELDS))})["facets"]
    assert "Geheimwort" not in facets["tags"]
    assert "just" not in facets["groups"]
    assert "odbl" not in facets["license_id"]
    assert "XML" not in facets["res_format"]
    assert "entwurf" not in facets["organization"]
    assert not hidden_names & set(names(result(client, "current_package_list_with_resources",
                                               limit=100)))
    assert "Geheimwort" not in result(client, "tag_list")
    assert "entwurf" not in result(client, "organization_list")
    error(client, "organization_show", 404, id="entwurf")
    stadtwerke = result(client, "organization_show", id="stadtwerke", include_datasets=True)
    assert names(stadtwerke["packages"]) == ["radverkehr"]
    assert stadtwerke["package_count"] == 1
    groups = {entry["name"]: entry for entry in result(client, "group_list", all_fields=True,
                                                        limit=25)}
    assert groups["just"]["package_count"] == 0
    assert result(client, "group_show", id="just", include_datasets=True)["packages"] == []
    for dataset in hidden:
        error(client, "package_show", 404, id=dataset.slug)
        error(client, "package_show", 404, id=str(dataset.uid))
        error(client, "resource_show", 404, id=str(dataset.distributions.get().uid))


def test_a_publisher_that_is_no_longer_public_is_not_shown(client, catalogue):
    Organisation.objects.filter(pk=catalogue["uni"].pk).update(
        status=Organisation.Status.WITHDRAWN)
    assert "uni" not in result(client, "organization_list")
    error(client, "organization_show", 404, id="uni")
    package = result(client, "package_show", id="luftqualitaet")
    assert package["organization"]["name"] != "uni"
    assert search(client, fq="organization:uni")["count"] == 0


def test_logged_in_people_see_the_same_as_everybody(client, catalogue, coordinator):
    client.force_login(coordinator)
    assert result(client, "package_list") == ["luftqualitaet", "partner", "radverkehr"]
    error(client, "package_show", 404, id=catalogue["hidden"][0].slug)


# --- query counts --------------------------------------------------------------------------------

def _many(make_dataset, organisations, number):
    for index in range(number):
        make_dataset(slug=f"viele-{index}", publisher=organisations[index % len(organisations)],
                     keywords=[f"Wort{index}"], themes=["ECON"],
                     distributions=(("CSV", f"/d/{index}.csv"), ("JSON", f"/d/{index}.json")))


def test_query_counts_do_not_grow_with_the_datasets(client, catalogue, make_dataset,
                                                    make_organisation):
    organisations = [make_organisation(f"Viele {index}") for index in range(3)]
    facet_fields = json.dumps(list(ckan.FACET_FIELDS))

    def counts():
        return [
            query_count(call, client, "package_search", rows=100),
            query_count(call, client, "package_search", rows=100,
                        **{"facet.field": facet_fields}),
            query_count(call, client, "package_search", q="Datensatz", fq="res_format:CSV",
                        rows=100, **{"facet.field": facet_fields}),
            query_count(call, client, "current_package_list_with_resources", limit=100),
            query_count(call, client, "organization_show", id=organisations[0].slug,
                        include_datasets=True),
            query_count(call, client, "organization_list", all_fields=True),
        ]

    _many(make_dataset, organisations, 3)
    few = counts()
    _many_more = 20
    for index in range(3, 3 + _many_more):
        make_dataset(slug=f"viele-{index}", publisher=organisations[index % 3],
                     keywords=[f"Wort{index}"], themes=["ECON"],
                     distributions=(("CSV", f"/d/{index}.csv"), ("JSON", f"/d/{index}.json")))
    assert counts() == few
    assert few[0] <= 3  # count, page, resources


def test_facets_follow_changes_at_once(client, catalogue):
    """Facets are cached by the matching datasets' keys and the catalogue's last change: a
    dataset withdrawn (even without a new `modified`) or a keyword changed shows at once."""
    fields = {"facet.field": json.dumps(["tags", "organization"])}
    assert search(client, **fields)["facets"]["tags"]["Radverkehr"] == 1
    Dataset.objects.filter(pk=catalogue["radverkehr"].pk).update(
        state=Dataset.State.WITHDRAWN)
    facets = search(client, **fields)["facets"]
    assert "Radverkehr" not in facets["tags"] and "stadtwerke" not in facets["organization"]
    Dataset.objects.filter(pk=catalogue["luft"].pk).update(keywords=["Ozon"],
                                                           modified=timezone.now())
    tags = search(client, **fields)["facets"]["tags"]
    assert tags.get("Ozon") == 1 and "Luft" not in tags


def test_q_finds_a_word_in_any_text_whatever_its_case_and_follows_a_renamed_publisher(
        client, make_dataset, organisation):
    """q looks in one lower-cased column (Dataset.search_text, trigram-indexed on PostgreSQL):
    titles, descriptions, keywords, the name and the publisher's name; the column follows the
    dataset's and the publisher's changes."""
    dataset = make_dataset(title_de="Straßenbäume", keywords=["Baumkataster"],
                           publisher=organisation)

    def found(q):
        answer = client.get("/api/3/action/package_search", {"q": q}).json()["result"]
        return [row["name"] for row in answer["results"]]

    assert found("STRAßENBÄUME") == found("straßenbäume") == [dataset.slug]
    assert found("baumkataster") == [dataset.slug]
    dataset.description_en = "Street trees with species and planting year."
    dataset.save()
    assert found("Planting") == [dataset.slug]
    organisation.name = "Grünflächenamt Musterstadt"
    organisation.save()
    assert found("grünflächenamt") == [dataset.slug]


def test_an_organisation_id_is_looked_up_without_hashing_every_organisation_per_request(
        client, catalogue, make_organisation):
    """CKAN's organisation ids are uuid5 of our keys; the map of them is cached under the public
    organisations' version, so a request naming an id (or a made-up one) costs the same however
    many partners there are, and a new partner's id is found at once."""
    stadtwerke_id = result(client, "organization_show", id="stadtwerke")["id"]
    unknown = str(uuid.uuid4())

    def asked():
        assert names(search(client, fq=f"owner_org:{stadtwerke_id}")["results"]) == [
            "radverkehr"]
        assert search(client, fq=f"owner_org:{unknown}")["count"] == 0
    asked()  # makes the map
    few = query_count(asked)
    for number in range(20):
        make_organisation(f"Partner {number}", slug=f"partner-{number}")
    asked()  # the map is made anew once for the new partners
    assert query_count(asked) == few
    newcomer = make_organisation("Neu AG", slug="neu")
    assert result(client, "organization_show", id=ckan.organisation_id(newcomer.pk))[
        "name"] == "neu"
    assert error(client, "organization_show", status=404, id=unknown)["__type"] == \
        "Not Found Error"


# --- package dicts from the cache ----------------------------------------------------------------

def _listed(client, name):
    """The package `name` as a page of package_search lists it (from the cache after once),
    the same on both of the search's paths: all datasets, and the matching keys of a filter."""
    everything, filtered = (
        next(package for package in search(client, rows=100, **params)["results"]
             if package["name"] == name)
        for params in ({}, {"fq": "-name:keiner"}))
    assert everything == filtered
    return everything


def test_a_listed_package_from_the_cache_is_the_package_show_answer(client, catalogue):
    """Pages of package dicts are joined from each dataset's JSON in the cache: the same dicts
    as package_show makes afresh, and the same on the second (cached) reading."""
    for name in ("radverkehr", "luftqualitaet", "partner"):
        fresh = result(client, "package_show", id=name)
        assert _listed(client, name) == fresh
        assert _listed(client, name) == fresh
        listed = result(client, "current_package_list_with_resources", limit=10)
        assert next(package for package in listed if package["name"] == name) == fresh


def test_a_cached_package_follows_every_change_at_once(client, catalogue, make_organisation):
    """Each change a package dict shows, made the usual way (save, a distribution added or
    removed) or with .update() where the code does so, shows on the next page."""
    from stadtallianz.opendata.models import Distribution

    dataset, publisher = catalogue["radverkehr"], catalogue["stadtwerke"]
    assert _listed(client, "radverkehr")["organization"]["title"] == "Stadtwerke Münster"
    publisher.name = "Stadtwerke Musterstadt"
    publisher.save()
    assert _listed(client, "radverkehr")["organization"]["title"] == "Stadtwerke Musterstadt"

    dataset.licence = "cc-by/4.0"
    dataset.save()
    assert _listed(client, "radverkehr")["license_id"] == "cc-by/4.0"

    added = Distribution.objects.create(
        dataset=dataset, title_de="Karte", access_url="/de/data/rad.geojson",
        file_type="GEOJSON", position=5, modified=timezone.now())
    assert [resource["format"] for resource in _listed(client, "radverkehr")["resources"]] == [
        "CSV", "JSON", "GEOJSON"]
    added.delete()
    assert len(_listed(client, "radverkehr")["resources"]) == 2

    # alliance_data refreshes a platform file's stamps with .update(): `modified` moves.
    Dataset.objects.filter(pk=dataset.pk).update(keywords=["Ozon"], modified=timezone.now())
    assert [tag["name"] for tag in _listed(client, "radverkehr")["tags"]] == ["Ozon"]

    # A publisher no longer public, even changed without its signals, is not shown from the
    # cache (privacy), nor is a dataset no longer published.
    Organisation.objects.filter(pk=publisher.pk).update(status=Organisation.Status.WITHDRAWN)
    assert _listed(client, "radverkehr")["organization"]["name"] == ckan.alliance_name()
    Dataset.objects.filter(pk=dataset.pk).update(state=Dataset.State.WITHDRAWN)
    assert "radverkehr" not in names(search(client, rows=100)["results"])
    assert "radverkehr" not in names(result(client, "current_package_list_with_resources"))


def test_a_page_costs_the_same_queries_from_the_cache_or_made_afresh(client, catalogue):
    from django.core.cache import cache, caches

    def page():
        return call(client, "current_package_list_with_resources", limit=100)

    def filtered():
        return call(client, "package_search", rows=100, fq="-name:keiner")

    for read in (page, filtered):
        cache.clear()
        caches["bulk"].clear()
        afresh = query_count(read)
        assert query_count(read) == afresh
