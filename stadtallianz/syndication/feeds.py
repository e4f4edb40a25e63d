"""RSS 2.0 and Atom feeds of what the alliance publishes, one pair per kind and language.

Every feed lists what an anonymous visitor sees, through the owning app's one rule
(`Organisation.objects.public()`, `Idea.objects.listed_for`, `Event.objects.public()`,
`Dataset.objects.published()` …): a feed is public, cached by readers and search engines, and
never knows who fetches it. Authors are named only by the name they chose to show
(`accounts.names.shown_name` for an anonymous viewer) and only when they chose one, never by
their real name or a generated "participant 12".

Each feed reads its items in one query (related rows joined), however many there are. An item's
guid is a tag URI made of the site's host, the kind and the row's key: it stays the same when a
title changes and is the same in both languages' feeds.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from stadtallianz.accounts.names import shown_name
from stadtallianz.core.templatetags.formatting import plain_summary_of
from stadtallianz.events.models import Event
from stadtallianz.funding.models import Call
from stadtallianz.ideas.models import Idea
from stadtallianz.opendata.models import Dataset
from stadtallianz.partners.models import Organisation
from stadtallianz.projects.models import Project, ProjectUpdate

# How many items a feed carries: readers poll often and keep what they have seen.
FEED_LENGTH = 30
# A description is a summary (plain text); the item's page has the whole text.
DESCRIPTION_LENGTH = 500


def tag_uri(kind: str, pk) -> str:
    """`tag:example.org,2026:project-update/7` (RFC 4151): a guid that never changes."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"tag:{host},2026:{kind}/{pk}"


def public_author(person) -> str | None:
    """The name an author chose to show publicly, else None (no author element at all)."""
    if person is None or not getattr(person, "display_name", ""):
        return None
    return shown_name(person, AnonymousUser())


class _CalendarLinks:
    """Feed generators that also link an item's or the feed's iCalendar file (events)."""

    def _calendar_link(self, handler, url):
        if url:
            handler.addQuickElement(self._calendar_element, attrs={
                "rel": "related", "type": "text/calendar", "href": url})

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        self._calendar_link(handler, self.feed.get("calendar_url"))

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        self._calendar_link(handler, item.get("calendar_url"))


class RssFeed(_CalendarLinks, Rss201rev2Feed):
    # RSS has no typed links: Django's RSS generator declares the Atom namespace for them.
    _calendar_element = "atom:link"


class AtomFeed(_CalendarLinks, Atom1Feed):
    _calendar_element = "link"


class AllianceFeed(Feed):
    """What every feed shares: the language, plain descriptions, stable guids, the format."""

    kind = ""  # the feed's name in its address (/de/feeds/<kind>.rss) and in the guids
    list_url_name = ""  # the page the feed belongs to
    feed_type = RssFeed
    # The item's fields of its publication and its last change (None: not given).
    published_field = "created_at"
    updated_field: str | None = "updated_at"

    def __init__(self, feed_type=None):
        super().__init__()
        if feed_type is not None:
            self.feed_type = feed_type

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def link(self):
        return reverse(self.list_url_name)

    def feed_url(self):
        suffix = "atom" if self.feed_type is AtomFeed else "rss"
        return reverse(f"syndication:feed_{suffix}", kwargs={"kind": self.kind})

    def feed_guid(self):
        return tag_uri(f"feed-{self.kind}", settings.LANGUAGE_CODE)

    def item_guid(self, item):
        return tag_uri(self.kind, item.pk)

    def item_guid_is_permalink(self, item):
        return False

    def item_title(self, item):
        # Django escapes the titles once more for RSS's sake (#6533); a plain string is right
        # for both formats, the XML writer escapes it.
        return str(item)

    def item_description(self, item):
        return ""

    def item_pubdate(self, item):
        return getattr(item, self.published_field)

    def item_updateddate(self, item):
        return getattr(item, self.updated_field) if self.updated_field else None

    def feed_copyright(self):
        return settings.SITE_NAME

    def _plain(self, markdown: str) -> str:
        return plain_summary_of(markdown or "", DESCRIPTION_LENGTH)


class NewsFeed(AllianceFeed):
    """Project updates (the projects' news), newest first; scheduled ones not before their
    time."""

    kind = "news"
    published_field = "published_at"
    updated_field = None
    list_url_name = "projects:list"

    def title(self):
        return _("%(site)s: news from the projects") % {"site": settings.SITE_NAME}

    def description(self):
        return _("What the alliance's projects report.")

    def items(self):
        return list(ProjectUpdate.objects.filter(published_at__lte=timezone.now())
                    .select_related("project", "author")
                    .order_by("-published_at", "-pk")[:FEED_LENGTH])

    def item_title(self, item):
        return f"{item.project.title}: {item.title}"

    def item_link(self, item):
        return f"{item.project.get_absolute_url()}#updates"

    def item_description(self, item):
        return self._plain(item.body)

    def item_author_name(self, item):
        return public_author(item.author)


class PartnersFeed(AllianceFeed):
    """New alliance partners, by the date their signature was confirmed."""

    kind = "partners"
    published_field = "partner_since"
    list_url_name = "partners:directory"

    def title(self):
        return _("%(site)s: new partners") % {"site": settings.SITE_NAME}

    def description(self):
        return _("Organisations that signed the letter of intent and became alliance "
                 "partners.")

    def items(self):
        return list(Organisation.objects.public().exclude(partner_since=None)
                    .order_by("-partner_since", "-pk")[:FEED_LENGTH])

    def item_description(self, item):
        return item.summary or self._plain(item.description)


class ProjectsFeed(AllianceFeed):
    kind = "projects"
    list_url_name = "projects:list"

    def title(self):
        return _("%(site)s: projects") % {"site": settings.SITE_NAME}

    def description(self):
        return _("The alliance's projects, newest first.")

    def items(self):
        return list(Project.objects.order_by("-created_at", "-pk")[:FEED_LENGTH])

    def item_description(self, item):
        phase = item.get_phase_display()
        text = item.summary or self._plain(item.description)
        return f"{phase}. {text}" if text else str(phase)


class IdeasFeed(AllianceFeed):
    kind = "ideas"
    list_url_name = "ideas:list"

    def title(self):
        return _("%(site)s: ideas") % {"site": settings.SITE_NAME}

    def description(self):
        return _("Ideas for the city, newest first.")

    def items(self):
        return list(Idea.objects.listed_for(AnonymousUser()).select_related("author")
                    .order_by("-created_at", "-pk")[:FEED_LENGTH])

    def item_description(self, item):
        return self._plain(item.description)

    def item_author_name(self, item):
        return public_author(item.author)


class EventsFeed(AllianceFeed):
    """Public events from today on, the soonest first, each with its iCalendar file; the feed
    links the alliance's calendar (events.ics)."""

    kind = "events"
    list_url_name = "events:list"

    def title(self):
        return _("%(site)s: events") % {"site": settings.SITE_NAME}

    def description(self):
        return _("Public events of the alliance and its working groups.")

    def items(self):
        return list(Event.objects.public().filter(ends_at__gte=timezone.now())
                    .order_by("starts_at", "pk")[:FEED_LENGTH])

    def item_title(self, item):
        when = date_format(timezone.localtime(item.starts_at), "SHORT_DATETIME_FORMAT")
        title = f"{item.title} ({when})"
        if item.state == Event.State.CANCELLED:
            title = _("Cancelled: %(title)s") % {"title": title}
        return title

    def item_description(self, item):
        return self._plain(item.description)

    def feed_extra_kwargs(self, obj):
        return {"calendar_url": self.request.build_absolute_uri(reverse("events:feed"))}

    def item_extra_kwargs(self, item):
        return {"calendar_url": self.request.build_absolute_uri(
            reverse("events:ics", kwargs={"slug": item.slug}))}


class FundingCallsFeed(AllianceFeed):
    """Funding calls, newest first; the feed links the public deadline calendar."""

    kind = "funding-calls"
    list_url_name = "funding:call_list"

    def title(self):
        return _("%(site)s: funding calls") % {"site": settings.SITE_NAME}

    def description(self):
        return _("Funding calls for smart-city projects, newest first.")

    def items(self):
        return list(Call.objects.visible_to(AnonymousUser()).select_related("programme")
                    .order_by("-created_at", "-pk")[:FEED_LENGTH])

    def item_title(self, item):
        return f"{item.title} ({item.get_state_display()})"

    def item_description(self, item):
        return self._plain(item.summary)

    def feed_extra_kwargs(self, obj):
        return {"calendar_url": self.request.build_absolute_uri(reverse("funding:feed"))}


class DatasetsFeed(AllianceFeed):
    """Published datasets of the open-data catalogue, the most recently changed first."""

    kind = "datasets"
    list_url_name = "opendata:catalogue"

    def title(self):
        return _("%(site)s: open data") % {"site": settings.SITE_NAME}

    def description(self):
        return _("Datasets of the alliance's open-data catalogue, most recently changed "
                 "first.")

    def items(self):
        return list(Dataset.objects.published().select_related("publisher")
                    .order_by("-modified", "-pk")[:FEED_LENGTH])

    def item_link(self, item):
        return reverse("opendata:dataset", kwargs={"slug": item.slug})

    def item_description(self, item):
        return self._plain(item.description)

    def item_pubdate(self, item):
        return item.issued or item.modified

    def item_updateddate(self, item):
        return item.modified

    def item_author_name(self, item):
        # The publishing organisation, a public partner, not a person.
        return item.publisher.name if item.publisher_id and item.publisher.is_public else None


FEEDS: dict[str, type[AllianceFeed]] = {feed.kind: feed for feed in (
    NewsFeed, PartnersFeed, ProjectsFeed, IdeasFeed, EventsFeed, FundingCallsFeed,
    DatasetsFeed)}


def feed_title(kind: str) -> str:
    return FEEDS[kind]().title()
