import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from analysis import aggregate
from analysis.aggregate import ALL

N_AREAS, N_CATEGORIES, FIRST, N_WEEKS = 4, 3, 2800, 10


@st.composite
def incidents(draw):
    n = draw(st.integers(0, 60))
    week = draw(hnp.arrays(np.int64, n, elements=st.integers(FIRST - 2, FIRST + N_WEEKS + 1)))
    area = draw(hnp.arrays(np.int64, n, elements=st.integers(0, N_AREAS - 1)))
    category = draw(hnp.arrays(np.int64, n, elements=st.integers(0, N_CATEGORIES - 1)))
    weight = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 3)))
    return week, area, category, weight


def cube_of(week, area, category, weights=None):
    return aggregate.count_cube(
        week,
        area,
        category,
        n_areas=N_AREAS,
        n_categories=N_CATEGORIES,
        first_week=FIRST,
        n_weeks=N_WEEKS,
        weights=weights,
    )


def test_counts_land_in_their_cell_and_empty_weeks_are_zero():
    cube = cube_of(np.array([FIRST, FIRST, FIRST + 9]), np.array([1, 1, 3]), np.array([2, 2, 0]))
    assert cube.shape == (N_AREAS, N_CATEGORIES, N_WEEKS)
    assert cube[1, 2, 0] == 2
    assert cube[3, 0, 9] == 1
    assert cube.sum() == 3


def test_timestamps_are_counted_by_iso_week():
    from analysis.weeks import week_index

    stamps = np.array(["2023-09-03T22:00", "2023-09-04T01:00"], dtype="datetime64[m]")
    first = int(week_index(stamps[0]))
    cube = aggregate.count_cube(
        stamps, [0, 0], [0, 0], n_areas=1, n_categories=1, first_week=first, n_weeks=2
    )
    assert cube[0, 0].tolist() == [1, 1]


def test_index_outside_the_cube_is_refused():
    with pytest.raises(ValueError, match="area"):
        cube_of(np.array([FIRST]), np.array([N_AREAS]), np.array([0]))


@given(incidents())
def test_totals_are_conserved_through_roll_ups(data):
    week, area, category, weight = data
    cube = cube_of(week, area, category)
    inside = (week >= FIRST) & (week < FIRST + N_WEEKS)
    assert cube.sum() == inside.sum()
    weighted = cube_of(week, area, category, weights=weight)
    assert weighted.sum() == pytest.approx(weight[inside].sum())
    parents = aggregate.roll_up(cube, np.array([0, 0, 1, 1]), 2, axis=0)
    assert np.array_equal(parents.sum(axis=0), cube.sum(axis=0))
    table = aggregate.stack_series(cube, first_week=FIRST)
    cells = (table.area != ALL) & (table.category != ALL)
    area_totals = (table.area != ALL) & (table.category == ALL)
    category_totals = (table.area == ALL) & (table.category != ALL)
    total = (table.area == ALL) & (table.category == ALL)
    for part in (cells, area_totals, category_totals):
        assert np.array_equal(table.counts[part].sum(axis=0), table.counts[total][0])
    assert np.array_equal(table.counts[area_totals], cube.sum(axis=1))


@given(incidents(), st.randoms())
def test_incident_order_does_not_matter(data, random):
    week, area, category, weight = data
    order = list(range(len(week)))
    random.shuffle(order)
    assert np.array_equal(
        cube_of(week, area, category, weight),
        cube_of(week[order], area[order], category[order], weight[order]),
    )


def test_rates_per_1000_inhabitants():
    counts = np.array([[3, 6], [1, 0], [2, 2]])
    rates = aggregate.rates_per_1000(counts, np.array([1500, 0, np.nan]))
    assert rates[0].tolist() == [2.0, 4.0]
    assert np.isnan(rates[1:]).all()


def test_concat_keeps_groups_apart():
    cube = np.ones((2, 2, 5), dtype=np.int64)
    both = aggregate.concat_series(
        [aggregate.stack_series(cube, first_week=FIRST, group=g) for g in (0, 7)]
    )
    assert both.n_series == 2 * (4 + 2 + 2 + 1)
    assert set(both.group.tolist()) == {0, 7}
