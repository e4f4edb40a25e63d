"""The operator's endpoints (docs/monitoring.md); /healthz, the public probe for load
balancers, stays in core and never depends on what these report."""

import logging

from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from . import health
from .access import operator_only
from .metrics import render

log = logging.getLogger("stadtallianz.operations")


@never_cache
@require_GET
@operator_only
def processes(request):
    """Every expected process (heartbeat, age, stale or failing) and the queues' backlogs:
    200 when all are well, 503 naming what is not."""
    try:
        snapshot = health.take()
    except DatabaseError as error:
        # Nothing can be said about the processes: say that, in the endpoint's own format.
        problem = f"database: unavailable ({type(error).__name__})"
        log.warning("unhealthy: %s", problem, extra={"problem": problem})
        return JsonResponse({"status": "unhealthy", "problems": [problem]}, status=503)
    problems = snapshot.problems
    for problem in problems:
        log.warning("unhealthy: %s", problem, extra={"problem": problem})
    return JsonResponse({
        "status": "unhealthy" if problems else "ok",
        "checked_at": snapshot.now.isoformat(),
        "problems": problems,
        "processes": [report.as_json() for report in snapshot.processes],
        "backlog": snapshot.backlog,
        "active_device_tokens": snapshot.active_device_tokens,
    }, status=503 if problems else 200)


@never_cache
@require_GET
@operator_only
def metrics(request):
    return HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
