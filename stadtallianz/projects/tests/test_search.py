"""Projects in the search: found by their texts after creation and after a versioned edit (which
writes with update(), so the service schedules the reindex itself)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from stadtallianz.projects import services
from stadtallianz.search.models import SearchEntry
from stadtallianz.search.services import search

pytestmark = pytest.mark.django_db


def _found(q):
    return [entry.title for entry in search(user=AnonymousUser(), q=q, type="project")[:10]]


def test_projects_are_indexed_and_reindexed_after_an_edit(
        django_capture_on_commit_callbacks, partner_admin, partner_member, organisation):
    with django_capture_on_commit_callbacks(execute=True):
        project = services.create_project(
            actor=partner_admin, organisation=organisation,
            data={"title_de": "Quartiersbus", "description_de": "Ein Rufbus fährt nachts."})
    assert _found("Rufbus") == ["Quartiersbus"]
    with django_capture_on_commit_callbacks(execute=True):
        services.update_project(project=project, actor=partner_member, version=1,
                                data={"description_de": "Ein Lastenrad für alle."})
    assert _found("Rufbus") == []
    assert _found("Lastenrad") == ["Quartiersbus"]
    assert SearchEntry.objects.get(type="project").url == project.get_absolute_url()
