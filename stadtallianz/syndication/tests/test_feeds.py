"""The RSS and Atom feeds: valid for a real feed parser, in the feed's language, with the items a
visitor may see and nothing else, authors only by the name they chose, constant queries."""

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

FORMATS = ("rss", "atom")
KINDS = ("news", "partners", "projects", "ideas", "events", "funding-calls", "datasets")

# What each feed must list (by the German title) from the `content` fixture.
EXPECTED = {
    "news": ["Smarte Laternen: Erste Laternen stehen"],
    "partners": ["Stadtwerke Öffentlich"],
    "projects": ["Smarte Laternen"],
    "ideas": ["Bänke am Kanal", "Mehr Trinkbrunnen"],
    "events": ["Bürgerforum Mobilität"],
    "funding-calls": ["Aufruf Klimaanpassung (Offen)"],
    "datasets": ["Radzählung Promenade"],
}


def fetch(client, kind, fmt, language="de"):
    response = client.get(f"/{language}/feeds/{kind}.{fmt}")
    assert response.status_code == 200, response.content[:500]
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return response, parsed


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_feed_parses_and_lists_what_a_visitor_sees(client, content, kind, fmt):
    """Each feed is well-formed for feedparser, in German on /de/, and lists exactly the public
    items; nothing members-only, hidden, unpublished or scheduled appears."""
    response, parsed = fetch(client, kind, fmt)
    expected_type = "application/rss+xml" if fmt == "rss" else "application/atom+xml"
    assert response["Content-Type"].startswith(expected_type)
    assert parsed.version == ("rss20" if fmt == "rss" else "atom10")
    assert parsed.feed.language == "de" if fmt == "rss" else parsed.feed.get("language") in (
        "de", None)
    titles = [entry.title for entry in parsed.entries]
    if kind == "events":  # "Bürgerforum Mobilität (12.12.2026, 18:00)"
        titles = [title.rsplit(" (", 1)[0] for title in titles]
    assert sorted(titles) == sorted(EXPECTED[kind])
    assert b"Geheim" not in response.content
    for entry in parsed.entries:
        assert entry.link.startswith("http://testserver/de/")
        assert entry.id.startswith("tag:")
        assert entry.get("published_parsed") or entry.get("updated_parsed")
        # Plain text: no markup from the Markdown sources.
        assert "<" not in entry.get("summary", "") and "**" not in entry.get("summary", "")


def test_atom_feeds_declare_their_language(client, content):
    response = client.get("/en/feeds/projects.atom")
    assert b'xml:lang="en"' in response.content
    assert b'xml:lang="de"' in client.get("/de/feeds/projects.atom").content


def test_english_feeds_are_in_english(client, content):
    """Titles and the items' bilingual texts follow the feed's language."""
    _response, parsed = fetch(client, "projects", "rss", "en")
    assert parsed.feed.language == "en"
    assert parsed.feed.title.endswith(": projects")
    assert [entry.title for entry in parsed.entries] == ["Smart street lights"]
    assert parsed.entries[0].summary == "Concept. Light on demand."
    _response, parsed = fetch(client, "projects", "rss", "de")
    assert parsed.feed.title.endswith(": Projekte")
    assert parsed.entries[0].summary == "Konzept. Licht nach Bedarf."


def test_guids_are_stable_across_languages_and_edits(client, content):
    _response, german = fetch(client, "ideas", "atom", "de")
    content["idea"].title = "Noch mehr Trinkbrunnen"
    content["idea"].save()
    _response, english = fetch(client, "ideas", "atom", "en")
    assert {entry.id for entry in german.entries} == {entry.id for entry in english.entries}
    assert f"tag:127.0.0.1,2026:ideas/{content['idea'].pk}" in {e.id for e in english.entries}


def test_authors_only_by_the_name_they_chose(client, content):
    """An author with a display name is named by it; one without is not named at all (no
    "participant 12"); a real name never appears."""
    response, parsed = fetch(client, "ideas", "rss")
    authors = {entry.title: entry.get("author") for entry in parsed.entries}
    assert authors["Mehr Trinkbrunnen"] == "Radlerin"
    assert authors["Bänke am Kanal"] is None
    news, parsed_news = fetch(client, "news", "atom")
    assert parsed_news.entries[0].author == "Radlerin"
    for body in (response.content, news.content):
        assert b"Realname" not in body and b"Unbekannt" not in body
        assert b"participant" not in body and b"Person " not in body


def test_events_link_their_calendar_files(client, content):
    for fmt in FORMATS:
        response, parsed = fetch(client, "events", fmt)
        assert b'type="text/calendar"' in response.content
        assert b"/de/events.ics" in response.content
        assert b"/de/events/buergerforum.ics" in response.content
        assert b"/de/events/intern.ics" not in response.content


def test_funding_calls_feed_links_the_deadline_calendar(client, content):
    response, _parsed = fetch(client, "funding-calls", "atom")
    assert b"/de/funding/deadlines.ics" in response.content


def test_a_partner_leaving_the_alliance_leaves_the_feed(client, content):
    from stadtallianz.partners.models import Organisation

    content["partner"].status = Organisation.Status.WITHDRAWN
    content["partner"].save()
    _response, parsed = fetch(client, "partners", "rss")
    assert parsed.entries == []


def test_an_unknown_feed_is_404(client, db):
    assert client.get("/de/feeds/secrets.rss").status_code == 404


def test_a_feed_without_items_is_valid(client, db):
    _response, parsed = fetch(client, "datasets", "atom")
    assert parsed.entries == []


@pytest.mark.parametrize("kind", KINDS)
def test_query_count_does_not_grow_with_items(client, content, kind, make_organisation,
                                              make_user, make_dataset,
                                              django_assert_max_num_queries):
    """Each feed reads its items in the same number of queries for 1 item and for 12."""
    from stadtallianz.events.models import Event
    from stadtallianz.funding.models import Call
    from stadtallianz.ideas.models import Idea
    from stadtallianz.projects.models import Project, ProjectUpdate

    with django_assert_max_num_queries(100) as few:
        client.get(f"/de/feeds/{kind}.rss")
    now = timezone.now()
    for number in range(12):
        author = make_user(f"author{number}@example.org", display_name=f"Autor {number}")
        make_organisation(f"Partner {number}")
        project = Project.objects.create(title_de=f"Projekt {number}", slug=f"projekt-{number}")
        ProjectUpdate.objects.create(project=project, title=f"Neu {number}", body="Text",
                                     author=author, published_at=now)
        Idea.objects.create(title=f"Idee {number}", description="Text", author=author)
        Event.objects.create(title_de=f"Treffen {number}", slug=f"treffen-{number}",
                             starts_at=now + timedelta(days=1),
                             ends_at=now + timedelta(days=1, hours=1))
        Call.objects.create(slug=f"aufruf-x{number}", programme=content["call"].programme,
                            title_de=f"Aufruf {number}")
        make_dataset(publisher=content["partner"])
    with django_assert_max_num_queries(len(few)) as many:
        response = client.get(f"/de/feeds/{kind}.rss")
    assert len(feedparser.parse(response.content).entries) >= 12
    assert len(many) == len(few)
