"""/sitemap.xml: every public page, in German and English, with hreflang alternates."""

from django.contrib.sitemaps import Sitemap
from django.urls import NoReverseMatch, reverse

from stadtallianz.partners.models import Organisation


def _reverses(name: str, **kwargs) -> bool:
    try:
        reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return False
    return True


class BilingualSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class StaticPagesSitemap(BilingualSitemap):
    # Named URLs; each is looked up when the sitemap is requested, so a page that an app has not
    # routed (yet) is left out instead of breaking the whole sitemap.
    url_names = ["portal:home", "partners:directory", "letter_of_intent:current"]
    priority = 0.8
    changefreq = "weekly"

    def items(self):
        return [name for name in self.url_names if _reverses(name)]

    def location(self, item):
        return reverse(item)


class PartnerSitemap(BilingualSitemap):
    priority = 0.5
    changefreq = "monthly"

    def items(self):
        if not _reverses("partners:detail", slug="x"):
            return Organisation.objects.none()
        return Organisation.objects.public().order_by("pk").only("slug", "updated_at")

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at


sitemaps = {"pages": StaticPagesSitemap, "partners": PartnerSitemap}
