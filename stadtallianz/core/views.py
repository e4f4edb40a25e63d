from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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
