"""Analysis runs and their leases: a run whose worker died never counts as under way."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.operations.models import WorkerHeartbeat
from lagesbild.pictures import runs
from lagesbild.pictures.models import AnalysisRun
from tests.factories import make_incident


@pytest.fixture
def week():
    return weeks.iso(weeks.shift(weeks.week_code(timezone.now()), -1))


def _run(partnership, week, status, lease_seconds):
    lease = None if lease_seconds is None else timezone.now() + timedelta(seconds=lease_seconds)
    return AnalysisRun.objects.create(
        partnership=partnership, period=week, period_kind="week", status=status,
        lease_expires_at=lease,
    )  # fmt: skip


@pytest.mark.parametrize("status", [AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING])
@pytest.mark.parametrize("lease_seconds", [-1, None], ids=["expired", "none"])
def test_a_run_past_its_lease_is_failed_and_requested_anew(member_a, week, status, lease_seconds):
    dead = _run(member_a.partnership, week, status, lease_seconds)
    assert runs.active_run(member_a.partnership, week) is None
    fresh = runs.request_run(member_a.partnership, week)
    assert fresh.pk != dead.pk and fresh.status == AnalysisRun.Status.QUEUED
    dead.refresh_from_db()
    assert dead.status == AnalysisRun.Status.FAILED
    assert "lease ran out" in dead.error


def test_a_run_within_its_lease_is_the_one_requested(member_a, week):
    alive = _run(member_a.partnership, week, AnalysisRun.Status.RUNNING, 30)
    assert runs.request_run(member_a.partnership, week) == alive


def test_the_page_does_not_wait_on_a_dead_run(login, member_a, week):
    """The progress poll answers "done" for a dead run, so the page reloads and queues a
    new run instead of saying "under way" for ever."""
    _run(member_a.partnership, week, AnalysisRun.Status.RUNNING, -1)
    response = login(member_a).get(reverse("pictures:status", args=[week]))
    assert response["HX-Refresh"] == "true"


def test_the_page_stops_asking_when_the_computation_failed(login, member_a, week):
    """A run that failed with an error would fail again: the page says so and neither
    reloads nor asks again (it did both every few seconds, for ever)."""
    failed = _run(member_a.partnership, week, AnalysisRun.Status.FAILED, None)
    failed.error = "Traceback (most recent call last): ... ValueError"
    failed.save()
    response = login(member_a).get(reverse("pictures:status", args=[week]))
    assert "HX-Refresh" not in response
    assert "hx-trigger" not in response.content.decode()
    assert "Beräkningen misslyckades." in response.content.decode()


def test_the_worker_redoes_lost_runs_without_a_visitor(member_a, week):
    dead = _run(member_a.partnership, week, AnalysisRun.Status.RUNNING, -1)
    assert runs.redo_expired_runs() == 1
    queued = runs.active_run(member_a.partnership, week)
    assert queued is not None and queued.pk != dead.pk
    assert runs.redo_expired_runs() == 0


def poll_delay(response) -> int:
    """How many seconds the status line waits before it asks again (its htmx trigger)."""
    match = re.search(r'hx-trigger="load delay:(\d+)s"', response.content.decode())
    assert match, response.content.decode()
    return int(match.group(1))


def test_a_waiting_page_asks_less_and_less_often(login, member_a, week):
    """3 s, then half as long again each time, never more than 30 s apart: a page left open
    while a run waits does not ask every 3 s for as long as it waits."""
    _run(member_a.partnership, week, AnalysisRun.Status.QUEUED, 600)
    client = login(member_a)
    url = reverse("pictures:status", args=[week])
    delays, waited = [], 3
    for _ in range(8):
        response = client.get(url, {"waited": waited})
        assert "HX-Refresh" not in response
        waited = poll_delay(response)
        delays.append(waited)
    assert delays == [5, 8, 12, 18, 27, 30, 30, 30]
    assert poll_delay(client.get(url, {"waited": "x"})) == 3


@pytest.fixture
def database_queue(settings):
    """Analysis runs go to the database queue, as in production: a worker must run them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def beat(seconds_ago: int) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id=f"w{seconds_ago}", host="h", pid=1, started_at=now - timedelta(hours=1),
        seen_at=now - timedelta(seconds=seconds_ago),
    )  # fmt: skip


WORKER_MISSING = "Bakgrundsprocessen som beräknar lägesbilder körs inte."


def test_without_a_worker_the_page_says_so_instead_of_spinning(
    login, member_a, week, database_queue
):
    beat(seconds_ago=3600)  # a worker ran once and stopped an hour ago
    monday = weeks.bounds(weeks.parse(week))[0]
    make_incident(member_a, area=member_a.partnership.areas.get(name="Norr"), occurred_at=monday)
    client = login(member_a)

    page = client.get(reverse("pictures:week", args=[week]))  # no run yet: one is queued
    assert runs.active_run(member_a.partnership, week).status == AnalysisRun.Status.QUEUED
    assert WORKER_MISSING in page.content.decode()
    assert "en administratör har startat den" in page.content.decode()
    assert poll_delay(page) == 30
    status = client.get(reverse("pictures:status", args=[week]), {"waited": 3})
    assert WORKER_MISSING in status.content.decode()
    assert poll_delay(status) == 30 and "HX-Refresh" not in status

    beat(seconds_ago=5)  # an administrator started it
    status = client.get(reverse("pictures:status", args=[week]), {"waited": 30})
    assert WORKER_MISSING not in status.content.decode()
    assert "Beräkning: I kö" in status.content.decode()
