"""What a harvester is told when it asks the DCAT catalogue for something that is not there or
in a way the catalogue does not serve: short plain text with the right status, never the site's
HTML pages (the fuzzing pass, fuzz/open_data_grammar.py, found the HTML 404 and the CSRF page's
403 for a POST)."""

import pytest
from django.test import Client

from stadtallianz.opendata.models import Dataset


def assert_plain(response, status: int) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/plain")
    assert b"<html" not in response.content.lower()


@pytest.mark.parametrize("path", [
    "/dcat/catalog.ttl?page=2",
    "/dcat/catalog?page=99999999999999999999999",
    "/dcat/datasets/no-such-dataset",
    "/dcat/datasets/no-such-dataset.jsonld",
    "/dcat/",
    "/dcat/catalog/",
    "/dcat/catalog.json",
    "/dcat/catalog.ttl/",
    "/dcat/datasets/",
    "/dcat/datasets/a%20b.ttl",
    "/dcat/datasets/a%0Ab",
    "/dcat/%0A",
])
def test_what_is_not_there_is_a_plain_404(client, make_dataset, path):
    make_dataset()
    assert_plain(client.get(path), 404)


@pytest.mark.parametrize("state", [Dataset.State.DRAFT, Dataset.State.SUBMITTED,
                                   Dataset.State.WITHDRAWN])
def test_an_unpublished_datasets_record_is_a_plain_404(client, make_dataset, state):
    hidden = make_dataset(state=state)
    for suffix in ("", ".ttl", ".rdf", ".jsonld"):
        assert_plain(client.get(f"/dcat/datasets/{hidden.slug}{suffix}"), 404)


@pytest.mark.parametrize("page", ["0", "-1", "x", "1.5", "", "1" * 5000])
def test_a_page_that_is_no_page_number_is_a_plain_400(client, make_dataset, page):
    make_dataset()
    assert_plain(client.get("/dcat/catalog.ttl", {"page": page}), 400)


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("path", ["/dcat/catalog", "/dcat/catalog.rdf", "{record}",
                                  "{record}.ttl"])
def test_other_methods_than_get_and_head_are_405_not_the_csrf_page(make_dataset, method, path):
    dataset = make_dataset()
    # As a harvester calls: no session, no CSRF token, and the check enforced.
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(path.format(record=f"/dcat/datasets/{dataset.slug}"))
    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


def test_head_is_answered_as_get(client, make_dataset):
    dataset = make_dataset()
    for path in ("/dcat/catalog.ttl", f"/dcat/datasets/{dataset.slug}.ttl"):
        response = client.head(path)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/turtle")
