"""A small alliance with something searchable of every type and visibility, indexed.

Each test runs in one transaction, so the index updates the signals schedule after commit do
not run by themselves: `world` runs them (django_capture_on_commit_callbacks), and so do the
tests of index updates.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from stadtallianz.core.models import FocusArea
from stadtallianz.discussions.models import Post, Thread
from stadtallianz.events.models import Event
from stadtallianz.knowledge.models import Article, Document
from stadtallianz.partners.models import Organisation
from stadtallianz.workinggroups.models import GroupMembership, WorkingGroup

# The working groups' shared people (the search builds its own groups in `world`).
from stadtallianz.workinggroups.tests.fixtures import (  # noqa: F401
    lead,
    member,
)


@pytest.fixture
def areas(db):
    first, second = FocusArea.objects.active()[:2]
    return first, second


@pytest.fixture
def non_member(make_user):
    """A member of another working group."""
    return make_user("othergroup@example.org", full_name="Olaf Other")


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """with run_on_commit(): … runs the after-commit index updates of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def world(run_on_commit, make_organisation, areas, lead, member, non_member):  # noqa: F811
    mobility, energy = areas
    now = timezone.now()
    objects = {}
    with run_on_commit():
        group = WorkingGroup.objects.create(
            name_de="Verkehrswende", name_en="Transport transition", slug="verkehrswende",
            description_de="Die Gruppe arbeitet an **Radwegen** und Car-Sharing.")
        group.focus_areas.add(mobility)
        GroupMembership.objects.create(group=group, user=lead, role=GroupMembership.Role.LEAD)
        GroupMembership.objects.create(group=group, user=member)
        other = WorkingGroup.objects.create(name_de="Energie", slug="energie",
                                            description_de="Wärmeplanung und Solardächer.")
        other.focus_areas.add(energy)
        GroupMembership.objects.create(group=other, user=non_member)
        objects["group"], objects["other_group"] = group, other

        partner = make_organisation(
            "Stadtwerke Beispielstadt",
            description_de="Wir erstellen Mobilitätskonzepte für Quartiere. "
                           "<script>alert('x')</script>")
        partner.focus_areas.add(mobility)
        objects["partner"] = partner
        objects["draft_partner"] = make_organisation(
            "Entwurf Mobilitätskonzept GmbH", status=Organisation.Status.DRAFT)

        public_thread = Thread.objects.create(group=group, title="Radwege am Ring",
                                              author=lead, visibility=Thread.Visibility.PUBLIC,
                                              last_activity_at=now)
        Post.objects.create(thread=public_thread, author=lead,
                            body="Ein **Mobilitätskonzept** für den Ring wäre gut.")
        Post.objects.create(thread=public_thread, author=member, hidden_at=now,
                            body="Verborgenes Schimpfwort Quatschkopf.")
        members_thread = Thread.objects.create(group=group, title="Interne Planung Geheimprojekt",
                                               author=lead, visibility=Thread.Visibility.MEMBERS,
                                               last_activity_at=now)
        Post.objects.create(thread=members_thread, author=lead, body="Nur für uns: Budget.")
        objects["public_thread"], objects["members_thread"] = public_thread, members_thread

        start = now + timedelta(days=7)
        event_fields = {"starts_at": start, "ends_at": start + timedelta(hours=2)}
        objects["public_event"] = Event.objects.create(
            group=group, slug="radtag", title_de="Radtag", title_en="Cycling day",
            description_de="Wir stellen das Mobilitätskonzept vor.", **event_fields)
        objects["members_event"] = Event.objects.create(
            group=group, slug="geheimtreffen", title_de="Geheimprojekt Treffen",
            visibility=Event.Visibility.MEMBERS, **event_fields)
        objects["alliance_members_event"] = Event.objects.create(
            slug="geheimrunde", title_de="Geheimprojekt Runde aller Gruppen",
            visibility=Event.Visibility.MEMBERS, **event_fields)
        objects["cancelled_event"] = Event.objects.create(
            group=group, slug="abgesagt", title_de="Fahrradreparatur abgesagt",
            state=Event.State.CANCELLED, **event_fields)

        published = {"state": Article.State.PUBLISHED, "published_at": now}
        article = Article.objects.create(
            title="Leitfaden Mobilitätsstationen", slug="leitfaden", summary="Erfahrungen.",
            body="## Ergebnis\n\nDas **Mobilitätskonzept** wirkt.", **published)
        article.focus_areas.add(mobility)
        members_article = Article.objects.create(
            title="Geheimprojekt Bericht", slug="bericht", summary="Intern.", body="Intern.",
            group=group, visibility=Article.Visibility.MEMBERS, **published)
        draft = Article.objects.create(title="Geheimprojekt Entwurf", slug="entwurf",
                                       summary="Entwurf.", body="Noch nicht fertig.")
        objects.update(article=article, members_article=members_article, draft_article=draft)
        objects["documents"] = [
            Document.objects.create(title="Protokoll Radverkehr", group=group),
            Document.objects.create(title="Geheimprojekt Kalkulation", group=group,
                                    visibility=Document.Visibility.MEMBERS),
            Document.objects.create(title="Geheimprojekt Folien zum Treffen",
                                    event=objects["members_event"]),
            Document.objects.create(title="Geheimprojekt Folien der Runde",
                                    event=objects["alliance_members_event"]),
            Document.objects.create(title="Geheimprojekt Anhang zum Entwurf", article=draft),
            Document.objects.create(title="Anhang Mobilitätsstationen", article=article),
        ]
    return objects
