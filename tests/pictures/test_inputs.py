"""The picture's inputs: the cubes counted in the database equal the incidents counted one
by one in Python (`analysis.aggregate.count_cube` over `load_incidents`)."""

import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from analysis import aggregate
from lagesbild.incidents import weeks
from lagesbild.incidents.models import Category, Incident
from lagesbild.pictures.inputs import Layout, code_of, count_cubes, load_incidents, week_index
from tests.factories import make_area

TARGET = 202547
WEEKS = 30


@pytest.fixture
def mixed(member_a):
    """Incidents of every kind the cube must sort: all statuses, several categories in
    several groups (and one reported on a group itself), both areas, both severities, a
    parent area outside the layout's rows and weeks on both sides of the window."""
    partnership = member_a.partnership
    rng = np.random.default_rng(11)
    categories = list(Category.objects.filter(partnership=partnership).order_by("id"))
    whole = make_area(partnership, "Hela", 17.90, 59.42, size=0.02)
    partnership.areas.exclude(pk=whole.pk).update(parent=whole)
    areas = list(partnership.areas.all())
    end = datetime.combine(weeks.monday(TARGET), datetime.min.time(), UTC) + timedelta(days=6)
    rows = []
    for _ in range(900):
        area = areas[rng.integers(len(areas))]
        moment = end - timedelta(hours=int(rng.integers(0, (WEEKS + 6) * 7 * 24)))
        rows.append(
            Incident(
                partnership=partnership,
                client_id=uuid.uuid4(),
                occurred_at=moment,
                iso_week=weeks.week_code(moment),
                organisation=member_a.organisation,
                category=categories[rng.integers(len(categories))],
                severity=int(rng.integers(1, 4)),
                status=rng.choice(list(Incident.Status.values)),
                area=area,
                lon=area.min_lon + 0.001 * rng.integers(1, 9),
                lat=area.min_lat + 0.001 * rng.integers(1, 9),
            )
        )
    Incident.objects.bulk_create(rows)
    return partnership


def test_the_database_cubes_equal_the_incidents_counted_one_by_one(mixed):
    layout = Layout.for_partnership(mixed)
    first_week = week_index(TARGET) - WEEKS + 1
    cubes = count_cubes(mixed, layout, first_week, WEEKS)
    data = load_incidents(mixed, layout, code_of(first_week), TARGET)
    shape = {
        "n_areas": len(layout.areas),
        "n_categories": len(layout.groups),
        "first_week": first_week,
        "n_weeks": WEEKS,
    }
    counts = aggregate.count_cube(data.week, data.row, data.column, **shape)
    points = aggregate.count_cube(data.week, data.row, data.column, weights=data.points, **shape)
    assert counts.sum() > 100  # the fixture reaches into the window
    assert cubes.counts.dtype == np.int64
    np.testing.assert_array_equal(cubes.counts, counts)
    np.testing.assert_allclose(cubes.points, points, rtol=0, atol=1e-9)


def test_an_empty_window_gives_zero_cubes(partnership_a):
    layout = Layout.for_partnership(partnership_a)
    cubes = count_cubes(partnership_a, layout, week_index(TARGET) - 3, 4)
    assert cubes.counts.shape == (len(layout.areas), len(layout.groups), 4)
    assert not cubes.counts.any() and not cubes.points.any()
