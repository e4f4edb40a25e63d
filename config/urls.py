from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_page
from django.views.static import serve

from config.api import api, not_found_under_the_api
from stadtallianz.core.views import healthz, styleguide, theme_css
from stadtallianz.portal.sitemaps import sitemaps

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("theme.css", theme_css, name="theme_css"),
    # The operator's endpoints, not public (docs/monitoring.md).
    path("", include("stadtallianz.operations.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/(?P<path>.*)$", not_found_under_the_api),
    # OGC SensorThings API 1.1: outside the language prefix, as clients build its URLs.
    path("sta/", include("stadtallianz.sensorthings.urls")),
    # At national scale the sitemap has about 10,000 URLs and takes a second to build; crawlers
    # can wait ten minutes for a new partner to appear.
    path("sitemap.xml", cache_page(600)(sitemap), {"sitemaps": sitemaps}, name="sitemap"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Open data for machines: CKAN's action API and the DCAT-AP.de catalogue carry both
    # languages in one answer, so they are outside the language prefix (docs/standards.md).
    path("api/3/", include("stadtallianz.opendata.ckan_urls")),
    # CKAN's unversioned address, which ckanapi and CKAN's harvester call (/api/action/<name>).
    path("api/", include("stadtallianz.opendata.ckan_urls")),
    path("dcat/", include("stadtallianz.opendata.dcat_urls")),
    path("", include("stadtallianz.syndication.root_urls")),
]

urlpatterns += i18n_patterns(
    path("", include("stadtallianz.portal.urls")),
    path("", include("stadtallianz.accounts.urls")),
    path("", include("stadtallianz.privacy.urls")),
    path("", include("stadtallianz.partners.urls")),
    path("", include("stadtallianz.letter_of_intent.urls")),
    path("", include("stadtallianz.workinggroups.urls")),
    path("", include("stadtallianz.discussions.urls")),
    path("", include("stadtallianz.events.urls")),
    path("", include("stadtallianz.knowledge.urls")),
    path("", include("stadtallianz.ideas.urls")),
    path("", include("stadtallianz.projects.urls")),
    path("", include("stadtallianz.assessments.urls")),
    path("", include("stadtallianz.livinglabs.urls")),
    path("", include("stadtallianz.funding.urls")),
    path("", include("stadtallianz.proposals.urls")),
    path("", include("stadtallianz.partnering.urls")),
    path("", include("stadtallianz.opendata.urls")),
    path("", include("stadtallianz.impact.urls")),
    path("", include("stadtallianz.syndication.urls")),
    path("", include("stadtallianz.matchmaking.urls")),
    path("", include("stadtallianz.notifications.urls")),
    path("", include("stadtallianz.search.urls")),
    path("", include("stadtallianz.backoffice.urls")),
    path("", include("stadtallianz.legal.urls")),
    path("styleguide/", styleguide, name="styleguide"),  # not in the sitemap, noindex
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)

# Uploaded logos; in production the reverse proxy serves /media/ (docs/deployment.md).
if settings.SERVE_MEDIA:
    urlpatterns.append(path(f"{settings.MEDIA_URL.lstrip('/')}<path:path>", serve,
                            {"document_root": settings.MEDIA_ROOT}))
