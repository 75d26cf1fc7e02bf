"""The daily retention run as it happens in production: `manage.py worker` (the database
queue, not the test settings' immediate tasks) claims the day's run from its heartbeat and
applies the schedule, on a database file of its own."""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SEED = """
import django
django.setup()
from datetime import timedelta
from django.utils import timezone
from lagesbild.dataprotection.models import RetentionPolicy
from lagesbild.partnerships.models import Membership
from tests.factories import make_incident, make_member, make_partnership

partnership = make_partnership("Gallring")
member = make_member(partnership, Membership.Role.MEMBER)
old = make_incident(member, occurred_at=timezone.now() - timedelta(days=500), description="Gammal")
new = make_incident(member, description="Ny")
RetentionPolicy.objects.create(partnership=partnership, text_months=12)
print(old.pk, new.pk)
"""


def _env(tmp_path: Path) -> dict:
    return {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "lagesbild.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LAGESBILD_VAR_DIR": str(tmp_path),
        "ANALYSIS_ON_CHANGE": "0",
        "WORKER_HEARTBEAT_SECONDS": "1",
        # Any hour of the test's day is past it.
        "RETENTION_HOUR": "0",
        "OPENBLAS_NUM_THREADS": "1",
    }


def _query(tmp_path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        return db.execute(sql).fetchall()


@pytest.mark.slow
def test_the_worker_applies_the_schedule_once_a_day(tmp_path):
    env = _env(tmp_path)
    python = [sys.executable]
    subprocess.run([*python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    seeded = subprocess.run(
        [*python, "-c", SEED], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    old, new = (int(pk) for pk in seeded.stdout.split()[-2:])
    runs_sql = "SELECT trigger, texts_removed, finished_at FROM dataprotection_retentionrun"

    worker = subprocess.Popen(
        [*python, "manage.py", "worker", "--interval", "0.2", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            finished = [r for r in _query(tmp_path, runs_sql) if r[2]]
            if finished:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the worker did not apply the schedule within 120 s")
        # Several more heartbeats: the day's run is not repeated.
        time.sleep(3)
    finally:
        worker.terminate()
        worker.wait(30)

    assert [(t, n) for t, n, _at in _query(tmp_path, runs_sql)] == [("scheduled", 1)]
    texts = dict(_query(tmp_path, "SELECT id, description FROM incidents_incident"))
    assert texts == {old: "", new: "Ny"}
