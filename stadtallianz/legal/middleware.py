"""Asks a logged-in person to accept a materially changed privacy notice before they go on.

Only pages under a language prefix are held back (not the API, SensorThings, static files,
feeds or health checks), and not the legal pages themselves, logging out, deleting the
account or getting their data (privacy:*): a person who does not accept may leave with it.
One query per page for a logged-in person, none for visitors."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import services

# URL names a person may reach without accepting ("namespace:name", or "namespace:*").
EXEMPT = frozenset({"legal:*", "accounts:logout", "accounts:delete", "admin:*", "i18n:*",
                    # Their data, whether they accept or not (GDPR Art. 15, 20).
                    "privacy:*"})
PREFIXES = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)


def _exempt(match) -> bool:
    if match is None:
        return True
    namespace = ":".join(match.namespaces)
    return f"{namespace}:*" in EXEMPT or f"{namespace}:{match.url_name}" in EXEMPT


class ConsentRequired:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if (user is None or not user.is_authenticated or not request.path.startswith(PREFIXES)
                or _exempt(request.resolver_match)):
            return None
        if services.consent_needed(user) is None:
            return None
        target = f"{reverse('legal:consent')}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            # An XMLHttpRequest follows a redirect itself; htmx loads the whole page instead.
            return HttpResponse(headers={"HX-Redirect": target})
        return redirect(target)
