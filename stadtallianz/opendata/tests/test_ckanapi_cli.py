"""The real client: CKAN's own command line `ckanapi` (installed in .venv/bin) against a live
server, as portal scripts and harvesters call it. It calls CKAN's unversioned address
/api/action/<name>, by POST with a JSON body (with -g by GET), and `dump --all` lists the
names first and then shows each one in worker processes of its own."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stadtallianz.opendata import ckan
from stadtallianz.opendata.models import Dataset
from stadtallianz.partners.models import Organisation

CKANAPI = Path(sys.executable).parent / "ckanapi"


def ckanapi(*arguments: str) -> str:
    # `dump` starts its workers as `ckanapi` from PATH: the virtualenv's first.
    environment = {**os.environ, "PATH": f"{CKANAPI.parent}{os.pathsep}{os.environ['PATH']}"}
    completed = subprocess.run([str(CKANAPI), *arguments], capture_output=True, text=True,  # noqa: S603
                               timeout=120, env=environment, check=False)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


@pytest.fixture
def catalogue(make_dataset, make_organisation, transactional_db):
    stadtwerke = make_organisation("Stadtwerke Münster", slug="stadtwerke")
    uni = make_organisation("Universität Münster", slug="uni")
    draft_org = make_organisation("Entwurf GmbH", slug="entwurf",
                                  status=Organisation.Status.DRAFT)
    published = [
        make_dataset(slug="radverkehr", title_de="Radverkehr Zählstellen", publisher=stadtwerke,
                     keywords=["Radverkehr"], themes=["TRAN"],
                     distributions=(("CSV", "/de/data/rad.csv"), ("JSON", "/de/data/rad.json"))),
        make_dataset(slug="luft", title_de="Luftqualität", publisher=uni,
                     description_de="Messwerte der Luftgüte.", keywords=["Luft"],
                     themes=["ENVI"], distributions=(("GEOJSON", "/de/data/luft.geojson"),)),
        make_dataset(slug="partner", kind=Dataset.Kind.PLATFORM, title_de="Partnerverzeichnis",
                     description_de="Die Partnerinnen und Partner.", publisher=None,
                     keywords=["Allianz"], themes=["REGI"]),
    ]
    make_dataset(slug="entwurf-daten", title_de="Radverkehr Entwurf", publisher=draft_org,
                 state=Dataset.State.DRAFT)
    make_dataset(slug="eingereicht", title_de="Radverkehr eingereicht", publisher=stadtwerke,
                 state=Dataset.State.SUBMITTED)
    make_dataset(slug="zurueckgezogen", title_de="Radverkehr alt", publisher=uni,
                 state=Dataset.State.WITHDRAWN)
    return published


def test_ckans_unversioned_address_is_version_3(client, db):
    """`ckanapi` calls /api/action/<name>: config/urls.py includes opendata.ckan_urls under
    "api/" too."""
    for prefix in ("/api/3/action/", "/api/action/"):
        response = client.get(prefix + "status_show")
        assert response.status_code == 200, f"{prefix} is not routed to CKAN's action API"
        assert response.json()["success"] is True


def test_action_package_search_by_post_and_by_get(live_server, catalogue):
    found = json.loads(ckanapi("action", "package_search", "-r", live_server.url,
                               "q=Radverkehr"))
    assert found["count"] == 1
    assert [package["name"] for package in found["results"]] == ["radverkehr"]
    assert found["results"][0]["organization"]["name"] == "stadtwerke"

    filtered = json.loads(ckanapi("action", "package_search", "-r", live_server.url, "-g",
                                  "fq=organization:uni OR groups:regi", "sort=name asc",
                                  'facet.field:["organization"]'))
    assert [package["name"] for package in filtered["results"]] == ["luft", "partner"]
    assert filtered["facets"]["organization"] == {"uni": 1, ckan.alliance_name(): 1}


def test_an_error_reaches_the_client_as_ckans_error(live_server, catalogue):
    completed = subprocess.run(  # noqa: S603
        [str(CKANAPI), "action", "package_show", "-r", live_server.url, "id=entwurf-daten"],
        capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode != 0
    assert "NotFound" in completed.stdout + completed.stderr


def test_dump_datasets_all_is_the_published_catalogue(live_server, catalogue):
    lines = ckanapi("dump", "datasets", "--all", "-q", "-r", live_server.url).splitlines()
    dumped = {record["name"]: record for record in map(json.loads, lines)}
    published = Dataset.objects.published()
    assert set(dumped) == set(published.values_list("slug", flat=True))
    for dataset in published.prefetch_related("distributions"):
        record = dumped[dataset.slug]
        assert record["id"] == str(dataset.uid)
        assert record["title"] == dataset.title_de
        assert record["license_id"] == dataset.licence
        assert sorted(resource["id"] for resource in record["resources"]) == sorted(
            str(distribution.uid) for distribution in dataset.distributions.all())
        assert [tag["name"] for tag in record["tags"]] == dataset.keywords


def test_dump_organizations_all_is_the_publishers(live_server, catalogue):
    lines = ckanapi("dump", "organizations", "--all", "-q", "-r", live_server.url).splitlines()
    dumped = {record["name"]: record for record in map(json.loads, lines)}
    assert set(dumped) == {"stadtwerke", "uni", ckan.alliance_name()}
    assert dumped["stadtwerke"]["title"] == "Stadtwerke Münster"
    assert dumped["uni"]["package_count"] == 1
    assert dumped[ckan.alliance_name()]["package_count"] == 1
