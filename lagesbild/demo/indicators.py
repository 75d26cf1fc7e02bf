"""Synthetic area indicators for the demo partnership: the housing company's monthly cost of
vandalism and graffiti, the police's reported crimes per quarter, and a yearly safety survey's
share feeling unsafe with its sample sizes. Entirely made up (docs/demo-data.md); pure Python,
no Django, so tests can check the figures without a database.

Each series has one planted change in its latest period, so the demo shows what a flag looks
like: Tureberg's vandalism cost in the last whole month is 2.5 times its usual level, and
Häggvik's survey share falls by about ten percentage points in the latest year.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

# Monthly factors for vandalism cost: more in the light half of the year and around the turn
# of the year (fireworks), an assumption for the demo.
MONTH_FACTOR = (1.1, 0.8, 0.8, 0.9, 1.0, 1.1, 1.2, 1.2, 1.1, 1.0, 0.9, 1.3)
COST_PER_RESIDENT_MONTH = 1.6  # kr, an assumption for the demo
CRIMES_PER_1000_QUARTER = 6.0  # an assumption for the demo
SURVEY_YEARS = 3
PLANTED_COST = ("Tureberg", 2.5)
PLANTED_SURVEY = ("Häggvik", -10.0)


@dataclass(frozen=True)
class DemoIndicator:
    name: str
    unit: str
    period: str
    scale: str
    direction: str
    source: str
    description: str
    visibility: str


@dataclass(frozen=True)
class DemoValue:
    area_code: str
    period_start: date
    value: float
    sample_size: int | None = None


COST = DemoIndicator(
    name="Kostnad för skadegörelse och klotter",
    unit="kr",
    period="month",
    scale="amount",
    direction="higher_worse",
    source="Bostadsbolaget (syntetiska demovärden)",
    description="Bostadsbolagets kostnad för att åtgärda skadegörelse och sanera klotter, "
    "per månad och område. Påhittade värden för demon.",
    visibility="members",
)
CRIMES = DemoIndicator(
    name="Anmälda brott",
    unit="st",
    period="quarter",
    scale="count",
    direction="higher_worse",
    source="Polisen (syntetiska demovärden)",
    description="Anmälda brott per område och kvartal. Påhittade värden för demon.",
    visibility="analysts",
)
SURVEY = DemoIndicator(
    name="Känner sig otrygga ute på kvällen",
    unit="%",
    period="year",
    scale="share",
    direction="higher_worse",
    source="Kommunens trygghetsenkät (syntetiska demovärden)",
    description="Andel svarande som känner sig ganska eller mycket otrygga ute ensamma sent "
    "en kväll i sitt område. Påhittade värden för demon.",
    visibility="members",
)


def _months(first: date, last: date) -> list[date]:
    index, end = first.year * 12 + first.month - 1, last.year * 12 + last.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index, end + 1)]


def demo_indicators(
    areas: Sequence[tuple[str, str, int]], *, start: date, today: date, seed: int
) -> list[tuple[DemoIndicator, list[DemoValue]]]:
    """The three indicators with values for `areas` as (name, code, population), for the
    whole periods from `start` up to the last whole period before `today`."""
    rng = np.random.default_rng(seed + 13)
    this_month = date(today.year, today.month, 1)
    months = _months(date(start.year, start.month, 1), this_month)[:-1]
    quarters = [m for m in months if m.month in (1, 4, 7, 10)]
    this_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quarters = [q for q in quarters if q < this_quarter]
    cost, crimes, survey = [], [], []
    for name, code, population in areas:
        level = COST_PER_RESIDENT_MONTH * population
        for month in months:
            factor = MONTH_FACTOR[month.month - 1] * rng.lognormal(0, 0.2)
            if name == PLANTED_COST[0] and month == months[-1]:
                factor *= PLANTED_COST[1]
            cost.append(DemoValue(code, month, float(round(level * factor, -2))))
        mean = CRIMES_PER_1000_QUARTER * population / 1000
        for quarter in quarters:
            crimes.append(
                DemoValue(code, quarter, float(rng.negative_binomial(20, 20 / (20 + mean))))
            )
        base = rng.uniform(14, 34)
        for k in range(SURVEY_YEARS):
            year = today.year - SURVEY_YEARS + k
            share = base + (
                PLANTED_SURVEY[1] if name == PLANTED_SURVEY[0] and k == SURVEY_YEARS - 1 else 0
            )
            n = int(rng.integers(180, 420))
            answered = rng.binomial(n, share / 100)
            survey.append(DemoValue(code, date(year, 1, 1), round(100 * answered / n, 1), n))
    return [(COST, cost), (CRIMES, crimes), (SURVEY, survey)]
