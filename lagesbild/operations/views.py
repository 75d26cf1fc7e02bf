"""Health endpoints for load balancers and monitoring, and the Prometheus metrics.

/healthz and /healthz/worker need no login and say nothing about incidents or people;
/metrics is open only to the token or addresses of METRICS_TOKEN / METRICS_ALLOWED_IPS.
"""

from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from lagesbild.operations import health, metrics


def _answer(healthy: bool, report: dict) -> JsonResponse:
    return JsonResponse(report, status=200 if healthy else 503)


@require_GET
def healthz(request):
    """200 when the app runs and its database answers, else 503."""
    healthy = health.database_answers()
    return _answer(healthy, {"status": "ok" if healthy else "unavailable", "database": healthy})


@require_GET
def healthz_worker(request):
    """200 when a background worker's heartbeat is fresh, else 503; with the analysis queue."""
    try:
        healthy, report = health.worker_report()
    except DatabaseError:
        health.database_answers()  # closes a broken connection
        return _answer(False, {"status": "unavailable", "database": False})
    return _answer(healthy, report)


@require_GET
def prometheus_metrics(request):
    """The Prometheus text format, for the allowed scrapers only (404 when metrics are off)."""
    allowed = metrics.scrape_allowed(request)
    if allowed is None:
        return HttpResponse("Not found\n", status=404, content_type="text/plain")
    if not allowed:
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    body, content_type = metrics.exposition()
    return HttpResponse(body, content_type=content_type)
