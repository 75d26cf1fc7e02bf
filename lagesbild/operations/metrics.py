"""Prometheus metrics: requests and their latency counted in each web process, the queue,
the worker's heartbeat and the analysis runs' durations read from the database at scrape time.

Under gunicorn every worker process counts its own requests. With PROMETHEUS_MULTIPROC_DIR
set (`make run` makes a fresh directory for it at each start), prometheus-client keeps the
counts in files there and /metrics adds up those of all processes, whichever one answers
the scrape. Without it (runserver, tests) the counts are this process's own.

What lives in the database (heartbeats, queue, runs) is read when /metrics is asked, so it
is the same whichever app server answers and whatever host the worker runs on.
"""

import hmac
import ipaddress
import os
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

from lagesbild.accounts.client_ip import client_ip
from lagesbild.operations import health
from lagesbild.pictures.models import AnalysisRun

REQUESTS = Counter(
    "lagesbild_http_requests",
    "HTTP requests answered, by view (URL name), method and status code.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "lagesbild_http_request_duration_seconds",
    "Time from the request reaching Django to its answer, by view and method.",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
# Analysis runs take from well under a second (a small partnership) to minutes.
RUN_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)


def view_label(request) -> str:
    """The URL name of the view that answered: a bounded set of labels, never the path
    itself (which holds ids and would make a new time series per incident)."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name:
        return match.view_name
    if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return "static"
    return "unmatched"


# Any other method a client makes up is counted as "other": labels must stay a small set.
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def count_requests(get_response):
    """Middleware, first in the list: counts every answer, static files and redirects too."""

    def middleware(request):
        started = time.perf_counter()
        status = 500
        try:
            response = get_response(request)
            status = response.status_code
            return response
        finally:
            view = view_label(request)
            method = request.method if request.method in METHODS else "other"
            REQUESTS.labels(view, method, str(status)).inc()
            LATENCY.labels(view, method).observe(time.perf_counter() - started)

    return middleware


class _ThisProcess:
    """The default registry's metrics (this process only), for when there is no
    multiprocess directory."""

    def collect(self):
        yield from REGISTRY.collect()


class DatabaseCollector:
    """Heartbeat age, queue and run durations, read from the database at each scrape."""

    def collect(self):
        up = GaugeMetricFamily("lagesbild_database_up", "1 when the database answers.")
        try:
            families = list(self._from_database())
        except DatabaseError:
            health.database_answers()  # closes a broken connection
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _from_database(self):
        age = health.heartbeat_age()
        heartbeat = GaugeMetricFamily(
            "lagesbild_worker_heartbeat_age_seconds",
            "Seconds since the freshest background worker heartbeat (absent: never seen).",
        )
        if age is not None:
            heartbeat.add_metric([], age)
        yield heartbeat
        workers = GaugeMetricFamily(
            "lagesbild_workers_live",
            "Background workers whose heartbeat is within WORKER_HEARTBEAT_MAX_AGE_SECONDS.",
        )
        workers.add_metric([], health.live_workers())
        yield workers
        tasks = GaugeMetricFamily(
            "lagesbild_analysis_tasks",
            "Analysis tasks in the worker's queue, by state (queued, running).",
            labels=["state"],
        )
        for state, number in health.analysis_tasks().items():
            tasks.add_metric([state], number)
        yield tasks
        runs = GaugeMetricFamily(
            "lagesbild_analysis_runs",
            "Analysis runs waiting for a worker or being computed, by state.",
            labels=["state"],
        )
        for state, number in health.analysis_runs().items():
            runs.add_metric([state], number)
        yield runs
        yield run_durations()


def run_durations() -> HistogramMetricFamily:
    """Every finished run's duration (claim to end), by outcome, as one histogram: one
    aggregate query, cumulative like any Prometheus histogram."""
    duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    family = HistogramMetricFamily(
        "lagesbild_analysis_run_duration_seconds",
        "Duration of finished analysis runs, from a worker claiming them to their end.",
        labels=["status"],
    )
    finished = AnalysisRun.objects.filter(
        started_at__isnull=False,
        finished_at__isnull=False,
        status__in=[AnalysisRun.Status.DONE, AnalysisRun.Status.FAILED],
    ).annotate(duration=duration)
    for status in (AnalysisRun.Status.DONE, AnalysisRun.Status.FAILED):
        buckets = {
            f"le_{i}": Count("id", filter=Q(duration__lte=timedelta(seconds=bound)))
            for i, bound in enumerate(RUN_BUCKETS)
        }
        row = finished.filter(status=status).aggregate(
            total=Count("id"), seconds=Sum("duration"), **buckets
        )
        total_seconds = row["seconds"].total_seconds() if row["seconds"] else 0.0
        cumulative = [(str(float(b)), row[f"le_{i}"]) for i, b in enumerate(RUN_BUCKETS)]
        family.add_metric([status], [*cumulative, ("+Inf", row["total"])], total_seconds)
    return family


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(DatabaseCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST


def scrape_allowed(request) -> bool | None:
    """May this request read /metrics? None when metrics are off (neither METRICS_TOKEN nor
    METRICS_ALLOWED_IPS set); True for the right bearer token or an allowed client address."""
    token, networks = settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS
    if not token and not networks:
        return None
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return True
    address = client_ip(request)
    if networks and address:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)
    return False
