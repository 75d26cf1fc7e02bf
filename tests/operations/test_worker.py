"""The background worker as `make run` starts it, killed with kill -9 in the middle of an
analysis run: the run's lease runs out, it is failed and redone, and the picture is computed.

Everything runs in separate processes on a database file of its own (the test database of
the suite lives in one process's memory on SQLite), with short leases so it takes seconds.
"""

import os
import signal
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
from django.utils import timezone
from lagesbild.incidents import weeks
from lagesbild.partnerships.models import Membership
from lagesbild.pictures import runs
from tests.factories import make_incident, make_member, make_partnership

partnership = make_partnership("Arbetsprocess")
member = make_member(partnership, Membership.Role.MEMBER)
for _ in range(5):
    make_incident(member)
week = weeks.iso(weeks.week_code(timezone.now()))
run = runs.request_run(partnership, week, waiting=True)
print(run.pk)
"""

# A worker whose computation takes SLOW seconds, so it can be caught in the middle.
SLOW_WORKER = """
import time, django
django.setup()
from django.core.management import call_command
from lagesbild.pictures import runs

real = runs.compute_week
def slow(*args):
    time.sleep({slow})
    return real(*args)
runs.compute_week = slow
call_command("worker", "--interval", "0.2", "--no-startup-delay", "--no-reload")
"""


def _env(tmp_path: Path) -> dict:
    return {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "lagesbild.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LAGESBILD_VAR_DIR": str(tmp_path),
        "ANALYSIS_ON_CHANGE": "0",
        "ANALYSIS_LEASE_SECONDS": "2",
        "WORKER_HEARTBEAT_SECONDS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }


def _runs(tmp_path: Path) -> list[tuple]:
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        return db.execute(
            "SELECT id, status, lease_expires_at, error FROM pictures_analysisrun ORDER BY id"
        ).fetchall()


def _wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"waited {seconds} s for {what}")


@pytest.mark.slow
def test_a_run_lost_with_a_killed_worker_is_redone(tmp_path):
    env = _env(tmp_path)
    python = [sys.executable]
    subprocess.run([*python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    seeded = subprocess.run(
        [*python, "-c", SEED], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    run_id = int(seeded.stdout.split()[-1])

    worker = subprocess.Popen([*python, "-c", SLOW_WORKER.format(slow=60)], cwd=ROOT, env=env)
    try:
        _wait_for(lambda: _runs(tmp_path)[0][1] == "running", 60, "the worker to claim the run")
        first_lease = _runs(tmp_path)[0][2]
        # Longer than the lease: only the worker's renewals keep the run alive meanwhile.
        time.sleep(3.5)
        assert _runs(tmp_path)[0][1] == "running"
        assert _runs(tmp_path)[0][2] > first_lease, "the lease was not renewed"
        assert len(_runs(tmp_path)) == 1, "a live run was redone"
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    finally:
        worker.kill()

    # The dead run still says "running": nothing but its lease tells it is dead.
    assert _runs(tmp_path)[0][1] == "running"
    worker = subprocess.Popen(
        [*python, "manage.py", "worker", "--interval", "0.2", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
    )
    try:
        done = _wait_for(
            lambda: [r for r in _runs(tmp_path) if r[1] == "done"], 120, "the run to be redone"
        )
    finally:
        worker.terminate()
        worker.wait(30)
    lost = _runs(tmp_path)[0]
    assert lost[0] == run_id
    assert lost[1] == "failed" and "lease ran out" in lost[3]
    assert len(done) == 1 and done[0][0] != run_id
