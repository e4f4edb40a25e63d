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
from tests.api.group_fixtures import *  # noqa: F403 - lead, member, outsider

pytestmark = pytest.mark.django_db

MARKER = "Quokkageheim"  # in every members-only thing
HIDDEN = "Wombatverborgen"  # in a post the lead has hidden
PUBLIC = "Kapybaraoffen"  # in public things: proves a path shows content at all
OUTSIDERS = [None, "citizen", "partner_member", "outsider"]


def _members_only_discussion(w) -> None:
    w.thread = discussions.thread_create(
        group=w.group, title=f"{MARKER} Planung", body=f"Erster Entwurf {MARKER}.",
        visibility=Thread.Visibility.MEMBERS, by=w.member)
    w.post = w.thread.posts.get()
    # The earlier text is kept as a revision: the history must not leak either.
    discussions.post_edit(post=w.post, body=f"Zweiter Entwurf {MARKER}.", by=w.member)
    discussions.post_reply(thread=w.thread, body=f"Antwort {MARKER}", by=w.lead)


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
        **common, "title_de": f"{MARKER} Treffen", "title_en": f"{MARKER} meeting",
        "description_de": f"Beschreibung {MARKER}", "agenda": f"1. {MARKER}",
        "online_link": f"https://meet.example.org/{MARKER}",
        "visibility": Event.Visibility.MEMBERS})
    w.public_event = events.event_create(by=w.lead, group=w.group, data={
        **common, "title_de": f"{PUBLIC} Fest", "title_en": f"{PUBLIC} party",
        "visibility": Event.Visibility.PUBLIC})
    # Registered people: the attendance list has someone on it.
    events.registration_register(event=w.event, by=w.member)


# Each creates members-only things (with MARKER) on the world `w`; other apps add theirs here.
MAKERS: list[Callable] = [_members_only_discussion, _public_discussion_with_a_hidden_post,
                          _events]


@pytest.fixture
def world(lead, member, organisation):
    group = WorkingGroup.objects.create(name_de="Leckgruppe", name_en="Leak group",
                                        slug="leckgruppe")
    GroupMembership.objects.create(group=group, user=lead, role=GroupMembership.Role.LEAD)
    GroupMembership.objects.create(group=group, user=member)
    GroupOrganisation.objects.create(group=group, organisation=organisation)
    w = SimpleNamespace(group=group, lead=lead, member=member, organisation=organisation)
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
    Path("API hidden post's revisions",
         lambda w: f"/api/v1/discussions/posts/{w.hidden_post.pk}/revisions", marker=HIDDEN,
         insider="lead", refused=403),
]


def _text(response, url: str = "") -> str:
    """The answer as text, with iCalendar's folded lines joined, compared case-insensitively
    (slugs are lower-cased). The address asked for may be echoed (the 404 page's language
    switcher links to it): the caller knew it already, so it is taken out."""
    body = response.content.decode("utf-8", errors="replace")
    body = body.replace("\r\n ", "").replace("\r\n\t", "").lower()
    path = url.lower().split("?")[0]
    for echo in (path, path.removeprefix("/de").removeprefix("/en")):
        if len(echo) > 1:
            body = body.replace(echo, "")
    return body


def _get(client, url):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="de")


@pytest.mark.parametrize("role", OUTSIDERS, ids=lambda r: r or "visitor")
@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_members_only_content_never_reaches_an_outsider(path, role, world, client_for, request):
    user = None if role is None else request.getfixturevalue(role)
    url = path.url(world)
    response = _get(client_for(user), url)
    text = _text(response, url)
    assert path.marker.lower() not in text, f"{path.name} shows {path.marker} to {role}"
    if role is None and (path.members_only or path.refused or path.login):
        # A visitor: 404, or asked to log in first (a redirect, or 401 from the API).
        assert response.status_code in (302, 401, 404), response.status_code
        if response.status_code == 302:
            assert "/login/" in response["Location"]
    elif path.members_only:
        assert response.status_code == 404, response.status_code
    elif path.refused:
        assert response.status_code == path.refused, response.status_code
    else:
        assert response.status_code == 200, response.status_code
        if path.control:
            assert path.control.lower() in text, f"{path.name} shows no content at all"


@pytest.mark.parametrize("path", [p for p in PATHS if p.insider], ids=lambda p: p.name)
def test_the_insider_sees_it_on_the_same_path(path, world, client_for):
    """Without this, a path that shows nothing to anyone would pass the test above."""
    response = _get(client_for(getattr(world, path.insider)), path.url(world))
    assert response.status_code == 200
    assert path.marker.lower() in _text(response), f"{path.name}: {path.insider} misses it"


def test_a_former_member_no_longer_sees_it(world, client_for):
    """Leaving the group ends access on every path at once."""
    GroupMembership.objects.filter(group=world.group, user=world.member).delete()
    client = client_for(world.member)
    for path in PATHS:
        if path.insider == "member":
            url = path.url(world)
            assert path.marker.lower() not in _text(_get(client, url), url), path.name


def test_the_api_with_a_token_is_the_same_as_the_session(world, client, make_user):
    """A bearer token of an outsider sees no more than the outsider's session."""
    from stadtallianz.accounts.models import ApiToken

    _token, key = ApiToken.issue(user=make_user("token@example.org"), name="t")
    for path in PATHS:
        if path.url(world).startswith("/api/"):
            response = client.get(path.url(world), HTTP_AUTHORIZATION=f"Bearer {key}")
            assert MARKER.lower() not in _text(response), path.name
