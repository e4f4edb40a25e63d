import re

import pytest
from django.urls import reverse
from django.utils import translation

from stadtallianz.opendata.tests.conftest import make_dataset  # noqa: F401 - fixture
from stadtallianz.partners.models import Organisation

pytestmark = pytest.mark.django_db


def locations(content: str) -> set[str]:
    return set(re.findall(r"<loc>http://testserver([^<]*)</loc>", content))


def in_both_languages(name, **kwargs) -> list[str]:
    paths = []
    for language in ("de", "en"):
        with translation.override(language):
            paths.append(reverse(name, kwargs=kwargs or None))
    return paths


def test_sitemap_lists_public_pages_in_german_and_english(client, make_organisation):
    """Home, directory, letter of intent and each public partner appear under /de/ and /en/."""
    partner = make_organisation("Stadtwerke Test")
    asked_to_resign = make_organisation("Alt", status=Organisation.Status.RESIGN_REQUIRED)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    found = locations(response.content.decode())
    expected = (in_both_languages("portal:home") + in_both_languages("partners:directory")
                + in_both_languages("letter_of_intent:current")
                + in_both_languages("partners:detail", slug=partner.slug)
                + in_both_languages("partners:detail", slug=asked_to_resign.slug))
    for path in expected:
        assert path in found, path
    assert {path[:4] for path in found} == {"/de/", "/en/"}


def test_sitemap_links_each_page_to_its_other_language(client, make_organisation):
    """Each entry names its German and English version (hreflang) and an x-default."""
    partner = make_organisation("Radwerk")
    content = client.get("/sitemap.xml").content.decode()
    german, english = in_both_languages("partners:detail", slug=partner.slug)
    assert f'hreflang="de" href="http://testserver{german}"' in content
    assert f'hreflang="en" href="http://testserver{english}"' in content
    assert 'hreflang="x-default"' in content
    assert "<lastmod>" in content


@pytest.mark.parametrize("status", ["draft", "pending", "rejected", "withdrawn"])
def test_sitemap_leaves_out_partners_that_are_not_public(client, make_organisation, status):
    """Organisations that are not (or no longer) partners are not listed."""
    hidden = make_organisation("Verborgen", status=status)
    content = client.get("/sitemap.xml").content.decode()
    assert hidden.slug not in content


def test_sitemap_is_served_from_the_cache_on_the_next_request(client, make_organisation,
                                                              django_assert_num_queries):
    """Building it costs a second at national scale, so crawlers get the cached copy."""
    make_organisation("Cached Partner")
    first = client.get("/sitemap.xml")
    with django_assert_num_queries(0):
        second = client.get("/sitemap.xml")
    assert second.content == first.content


def test_sitemap_lists_public_events_and_threads_but_not_members_only_ones(client, coordinator):
    """Members-only events and threads never appear in a public listing."""
    from datetime import timedelta

    from django.utils import timezone

    from stadtallianz.discussions.models import Thread
    from stadtallianz.events.models import Event
    from stadtallianz.workinggroups.models import WorkingGroup

    group = WorkingGroup.objects.create(slug="energie", name_de="Energie")
    start = timezone.now() + timedelta(days=3)
    for visibility in ("public", "members"):
        Event.objects.create(group=group, slug=f"treffen-{visibility}", title_de="Treffen",
                             starts_at=start, ends_at=start + timedelta(hours=1),
                             visibility=visibility)
        Thread.objects.create(group=group, title=f"Faden {visibility}", visibility=visibility,
                              last_activity_at=start)
    public_thread = Thread.objects.get(visibility="public")
    members_thread = Thread.objects.get(visibility="members")
    content = client.get("/sitemap.xml").content.decode()
    assert "/de/events/treffen-public/" in content and "/en/events/treffen-public/" in content
    assert "treffen-members" not in content
    assert f"/discussions/{public_thread.pk}/" in content
    assert f"/discussions/{members_thread.pk}/" not in content
    assert "/de/events/" in content and "/de/working-groups/" in content


def test_sitemap_lists_the_living_labs(client, organisation):
    from datetime import date

    from stadtallianz.livinglabs.models import LivingLab

    lab = LivingLab.objects.create(
        name_de="Reallabor Aasee", slug="aasee", description_de="See.", operator=organisation,
        area={"type": "Point", "coordinates": [7.6, 51.9]}, starts_on=date(2026, 1, 1),
        contact_name="Team", contact_email="team@example.org")
    found = locations(client.get("/sitemap.xml").content.decode())
    for path in in_both_languages("livinglabs:list") + in_both_languages(
            "livinglabs:detail", slug=lab.slug):
        assert path in found, path


def test_sitemap_lists_funding_pages_calls_programmes_and_public_partner_searches(
        client, organisation):
    from . import factories

    programme = factories.programme()
    closed = factories.call("abgelaufen", state="closed", due_in_days=None)
    current = factories.call("quartiere")
    notice = factories.notice(organisation, "Partner für Daten gesucht", for_call=current)
    found = locations(client.get("/sitemap.xml").content.decode())
    expected = [path for name in ("funding:call_list", "funding:calendar",
                                  "funding:programme_list", "partnering:list",
                                  "proposals:totals")
                for path in in_both_languages(name)]
    expected += in_both_languages("funding:programme_detail", slug=programme.slug)
    for call in (closed, current):
        expected += in_both_languages("funding:call_detail", slug=call.slug)
    expected += in_both_languages("partnering:detail", pk=notice.pk)
    for path in expected:
        assert path in found, path


def test_sitemap_leaves_out_unpublished_applications_and_closed_or_hidden_notices(
        client, organisation, make_organisation):
    """Another consortium's application that is neither published nor granted never appears;
    a published or granted one does. Closed and archived notices, and those of an organisation
    that is not a public partner, stay out."""
    from stadtallianz.partnering.models import Notice
    from stadtallianz.projects.models import Project
    from stadtallianz.proposals.models import Application

    from . import factories

    call = factories.call("quartiere")
    project = Project.objects.create(title_de="Quartiersbus", slug="quartiersbus")
    secret = factories.application("Geheim", for_call=call, project=project,
                                   organisation=organisation,
                                   state=Application.State.SUBMITTED)
    published = factories.application("Veröffentlicht", for_call=call, project=project,
                                      organisation=organisation, published=True)
    granted = factories.application("Bewilligt", for_call=call, project=project,
                                    organisation=organisation, state=Application.State.GRANTED)
    open_notice = factories.notice(organisation, "Offen", for_call=call)
    closed = factories.notice(organisation, "Geschlossen", for_call=call,
                              state=Notice.State.CLOSED)
    archived = factories.notice(organisation, "Archiviert", for_call=call,
                                state=Notice.State.ARCHIVED)
    draft = make_organisation("Entwurf", status=Organisation.Status.DRAFT)
    not_public = factories.notice(draft, "Nicht öffentlich", for_call=call)

    found = locations(client.get("/sitemap.xml").content.decode())
    for application in (published, granted):
        for path in in_both_languages("proposals:detail", pk=application.pk):
            assert path in found, path
    for path in in_both_languages("proposals:detail", pk=secret.pk):
        assert path not in found, path
    assert in_both_languages("partnering:detail", pk=open_notice.pk)[0] in found
    for notice in (closed, archived, not_public):
        for path in in_both_languages("partnering:detail", pk=notice.pk):
            assert path not in found, path


def test_sitemap_query_count_does_not_grow_with_calls_notices_and_applications(
        client, organisation):
    from django.core.cache import cache

    from stadtallianz.core.testing import query_count
    from stadtallianz.projects.models import Project

    from . import factories

    project = Project.objects.create(title_de="Quartiersbus", slug="quartiersbus")

    def add(start, n):
        for i in range(start, start + n):
            call = factories.call(f"aufruf-{i}", programme=factories.programme(
                f"programm-{i}", name_de=f"Programm {i}"))
            factories.notice(organisation, f"Suche {i}", for_call=call)
            factories.application(f"Antrag {i}", for_call=call, project=project,
                                  organisation=organisation, published=True)

    add(0, 2)
    few = query_count(client.get, "/sitemap.xml")
    cache.clear()
    add(2, 10)
    assert query_count(client.get, "/sitemap.xml") == few


def test_sitemap_lists_published_datasets_and_the_catalogue_only(client, make_dataset):  # noqa: F811
    """The open-data catalogue and its published datasets appear; a partner's dataset under
    review, a draft and a withdrawn lab dataset never do (issue 16)."""
    published = make_dataset(title_de="Radzählungen")
    hidden = [make_dataset(state=state) for state in ("draft", "submitted", "rejected",
                                                      "withdrawn")]
    found = locations(client.get("/sitemap.xml").content.decode())
    for path in (in_both_languages("opendata:catalogue")
                 + in_both_languages("opendata:dataset", slug=published.slug)):
        assert path in found, path
    for dataset in hidden:
        assert not any(path.endswith(f"/{dataset.slug}/") for path in found), dataset.state
