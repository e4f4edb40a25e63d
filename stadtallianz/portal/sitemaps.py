from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class StaticPagesSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return ["portal:home"]

    def location(self, item):
        return reverse(item)


sitemaps = {"pages": StaticPagesSitemap}
