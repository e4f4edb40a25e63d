"""Open datasets in the search (issue 16): a published dataset is found by its title, its
description, its keywords and its publisher, in German and English; a partner's dataset under
review, a draft and a lab dataset withdrawn (its last public datastream became restricted) are
never found, and the index follows a dataset leaving the catalogue."""

import pytest
from django.contrib.auth.models import AnonymousUser

from stadtallianz.opendata.models import Dataset
from stadtallianz.opendata.tests.conftest import make_dataset  # noqa: F401 - fixture
from stadtallianz.search.models import SearchEntry
from stadtallianz.search.services import search

Type = SearchEntry.Type


def found(q, user=None, **filters):
    return [entry.title for entry in search(user=user or AnonymousUser(), q=q, **filters)[0:50]]


@pytest.fixture
def counts(make_dataset, run_on_commit, organisation):  # noqa: F811
    with run_on_commit():
        return make_dataset(
            title_de="Radverkehrszählungen an Dauerzählstellen",
            title_en="Cycle counts at permanent counting stations",
            description_de="Stündliche **Zählungen** der Fahrräder an acht Zählstellen.",
            description_en="Hourly bicycle counts at eight counting stations.",
            keywords=["Radverkehr", "Verkehrszählung"], publisher=organisation)


def test_a_published_dataset_is_found_by_its_words_and_its_publisher(counts, organisation,
                                                                     client):
    title = counts.title_de
    assert found("Zählstelle") == [title]  # a compound's part, in the title
    assert found("Verkehrszählungen") == [title]  # a keyword, inflected
    assert title in found(organisation.name)
    assert found("bicycle counts") == [title]
    assert found("Zählstelle", type=Type.DATASET) == [title]
    html = client.get("/de/search/", {"q": "Zählstelle"}).content.decode()
    assert counts.get_absolute_url() in html


@pytest.mark.parametrize("state", [Dataset.State.DRAFT, Dataset.State.SUBMITTED,
                                   Dataset.State.REJECTED, Dataset.State.WITHDRAWN])
def test_a_dataset_that_is_not_published_is_never_found(make_dataset, run_on_commit,  # noqa: F811
                                                        state, coordinator):
    with run_on_commit():
        make_dataset(title_de="Luftqualität am Hafen", state=state)
    assert found("Luftqualität") == []
    assert found("Luftqualität", user=coordinator) == []
    assert not SearchEntry.objects.filter(type=Type.DATASET).exists()


def test_the_index_follows_a_dataset_leaving_the_catalogue(counts, run_on_commit):
    assert found("Zählstelle") == [counts.title_de]
    with run_on_commit():
        counts.state = Dataset.State.WITHDRAWN
        counts.save()
    assert found("Zählstelle") == []
    assert not SearchEntry.objects.filter(type=Type.DATASET).exists()
