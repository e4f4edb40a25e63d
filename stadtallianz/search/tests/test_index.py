"""The index follows every change: create, edit, delete, visibility, hidden posts, focus areas;
and `rebuild_search_index` writes it anew."""

from io import StringIO

from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.utils import timezone

from stadtallianz.discussions import services as discussions
from stadtallianz.discussions.models import Post, Thread
from stadtallianz.events.models import Event
from stadtallianz.knowledge.models import Article, Document
from stadtallianz.partners.models import Offer, Organisation
from stadtallianz.search import signals as search_signals
from stadtallianz.search.models import SearchEntry
from stadtallianz.search.services import search


def found(q, user=None, **filters):
    return [entry.title for entry in search(user=user or AnonymousUser(), q=q, **filters)[0:50]]


def test_partner_create_edit_status_and_delete(world, run_on_commit, make_organisation):
    with run_on_commit():
        organisation = make_organisation("Quartiersladen eG", description_de="Lastenräder.")
    assert found("Lastenrad") == ["Quartiersladen eG"]
    with run_on_commit():
        organisation.description_de = "Kiezkantine."
        organisation.save()
    assert found("Lastenrad") == [] and found("Kiezkantine") == ["Quartiersladen eG"]
    with run_on_commit():
        Offer.objects.create(organisation=organisation, kind=Offer.Kind.OFFER,
                             category=Offer.Category.DATA, text="Verkehrszählungen")
    assert found("Verkehrszählung") == ["Quartiersladen eG"]
    with run_on_commit():
        organisation.status = Organisation.Status.WITHDRAWN
        organisation.save()
    assert found("Kiezkantine") == []
    with run_on_commit():
        organisation.status = Organisation.Status.PARTNER
        organisation.save()
        organisation.delete()
    assert found("Kiezkantine") == []
    assert not SearchEntry.objects.filter(type="partner", object_id=organisation.pk).exists()


def test_hidden_post_and_reply_update_their_thread(world, run_on_commit, lead, member):
    thread = world["public_thread"]
    with run_on_commit():
        post = discussions.post_reply(thread=thread, body="Eine Kreuzungsampel fehlt.",
                                      by=member)
    assert found("Kreuzungsampel") == ["Radwege am Ring"]
    with run_on_commit():
        discussions.post_edit(post=post, body="Ein Zebrastreifen fehlt.", by=member)
    assert found("Kreuzungsampel") == [] and found("Zebrastreifen") == ["Radwege am Ring"]
    with run_on_commit():
        discussions.post_hide(post=Post.objects.get(pk=post.pk), reason="Doppelt", by=lead)
    assert found("Zebrastreifen", user=lead) == []


def test_thread_visibility_change_and_delete(world, run_on_commit, member, non_member):
    thread = world["public_thread"]
    with run_on_commit():
        thread.visibility = Thread.Visibility.MEMBERS
        thread.save()
    assert found("Ring") == [] and found("Ring", user=non_member) == []
    assert found("Ring", user=member) == ["Radwege am Ring"]
    with run_on_commit():
        thread.delete()
    assert found("Ring", user=member) == []


def test_event_visibility_cancel_and_delete(world, run_on_commit, member, non_member):
    event = world["public_event"]
    with run_on_commit():
        event.visibility = Event.Visibility.MEMBERS
        event.title_de = "Radsternfahrt"
        event.save()
    assert found("Radsternfahrt") == [] and found("Radsternfahrt", user=non_member) == []
    assert found("Radsternfahrt", user=member) == ["Radsternfahrt"]
    with run_on_commit():
        event.state = Event.State.CANCELLED
        event.save()
    assert found("Radsternfahrt", user=member) == ["Radsternfahrt"]
    with run_on_commit():
        event.delete()
    assert found("Radsternfahrt", user=member) == []


def test_group_focus_areas_reach_its_threads_and_events(world, run_on_commit, areas):
    mobility, energy = areas
    group = world["group"]
    assert found("Mobilitätskonzept", focus_area=energy.slug) == []
    with run_on_commit():
        group.focus_areas.set([energy])
    assert set(found("Mobilitätskonzept", focus_area=energy.slug)) == {"Radwege am Ring",
                                                                         "Radtag"}
    with run_on_commit():
        group.name_de = "Radverkehr"
        group.save()
    assert "Radverkehr" in found("Radverkehr", type="working_group")


def test_group_delete_removes_its_threads_and_events(world, run_on_commit, coordinator):
    with run_on_commit():
        world["group"].delete()
    assert set(found("Geheimprojekt", user=coordinator)) == {
        "Geheimprojekt Runde aller Gruppen", "Geheimprojekt Folien der Runde"}
    assert found("Verkehrswende", user=coordinator) == []


def test_nothing_is_indexed_before_commit(world, django_capture_on_commit_callbacks,
                                                      make_organisation):
    with django_capture_on_commit_callbacks(execute=False):
        make_organisation("Nie gespeichert", description_de="Phantomwort")
    assert found("Phantomwort") == []


def test_changes_in_a_deferred_block_wait_for_the_rebuild(world, run_on_commit,
                                                          make_organisation):
    """A bulk load (the demo) defers the index: none of its saves, deletes or owner changes is
    indexed one by one; the rebuild after it finds them all. Outside the block each change is
    indexed at commit again."""
    with run_on_commit():
        kept = make_organisation("Altbestand eG", description_de="Stadtteilwerkstatt.")
    with run_on_commit(), search_signals.deferred():
        make_organisation("Neu im Block eG", description_de="Reparaturcafé.")
        kept.description_de = "Kiezkantine."
        kept.save()
        world["public_thread"].delete()
    assert found("Reparaturcafé") == [] and found("Stadtteilwerkstatt") == ["Altbestand eG"]
    assert "Radwege am Ring" in found("Ring")
    call_command("rebuild_search_index", stdout=StringIO())
    assert found("Reparaturcafé") == ["Neu im Block eG"]
    assert found("Kiezkantine") == ["Altbestand eG"] and found("Stadtteilwerkstatt") == []
    assert "Radwege am Ring" not in found("Ring")
    with run_on_commit():
        make_organisation("Danach eG", description_de="Lastenräder.")
    assert found("Lastenrad") == ["Danach eG"]


def test_rebuild_command_writes_the_index_anew(world, make_organisation):
    # bulk_create sends no signals: the rebuild picks such rows up.
    Organisation.objects.bulk_create([Organisation(
        name=f"Massenimport {n}", slug=f"massenimport-{n}", type=Organisation.Type.COMPANY,
        status=Organisation.Status.PARTNER, partner_since=timezone.now()) for n in range(3)])
    assert found("Massenimport") == []
    SearchEntry.objects.filter(type="thread").update(title_de="Veraltet")
    output = StringIO()
    call_command("rebuild_search_index", stdout=output)
    assert len(found("Massenimport")) == 3
    assert found("Veraltet") == [] and found("Ring") == ["Radwege am Ring"]
    assert "partner:" in output.getvalue() and "Search index rebuilt" in output.getvalue()
    entries = SearchEntry.objects.count()
    call_command("rebuild_search_index", "--type", "thread", stdout=StringIO())
    assert SearchEntry.objects.count() == entries


def test_thread_created_through_the_service_is_found(world, run_on_commit, member):
    with run_on_commit():
        discussions.thread_create(group=world["group"], title="Parkraumkonzept",
                                  body="Anwohnerparken neu denken.",
                                  visibility=Thread.Visibility.PUBLIC, by=member)
    assert found("Anwohnerparken") == ["Parkraumkonzept"]


def test_article_publish_unpublish_and_its_documents(world, run_on_commit, member, non_member):
    draft = world["draft_article"]
    assert found("Entwurf", user=member) == []
    with run_on_commit():
        draft.state = Article.State.PUBLISHED
        draft.published_at = timezone.now()
        draft.save()
    assert set(found("Geheimprojekt Entwurf")) == {"Geheimprojekt Entwurf",
                                                   "Geheimprojekt Anhang zum Entwurf"}
    with run_on_commit():
        draft.visibility = Article.Visibility.MEMBERS
        draft.group = world["group"]
        draft.save()
    assert found("Entwurf") == [] and found("Entwurf", user=non_member) == []
    assert len(found("Entwurf", user=member)) == 2
    with run_on_commit():
        draft.state = Article.State.DRAFT
        draft.save()
    assert found("Entwurf", user=member) == []


def test_document_visibility_follows_its_parent_event(world, run_on_commit, member):
    event = world["members_event"]
    assert found("Folien zum Treffen") == []
    with run_on_commit():
        event.visibility = Event.Visibility.PUBLIC
        event.save()
    assert found("Folien zum Treffen") == ["Geheimprojekt Folien zum Treffen"]
    document = world["documents"][2]
    with run_on_commit():
        document.visibility = Document.Visibility.MEMBERS
        document.save()
    assert found("Folien zum Treffen") == []
    assert found("Folien zum Treffen", user=member) == ["Geheimprojekt Folien zum Treffen"]
    with run_on_commit():
        document.delete()
    assert found("Folien zum Treffen", user=member) == []


def test_article_focus_areas_reach_the_index(world, run_on_commit, areas):
    mobility, energy = areas
    with run_on_commit():
        world["article"].focus_areas.set([energy])
    assert set(found("Mobilitätsstationen", focus_area=energy.slug)) == {
        "Leitfaden Mobilitätsstationen", "Anhang Mobilitätsstationen"}


def test_demo_data_is_searchable(db):
    """The demo writes partly with bulk_create and rebuilds the index at its end."""
    call_command("demo", stdout=StringIO())
    types = {entry.type for entry in search(user=AnonymousUser(), q="Münster")[0:100]}
    assert {"partner", "working_group"} <= types
    assert search(user=AnonymousUser(), q="Testflächen").count() > 0  # in offers
