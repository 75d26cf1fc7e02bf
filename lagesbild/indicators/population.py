"""The areas' population per year, for the pictures' figures per 1,000 inhabitants.

A partnership keeps its population as an indicator marked *folkmängd* (a yearly count per
area, loaded from SCB's tables like any indicator file), so every figure has its year and
source. A picture of a period uses the population of the period's year; where that year is
not loaded yet (SCB publishes the year after), the latest earlier year, and failing that the
earliest later one. An area without any loaded value keeps the population typed on the area
itself (`Area.population`, with its year), as before population tables existed.
"""

from dataclasses import dataclass

from lagesbild.geography.models import Area
from lagesbild.indicators.models import IndicatorValue


@dataclass(frozen=True)
class Population:
    people: int | None
    year: int | None


def for_year(partnership, areas: list[Area], year: int) -> dict[int, Population]:
    """Each area's population (by area id) for `year`, by the rule above."""
    by_area: dict[int, dict[int, int]] = {}
    rows = IndicatorValue.objects.filter(
        indicator__partnership=partnership,
        indicator__measures_population=True,
        area__in=[a.pk for a in areas],
    ).values_list("area_id", "period_start", "value")
    for area_id, start, value in rows:
        by_area.setdefault(area_id, {})[start.year] = round(value)
    return {a.pk: _chosen(by_area.get(a.pk), a, year) for a in areas}


def _chosen(known: dict[int, int] | None, area: Area, year: int) -> Population:
    if not known:
        return Population(area.population, area.population_year if area.population else None)
    earlier = [y for y in known if y <= year]
    chosen = max(earlier) if earlier else min(known)
    return Population(known[chosen], chosen)
