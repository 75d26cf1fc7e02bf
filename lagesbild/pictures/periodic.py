"""Periodic pictures (quarter, tertial, year): areas ranked by need with trend and
uncertainty, the group's view of what can be influenced, and each category group's
development against the same period a year earlier.

Counts come from one grouped query, by month within the period and by whole period before
it, with each incident's month read against local midnights in the database: the page
computes on request at any size without a stored analysis.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.db.models import Case, Count, IntegerField, Value, When
from django.utils.translation import gettext as _
from scipy import stats

from analysis.ranking import rank_areas
from lagesbild.incidents import coverage
from lagesbild.incidents.models import Incident
from lagesbild.incidents.queries import COUNTED
from lagesbild.indicators import population
from lagesbild.pictures.inputs import Layout
from lagesbild.pictures.models import Assessment
from lagesbild.pictures.need import combined_need
from lagesbild.pictures.periods import Period, today_for

TREND_PERIODS = 4  # the trend is read over this many periods ending with the chosen one
# A period counts as reported through when the coverage began within its first week.
GRACE_DAYS = 7


def _local_midnight(partnership, day: date) -> datetime:
    """The moment `day` begins in the partnership's time zone."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(partnership.time_zone))


def _occurred_between(partnership, first: date, end: date):
    """Incidents that occurred from local day `first` up to (not including) `end`.

    Bounds are moments, not dates: comparing occurred_at with them uses the incident's
    index, where a local-date cast of every row cannot (and costs a Python call per row on
    SQLite)."""
    return Incident.objects.filter(
        partnership=partnership,
        occurred_at__gte=_local_midnight(partnership, first),
        occurred_at__lt=_local_midnight(partnership, end),
    )


def _counts_by_span(partnership, layout: Layout, starts: list[date], end: date) -> np.ndarray:
    """areas x leaf categories x spans of counted incidents, from one grouped query: span k
    runs from the local day starts[k] up to starts[k + 1] (the last one up to `end`).

    The database reads each incident's span against the spans' ends (a CASE), so no row
    leaves it and no date function runs per row; the fewer the spans, the cheaper."""
    categories = layout.leaf_categories
    column = {c.pk: j for j, c in enumerate(categories)}
    cube = np.zeros((len(layout.areas), len(categories), len(starts)), dtype=np.int64)
    ends = [_local_midnight(partnership, day) for day in [*starts[1:], end]]
    span = Case(
        *(When(occurred_at__lt=moment, then=Value(k)) for k, moment in enumerate(ends)),
        output_field=IntegerField(),
    )
    rows = (
        _occurred_between(partnership, starts[0], end)
        .filter(status__in=COUNTED)
        .annotate(span=span)
        .values_list("span", "area_id", "category_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for k, area_id, category_id, n in rows:
        a, c = layout.area_row.get(area_id), column.get(category_id)
        if a is not None and c is not None:
            cube[a, c, k] += n
    return cube


def _ratio_interval(now: int, before: int, level: float = 0.95) -> tuple:
    """Rate ratio now/before with an exact interval conditional on the total (binomial)."""
    total = now + before
    if before == 0 or total == 0:
        return None, None, None
    alpha = 1 - level
    low = stats.beta.ppf(alpha / 2, now, before + 1) if now > 0 else 0.0
    high = stats.beta.ppf(1 - alpha / 2, now + 1, before)
    return now / before, low / (1 - low), high / (1 - high)


def period_state(period: Period, today: date) -> str:
    """complete, in_progress or future (coverage's words for weeks)."""
    if today >= period.shift(1).first_month:
        return coverage.COMPLETE
    if today < period.first_month:
        return coverage.FUTURE
    return coverage.IN_PROGRESS


def is_covered(period: Period, start: date | None) -> bool:
    """Whether the partnership reported through the whole period: its coverage began by
    the end of the period's first week (a first report on 3 January covers the year)."""
    return start is not None and start <= period.first_month + timedelta(days=GRACE_DAYS)


def compute_period(
    partnership, period: Period, today: date | None = None, *, with_incident_ids: bool = True
) -> dict:
    """The figures of a periodic picture (small enough to compute on request).

    Only periods the partnership reported through count in the trend and the comparison
    with the year before; a period before the coverage start is unknown, not zero (a year
    of zeros before the first report made a +513 % "säker förändring"). A period still in
    progress is ranked on its counts so far, without trend or comparison.

    `with_incident_ids`: include the ids of the counted incidents, which an approved version
    freezes and the next version compares with. The page and its Excel file show none of
    them, and a year of a large partnership has tens of thousands: they leave them out."""
    today = today or today_for(partnership)
    state = period_state(period, today)
    start = coverage.coverage_start(partnership)
    layout = Layout.for_partnership(partnership)
    periods = [period.shift(k - TREND_PERIODS + 1) for k in range(TREND_PERIODS)]
    covered = [k for k, p in enumerate(periods) if is_covered(p, start)]
    # The trend reads whole, covered periods in a row ending with this one.
    if state != coverage.COMPLETE:
        trend_reason = _("perioden pågår")
        trend_from = TREND_PERIODS - 1
    elif len(covered) < TREND_PERIODS:
        trend_reason = _("för kort historik")
        trend_from = TREND_PERIODS - 1
    else:
        trend_reason = ""
        trend_from = 0
    before = period.shift(-12 // period.months)
    if state != coverage.COMPLETE:
        comparison_reason = _("perioden pågår")
    elif not is_covered(before, start):
        comparison_reason = _("för kort historik")
    else:
        comparison_reason = ""
    month_dates = [_add_months(period.first_month, k) for k in range(period.months)]
    # One grouped query counts just the spans the picture reads: each month of the period,
    # each earlier period of the trend, and the same period a year before when compared.
    end = period.shift(1).first_month
    compared = [] if comparison_reason else [before.first_month, before.shift(1).first_month]
    starts = sorted(
        {*(p.first_month for p in periods[trend_from:]), *month_dates, *compared} - {end}
    )
    counts = _counts_by_span(partnership, layout, starts, end)

    def between(first: date, last: date) -> np.ndarray:
        return counts[:, :, [k for k, day in enumerate(starts) if first <= day < last]]

    by_period = np.stack(
        [between(p.first_month, p.shift(1).first_month).sum(2) for p in periods[trend_from:]],
        axis=2,
    )
    year_before = None if comparison_reason else between(*compared)
    weights = np.array([c.weight for c in layout.leaf_categories], dtype=float)
    people = population.for_year(partnership, layout.areas, period.first_month.year)
    inhabitants = np.array([people[a.pk].people or 0 for a in layout.areas], dtype=float)
    ranking = rank_areas(
        by_period,
        weights,
        inhabitants if inhabitants.all() else None,
        index_periods=1,
    )
    # Months before the coverage start or not yet begun are unknown, not zeros.
    known_months = [
        start is not None and _add_months(m, 1) > start and m <= today for m in month_dates
    ]
    content = {
        "period_kind": period.kind,
        "period": str(period),
        "label": period.label(),
        "partnership": partnership.name,
        "in_progress": state == coverage.IN_PROGRESS,
        "covered": is_covered(period, start),
        "covered_from": start.isoformat() if start else None,
        "unreviewed": _unreviewed(partnership, period),
        "unreviewed_counted": Incident.Status.NEW in COUNTED,
        "basis": ranking.basis,
        # The years whose population the figures per 1,000 inhabitants use.
        "population_years": sorted({p.year for p in people.values() if p.year}),
        "trend_periods": [str(periods[k]) for k in range(trend_from, TREND_PERIODS)],
        "trend_reason": trend_reason,
        "comparison_reason": comparison_reason,
        "ranking": [_ranked(layout, ranking, i, trend_reason) for i in ranking.order],
        "groups": _development(
            layout, between(period.first_month, end), year_before, known_months, comparison_reason
        ),
        "scale": partnership.assessment_scale,
        "influence": _influence(partnership, period),
    }
    content["need"] = combined_need(partnership, period.last_day, content["ranking"], ranking.basis)
    if with_incident_ids:
        content["incident_ids"] = _incident_ids(partnership, period)
    return content


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    return date(day.year + year, month + 1, 1)


def _unreviewed(partnership, period: Period) -> int:
    return (
        _occurred_between(partnership, period.first_month, period.shift(1).first_month)
        .filter(status=Incident.Status.NEW)
        .count()
    )


def _incident_ids(partnership, period: Period) -> list[int]:
    return list(
        _occurred_between(partnership, period.first_month, period.shift(1).first_month)
        .filter(status__in=COUNTED)
        .order_by("id")
        .values_list("id", flat=True)
    )


def _number(value):
    value = float(value)
    return None if np.isnan(value) else round(value, 3)


def _ranked(layout: Layout, ranking, i: int, trend_reason: str) -> dict:
    area = layout.areas[i]
    if trend_reason:
        reason = trend_reason
    elif not ranking.trend_estimable[i]:
        reason = _("för få händelser")
    else:
        reason = ""
    return {
        "trend_reason": reason,
        "area": area.pk,
        "name": area.name,
        "index": _number(ranking.index[i]),
        "low": _number(ranking.index_low[i]),
        "high": _number(ranking.index_high[i]),
        "rank": int(ranking.rank[i]),
        "rank_low": int(ranking.rank_low[i]),
        "rank_high": int(ranking.rank_high[i]),
        "events": int(ranking.events[i]),
        "trend": _number(ranking.trend_ratio[i]),
        "trend_low": _number(ranking.trend_low[i]),
        "trend_high": _number(ranking.trend_high[i]),
        "trend_p": _number(ranking.trend_p[i]),
    }


def _development(
    layout: Layout, now: np.ndarray, before, known_months: list[bool], reason: str
) -> list[dict]:
    """Each group's count, the same period a year before (None where the partnership did
    not report through it, or the period is still running: `reason` says which) and the
    count per month (None for a month not covered or not begun)."""
    out = []
    for group in layout.groups:
        members = [
            j for j, c in enumerate(layout.leaf_categories) if (c.parent_id or c.pk) == group.pk
        ]
        a = int(now[:, members].sum())
        b = int(before[:, members].sum()) if before is not None else None
        ratio, low, high = _ratio_interval(a, b) if b is not None else (None, None, None)
        monthly = now[:, members].sum(axis=(0, 1))
        out.append(
            {
                "group": group.pk,
                "name": group.name,
                "now": a,
                "year_before": b,
                "ratio": _number(ratio) if ratio is not None else None,
                "low": _number(low) if low is not None else None,
                "high": _number(high) if high is not None else None,
                "reason": reason,
                "monthly": [
                    int(v) if known else None
                    for v, known in zip(monthly, known_months, strict=True)
                ],
            }
        )
    return out


def _influence(partnership, period: Period) -> dict:
    rows = Assessment.objects.filter(
        partnership=partnership, period_kind=period.kind, period=str(period)
    )
    return {str(a.area_id): {"level": a.level, "comment": a.comment} for a in rows}


INFLUENCE_SCALE = [
    {"level": 1, "name": "Liten"},
    {"level": 2, "name": "Viss"},
    {"level": 3, "name": "God"},
    {"level": 4, "name": "Stor"},
]


def influence_text(level: int | None) -> str:
    """The group's judgement of what can be influenced, '3 God'; '' for an area not judged."""
    names = {s["level"]: s["name"] for s in INFLUENCE_SCALE}
    return f"{level} {names.get(level, '')}" if level else ""


def need_influence_chart(content: dict, width: int = 560, height: int = 360) -> dict:
    """Points of the need-versus-influence chart: x the need index, y the group's view of
    the possibility to influence (areas not yet judged are listed beside the chart)."""
    ranked = content["ranking"]
    top = max((r["index"] or 0 for r in ranked), default=0) or 1
    left, bottom = 48, height - 40
    points, unjudged = [], []
    for r in ranked:
        judged = content["influence"].get(str(r["area"]), {}).get("level")
        if not judged:
            unjudged.append(r["name"])
            continue
        x = left + (r["index"] or 0) / top * (width - left - 20)
        y = bottom - (judged - 0.5) / 4 * (bottom - 20)
        points.append(
            {
                "x": round(x, 1),
                "y": round(y, 1),
                "name": r["name"],
                "index": r["index"],
                "level": judged,
            }
        )
    return {
        "width": width,
        "height": height,
        "left": left,
        "bottom": bottom,
        "mid_x": round(left + (width - left - 20) / 2, 1),
        "mid_y": round(bottom - (bottom - 20) / 2, 1),
        "points": points,
        "unjudged": unjudged,
    }
