"""The index follows writes that send no model signal (issue 13: content apps send
`core.signals.content_changed`, search listens; no content app imports search).

Hiding and showing an idea again and a versioned project edit write with a conditional update();
each test checks the index before, so it fails if the listener or the service's signal is gone.
"""

from django.contrib.auth.models import AnonymousUser

from stadtallianz.core.signals import content_changed
from stadtallianz.ideas import moderation
from stadtallianz.ideas import services as ideas
from stadtallianz.partners.models import Offer
from stadtallianz.projects import services as projects
from stadtallianz.search.models import SearchEntry
from stadtallianz.search.services import search


def found(q, type_=None):
    return [entry.title for entry in search(user=AnonymousUser(), q=q, type=type_)[0:20]]


def test_hiding_and_showing_an_idea_again_reaches_the_index(
        run_on_commit, make_user, coordinator):
    author = make_user("ideengeberin@example.org", full_name="Ida Ideengeberin")
    with run_on_commit():
        idea = ideas.idea_create(by=author, data={"title": "Trinkbrunnen am Aasee",
                                                  "description": "Frisches Quellwasser."})
    assert found("Quellwasser") == ["Trinkbrunnen am Aasee"]
    with run_on_commit():
        moderation.hide_idea(idea=idea, reason="Werbung", by=coordinator)
    assert found("Quellwasser") == []
    assert not SearchEntry.objects.filter(type=SearchEntry.Type.IDEA, object_id=idea.pk).exists()
    with run_on_commit():
        moderation.unhide_idea(idea=idea, by=coordinator)
    assert found("Quellwasser") == ["Trinkbrunnen am Aasee"]


def test_a_versioned_project_edit_reaches_the_index(
        run_on_commit, partner_admin, partner_member, organisation):
    with run_on_commit():
        project = projects.create_project(
            actor=partner_admin, organisation=organisation,
            data={"title_de": "Quartiersbus", "description_de": "Ein Rufbus fährt nachts."})
    assert found("Rufbus", "project") == ["Quartiersbus"]
    with run_on_commit():
        projects.update_project(project=project, actor=partner_member, version=1,
                                data={"description_de": "Ein Lastenrad für alle."})
    assert found("Rufbus", "project") == []
    assert found("Lastenrad", "project") == ["Quartiersbus"]


def test_content_changed_reindexes_the_owner_and_only_after_commit(
        run_on_commit, django_capture_on_commit_callbacks, make_organisation):
    """An offer's change reindexes its organisation; nothing happens before commit (a rolled
    back change never reaches the index)."""
    with run_on_commit():
        organisation = make_organisation("Quartiersladen eG", description_de="Ein Laden.")
    # bulk_create sends no post_save: the index does not know the offer yet.
    offer, = Offer.objects.bulk_create([Offer(
        organisation=organisation, kind=Offer.Kind.OFFER, category=Offer.Category.DATA,
        text="Verkehrszählungen")])
    assert found("Verkehrszählung") == []
    with django_capture_on_commit_callbacks() as callbacks:
        content_changed.send(sender=Offer, pks=[offer.pk])
    assert found("Verkehrszählung") == [] and len(callbacks) == 1
    callbacks[0]()
    assert found("Verkehrszählung") == ["Quartiersladen eG"]


def test_content_changed_of_a_model_search_does_not_index_is_ignored(
        django_capture_on_commit_callbacks, make_user):
    user = make_user("niemand@example.org")
    with django_capture_on_commit_callbacks() as callbacks:
        content_changed.send(sender=type(user), pks=[user.pk])
    assert callbacks == []
