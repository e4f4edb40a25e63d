"""Ideas in the site search: visible ones only, kept current after each change."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from stadtallianz.ideas import services
from stadtallianz.search.models import SearchEntry
from stadtallianz.search.services import search

from .fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def _titles(q):
    return [entry.title for entry in search(user=AnonymousUser(), q=q)[:10]]


def test_ideas_are_found_and_kept_current(submit, writer, coordinator,
                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        idea = submit("Trinkbrunnen am Domplatz", description="Frisches **Wasser** für alle.")
    entry = SearchEntry.objects.get(type=SearchEntry.Type.IDEA, object_id=idea.pk)
    assert entry.url == idea.get_absolute_url()
    assert "Trinkbrunnen am Domplatz" in _titles("Wasser")
    assert "Trinkbrunnen am Domplatz" in _titles("Mobilität")  # its focus area's name
    with django_capture_on_commit_callbacks(execute=True):
        services.idea_update(idea=idea, by=writer, data={"title": "Wasserspender"},
                             base_version=1)
    assert _titles("Wasserspender") == ["Wasserspender"]
    with django_capture_on_commit_callbacks(execute=True):
        idea.hidden_at = timezone.now()
        idea.save()
    assert not SearchEntry.objects.filter(type=SearchEntry.Type.IDEA).exists()
