"""/sitemap.xml: every public page, in German and English, with hreflang alternates."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from stadtallianz.discussions.models import Thread
from stadtallianz.events.models import Event
from stadtallianz.funding.models import Call, Programme
from stadtallianz.ideas.models import Idea
from stadtallianz.knowledge.models import Article
from stadtallianz.livinglabs.models import LivingLab
from stadtallianz.opendata.models import Dataset
from stadtallianz.partnering.queries import sitemap_notices
from stadtallianz.partners.models import Organisation
from stadtallianz.projects.models import Project
from stadtallianz.proposals.models import Application
from stadtallianz.workinggroups.models import WorkingGroup


class BilingualSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class StaticPagesSitemap(BilingualSitemap):
    priority = 0.8
    changefreq = "weekly"

    def items(self):
        return ["portal:home", "partners:directory", "letter_of_intent:current",
                "workinggroups:list", "events:list", "knowledge:list",
                "ideas:list", "projects:list", "livinglabs:list",
                "funding:call_list", "funding:calendar", "funding:programme_list",
                "partnering:list", "proposals:list", "proposals:totals",
                "opendata:catalogue", "impact:dashboard",
                "legal:imprint", "legal:privacy", "legal:accessibility"]

    def location(self, item):
        return reverse(item)


class PartnerSitemap(BilingualSitemap):
    priority = 0.5
    changefreq = "monthly"

    def items(self):
        return Organisation.objects.public().order_by("pk").only("slug", "updated_at")

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at


class WorkingGroupSitemap(BilingualSitemap):
    """Every working group: all are public, archived ones stay readable."""

    priority = 0.5
    changefreq = "weekly"

    def items(self):
        return WorkingGroup.objects.order_by("pk").only("slug", "updated_at")

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at


class EventSitemap(BilingualSitemap):
    """Public events; members-only ones stay out of every public listing."""

    priority = 0.4
    changefreq = "weekly"

    def items(self):
        return (Event.objects.public()
                .order_by("pk").only("slug", "updated_at"))

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at


class ThreadSitemap(BilingualSitemap):
    """Public discussion threads."""

    priority = 0.3
    changefreq = "daily"

    def items(self):
        return (Thread.objects.public()
                .select_related("group").order_by("pk").only("pk", "group__slug", "updated_at"))

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at


class ArticleSitemap(BilingualSitemap):
    """Published public articles (as a visitor sees them: `visible_to` an anonymous person)."""

    priority = 0.4
    changefreq = "weekly"

    def items(self):
        return (Article.objects.visible_to(AnonymousUser()).order_by("pk")
                .only("slug", "updated_at"))

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at


class IdeaSitemap(BilingualSitemap):
    """Ideas that are not hidden."""

    priority = 0.4
    changefreq = "weekly"

    def items(self):
        return (Idea.objects.listed_for(AnonymousUser()).order_by("pk")
                .only("pk", "updated_at"))

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at


class ProjectSitemap(BilingualSitemap):
    """Every project: all are public."""

    priority = 0.5
    changefreq = "weekly"

    def items(self):
        return Project.objects.order_by("pk").only("slug", "updated_at")

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at


class LivingLabSitemap(BilingualSitemap):
    """Every living lab: all lab pages are public (their restricted data is not on them)."""

    priority = 0.5
    changefreq = "daily"

    def items(self):
        return LivingLab.objects.order_by("pk").only("slug", "updated_at")

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at


class ProgrammeSitemap(BilingualSitemap):
    """Every funding programme: all are public."""

    priority = 0.4
    changefreq = "monthly"

    def items(self):
        return Programme.objects.order_by("pk").only("slug", "updated_at")

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at


class CallSitemap(BilingualSitemap):
    """Every funding call, closed ones too: calls are public information
    (funding.models.CallQuerySet.visible_to)."""

    priority = 0.5
    changefreq = "weekly"

    def items(self):
        return (Call.objects.visible_to(AnonymousUser()).order_by("pk")
                .only("slug", "updated_at"))

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at


class NoticeSitemap(BilingualSitemap):
    """Partner searches everyone sees: open notices of public partners
    (partnering.queries.sitemap_notices); closed, archived and expired ones stay out."""

    priority = 0.4
    changefreq = "daily"

    def items(self):
        return sitemap_notices()

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at


class ApplicationSitemap(BilingualSitemap):
    """Joint applications the public may know of: published or granted
    (proposals.models.ApplicationQuerySet.public); never another consortium's work."""

    priority = 0.3
    changefreq = "weekly"

    def items(self):
        return Application.objects.public().order_by("pk").only("pk", "updated_at")

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at


class DatasetSitemap(BilingualSitemap):
    """Published datasets of the open-data catalogue (Dataset.objects.published()): never a
    draft, a dataset under review or a lab dataset withdrawn with its last public datastream."""

    priority = 0.4
    changefreq = "daily"

    def items(self):
        return Dataset.objects.published().order_by("pk").only("slug", "modified")

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.modified


sitemaps = {"pages": StaticPagesSitemap, "partners": PartnerSitemap,
            "working-groups": WorkingGroupSitemap, "events": EventSitemap,
            "discussions": ThreadSitemap, "articles": ArticleSitemap,
            "ideas": IdeaSitemap, "projects": ProjectSitemap,
            "living-labs": LivingLabSitemap, "funding-programmes": ProgrammeSitemap,
            "funding-calls": CallSitemap, "partner-searches": NoticeSitemap,
            "funding-applications": ApplicationSitemap, "datasets": DatasetSitemap}
