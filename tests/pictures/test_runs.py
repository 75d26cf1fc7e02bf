"""Analysis runs and their leases: a run whose worker died never counts as under way."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.pictures import runs
from lagesbild.pictures.models import AnalysisRun


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


def test_the_worker_redoes_lost_runs_without_a_visitor(member_a, week):
    dead = _run(member_a.partnership, week, AnalysisRun.Status.RUNNING, -1)
    assert runs.redo_expired_runs() == 1
    queued = runs.active_run(member_a.partnership, week)
    assert queued is not None and queued.pk != dead.pk
    assert runs.redo_expired_runs() == 0
