"""Two reindexes of one object at once (two after-commit hooks): one entry, never a database
error. Needs PostgreSQL: only it lets two connections write at once."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from stadtallianz.core.testing import in_open_transaction
from stadtallianz.search import index, services
from stadtallianz.search.models import SearchEntry
from stadtallianz.workinggroups.models import WorkingGroup

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


def test_two_reindexes_of_one_object_at_once_leave_one_entry():
    group = WorkingGroup.objects.create(name_de="Radverkehr", slug="radverkehr")
    # The other reindex's new entry stays uncommitted a moment while this one runs.
    thread, errors = in_open_transaction(
        lambda: index.reindex(SearchEntry.Type.WORKING_GROUP, [group.pk]))
    WorkingGroup.objects.filter(pk=group.pk).update(name_de="Radverkehr und Fußwege")
    index.reindex(SearchEntry.Type.WORKING_GROUP, [group.pk])
    thread.join()
    assert errors == []
    entries = SearchEntry.objects.filter(type=SearchEntry.Type.WORKING_GROUP, object_id=group.pk)
    # One entry, written by the reindex that waited: the newest state.
    assert [entry.title_de for entry in entries] == ["Radverkehr und Fußwege"]


def test_a_nul_character_in_the_query_is_no_database_error():
    assert list(services.search(user=AnonymousUser(), q="Rad\x00weg")[:20]) == []
