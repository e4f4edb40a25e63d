"""Two reindexes of one object at once (two after-commit hooks): one entry, never a database
error. Needs PostgreSQL: only it lets two connections write at once."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from stadtallianz.search import index, services
from stadtallianz.search.models import SearchEntry
from stadtallianz.workinggroups.models import WorkingGroup

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


def test_two_reindexes_of_one_object_at_once_leave_one_entry():
    group = WorkingGroup.objects.create(name_de="Radverkehr", slug="radverkehr")
    written, errors = threading.Event(), []

    def other_process():
        try:
            with transaction.atomic():
                index.reindex(SearchEntry.Type.WORKING_GROUP, [group.pk])
                written.set()
                time.sleep(0.5)  # its new entry stays uncommitted a moment
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
            written.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_process)
    thread.start()
    assert written.wait(10)
    WorkingGroup.objects.filter(pk=group.pk).update(name_de="Radverkehr und Fußwege")
    index.reindex(SearchEntry.Type.WORKING_GROUP, [group.pk])
    thread.join()
    assert errors == []
    entries = SearchEntry.objects.filter(type=SearchEntry.Type.WORKING_GROUP, object_id=group.pk)
    # One entry, written by the reindex that waited: the newest state.
    assert [entry.title_de for entry in entries] == ["Radverkehr und Fußwege"]


def test_a_nul_character_in_the_query_is_no_database_error(db):
    assert list(services.search(user=_visitor(), q="Rad\x00weg")[:20]) == []


def _visitor():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()
