from itertools import permutations

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.knox import knox


def _incidents(n=150, seed=0, extent=2_000.0, days=120):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, extent, n), rng.uniform(0, extent, n), rng.integers(0, days, n)


def _brute_force_table(x, y, days, distance_step, distance_bands, time_step, time_bands):
    i, j = np.triu_indices(len(x), k=1)
    distance = np.hypot(x[i] - x[j], y[i] - y[j])
    row = np.minimum(np.ceil(distance / distance_step), distance_bands + 1).astype(int)
    lag = np.abs(days[i] - days[j])
    column = np.minimum(np.maximum(np.ceil(lag / time_step) - 1, 0), time_bands).astype(int)
    table = np.zeros((distance_bands + 2, time_bands + 1), dtype=int)
    np.add.at(table, (row, column), 1)
    return table


@pytest.mark.parametrize(("delta_bands", "tau_bands"), [(1, 1), (2, 2), (3, 1)])
def test_counts_and_expectations_equal_pointpats_knox(delta_bands, tau_bands):
    pointpats = pytest.importorskip("pointpats", reason="pointpats is the reference Knox test")
    x, y, days = _incidents()
    ours = knox(x, y, days, permutations=0)
    ref = pointpats.Knox(
        np.column_stack([x, y]), days[:, None].astype(float), 100 * delta_bands, 7 * tau_bands, 0
    )
    near, soon = slice(0, delta_bands + 1), slice(0, tau_bands)
    far, late = slice(delta_bands + 1, None), slice(tau_bands, None)
    for table, reference in ((ours.observed, ref.observed), (ours.expected, ref.expected)):
        collapsed = [
            [table[near, soon].sum(), table[near, late].sum()],
            [table[far, soon].sum(), table[far, late].sum()],
        ]
        np.testing.assert_allclose(collapsed, reference, rtol=1e-12)


def test_every_band_equals_a_count_over_all_pairs():
    x, y, days = _incidents(n=120, seed=1)
    x[:10], y[:10] = x[10:20], y[10:20]  # ten places with two incidents each
    table = knox(x, y, days, distance_step=150, distance_bands=4, time_step=10, time_bands=3)
    expected = _brute_force_table(x, y, days, 150, 4, 10, 3)
    np.testing.assert_array_equal(table.observed, expected)
    assert table.observed[0].sum() >= 10
    assert table.observed.sum() == 120 * 119 // 2


def test_p_values_agree_with_all_permutations_of_the_dates_within_monte_carlo_error():
    x = np.array([0.0, 40, 90, 500, 520, 900, 950])
    y = np.zeros(7)
    days = np.array([0, 2, 3, 9, 30, 31, 60])
    bands = {"distance_step": 100, "distance_bands": 1, "time_step": 7, "time_bands": 1}
    result = knox(x, y, days, **bands, permutations=999, seed=3)
    every = np.array(
        [_brute_force_table(x, y, np.array(p), 100, 1, 7, 1) for p in permutations(days)]
    )
    exact = (every >= result.observed).mean(axis=0)
    np.testing.assert_allclose(every.mean(axis=0), result.expected, rtol=1e-12)
    error = np.sqrt(exact * (1 - exact) / 999) + 1 / 1000
    assert np.all(np.abs(result.p_value - exact) <= 4 * error)


def test_planted_near_repeats_stand_out_in_the_nearest_cell():
    rng = np.random.default_rng(5)
    x, y, days = _incidents(n=200, seed=5, extent=4_000.0, days=365)
    followers = rng.integers(0, 200, 60)
    x = np.concatenate([x, x[followers] + rng.uniform(-40, 40, 60)])
    y = np.concatenate([y, y[followers] + rng.uniform(-40, 40, 60)])
    days = np.concatenate([days, days[followers] + rng.integers(0, 6, 60)])
    result = knox(x, y, days, seed=1)
    assert result.ratio[1, 0] > 3
    assert result.p_value[1, 0] == pytest.approx(1 / 1000)
    # the margins are fixed, so pairs far apart in space are the fewer soon after each other
    assert result.ratio[-1, 0] < 1 and result.p_value[-1, 0] > 0.5


def test_a_seeded_run_is_reproducible_on_any_number_of_threads():
    x, y, days = _incidents(seed=2)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = knox(x, y, days, permutations=99, seed=4)
    finally:
        numba.set_num_threads(threads)
    np.testing.assert_array_equal(one.p_value, knox(x, y, days, permutations=99, seed=4).p_value)


@given(st.randoms(), st.integers(0, 2**32 - 1))
@settings(max_examples=15, deadline=None)
def test_the_order_of_incidents_changes_nothing(random, seed):
    x, y, days = _incidents(n=60, seed=seed % 1000)
    order = np.array(random.sample(range(60), 60))
    before = knox(x, y, days, permutations=49, seed=seed)
    after = knox(x[order], y[order], days[order], permutations=49, seed=seed)
    np.testing.assert_array_equal(after.observed, before.observed)
    np.testing.assert_array_equal(after.p_value, before.p_value)


def test_dates_and_day_numbers_give_the_same_table():
    x, y, days = _incidents(n=40, seed=8)
    dates = np.datetime64("2026-01-01") + days
    as_numbers = knox(x, y, days, permutations=19, seed=1)
    as_dates = knox(x, y, dates, permutations=19, seed=1)
    np.testing.assert_array_equal(as_dates.observed, as_numbers.observed)
    np.testing.assert_array_equal(as_dates.p_value, as_numbers.p_value)
