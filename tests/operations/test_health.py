"""/healthz and /healthz/worker: what a load balancer and a monitor ask, without a login."""

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from lagesbild.operations.health import ANALYSIS_TASK
from lagesbild.operations.models import WorkerHeartbeat
from lagesbild.pictures.models import AnalysisRun
from tests.factories import make_partnership

ROOT = Path(__file__).resolve().parents[2]


def beat(worker_id: str, seconds_ago: float) -> WorkerHeartbeat:
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        host="app1",
        pid=123,
        started_at=now - timedelta(hours=1),
        seen_at=now - timedelta(seconds=seconds_ago),
    )


def queue_task(status: str, task_path: str = ANALYSIS_TASK) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [1], "kwargs": {}},
        task_path=task_path,
        backend_name="default",
        run_after=timezone.now(),
    )


@pytest.mark.django_db
def test_healthz_says_ok_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": True}


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_health_checks_over_plain_http_are_not_redirected_to_https(client):
    # A load balancer asks the app server directly, without TLS or X-Forwarded-Proto.
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


@pytest.mark.django_db
def test_only_get_is_answered(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_worker_health_is_503_when_no_worker_ever_beat(client):
    response = client.get("/healthz/worker")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "missing"
    assert body["heartbeat_age_seconds"] is None
    assert body["live_workers"] == 0


@pytest.mark.django_db
@override_settings(WORKER_HEARTBEAT_MAX_AGE_SECONDS=60)
def test_worker_health_follows_the_freshest_heartbeat(client):
    beat("dead", seconds_ago=3600)
    stale = client.get("/healthz/worker")
    assert stale.status_code == 503
    assert stale.json()["status"] == "stale"
    assert stale.json()["heartbeat_age_seconds"] >= 3600

    beat("alive", seconds_ago=5)
    fresh = client.get("/healthz/worker")
    assert fresh.status_code == 200
    body = fresh.json()
    assert body["status"] == "ok"
    assert 5 <= body["heartbeat_age_seconds"] < 60
    assert body["max_age_seconds"] == 60
    assert body["live_workers"] == 1


@pytest.mark.django_db
def test_the_age_limit_is_a_setting(client):
    beat("slow", seconds_ago=200)
    with override_settings(WORKER_HEARTBEAT_MAX_AGE_SECONDS=60):
        assert client.get("/healthz/worker").status_code == 503
    with override_settings(WORKER_HEARTBEAT_MAX_AGE_SECONDS=300):
        assert client.get("/healthz/worker").status_code == 200


@pytest.mark.django_db
def test_worker_health_counts_queued_and_running_analysis_work(client):
    beat("alive", seconds_ago=1)
    for status in (TaskResultStatus.READY, TaskResultStatus.READY, TaskResultStatus.RUNNING):
        queue_task(status)
    queue_task(TaskResultStatus.SUCCESSFUL)
    queue_task(TaskResultStatus.READY, task_path="some.other.task")
    partnership = make_partnership("Kö")
    for status in ("queued", "running", "running", "done"):
        AnalysisRun.objects.create(
            partnership=partnership, period_kind="week", period="2026-W10", status=status
        )

    body = client.get("/healthz/worker").json()
    assert body["tasks"] == {"queued": 2, "running": 1}
    assert body["runs"] == {"queued": 1, "running": 2}


@pytest.mark.django_db
def test_health_answers_name_nobody_and_no_partnership(client):
    partnership = make_partnership("Hemlig samverkan")
    AnalysisRun.objects.create(partnership=partnership, period_kind="week", period="2026-W10")
    beat("alive", seconds_ago=1)
    text = client.get("/healthz").content.decode() + client.get("/healthz/worker").content.decode()
    assert "Hemlig" not in text
    assert "app1" not in text  # host names stay inside too


# In a fresh process whose database is unreachable: real connection failures, not mocks.
PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
out = {}
for path in ("/healthz", "/healthz/worker"):
    r = client.get(path)
    out[path] = [r.status_code, r["Content-Type"], r.content.decode()]
print(json.dumps(out))
"""


@pytest.mark.parametrize(
    "url",
    ["postgres://postgres@127.0.0.1:1/unreachable", "sqlite:////nonexistent/dir/db.sqlite3"],
    ids=["postgresql", "sqlite"],
)
def test_health_is_503_json_when_the_database_is_unreachable(url, tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "lagesbild.settings",
        "DATABASE_URL": url,
        "LAGESBILD_VAR_DIR": str(tmp_path),
        "TESTING": "1",
        "ALLOWED_HOSTS": "testserver",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answers = json.loads(done.stdout.splitlines()[-1])
    for path, (status, content_type, body) in answers.items():
        assert status == 503, (path, body)
        assert content_type == "application/json", path
        assert json.loads(body)["database"] is False, path
