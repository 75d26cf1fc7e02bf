"""Analysis runs: when to compute, running one, and finding the results a page should show.

A run is requested when incidents change or a page finds its stored results stale, and is
executed by a background task (`tasks.py`) or the `run_analysis` command. A partnership has
at most one queued run per period, so a burst of reports queues one run, not hundreds.
"""

import hashlib
import logging
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident, IncidentChange
from lagesbild.pictures.compute import compute_week
from lagesbild.pictures.models import AnalysisRun, PeriodKind

log = logging.getLogger(__name__)
ACTIVE = (AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING)


def data_version(partnership) -> str:
    """A fingerprint of the partnership's incidents: it changes with every new report and
    every review (each writes an IncidentChange). Incidents are never deleted, so the
    highest ids are enough and both are index look-ups, not counts."""
    last_incident = Incident.objects.filter(partnership=partnership).aggregate(last=Max("id"))
    last_change = IncidentChange.objects.filter(incident__partnership=partnership).aggregate(
        last=Max("id")
    )
    raw = f"{last_incident['last']}:{last_change['last']}:{partnership.geography_version}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def latest_run(partnership, period: str, kind: str = PeriodKind.WEEK) -> AnalysisRun | None:
    """The newest finished run of the period."""
    return (
        AnalysisRun.objects.filter(
            partnership=partnership, period_kind=kind, period=period, status=AnalysisRun.Status.DONE
        )
        .order_by("-finished_at", "-id")
        .first()
    )


def active_run(partnership, period: str, kind: str = PeriodKind.WEEK) -> AnalysisRun | None:
    return AnalysisRun.objects.filter(
        partnership=partnership, period_kind=kind, period=period, status__in=ACTIVE
    ).first()


def request_run(
    partnership, period: str, kind: str = PeriodKind.WEEK, *, waiting: bool = False
) -> AnalysisRun:
    """Queue a run for the period unless one is already queued or running. `waiting`: a
    person is waiting for it on a page, so it starts without the burst delay."""
    with transaction.atomic():
        existing = active_run(partnership, period, kind)
        if existing is not None:
            return existing
        run = AnalysisRun.objects.create(partnership=partnership, period_kind=kind, period=period)
        transaction.on_commit(lambda: _enqueue(run.pk, delay=0 if waiting else None))
    return run


def _enqueue(run_id: int, delay: int | None = None) -> None:
    """Hand the run to the worker, after a short delay where the backend can defer: reports
    arriving meanwhile find this run still queued, so a burst costs one computation."""
    from lagesbild.pictures.tasks import execute_analysis_run

    delay = settings.ANALYSIS_DELAY_SECONDS if delay is None else delay
    if delay and execute_analysis_run.get_backend().supports_defer:
        when = timezone.now() + timedelta(seconds=delay)
        execute_analysis_run.using(run_after=when).enqueue(run_id)
    else:
        execute_analysis_run.enqueue(run_id)


def execute(run: AnalysisRun) -> AnalysisRun:
    """Compute and store the run's results (or its error)."""
    claimed = AnalysisRun.objects.filter(pk=run.pk, status=AnalysisRun.Status.QUEUED).update(
        status=AnalysisRun.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return run  # another worker took it
    run.refresh_from_db()
    version = data_version(run.partnership)
    try:
        results = compute_week(run.partnership, weeks.parse(run.period))
    except Exception:
        log.exception("analysis run %s failed", run.pk)
        run.status, run.error = AnalysisRun.Status.FAILED, traceback.format_exc()[-4000:]
    else:
        run.status, run.results = AnalysisRun.Status.DONE, results
    run.data_version = version
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "results", "error", "data_version", "finished_at"])
    return run


def run_now(partnership, period: str) -> AnalysisRun:
    """Queue and execute a run in this process (management command, tests)."""
    run = AnalysisRun.objects.create(
        partnership=partnership, period_kind=PeriodKind.WEEK, period=period
    )
    return execute(run)


def is_stale(run: AnalysisRun | None, partnership) -> bool:
    return run is None or run.data_version != data_version(partnership)
