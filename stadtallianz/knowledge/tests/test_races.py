"""Two uploads or two articles at once: both succeed with distinct version numbers and slugs,
never a database error. Needs PostgreSQL: only it lets two connections write at once."""

import pytest
from django.db import connection

from stadtallianz.core.testing import in_open_transaction
from stadtallianz.knowledge import services
from stadtallianz.knowledge.models import Article

from .conftest import PDF, upload

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


def test_two_new_versions_at_once_get_consecutive_numbers(group, lead, member, make_document):
    document = make_document(by=lead, group=group)
    thread, errors = in_open_transaction(
        lambda: services.version_add(document=document, by=lead, upload=upload("a.pdf", PDF)))
    mine = services.version_add(document=document, by=member, upload=upload("b.pdf", PDF))
    thread.join()
    assert errors == []
    assert mine.number == 3
    assert sorted(document.versions.values_list("number", flat=True)) == [1, 2, 3]


def test_two_articles_with_one_title_at_once_get_two_slugs(group, lead, member):
    data = {"title": "Radwege", "summary": "S", "body": "B"}
    thread, errors = in_open_transaction(
        lambda: services.article_create(by=lead, group=group, data=dict(data)))
    mine = services.article_create(by=member, group=group, data=dict(data))
    thread.join()
    assert errors == []
    assert mine.slug == "radwege-2"
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["radwege", "radwege-2"]
