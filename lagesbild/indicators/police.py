"""The built-in indicator "Polisens händelser": the police's public notices counted per area
and week or month, as an indicator beside the others (latest value, change, deviation from
the area's own history), marked with its source, never mixed into the partners' reports.

A coordinator adds it for a partnership that gets notices (one with a municipality code);
its values are counted, never entered: `recount` replaces them from the stored notices after
every import of the feed (policeevents.services.import_records calls it) and when the
indicator is added. Counted are the notices placed in an area (by a place name in the text
or by the feed's own point), in the area and the areas within it; a notice known only at
municipality level is in no area and in no count. Only whole periods the notices cover get a
value, zeros included: from the period after the first stored notice to the last period that
ended before the feed was last read (docs/method/indicators.md). A coordinator may choose the
event types it counts (`police_event_types`, say only "Skadegörelse" and "Misshandel"); with
none chosen it counts every type.
"""

from collections import Counter
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lagesbild.geography.models import Area
from lagesbild.indicators import periods, services
from lagesbild.indicators.models import Indicator, IndicatorValue
from lagesbild.partnerships.models import Partnership
from lagesbild.policeevents.models import PoliceEvent
from lagesbild.policeevents.queries import coverage_of

# Stored as the indicator's data (like any coordinator's wording), so not translated.
NAME = "Polisens händelser"
UNIT = "händelser"
SOURCE = "Polisen (öppna händelser)"
DESCRIPTION = (
    "Polisens öppna händelsenotiser som placerats i ett område, räknade per period. Notiser "
    "som bara anger kommunen räknas inte. Räknas om vid varje hämtning."
)
PERIODS = (Indicator.Period.WEEK, Indicator.Period.MONTH)
POLICE = Indicator.CountedFrom.POLICE_EVENTS


def can_add(partnership: Partnership) -> bool:
    """Whether the partnership may add the indicator: it gets notices and has none yet."""
    return bool(partnership.municipality_code) and not (
        Indicator.objects.filter(partnership=partnership, counted_from=POLICE).exists()
    )


@transaction.atomic
def add_indicator(
    *,
    actor,
    partnership: Partnership,
    period: str,
    event_types: list[str] | None = None,
    request=None,
) -> Indicator:
    """Add the partnership's police indicator, counted per `period` (week or month) and of
    the chosen `event_types` (none: every type), and count its values at once."""
    if period not in PERIODS:
        raise ValidationError({"period": _("Välj vecka eller månad.")})
    if not partnership.municipality_code:
        raise ValidationError(
            _("Samverkan har ingen kommunkod och får därför inga notiser från polisen.")
        )
    if not can_add(partnership):
        raise ValidationError(_("Samverkan har redan indikatorn Polisens händelser."))
    indicator = services.define_indicator(
        actor=actor,
        partnership=partnership,
        request=request,
        name=NAME,
        unit=UNIT,
        period=period,
        scale=Indicator.Scale.COUNT,
        direction=Indicator.Direction.HIGHER_WORSE,
        source=SOURCE,
        description=DESCRIPTION,
        visibility=Indicator.Visibility.MEMBERS,
        active=True,
        measures_population=False,
        need_weight=0,
        counted_from=POLICE,
        police_event_types=event_types or [],
    )
    recount(partnership)
    return indicator


def counted_types(indicator: Indicator) -> str:
    """Which event types the police indicator counts, as its page says it."""
    if not indicator.police_event_types:
        return _("Räknar alla händelsetyper")
    return _("Räknar: %(types)s") % {"types": ", ".join(indicator.police_event_types)}


def recount(partnership: Partnership, now: datetime | None = None) -> int:
    """Replace the values of the partnership's police indicator (if it has one) with the
    counts of its stored notices; the number of values created, changed or removed."""
    indicator = Indicator.objects.filter(partnership=partnership, counted_from=POLICE).first()
    if indicator is None:
        return 0
    zone = ZoneInfo(partnership.time_zone)
    starts = _covered_periods(partnership, indicator.period, zone)
    wanted = _counts(partnership, indicator, zone, starts)
    return _replace(indicator, wanted, now or timezone.now())


def _covered_periods(partnership, kind: str, zone: ZoneInfo) -> list[date]:
    """The whole periods the notices cover (policeevents.queries.coverage_of): after the first
    notice's period, up to the last one ended when the feed was last read."""
    covered = coverage_of(PoliceEvent.objects.filter(partnership=partnership))
    if covered.first is None:
        return []
    first = periods.shift(kind, periods.start(kind, covered.first.astimezone(zone).date()), 1)
    starts = []
    start = first
    while datetime.combine(periods.shift(kind, start, 1), time.min, zone) <= covered.until:
        starts.append(start)
        start = periods.shift(kind, start, 1)
    return starts


def _counts(partnership, indicator, zone, starts: list[date]) -> dict[tuple[int, date], int]:
    """(area id, period start) to the notices of the chosen types placed in the area or an
    area within it, for every active area and covered period (zero where there were none)."""
    kind = indicator.period
    if not starts:
        return {}
    parents = dict(Area.objects.filter(partnership=partnership).values_list("pk", "parent_id"))
    active = list(
        Area.objects.filter(partnership=partnership, active=True).values_list("pk", flat=True)
    )
    low = datetime.combine(starts[0], time.min, zone)
    high = datetime.combine(periods.shift(kind, starts[-1], 1), time.min, zone)
    placed = PoliceEvent.objects.filter(
        partnership=partnership, area__isnull=False, occurred_at__gte=low, occurred_at__lt=high
    )
    if indicator.police_event_types:
        placed = placed.filter(event_type__in=indicator.police_event_types)
    placed = placed.values_list("area_id", "occurred_at")
    found = Counter()
    for area_id, occurred in placed:
        start = periods.start(kind, occurred.astimezone(zone).date())
        while area_id is not None:  # the area and every area it lies within
            found[(area_id, start)] += 1
            area_id = parents.get(area_id)
    return {(area, start): found[(area, start)] for area in active for start in starts}


@transaction.atomic
def _replace(indicator: Indicator, wanted: dict, now: datetime) -> int:
    existing = {
        (v.area_id, v.period_start): v
        for v in IndicatorValue.objects.select_for_update().filter(indicator=indicator)
    }
    new = [
        IndicatorValue(
            indicator=indicator,
            area_id=area,
            period_kind=indicator.period,
            period_start=start,
            value=count,
            source_note=SOURCE,
            entered_at=now,
        )
        for (area, start), count in wanted.items()
        if (area, start) not in existing
    ]
    changed = []
    for key, value in existing.items():
        if key in wanted and value.value != wanted[key]:
            value.value, value.entered_at = wanted[key], now
            changed.append(value)
    gone = [v.pk for key, v in existing.items() if key not in wanted]
    IndicatorValue.objects.bulk_create(new, batch_size=1000)
    IndicatorValue.objects.bulk_update(changed, ["value", "entered_at"], batch_size=1000)
    IndicatorValue.objects.filter(pk__in=gone).delete()
    return len(new) + len(changed) + len(gone)
