"""What makes a response embeddable, and the widgets' addresses and sizes.

An embedded widget sits in a partner's page in an iframe. It must work and stay harmless there:

- framing allowed only for these routes: the CSP's `frame-ancestors` from the setting
  EMBED_FRAME_ANCESTORS (default `*`), and no X-Frame-Options; every other page keeps
  `frame-ancestors 'none'` and `X-Frame-Options: DENY` from the settings;
- no cookies and no personalisation: the widget is rendered without the request (no context
  processors, no CSRF token, no messages, no user), and the session the middleware may have
  opened is marked untouched, so neither `Set-Cookie` nor `Vary: Cookie` is sent and a shared
  cache may keep the answer for everyone;
- no tracking and nothing from other origins but map tiles (the site's CSP stays as it is).
"""

from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

DEFAULT_FRAME_ANCESTORS = ("*",)
# How long browsers and shared caches keep a widget (seconds).
EMBED_MAX_AGE = 300


def frame_ancestors() -> list[str]:
    return list(getattr(settings, "EMBED_FRAME_ANCESTORS", None) or DEFAULT_FRAME_ANCESTORS)


def embeddable(view):
    """Marks a view's answer as a widget for other sites' iframes (see the module's text)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response._csp_replace = {"frame-ancestors": frame_ancestors()}
        response.xframe_options_exempt = True
        response["Cache-Control"] = f"public, max-age={EMBED_MAX_AGE}"
        session = getattr(request, "session", None)
        if session is not None:
            # Middleware asked who is logged in (consent, rate limit): the answer did not
            # depend on it, so the session adds no Vary: Cookie and is not saved.
            session.accessed = False
            session.modified = False
        return response

    return wrapped


@dataclass(frozen=True)
class Widget:
    key: str
    name: object  # a lazy translation
    url_name: str
    width: int
    height: int


WIDGETS = {widget.key: widget for widget in (
    Widget("figures", _("Key figures of the alliance"), "syndication:embed_figures", 600, 340),
    Widget("badge", _("Partner badge"), "syndication:embed_badge", 320, 140),
    Widget("project", _("Project card"), "syndication:embed_project", 400, 300),
    Widget("map", _("Map of the projects"), "syndication:embed_map", 600, 420),
    Widget("lab", _("Current values of a living lab"), "syndication:embed_lab", 400, 320),
)}


def absolute(path: str) -> str:
    """An address on the site's public origin (SITE_URL): snippets are pasted elsewhere."""
    return settings.SITE_URL.rstrip("/") + path


def widget_url(key: str, **kwargs) -> str:
    return absolute(reverse(WIDGETS[key].url_name, kwargs=kwargs or None))


def iframe(key: str, title: str, *, width: int | None = None, height: int | None = None,
           **kwargs) -> str:
    """The copy-paste snippet: an iframe with a title (its accessible name), a size, lazy
    loading and no referrer."""
    widget = WIDGETS[key]
    return format_html(
        '<iframe src="{}" title="{}" width="{}" height="{}" loading="lazy" '
        'referrerpolicy="no-referrer" style="border:0;max-width:100%"></iframe>',
        widget_url(key, **kwargs), title, width or widget.width, height or widget.height)


def badge_title(organisation) -> str:
    return gettext("%(name)s: partner of the %(site)s") % {
        "name": organisation.name, "site": settings.SITE_NAME}


def project_title(project) -> str:
    return gettext("Project: %(title)s") % {"title": project.title}


def lab_title(lab) -> str:
    return gettext("%(name)s: current values") % {"name": lab.name}
