"""Proof that nothing marked members-only leaves the platform to a non-member.

One fixture (`world`) builds a working group with a lead and a member, and members-only things
whose title and text carry the marker word MARKER: a members-only thread (with a reply and an
edited post, so its history holds the marker too) and a members-only event. A public thread holds
a post hidden by the lead, with the word HIDDEN. PUBLIC marks public things, so that a path that
shows nothing at all cannot pass by accident.

PATHS is the table of every way content leaves: HTML pages, iCalendar feeds, the sitemap and the
REST API. For each path and each outsider (a visitor, a citizen, a logged-in partner member, the
lead of another group) the marker must not appear in the answer, and a members-only thing's own
URL is a 404 (a visitor may instead be sent to log in, or get 401 from the API). The group's
member (or, for hidden posts and leads' pages, its lead) must see the marker on the same path, so
each row can fail.

Adding a path is one line in PATHS. An app that adds members-only things of its own (articles,
documents, …) adds a function to MAKERS that creates them with the marker in title and text.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from stadtallianz.discussions import services as discussions
from stadtallianz.discussions.models import Thread
from stadtallianz.events import services as events
from stadtallianz.events.models import Event
from stadtallianz.workinggroups.models import GroupMembership, GroupOrganisation, WorkingGroup
from stadtallianz.workinggroups.tests.api_fixtures import *  # noqa: F403 - lead, member, outsider

pytestmark = pytest.mark.django_db

MARKER = "Quokkageheim"  # in every members-only thing
HIDDEN = "Wombatverborgen"  # in a post the lead has hidden
PUBLIC = "Kapybaraoffen"  # in public things: proves a path shows content at all
SEARCH = "Leckplanung"  # in members-only titles next to MARKER: searched for, as search pages
# repeat the query (so the query cannot be MARKER itself)
OUTSIDERS = [None, "citizen", "partner_member", "outsider"]


def _members_only_discussion(w) -> None:
    w.thread = discussions.thread_create(
        group=w.group, title=f"{MARKER} {SEARCH}", body=f"Erster Entwurf {MARKER}.",
        visibility=Thread.Visibility.MEMBERS, by=w.member)
    w.post = w.thread.posts.get()
    # The earlier text is kept as a revision: the history must not leak either.
    discussions.post_edit(post=w.post, body=f"Zweiter Entwurf {MARKER}.", by=w.member)
    # Mentions of people outside the group: they must not be told.
    discussions.post_reply(thread=w.thread, by=w.lead, body=(
        f"Antwort {MARKER} an @[Olaf Outsider], @citizen@example.org und @member@example.org"))


def _public_discussion_with_a_hidden_post(w) -> None:
    w.public_thread = discussions.thread_create(
        group=w.group, title=f"{PUBLIC} Radwege", body=f"Offener Beitrag {PUBLIC}.",
        visibility=Thread.Visibility.PUBLIC, by=w.member)
    w.hidden_post = discussions.post_reply(thread=w.public_thread,
                                           body=f"Unpassend {HIDDEN}", by=w.member)
    discussions.post_edit(post=w.hidden_post, body=f"Noch unpassender {HIDDEN}", by=w.member)
    discussions.post_hide(post=w.hidden_post, reason="Beleidigend", by=w.lead)


def _events(w) -> None:
    starts = timezone.now() + timedelta(days=10)
    common = {"starts_at": starts, "ends_at": starts + timedelta(hours=2),
              "format": Event.Format.HYBRID, "address": "Stadthaus 1"}
    w.event = events.event_create(by=w.lead, group=w.group, data={
        **common, "title_de": f"{MARKER} {SEARCH}", "title_en": f"{MARKER} meeting",
        "description_de": f"Beschreibung {MARKER}", "agenda": f"1. {MARKER}",
        "online_link": f"https://meet.example.org/{MARKER}",
        "visibility": Event.Visibility.MEMBERS})
    w.public_event = events.event_create(by=w.lead, group=w.group, data={
        **common, "title_de": f"{PUBLIC} Fest", "title_en": f"{PUBLIC} party",
        "visibility": Event.Visibility.PUBLIC})
    # Registered people: the attendance list has someone on it.
    events.registration_register(event=w.event, by=w.member)


def _knowledge(w) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from stadtallianz.knowledge import services as knowledge
    from stadtallianz.knowledge.models import Article, Document

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    w.article = knowledge.article_create(by=w.member, group=w.group, publish=True, data={
        "title": f"{MARKER} {SEARCH}", "summary": f"Kurz {MARKER}",
        "body": f"Was wir {MARKER} gelernt haben.", "visibility": Article.Visibility.MEMBERS})
    w.public_article = knowledge.article_create(by=w.member, group=w.group, publish=True, data={
        "title": f"{PUBLIC} Bericht", "summary": f"Kurz {PUBLIC}", "body": "Offen.",
        "visibility": Article.Visibility.PUBLIC})
    w.document = knowledge.document_create(
        by=w.member, group=w.group, upload=SimpleUploadedFile(f"{MARKER}.pdf", pdf),
        data={"title": f"{MARKER} {SEARCH} Protokoll", "description": f"Intern {MARKER}",
              "visibility": Document.Visibility.MEMBERS})
    # Attached to the members-only event: whatever its own setting, it is that event's.
    w.event_document = knowledge.document_create(
        by=w.lead, event=w.event, upload=SimpleUploadedFile("anhang.pdf", pdf),
        data={"title": f"{MARKER} {SEARCH} Anhang", "visibility": Document.Visibility.PUBLIC})
    w.public_document = knowledge.document_create(
        by=w.member, group=w.group, upload=SimpleUploadedFile("offen.pdf", pdf),
        data={"title": f"{PUBLIC} Handout", "visibility": Document.Visibility.PUBLIC})


def _funding(w) -> None:
    """A consortium's application that is not published and a partner search that is closed:
    only the organisation's people (the group's lead, who administers it) and the office see
    them."""
    from stadtallianz.funding.models import Call, Programme
    from stadtallianz.ideas.models import Idea
    from stadtallianz.partnering.models import Notice
    from stadtallianz.partners.models import Membership, Organisation
    from stadtallianz.proposals.models import Application, ApplicationMember

    consortium = Organisation.objects.create(
        name="Leckwerke", slug="leckwerke", type=Organisation.Type.COMPANY,
        status=Organisation.Status.PARTNER, partner_since=timezone.now())
    Membership.objects.create(user=w.lead, organisation=consortium, role=Membership.Role.ADMIN)
    programme = Programme.objects.create(funder="Bund", level="federal", name_de="Programm",
                                         slug="programm")
    call = Call.objects.create(programme=programme, slug="aufruf", title_de=f"{PUBLIC} Aufruf")
    idea = Idea.objects.create(title="Sensoren", description="Messen.", author=w.lead)
    w.application = Application.objects.create(
        call=call, idea=idea, title=f"{MARKER} {SEARCH} Antrag", published=False,
        created_by=w.lead)
    ApplicationMember.objects.create(application=w.application, organisation=consortium,
                                     role=ApplicationMember.Role.COORDINATOR)
    w.notice = Notice.objects.create(
        organisation=consortium, created_by=w.lead, call=call,
        title_de=f"{MARKER} {SEARCH} Partnersuche", description_de=f"Intern {MARKER}",
        state=Notice.State.CLOSED, closed_at=timezone.now())


# Each creates members-only things (with MARKER) on the world `w`; other apps add theirs here.
MAKERS: list[Callable] = [_members_only_discussion, _public_discussion_with_a_hidden_post,
                          _events, _knowledge, _funding]


@pytest.fixture
def world(lead, member, organisation, citizen, partner_member, outsider,
          django_capture_on_commit_callbacks):
    group = WorkingGroup.objects.create(name_de="Leckgruppe", name_en="Leak group",
                                        slug="leckgruppe")
    GroupMembership.objects.create(group=group, user=lead, role=GroupMembership.Role.LEAD)
    GroupMembership.objects.create(group=group, user=member)
    GroupOrganisation.objects.create(group=group, organisation=organisation)
    w = SimpleNamespace(group=group, lead=lead, member=member, organisation=organisation)
    # What runs after a commit runs too: the search index, notifications.
    with django_capture_on_commit_callbacks(execute=True):
        for make in MAKERS:
            make(w)
    return w


@dataclass(frozen=True)
class Path:
    name: str
    url: Callable  # world -> URL
    marker: str = MARKER
    insider: str | None = "member"  # who sees the marker there; None: no one (e.g. public feeds)
    control: str | None = None  # what everyone sees there (the path shows content at all)
    members_only: bool = False  # the URL of a members-only thing: 404 for outsiders
    refused: int | None = None  # what logged-in outsiders get instead of 200, e.g. 403
    login: bool = False  # visitors are asked to log in (a redirect, or 401 from the API)


def _thread(w, thread, rest=""):
    return f"/de/working-groups/{w.group.slug}/discussions/{thread.pk}/{rest}"


def _post(w, post, rest):
    return _thread(w, post.thread, f"posts/{post.pk}/{rest}")


PATHS = [
    # --- Web pages: lists ---
    Path("home page", lambda w: "/de/", insider=None),
    Path("home page (English)", lambda w: "/en/", insider=None),
    Path("working group list", lambda w: "/de/working-groups/", insider=None),
    Path("group page", lambda w: f"/de/working-groups/{w.group.slug}/", control=PUBLIC),
    Path("group page (English)", lambda w: f"/en/working-groups/{w.group.slug}/",
         control=PUBLIC),
    Path("thread list", lambda w: f"/de/working-groups/{w.group.slug}/discussions/",
         control=PUBLIC),
    Path("events list", lambda w: "/de/events/", control=PUBLIC),
    Path("events list (English)", lambda w: "/en/events/", control=PUBLIC),
    Path("events list of the group", lambda w: f"/de/events/?group={w.group.slug}",
         control=PUBLIC),
    Path("partner page of a member organisation", lambda w: w.organisation.get_absolute_url(),
         insider=None),
    Path("partner directory", lambda w: "/de/partners/", insider=None),
    # --- Web pages: the members-only things themselves ---
    Path("thread page", lambda w: _thread(w, w.thread), members_only=True),
    Path("post edit page (history)", lambda w: _post(w, w.post, "edit/"), members_only=True),
    Path("post report page", lambda w: _post(w, w.post, "report/"), members_only=True),
    Path("post hide page", lambda w: _post(w, w.post, "hide/"), insider="lead",
         members_only=True),
    Path("event page", lambda w: w.event.get_absolute_url(), members_only=True),
    Path("event page (English)", lambda w: f"/en/events/{w.event.slug}/", members_only=True),
    Path("event edit page", lambda w: f"/de/events/{w.event.slug}/edit/", insider="lead",
         members_only=True),
    Path("attendance page", lambda w: f"/de/events/{w.event.slug}/attendance/", insider="lead",
         members_only=True),
    # --- A hidden post in a public thread: its text only for moderators ---
    Path("public thread page (hidden post)", lambda w: _thread(w, w.public_thread),
         marker=HIDDEN, insider="lead", control=PUBLIC),
    Path("hidden post's report page", lambda w: _post(w, w.hidden_post, "report/"),
         marker=HIDDEN, insider=None, members_only=True),
    # --- iCalendar and sitemap ---
    Path("alliance feed", lambda w: reverse("events:feed"), insider=None, control=PUBLIC),
    Path("group feed", lambda w: reverse("events:group_feed", kwargs={"slug": w.group.slug}),
         control=PUBLIC),
    Path("event .ics", lambda w: reverse("events:ics", kwargs={"slug": w.event.slug}),
         members_only=True),
    Path("sitemap", lambda w: "/sitemap.xml", insider=None, control=PUBLIC.lower()),
    # --- REST API: lists ---
    Path("API working groups", lambda w: "/api/v1/working-groups", insider=None),
    Path("API working group", lambda w: f"/api/v1/working-groups/{w.group.slug}", insider=None),
    Path("API group members", lambda w: f"/api/v1/working-groups/{w.group.slug}/members",
         insider=None, login=True),
    Path("API threads", lambda w: f"/api/v1/discussions/groups/{w.group.slug}/threads",
         control=PUBLIC),
    Path("API events", lambda w: "/api/v1/events", control=PUBLIC),
    Path("API events of the group", lambda w: f"/api/v1/events?group={w.group.slug}",
         control=PUBLIC),
    Path("API upcoming events", lambda w: "/api/v1/events?upcoming=true", control=PUBLIC),
    Path("API posts of the public thread (hidden post)",
         lambda w: f"/api/v1/discussions/threads/{w.public_thread.pk}/posts", marker=HIDDEN,
         insider=None, control=PUBLIC),
    # --- REST API: the members-only things themselves ---
    Path("API thread", lambda w: f"/api/v1/discussions/threads/{w.thread.pk}",
         members_only=True),
    Path("API thread posts", lambda w: f"/api/v1/discussions/threads/{w.thread.pk}/posts",
         members_only=True),
    Path("API post revisions", lambda w: f"/api/v1/discussions/posts/{w.post.pk}/revisions",
         members_only=True),
    Path("API event", lambda w: f"/api/v1/events/{w.event.slug}", members_only=True),
    Path("API event attendees", lambda w: f"/api/v1/events/{w.event.slug}/attendees",
         marker="gmember@example.org", insider="lead", members_only=True),
    # --- Knowledge: articles and documents ---
    Path("article list", lambda w: "/de/knowledge/", control=PUBLIC),
    Path("article list of the group", lambda w: f"/de/knowledge/?group={w.group.slug}",
         control=PUBLIC),
    Path("article page", lambda w: f"/de/knowledge/{w.article.slug}/", members_only=True),
    Path("document page", lambda w: f"/de/knowledge/documents/{w.document.pk}/",
         members_only=True),
    Path("document download", lambda w: f"/de/knowledge/documents/{w.document.pk}/download/",
         marker="%PDF", members_only=True),
    Path("document version download",
         lambda w: f"/de/knowledge/documents/{w.document.pk}/versions/1/download/",
         marker="%PDF", members_only=True),
    Path("article edit page", lambda w: f"/de/knowledge/{w.article.slug}/edit/",
         members_only=True),
    Path("document delete page", lambda w: f"/de/knowledge/documents/{w.document.pk}/delete/",
         members_only=True),
    Path("event's document page", lambda w: f"/de/knowledge/documents/{w.event_document.pk}/",
         members_only=True),
    Path("public event page (documents)", lambda w: w.public_event.get_absolute_url(),
         insider=None, control=PUBLIC),
    Path("API articles", lambda w: "/api/v1/knowledge/articles", control=PUBLIC),
    Path("API articles of the group",
         lambda w: f"/api/v1/knowledge/articles?group={w.group.slug}", control=PUBLIC),
    Path("API article", lambda w: f"/api/v1/knowledge/articles/{w.article.slug}",
         members_only=True),
    Path("API documents", lambda w: "/api/v1/knowledge/documents", control=PUBLIC),
    Path("API documents of the group",
         lambda w: f"/api/v1/knowledge/documents?group={w.group.slug}", control=PUBLIC),
    Path("API documents of the event",
         lambda w: f"/api/v1/knowledge/documents?event={w.event.slug}"),
    Path("API document", lambda w: f"/api/v1/knowledge/documents/{w.document.pk}",
         members_only=True),
    Path("API event's document", lambda w: f"/api/v1/knowledge/documents/{w.event_document.pk}",
         members_only=True),
    # --- Search ---
    Path("search page", lambda w: f"/de/search/?q={SEARCH}"),
    Path("search page (public control)", lambda w: f"/de/search/?q={PUBLIC}", marker=MARKER,
         insider=None, control=PUBLIC),
    Path("API search", lambda w: f"/api/v1/search?q={SEARCH}"),
    Path("API search of threads", lambda w: f"/api/v1/search?q={SEARCH}&type=thread"),
    Path("API search (public control)", lambda w: f"/api/v1/search?q={PUBLIC}", insider=None,
         control=PUBLIC),
    # --- Funding: a consortium's unpublished application, an organisation's closed search ---
    Path("application list", lambda w: "/de/funding/applications/", insider="lead"),
    Path("application page", lambda w: f"/de/funding/applications/{w.application.pk}/",
         insider="lead", members_only=True),
    Path("application budget page",
         lambda w: f"/de/funding/applications/{w.application.pk}/members/"
                   f"{w.application.members.get().pk}/budget/", insider="lead",
         members_only=True),
    Path("call page (applications, partner searches)", lambda w: "/de/funding/calls/aufruf/",
         insider=None, control=PUBLIC),
    Path("API applications", lambda w: "/api/v1/funding/applications", insider="lead"),
    Path("API application", lambda w: f"/api/v1/funding/applications/{w.application.pk}",
         insider="lead", members_only=True),
    Path("partner search list", lambda w: "/de/partner-search/", insider=None),
    Path("partner search page", lambda w: f"/de/partner-search/{w.notice.pk}/",
         insider="lead", members_only=True),
    Path("my partner searches", lambda w: "/de/partner-search/mine/", insider="lead",
         login=True),
    Path("API partner searches", lambda w: "/api/v1/partner-search", insider=None),
    Path("API partner search", lambda w: f"/api/v1/partner-search/{w.notice.pk}",
         insider="lead", members_only=True),
    # --- Notifications: each person's own ---
    Path("notification list", lambda w: "/de/notifications/", login=True),
    Path("API notifications", lambda w: "/api/v1/notifications", login=True),
    Path("API hidden post's revisions",
         lambda w: f"/api/v1/discussions/posts/{w.hidden_post.pk}/revisions", marker=HIDDEN,
         insider="lead", refused=403),
]


def _text(response, url: str = "") -> str:
    """The answer as text, with iCalendar's folded lines joined, compared case-insensitively
    (slugs are lower-cased). The address asked for may be echoed (the 404 page's language
    switcher links to it): the caller knew it already, so it is taken out."""
    raw = (b"".join(response.streaming_content) if response.streaming
           else response.content)
    body = raw.decode("utf-8", errors="replace")
    body = body.replace("\r\n ", "").replace("\r\n\t", "").lower()
    path = url.lower().split("?")[0]
    for echo in (path, path.removeprefix("/de").removeprefix("/en")):
        if len(echo) > 1:
            body = body.replace(echo, "")
    return body


def _get(client, url):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="de")


def _check_outsider(path: Path, role, response, url: str) -> None:
    text = _text(response, url)
    who = role or "a visitor"
    assert path.marker.lower() not in text, f"{path.name} shows {path.marker} to {who}"
    status = response.status_code
    if role is None and (path.members_only or path.refused or path.login):
        # A visitor: 404, or asked to log in first (a redirect, or 401 from the API).
        assert status in (302, 401, 404), (who, status)
        if status == 302:
            assert "/login/" in response["Location"]
    elif path.members_only:
        assert status == 404, (who, status)
    elif path.refused:
        assert status == path.refused, (who, status)
    else:
        assert status == 200, (who, status)
        if path.control:
            assert path.control.lower() in text, f"{path.name} shows {who} no content at all"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_members_only_content_never_reaches_an_outsider(path, world, client_for, request):
    """For a visitor, a citizen, a partner member and another group's lead, on one path; and
    the insider does see it there, so that the row can fail."""
    url = path.url(world)
    for role in OUTSIDERS:
        user = None if role is None else request.getfixturevalue(role)
        _check_outsider(path, role, _get(client_for(user), url), url)
    if path.insider:
        response = _get(client_for(getattr(world, path.insider)), url)
        assert response.status_code == 200, (path.insider, response.status_code)
        assert path.marker.lower() in _text(response), f"{path.name}: {path.insider} misses it"


def test_a_former_member_no_longer_sees_it(world, client_for):
    """Leaving the group ends access on every path at once, notifications included."""
    GroupMembership.objects.filter(group=world.group, user=world.member).delete()
    client = client_for(world.member)
    for path in PATHS:
        if path.insider == "member":
            url = path.url(world)
            assert path.marker.lower() not in _text(_get(client, url), url), path.name


@pytest.mark.parametrize("role", ["citizen", "partner_member", "outsider", "member"])
def test_a_personal_calendar_feed_has_members_only_events_for_members_only(role, world, client,
                                                                         request):
    """The personal feed (a secret address, no session) holds what its person may see."""
    from stadtallianz.events.feeds import feed_create

    _feed, key = feed_create(user=request.getfixturevalue(role))
    response = client.get(reverse("events:personal_feed", kwargs={"key": key}))
    assert response.status_code == 200
    text = _text(response)
    assert PUBLIC.lower() in text
    assert (MARKER.lower() in text) == (role == "member")


def test_no_email_about_members_only_things_reaches_an_outsider(world, mailoutbox, citizen,
                                                                partner_member, outsider):
    """The mails sent while the world was made (notifications, mentions): none to an outsider
    names a members-only thing; the member's do (so the test can fail)."""
    outsiders = {citizen.email, partner_member.email, outsider.email}
    seen_by_member = False
    for message in mailoutbox:
        text = f"{message.subject}\n{message.body}".lower()
        for alternative, _type in getattr(message, "alternatives", []):
            text += str(alternative).lower()
        if outsiders & set(message.to):
            assert MARKER.lower() not in text, (message.to, message.subject)
        if world.member.email in message.to and MARKER.lower() in text:
            seen_by_member = True
    assert seen_by_member, [m.subject for m in mailoutbox]


def test_the_api_with_a_token_is_the_same_as_the_session(world, client, make_user):
    """A bearer token of an outsider sees no more than the outsider's session."""
    from stadtallianz.accounts.models import ApiToken

    _token, key = ApiToken.issue(user=make_user("token@example.org"), name="t")
    for path in PATHS:
        if path.url(world).startswith("/api/"):
            response = client.get(path.url(world), HTTP_AUTHORIZATION=f"Bearer {key}")
            assert MARKER.lower() not in _text(response), path.name
