"""Analysis runs: when to compute, running one, and finding the results a page should show.

A run is requested when incidents change or a page finds its stored results stale, and is
executed by a background task (`tasks.py`) or the `run_analysis` command. A partnership has
at most one queued run per period, so a burst of reports queues one run, not hundreds.

A run holds a lease: from its queueing until a worker claims it, then renewed by the worker
(`Lease`) while it computes. A run whose lease ran out was lost with its worker (kill -9,
a crash, a restart): it no longer counts as active, is marked failed and is queued again,
so a page never waits on a dead run.
"""

import hashlib
import logging
import threading
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from lagesbild.dataprotection.versions import removals_version
from lagesbild.incidents import coverage, weeks
from lagesbild.incidents.models import Incident, IncidentChange
from lagesbild.partnerships.models import Partnership
from lagesbild.pictures.compute import compute_week
from lagesbild.pictures.models import AnalysisRun, PeriodKind

log = logging.getLogger(__name__)
ACTIVE = (AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING)


def data_version(partnership) -> str:
    """A fingerprint of the partnership's incidents: it changes with every new report and
    every review (each writes an IncidentChange), with the coverage start the coordinator
    sets, and with every erasure and retention run that moved points (`removals_version`:
    those change figures without writing history). So the highest ids are enough and all
    are index look-ups, not counts."""
    last_incident = Incident.objects.filter(partnership=partnership).aggregate(last=Max("id"))
    last_change = IncidentChange.objects.filter(incident__partnership=partnership).aggregate(
        last=Max("id")
    )
    raw = (
        f"{last_incident['last']}:{last_change['last']}:{partnership.geography_version}"
        f":{removals_version(partnership)}:{partnership.coverage_start}"
    )
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
    """The queued or running run of the period whose lease still holds."""
    return AnalysisRun.objects.filter(
        partnership=partnership,
        period_kind=kind,
        period=period,
        status__in=ACTIVE,
        lease_expires_at__gt=timezone.now(),
    ).first()


# The error of a run given up because its worker stopped; such a run is redone.
LEASE_LOST = "The run's lease ran out: its worker stopped before it finished. Redone."


def failed_run(partnership, period: str, kind: str = PeriodKind.WEEK) -> AnalysisRun | None:
    """The period's newest run if its computation failed with an error (not a run given up
    for a lost worker, which is redone): asking for it again would only fail again."""
    newest = (
        AnalysisRun.objects.filter(partnership=partnership, period_kind=kind, period=period)
        .order_by("-id")
        .first()
    )
    if newest is not None and newest.status == AnalysisRun.Status.FAILED:
        return None if newest.error == LEASE_LOST else newest
    return None


def _expired() -> Q:
    # No lease at all: a run from before leases existed, as dead as an expired one.
    return Q(status__in=ACTIVE) & (
        Q(lease_expires_at__lte=timezone.now()) | Q(lease_expires_at__isnull=True)
    )


def _fail_expired(runs) -> int:
    return runs.filter(_expired()).update(
        status=AnalysisRun.Status.FAILED,
        finished_at=timezone.now(),
        error=LEASE_LOST,
    )


def request_run(
    partnership, period: str, kind: str = PeriodKind.WEEK, *, waiting: bool = False
) -> AnalysisRun:
    """Queue a run for the period unless a live one is already queued or running (a dead
    one is failed first). `waiting`: a person is waiting for it on a page, so it starts
    without the burst delay."""
    with transaction.atomic():
        _fail_expired(
            AnalysisRun.objects.filter(partnership=partnership, period_kind=kind, period=period)
        )
        existing = active_run(partnership, period, kind)
        if existing is not None:
            return existing
        delay = 0 if waiting else settings.ANALYSIS_DELAY_SECONDS
        run = AnalysisRun.objects.create(
            partnership=partnership,
            period_kind=kind,
            period=period,
            lease_expires_at=timezone.now()
            + timedelta(seconds=delay + settings.ANALYSIS_QUEUE_SECONDS),
        )
        transaction.on_commit(lambda: _enqueue(run.pk, delay=delay))
    return run


def redo_expired_runs() -> int:
    """Fail every run whose lease ran out and queue its period again; the number redone.
    The worker calls this now and then, so a lost run is redone even when nobody opens
    its page."""
    lost = list(
        AnalysisRun.objects.filter(_expired())
        .order_by()
        .values_list("partnership", "period", "period_kind")
        .distinct()
    )
    for partnership_id, period, kind in lost:
        partnership = Partnership.objects.get(pk=partnership_id)
        request_run(partnership, period, kind, waiting=True)
    return len(lost)


def _enqueue(run_id: int, delay: int) -> None:
    """Hand the run to the worker, after a short delay where the backend can defer: reports
    arriving meanwhile find this run still queued, so a burst costs one computation."""
    from lagesbild.pictures.tasks import execute_analysis_run

    if delay and execute_analysis_run.get_backend().supports_defer:
        when = timezone.now() + timedelta(seconds=delay)
        execute_analysis_run.using(run_after=when).enqueue(run_id)
    else:
        execute_analysis_run.enqueue(run_id)


def _lease_end():
    return timezone.now() + timedelta(seconds=settings.ANALYSIS_LEASE_SECONDS)


class Lease(threading.Thread):
    """Renews a running run's lease every third of its length until stopped: the worker's
    heartbeat for the run. It has its own database connection (Django's are per thread),
    which it closes when it ends."""

    def __init__(self, run_id: int):
        super().__init__(name=f"lease-{run_id}", daemon=True)
        self.run_id = run_id
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.ANALYSIS_LEASE_SECONDS / 3):
                AnalysisRun.objects.filter(
                    pk=self.run_id, status=AnalysisRun.Status.RUNNING
                ).update(lease_expires_at=_lease_end())
        except Exception:
            # A missed renewal costs at most a repeated run; it must not break this one.
            log.exception("could not renew the lease of analysis run %s", self.run_id)
        finally:
            connection.close()

    def __enter__(self) -> "Lease":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.join()


def execute(run: AnalysisRun) -> AnalysisRun:
    """Compute and store the run's results (or its error), renewing its lease meanwhile."""
    claimed = AnalysisRun.objects.filter(pk=run.pk, status=AnalysisRun.Status.QUEUED).update(
        status=AnalysisRun.Status.RUNNING, started_at=timezone.now(), lease_expires_at=_lease_end()
    )
    if not claimed:
        return run  # another worker took it, or it was given up and redone
    run.refresh_from_db()
    version = data_version(run.partnership)
    try:
        with Lease(run.pk):
            results = compute_week(run.partnership, weeks.parse(run.period))
    except Exception:
        log.exception("analysis run %s failed", run.pk)
        run.status, run.error = AnalysisRun.Status.FAILED, traceback.format_exc()[-4000:]
    else:
        # Stored even if the lease ran out meanwhile (a worker starved of CPU): the results
        # are good, and the run queued in its place finds them fresh.
        run.status, run.results = AnalysisRun.Status.DONE, results
    run.data_version = version
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "results", "error", "data_version", "finished_at"])
    return run


def run_now(partnership, period: str) -> AnalysisRun:
    """Queue and execute a run in this process (management command, tests)."""
    run = AnalysisRun.objects.create(
        partnership=partnership,
        period_kind=PeriodKind.WEEK,
        period=period,
        lease_expires_at=_lease_end(),
    )
    return execute(run)


def analyse_weeks(partnership, first: int, last: int) -> list[AnalysisRun]:
    """Compute the weeks from `first` to `last` (YYYYWW codes) one after another in this
    process: the one job that analyses an imported history, instead of a run per week."""
    done = []
    week = first
    while week <= last:
        done.append(run_now(partnership, weeks.iso(week)))
        week = weeks.shift(week, 1)
    return done


def request_weeks(partnership, first: int, last: int) -> None:
    """Queue one background job for a range of weeks (after an import); a single week goes
    the ordinary way, sharing a run already queued."""
    if first == last:
        request_run(partnership, weeks.iso(first))
        return
    from lagesbild.pictures.tasks import execute_week_range

    execute_week_range.enqueue(partnership.pk, first, last)


def is_stale(run: AnalysisRun | None, partnership) -> bool:
    """No run, incidents changed since, or a run of a week then in progress that has ended
    since (its expected counts and flags were withheld and are due now)."""
    if run is None or run.data_version != data_version(partnership):
        return True
    if run.results.get("complete") is False:
        return coverage.week_state(partnership, weeks.parse(run.period)).complete
    return False
