"""Synthetic weekly data for evaluation tests: a grid of areas with known weekly counts."""

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident
from tests.factories import make_area, make_intervention

TZ = ZoneInfo("Europe/Stockholm")


def grid_areas(partnership, n: int, lon: float = 17.0, lat: float = 59.0) -> list:
    """`n` areas of 0.01° in a row, far from the factory's Norr and Söder, 0.05° apart so
    that none is next to another (no buffer unless the test makes one)."""
    return [make_area(partnership, f"Område {k}", lon + 0.05 * k, lat) for k in range(n)]


def fill(membership, area, codes: list[int], counts, category) -> None:
    """Incidents of `category` in `area`: counts[j] on the Wednesday of week codes[j]."""
    rows = []
    for code, n in zip(codes, counts, strict=True):
        moment = datetime.combine(weeks.monday(code) + timedelta(days=2), time(12), TZ)
        for _ in range(int(n)):
            rows.append(
                Incident(
                    partnership=membership.partnership,
                    client_id=uuid.uuid4(),
                    occurred_at=moment,
                    iso_week=code,
                    reporter=membership.user,
                    organisation=membership.organisation,
                    category=category,
                    area=area,
                    lon=area.min_lon + 0.005,
                    lat=area.min_lat + 0.005,
                    status=Incident.Status.ACCEPTED,
                )
            )
    Incident.objects.bulk_create(rows)


def simulate(units: int, n_before: int, n_after: int, effect: float, seed: int = 1):
    """Poisson counts, units x weeks, level 6 a week; unit 0 is multiplied by `effect`
    after the start."""
    rng = np.random.default_rng(seed)
    means = np.full((units, n_before + n_after), 6.0)
    means[0, n_before:] *= effect
    return rng.poisson(means)


def intervention_in(partnership, area, responsible, start: date, category=None, **extra):
    intervention = make_intervention(
        partnership=partnership,
        title="Belysning och röjning",
        areas=[area],
        responsible=responsible,
        start_date=start,
        due_date=start + timedelta(weeks=8),
        **extra,
    )
    if category is not None:
        intervention.categories.set([category])
    return intervention
