"""Task rows a killed worker left RUNNING are failed by a live worker's heartbeat."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from lagesbild.operations.health import ANALYSIS_TASK
from lagesbild.operations.management.commands.worker import Heartbeat
from lagesbild.operations.models import WorkerHeartbeat
from lagesbild.operations.orphans import WorkerLost


def worker_seen(worker_id: str, seconds_ago: float) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        host="h",
        pid=1,
        started_at=now - timedelta(days=30),
        seen_at=now - timedelta(seconds=seconds_ago),
    )


def running_task(worker_ids: list[str], started_seconds_ago: float) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [1], "kwargs": {}},
        task_path=ANALYSIS_TASK,
        backend_name="default",
        run_after=now,
        started_at=now - timedelta(seconds=started_seconds_ago),
        worker_ids=worker_ids,
    )


@pytest.mark.django_db
@override_settings(WORKER_HEARTBEAT_MAX_AGE_SECONDS=60)
def test_the_heartbeat_fails_tasks_whose_worker_died_and_only_those(client):
    worker_seen("killed", seconds_ago=600)
    worker_seen("busy", seconds_ago=2)
    orphan = running_task(["killed"], started_seconds_ago=900)
    retried_elsewhere = running_task(["killed", "busy"], started_seconds_ago=900)
    just_claimed = running_task(["starting"], started_seconds_ago=5)
    assert client.get("/healthz/worker").json()["tasks"]["running"] == 3

    Heartbeat("me").beat()

    orphan.refresh_from_db()
    assert orphan.status == TaskResultStatus.FAILED
    assert orphan.finished_at is not None
    assert import_string(orphan.exception_class_path) is WorkerLost
    for alive in (retried_elsewhere, just_claimed):
        alive.refresh_from_db()
        assert alive.status == TaskResultStatus.RUNNING
    assert client.get("/healthz/worker").json()["tasks"]["running"] == 2


@pytest.mark.django_db
def test_heartbeats_of_workers_gone_for_a_week_are_forgotten():
    worker_seen("long gone", seconds_ago=8 * 24 * 3600)
    worker_seen("yesterday", seconds_ago=24 * 3600)
    Heartbeat("me").beat()
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {
        "yesterday",
        "me",
    }
