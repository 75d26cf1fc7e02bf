"""The weekly analysis run (`compute_week`) against the `analysis` package on the same data."""

import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from analysis import aggregate, deviations
from analysis.aggregate import ALL
from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident
from lagesbild.pictures import compute
from lagesbild.pictures.inputs import week_index

TARGET = 202547  # a fixed past week, so the data do not move with today's date


def _bulk(membership, moments, category="klotter", area_name="Norr"):
    partnership = membership.partnership
    area = partnership.areas.get(name=area_name)
    category = partnership.categories.get(code=category)
    Incident.objects.bulk_create(
        Incident(
            partnership=partnership,
            client_id=uuid.uuid4(),
            occurred_at=moment,
            iso_week=weeks.week_code(moment),
            reporter=membership.user,
            organisation=membership.organisation,
            category=category,
            severity=1,
            area=area,
            lon=area.min_lon + 0.005,
            lat=area.min_lat + 0.005,
        )
        for moment in moments
    )


@pytest.fixture
def six_years(member_a):
    """Six years of weekly klotter in Norr, each year at its own level, so that leaving a
    year out of the baseline changes the expected count."""
    rng = np.random.default_rng(5)
    end = datetime.combine(weeks.monday(TARGET), datetime.min.time(), UTC) + timedelta(hours=12)
    moments = []
    for k in range(6 * 52 + 10):
        level = 2 + (k // 52) % 3
        moments += [end - timedelta(weeks=k)] * int(rng.poisson(level))
    _bulk(member_a, moments)
    return moments


def _full_history_table(moments, layout):
    codes = np.array([week_index(weeks.week_code(m)) for m in moments])
    first = int(codes.min())
    n_weeks = week_index(TARGET) - first + 1
    cube = aggregate.count_cube(
        codes,
        np.full(len(codes), layout.area_row[layout.areas[0].pk]),
        np.zeros(len(codes), np.int64),
        n_areas=len(layout.areas),
        n_categories=len(layout.groups),
        first_week=first,
        n_weeks=n_weeks,
    )
    return aggregate.stack_series(cube, first_week=first), n_weeks - 1


def test_the_baseline_gets_the_five_years_the_method_needs(member_a, six_years):
    results = compute.compute_week(member_a.partnership, TARGET)
    layout = compute.Layout.for_partnership(member_a.partnership)
    table, target = _full_history_table(six_years, layout)
    expected = deviations.weekly_deviations(table, target, compute.PICTURE_CONFIG).expected
    total = next(s for s in results["series"] if s["area"] is None and s["group"] is None)
    row = np.flatnonzero((table.area == ALL) & (table.category == ALL))[0]
    assert total["expected"] == pytest.approx(expected[row], rel=1e-4)
