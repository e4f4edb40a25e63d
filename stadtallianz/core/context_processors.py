from django.conf import settings
from django.templatetags.static import static
from django.utils.translation import gettext as _

from stadtallianz.core import theme
from stadtallianz.core.office import office_name

OSM_ATTRIBUTION = "© OpenStreetMap contributors"  # config/settings.py's default


def asset_url(value: str) -> str:
    """A setting naming a static file ("core/img/logo.svg") or a URL ("https://…", "/media/…")."""
    if value.startswith(("http://", "https://", "/")):
        return value
    return static(value)


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_LOGO_URL": asset_url(settings.SITE_LOGO),
        "FAVICON_URL": asset_url(settings.FAVICON),
        "THEME_VERSION": theme.version(settings.THEME_PRIMARY_COLOR, settings.THEME_ACCENT_COLOR),
        # One configurable name (Münster: "Stabsstelle Smart City"); the default in the reader's
        # language.
        "COORDINATION_OFFICE_NAME": office_name(),
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        # The default attribution in the reader's language; a deployment's own stays as set.
        "MAP_TILE_ATTRIBUTION": (_("© OpenStreetMap contributors")
                                 if settings.MAP_TILE_ATTRIBUTION == OSM_ATTRIBUTION
                                 else settings.MAP_TILE_ATTRIBUTION),
    }
