from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from stadtallianz.core import theme


@never_cache
@require_GET
def healthz(request):
    """For load balancers and monitoring: 200 when the database (and the Redis cache, where one
    is configured) answer, 503 when one does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means "unavailable"
        database = f"unavailable: {error.__class__.__name__}"
    body = {"database": database}
    if settings.REDIS_URL:
        try:
            cache.set("healthz", "ok", timeout=5)
            body["cache"] = "ok" if cache.get("healthz") == "ok" else "unavailable"
        except Exception as error:  # noqa: BLE001
            body["cache"] = f"unavailable: {error.__class__.__name__}"
    healthy = all(value == "ok" for value in body.values())
    body["status"] = "ok" if healthy else "unavailable"
    return JsonResponse(body, status=200 if healthy else 503)


@require_GET
def theme_css(request):
    """The deployment's colours as CSS custom properties over KERN UX's tokens. A stylesheet from
    our own origin keeps the CSP strict (no inline style); its URL carries the theme's fingerprint
    (`?v=`), so browsers keep it for a year and fetch it anew when the colours change. Served from a
    view rather than written at collectstatic, so that changing an environment variable and
    restarting is all a city does; it needs neither the database nor a request context."""
    body = theme.stylesheet(settings.THEME_PRIMARY_COLOR, settings.THEME_ACCENT_COLOR)
    response = HttpResponse(body, content_type="text/css; charset=utf-8")
    current = theme.version(settings.THEME_PRIMARY_COLOR, settings.THEME_ACCENT_COLOR)
    response["Cache-Control"] = ("public, max-age=31536000, immutable"
                                 if request.GET.get("v") == current else "public, max-age=300")
    return response


@require_GET
def styleguide(request):
    """The pattern page (/de/styleguide/): every component of the design system, live."""
    from stadtallianz.core.styleguide import context

    response = render(request, "core/styleguide.html", context(request))
    response["X-Robots-Tag"] = "noindex"
    return response
