"""What the health endpoints report: does the database answer, is a background worker alive,
how much analysis work is waiting. Nothing here reads personal or incident data: counts and
ages only, so the answers can be given without a login."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db.models import DBTaskResult

from lagesbild.operations.models import WorkerHeartbeat
from lagesbild.pictures.models import AnalysisRun
from lagesbild.pictures.tasks import execute_analysis_run

log = logging.getLogger(__name__)

ANALYSIS_TASK = "lagesbild.pictures.tasks.execute_analysis_run"


def database_answers() -> bool:
    """True when the database answers a trivial query. A broken kept-alive connection is
    closed, so the next check (and the next request) connects afresh."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.warning("health check: the database does not answer", exc_info=True)
        connection.close_if_unusable_or_obsolete()
        return False
    return True


def heartbeat_age() -> float | None:
    """Seconds since the freshest worker heartbeat; None when no worker has ever beaten."""
    last = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
    if last is None:
        return None
    return max(0.0, (timezone.now() - last).total_seconds())


def live_workers() -> int:
    """Workers whose heartbeat is younger than WORKER_HEARTBEAT_MAX_AGE_SECONDS."""
    since = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS)
    return WorkerHeartbeat.objects.filter(seen_at__gte=since).count()


def worker_missing() -> bool:
    """True when analysis runs wait for a background worker and none is alive, so a queued
    run will not be computed until an administrator starts one. Never when the task backend
    runs tasks at once in the requesting process (tests, TASKS_IMMEDIATE)."""
    if isinstance(execute_analysis_run.get_backend(), ImmediateBackend):
        return False
    return live_workers() == 0


def analysis_tasks() -> dict[str, int]:
    """Analysis tasks in the worker's queue: waiting (READY) and being executed (RUNNING)."""
    counts = {"queued": 0, "running": 0}
    rows = (
        DBTaskResult.objects.filter(
            task_path=ANALYSIS_TASK,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        )
        .values_list("status")
        .order_by()
    )
    for (status,) in rows:
        counts["queued" if status == TaskResultStatus.READY else "running"] += 1
    return counts


def analysis_runs() -> dict[str, int]:
    """Analysis runs (the pictures' computations) waiting for a worker or being computed."""
    runs = AnalysisRun.objects.filter(
        status__in=[AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING]
    )
    return {
        "queued": runs.filter(status=AnalysisRun.Status.QUEUED).count(),
        "running": runs.filter(status=AnalysisRun.Status.RUNNING).count(),
    }


def worker_report() -> tuple[bool, dict]:
    """(healthy, report) for /healthz/worker: healthy when some worker's heartbeat is younger
    than WORKER_HEARTBEAT_MAX_AGE_SECONDS."""
    limit = settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS
    age = heartbeat_age()
    healthy = age is not None and age <= limit
    return healthy, {
        "status": "ok" if healthy else "stale" if age is not None else "missing",
        "heartbeat_age_seconds": None if age is None else round(age, 1),
        "max_age_seconds": limit,
        "live_workers": live_workers(),
        "tasks": analysis_tasks(),
        "runs": analysis_runs(),
    }
