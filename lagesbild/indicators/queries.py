"""Scoped reads of indicators for pages and the weekly picture: every query starts from
`access.scoped`, which also hides indicators meant for coordinators and analysts only."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from analysis import indicators as method
from lagesbild.geography.models import Area
from lagesbild.indicators import periods
from lagesbild.indicators.models import Indicator, IndicatorValue
from lagesbild.partnerships.access import get_for_member, scoped


def indicators(membership) -> QuerySet[Indicator]:
    return scoped(Indicator.objects.all(), membership)


def get_indicator(membership, pk) -> Indicator:
    return get_for_member(indicators(membership), membership, pk)


def areas(indicator: Indicator) -> QuerySet[Area]:
    return Area.objects.filter(partnership=indicator.partnership_id, active=True)


@dataclass
class AreaSummary:
    """One area's latest value of an indicator, the change from the period before and how it
    stands against its own history."""

    area: Area
    latest: IndicatorValue | None
    previous: IndicatorValue | None
    deviation: method.Deviation | None

    @property
    def change(self) -> float | None:
        if self.latest is None or self.previous is None:
            return None
        return self.latest.value - self.previous.value


def _point(indicator: Indicator, value: IndicatorValue) -> method.Point:
    year, number = periods.key(indicator.period, value.period_start)
    return method.Point(year, number, value.value, value.sample_size)


def summaries(indicator: Indicator, until: date | None = None) -> list[AreaSummary]:
    """Per active area: the latest value of a period begun by `until` (all, without it),
    the value of the period just before, and the deviation test on the area's history."""
    return _summaries(indicator, list(areas(indicator)), _values([indicator], until))


def picture_summaries(membership, until: date) -> list[tuple[Indicator, list[AreaSummary]]]:
    """`summaries` of every active indicator the member may see, in three queries however
    many indicators there are (the weekly picture's section)."""
    return _all_summaries(list(indicators(membership).filter(active=True)), until)


def approval_summaries(partnership, until: date) -> list[tuple[Indicator, list[AreaSummary]]]:
    """`picture_summaries` of every active indicator of the partnership, whoever may see it:
    what an approved version freezes (snapshot.py filters it for each reader)."""
    items = list(Indicator.objects.filter(partnership=partnership, active=True))
    return _all_summaries(items, until)


def _all_summaries(items: list[Indicator], until: date) -> list:
    if not items:
        return []
    area_list = list(Area.objects.filter(partnership=items[0].partnership_id, active=True))
    values = _values(items, until)
    return [(i, _summaries(i, area_list, values)) for i in items]


def area_summaries(membership, area: Area) -> list[tuple[Indicator, AreaSummary, list]]:
    """Every active indicator the member may see with `area`'s summary and its values,
    oldest first (the area page), in two queries however many indicators there are."""
    items = list(indicators(membership).filter(active=True))
    if not items:
        return []
    values = _values(items, None, area)
    return [(i, _summaries(i, [area], values)[0], values.get((i.pk, area.pk), [])) for i in items]


def need_values(partnership, until: date) -> list[tuple[Indicator, dict[int, IndicatorValue]]]:
    """The active indicators with a need weight (only ones every member sees may have one)
    and each area's latest value of a period begun by `until`, for the periodic picture's
    combined need. By partnership, not member: the picture is the same for every member."""
    items = list(
        Indicator.objects.filter(
            partnership=partnership,
            active=True,
            visibility=Indicator.Visibility.MEMBERS,
            need_weight__gt=0,
        )
    )
    if not items:
        return []
    values = _values(items, until)
    return [
        (i, {area: history[-1] for (owner, area), history in values.items() if owner == i.pk})
        for i in items
    ]


def _values(
    items: list[Indicator], until: date | None, area: Area | None = None
) -> dict[tuple[int, int], list]:
    """Values of `items` up to `until` (of one area, or all), oldest first, by (indicator
    id, area id)."""
    rows = IndicatorValue.objects.filter(indicator__in=items).order_by("period_start")
    if area is not None:
        rows = rows.filter(area=area)
    if until is not None:
        rows = rows.filter(period_start__lte=until)
    grouped = defaultdict(list)
    for value in rows:
        grouped[(value.indicator_id, value.area_id)].append(value)
    return grouped


def _summaries(indicator: Indicator, area_list: list[Area], values: dict) -> list[AreaSummary]:
    result = []
    for area in area_list:
        history = values.get((indicator.pk, area.pk), [])
        if not history:
            result.append(AreaSummary(area, None, None, None))
            continue
        latest = history[-1]
        before = periods.shift(indicator.period, latest.period_start, -1)
        previous = next((v for v in history if v.period_start == before), None)
        deviation = method.assess(
            indicator.scale,
            indicator.period,
            _point(indicator, latest),
            [_point(indicator, v) for v in history[:-1]],
        )
        result.append(AreaSummary(area, latest, previous, deviation))
    return result


def table(indicator: Indicator, count: int = 8) -> tuple[list[date], list[tuple]]:
    """The last `count` periods that have values (oldest first) and, per active area, its
    values in them (None where there is none)."""
    starts = list(
        IndicatorValue.objects.filter(indicator=indicator)
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .distinct()[:count]
    )[::-1]
    cells = {
        (v.area_id, v.period_start): v
        for v in IndicatorValue.objects.filter(indicator=indicator, period_start__in=starts)
    }
    rows = [(area, [cells.get((area.pk, s)) for s in starts]) for area in areas(indicator)]
    return starts, rows


def values_for_period(indicator: Indicator, start: date) -> dict[int, IndicatorValue]:
    """The values of one period by area id (the entry form's initial figures)."""
    return {
        v.area_id: v for v in IndicatorValue.objects.filter(indicator=indicator, period_start=start)
    }
