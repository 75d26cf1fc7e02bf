"""Retention: a partnership's schedule for how long detail is kept, its preview and its runs.

Three independent periods, each counted in whole months back from the day of the run:

- free text: an incident that happened before the limit loses its description, its rejection
  reason and the reasons in its history (and the copies of those in the audit trail);
- exact points: an incident that happened before the limit is moved to its area's centre
  (a point inside the area, so the incident stays in its area; its place, a named public
  spot, stays);
- audit addresses: audit entries written before the limit lose their IP address and user
  agent (who did what, when, stays).

Everything else stays: the incident's category, area, week, severity and status, and every
approved picture, which is a frozen snapshot with its own figures. A run changes only what is
not yet changed, so running twice changes nothing the second time. Every run is logged
(`RetentionRun`) and audited. The worker applies the schedules once a day
(`enqueue_due_runs`, from its heartbeat); `manage.py apply_retention` does it by hand.

Once a day too, for the whole installation: audit entries outside partnerships lose their
addresses after AUDIT_ADDRESS_MONTHS, and the log of calls to the police's feed is kept for
90 days (`policeevents.polling.forget_old_calls`).
"""

import calendar
import logging
import traceback
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape

from lagesbild.audit.models import Entry
from lagesbild.audit.record import record
from lagesbild.dataprotection import scrub
from lagesbild.dataprotection.models import RetentionPolicy, RetentionRun
from lagesbild.geography.models import Area
from lagesbild.incidents.models import Incident, IncidentChange
from lagesbild.partnerships.models import Partnership
from lagesbild.policeevents import polling

log = logging.getLogger(__name__)

PERIODS = ("text_months", "point_months", "audit_address_months")
# The longest period a schedule may name: ten years.
MAX_MONTHS = 120


@dataclass(frozen=True)
class Schedule:
    """The three periods in months; None keeps that detail."""

    text_months: int | None = None
    point_months: int | None = None
    audit_address_months: int | None = None

    @classmethod
    def of(cls, policy: RetentionPolicy | None) -> "Schedule":
        if policy is None:
            return cls()
        return cls(**{name: getattr(policy, name) for name in PERIODS})

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in PERIODS}

    @property
    def keeps_everything(self) -> bool:
        return all(value is None for value in self.as_dict().values())


@dataclass(frozen=True)
class Changes:
    """What a run changes (or, in a preview, would change)."""

    texts_removed: int = 0
    points_coarsened: int = 0
    audit_addresses_removed: int = 0


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` whole months earlier (the 31st becomes the month's last
    day where the month is shorter)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _start_of_day(partnership: Partnership, now: datetime) -> datetime:
    """Midnight of the run's day where the partnership is: every limit falls on a whole day,
    so a run early or late in the day changes the same incidents."""
    zone = ZoneInfo(partnership.time_zone)
    return datetime.combine(timezone.localdate(now, zone), time(), tzinfo=zone)


def schedule_of(partnership: Partnership) -> Schedule:
    return Schedule.of(RetentionPolicy.objects.filter(partnership=partnership).first())


def check_schedule(schedule: Schedule) -> None:
    for name, value in schedule.as_dict().items():
        if value is not None and not 1 <= value <= MAX_MONTHS:
            raise ValidationError(
                {name: _("Ange 1–%(max)s månader, eller lämna tomt.") % {"max": MAX_MONTHS}}
            )


# --- what a schedule touches -------------------------------------------------------------


def _with_text(partnership: Partnership, limit: datetime) -> QuerySet[Incident]:
    """Incidents before the limit that still hold free text, in a field or in a history
    reason."""
    reason_left = IncidentChange.objects.filter(incident=OuterRef("pk")).exclude(reason="")
    return Incident.objects.filter(partnership=partnership, occurred_at__lt=limit).filter(
        ~Q(description="") | ~Q(rejection_reason="") | Exists(reason_left)
    )


def _area_centres(partnership: Partnership) -> list[tuple[int, float, float]]:
    """(area id, lon, lat) of each area's centre: a point inside it (shapely's representative
    point, which for a convex area lies near its middle), so locating the moved point finds
    the same area."""
    centres = []
    for pk, geometry in Area.objects.filter(partnership=partnership).values_list("pk", "geometry"):
        point = shape(geometry).representative_point()
        centres.append((pk, point.x, point.y))
    return centres


def _exact_points(partnership, limit, centres) -> list[QuerySet[Incident]]:
    """Per area, the incidents before the limit that are not at the area's centre yet."""
    before = Incident.objects.filter(partnership=partnership, occurred_at__lt=limit)
    return [before.filter(area_id=pk).exclude(lon=lon, lat=lat) for pk, lon, lat in centres]


def _with_address(partnership: Partnership | None, limit: datetime) -> QuerySet[Entry]:
    return Entry.objects.filter(partnership=partnership, at__lt=limit).exclude(
        ip_address__isnull=True, user_agent=""
    )


def preview(partnership: Partnership, schedule: Schedule, now: datetime | None = None) -> Changes:
    """What applying `schedule` today would change, without changing anything."""
    check_schedule(schedule)
    today = _start_of_day(partnership, now or timezone.now())
    texts = points = addresses = 0
    if schedule.text_months is not None:
        texts = _with_text(partnership, months_before(today, schedule.text_months)).count()
    if schedule.point_months is not None:
        limit = months_before(today, schedule.point_months)
        points = sum(
            q.count() for q in _exact_points(partnership, limit, _area_centres(partnership))
        )
    if schedule.audit_address_months is not None:
        limit = months_before(today, schedule.audit_address_months)
        addresses = _with_address(partnership, limit).count()
    return Changes(texts, points, addresses)


# --- setting the schedule ----------------------------------------------------------------


@transaction.atomic
def save_schedule(
    *, actor, partnership: Partnership, schedule: Schedule, request=None
) -> RetentionPolicy:
    """Store the partnership's schedule (audited with the old and new periods)."""
    check_schedule(schedule)
    policy, _created = RetentionPolicy.objects.get_or_create(partnership=partnership)
    old = Schedule.of(policy).as_dict()
    for name, value in schedule.as_dict().items():
        setattr(policy, name, value)
    policy.updated_by = actor
    policy.save()
    record(
        actor=actor,
        action="retention.schedule",
        partnership=partnership,
        obj=policy,
        request=request,
        old=old,
        new=schedule.as_dict(),
    )
    return policy


# --- running it --------------------------------------------------------------------------


def _apply(partnership: Partnership, schedule: Schedule, today: datetime) -> Changes:
    texts = points = addresses = 0
    if schedule.text_months is not None:
        texts = _remove_texts(partnership, months_before(today, schedule.text_months))
    if schedule.point_months is not None:
        limit = months_before(today, schedule.point_months)
        centres = _area_centres(partnership)
        for (_pk, lon, lat), queryset in zip(
            centres, _exact_points(partnership, limit, centres), strict=True
        ):
            points += queryset.update(lon=lon, lat=lat)
    if schedule.audit_address_months is not None:
        limit = months_before(today, schedule.audit_address_months)
        addresses = _with_address(partnership, limit).update(ip_address=None, user_agent="")
    return Changes(texts, points, addresses)


def _remove_texts(partnership: Partnership, limit: datetime) -> int:
    """Empty the free text of the incidents before the limit, the reasons in their history
    and the copies of those in the audit entries the incident services wrote about them:
    four statements whatever the number of incidents. Returns the incidents that had text."""
    count = _with_text(partnership, limit).count()
    if not count:
        return 0
    old = Incident.objects.filter(partnership=partnership, occurred_at__lt=limit)
    old.exclude(description="", rejection_reason="").update(description="", rejection_reason="")
    IncidentChange.objects.filter(incident__in=old).exclude(reason="").update(reason="")
    ids_as_text = old.annotate(as_text=Cast("pk", CharField())).values("as_text")
    Entry.objects.filter(
        partnership=partnership,
        object_type="incident",
        action__in=scrub.INCIDENT_ACTIONS,
        object_id__in=ids_as_text,
    ).exclude(summary="").update(summary="")
    return count


def claim_run(partnership: Partnership, trigger: str, now: datetime | None = None):
    """The run's log row, created before any change so a run that fails is logged too; for
    a scheduled run None when today's is claimed already (another worker, an earlier beat)."""
    now = now or timezone.now()
    schedule = schedule_of(partnership)
    day = _start_of_day(partnership, now).date()
    try:
        with transaction.atomic():
            return RetentionRun.objects.create(
                partnership=partnership, trigger=trigger, day=day, policy=schedule.as_dict()
            )
    except IntegrityError:
        if trigger == RetentionRun.Trigger.SCHEDULED:
            return None
        raise


def execute(run: RetentionRun, now: datetime | None = None) -> RetentionRun:
    """Apply the schedule the run was claimed with, in one transaction; the counts (or the
    error) go on the run's row and into the audit trail."""
    partnership = run.partnership
    schedule = Schedule(**run.policy)
    today = _start_of_day(partnership, now or timezone.now())
    try:
        with transaction.atomic():
            changes = _apply(partnership, schedule, today)
            run.texts_removed = changes.texts_removed
            run.points_coarsened = changes.points_coarsened
            run.audit_addresses_removed = changes.audit_addresses_removed
            run.finished_at = timezone.now()
            run.save()
            record(
                actor=None,
                action="retention.run",
                partnership=partnership,
                obj=run,
                texts_removed=changes.texts_removed,
                points_coarsened=changes.points_coarsened,
                audit_addresses_removed=changes.audit_addresses_removed,
            )
    except Exception:
        run.error = traceback.format_exc()[-4000:]
        run.finished_at = timezone.now()
        run.save(update_fields=["error", "finished_at"])
        raise
    # Moved points move old weeks' hot spots: the run itself is part of the analysis'
    # data fingerprint (versions.py), so a picture page recomputes when it is next opened.
    log.info("retention run %s for %s: %s", run.pk, partnership, changes)
    return run


def run_now(partnership: Partnership, trigger: str = RetentionRun.Trigger.COMMAND, now=None):
    """Claim and execute a run at once (the command)."""
    run = claim_run(partnership, trigger, now)
    return execute(run, now) if run is not None else None


# --- the daily schedule ------------------------------------------------------------------


def _scheduled_partnerships() -> QuerySet[Partnership]:
    """Partnerships whose schedule removes anything."""
    some = Q()
    for name in PERIODS:
        some |= Q(**{f"retention_policy__{name}__isnull": False})
    return Partnership.objects.filter(some)


# The day this process last removed old addresses outside partnerships and old calls to the
# police's feed (once a day is enough).
_installation_day = None


def enqueue_due_runs(now: datetime | None = None) -> int:
    """Claim today's run for every partnership with a schedule, once its local time has
    passed RETENTION_HOUR, and hand each to the worker. Called from the worker's heartbeat,
    so it is cheap when nothing is due (two queries). Returns the runs queued."""
    from lagesbild.dataprotection.tasks import execute_retention_run

    global _installation_day
    now = now or timezone.now()
    if _installation_day != now.date():
        _installation_day = now.date()
        remove_old_installation_addresses(now)
        polling.forget_old_calls(now)
    candidates = list(_scheduled_partnerships())
    if not candidates:
        return 0
    claimed = set(
        RetentionRun.objects.filter(
            trigger=RetentionRun.Trigger.SCHEDULED,
            partnership__in=candidates,
            day__gte=(now - timedelta(days=2)).date(),
        ).values_list("partnership_id", "day")
    )
    queued = 0
    for partnership in candidates:
        local = now.astimezone(ZoneInfo(partnership.time_zone))
        if local.hour < settings.RETENTION_HOUR or (partnership.pk, local.date()) in claimed:
            continue
        run = claim_run(partnership, RetentionRun.Trigger.SCHEDULED, now)
        if run is not None:
            transaction.on_commit(lambda pk=run.pk: execute_retention_run.enqueue(pk))
            queued += 1
    return queued


def remove_old_installation_addresses(now: datetime | None = None) -> int:
    """Audit entries outside any partnership (logins, lockouts) lose their IP address and
    user agent after AUDIT_ADDRESS_MONTHS (0: kept). Returns the entries changed."""
    months = settings.AUDIT_ADDRESS_MONTHS
    if not months:
        return 0
    limit = months_before(now or timezone.now(), months)
    return _with_address(None, limit).update(ip_address=None, user_agent="")
