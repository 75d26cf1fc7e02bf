"""Task rows left behind by a worker that died (kill -9, a crash, a lost host).

django-tasks-db marks a task RUNNING when a worker claims it and FAILED or SUCCESSFUL when
the worker finishes; a killed worker finishes nothing, so its task stays RUNNING for ever and
/healthz/worker and /metrics would count it as running. The heartbeat of every live worker
(`manage.py worker`) fails such rows: a RUNNING task whose claiming worker has not beaten
within WORKER_HEARTBEAT_MAX_AGE_SECONDS, and that has run at least that long itself. The
analysis run inside it has a lease of its own and is redone (pictures/runs.py).
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from lagesbild.operations.models import WorkerHeartbeat

# Heartbeats of workers gone this long are deleted; /healthz/worker reads the freshest only.
FORGET_WORKERS_AFTER = timedelta(days=7)


class WorkerLost(Exception):
    """The worker executing the task stopped (its heartbeat ran out) before it finished."""


def fail_orphaned_tasks() -> int:
    """Mark RUNNING tasks of dead workers FAILED; the number marked."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS)
    live = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    orphans = [
        pk
        for pk, worker_ids in DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=cutoff
        ).values_list("id", "worker_ids")
        if not worker_ids or worker_ids[-1] not in live
    ]
    if not orphans:
        return 0
    return DBTaskResult.objects.filter(pk__in=orphans, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=f"{WorkerLost.__qualname__}: {WorkerLost.__doc__}\n",
        return_value=None,
    )


def forget_old_workers() -> int:
    return WorkerHeartbeat.objects.filter(
        seen_at__lt=timezone.now() - FORGET_WORKERS_AFTER
    ).delete()[0]
