"""The four-week sum beside the week: more power for outbreaks that last, same false alarms."""

from dataclasses import replace

import numpy as np
import pytest

from analysis import aggregate, deviations
from tests.analysis.helpers import FIRST, N_WEEKS, partnership, table_of

WEEK_ALONE = replace(deviations.DEFAULT, windows=(1,))


def nb_partnership(seed, mean=10.0, size=10.0):
    """3 areas x 3 categories of negative-binomial counts without season (16 series)."""
    rng = np.random.default_rng(seed)
    return rng.negative_binomial(size, size / (size + mean), (3, 3, N_WEEKS))


def test_a_three_week_outbreak_is_found_by_the_four_week_sum_not_by_the_week_alone():
    target = N_WEEKS - 1
    found_default, found_week_alone = 0, 0
    for seed in range(10):
        cube = nb_partnership(seed)
        cube[0, 0, target - 2 : target + 1] = 25  # 2.5 x the mean of 10, three weeks
        table = aggregate.stack_series(cube, first_week=FIRST)
        default = deviations.weekly_deviations(table, target)
        week_alone = deviations.weekly_deviations(table, target, WEEK_ALONE)
        found_default += default.level[0] == deviations.DEVIATION
        found_week_alone += week_alone.level[0] == deviations.DEVIATION
        assert default.p_windows[0, 1] < default.p_value[0]  # the sum carries more evidence
    assert found_week_alone <= 5  # 5 of 10 (4 before theta was capped)
    assert found_default >= 8


def test_the_series_p_value_is_the_simes_combination_of_its_windows_while_the_week_is_high():
    cube, _ = partnership(5)
    table = table_of(cube)
    result = deviations.weekly_deviations(table, N_WEEKS - 1)
    assert deviations.DEFAULT.windows == (1, 4)
    tested = np.isfinite(result.p_value)
    high = tested & (result.observed > result.normal_high)
    assert 3 <= high.sum() < tested.sum()
    p1, p4 = result.p_windows[:, 0], result.p_windows[:, 1]
    np.testing.assert_array_equal(p1, result.p_value)
    simes = np.minimum(2 * np.minimum(p1, p4), np.maximum(p1, p4))
    np.testing.assert_allclose(result.p_series[high], simes[high])
    np.testing.assert_array_equal(result.p_series[tested & ~high], p1[tested & ~high])
    assert (result.p_adjusted[tested] >= result.p_series[tested]).all()
    assert np.isnan(result.p_series[~tested]).all()
    week_alone = deviations.weekly_deviations(table, N_WEEKS - 1, WEEK_ALONE)
    np.testing.assert_array_equal(week_alone.p_series, week_alone.p_value)
    bonferroni = deviations.weekly_deviations(
        table, N_WEEKS - 1, replace(deviations.DEFAULT, combine="bonferroni")
    )
    bonferroni_p = np.minimum(2 * np.minimum(p1, p4), 1.0)
    np.testing.assert_allclose(bonferroni.p_series[high], bonferroni_p[high])


@pytest.mark.parametrize("after_count", [6, 12])  # below and above the expected 10
def test_a_week_back_in_its_normal_range_after_an_outbreak_is_not_flagged_by_the_sum(
    after_count,
):
    target = N_WEEKS - 1
    cube = nb_partnership(1)
    cube[0, 0, target - 3 : target] = 25  # three high weeks, then an ordinary one
    cube[0, 0, target] = after_count
    table = aggregate.stack_series(cube, first_week=FIRST)
    during = deviations.weekly_deviations(table, target - 1)
    after = deviations.weekly_deviations(table, target)
    assert during.level[0] == deviations.DEVIATION
    assert after.p_windows[0, 1] < 1e-3  # the four weeks are still high ...
    assert after.observed[0] <= after.normal_high[0]
    assert after.level[0] == deviations.NONE  # ... but this week is normal


def test_a_past_outbreak_does_not_multiply_the_series_theta():
    """Three outbreak weeks two years back are not how the series varies: capped
    (``farrington._outlier_cap``) they must not multiply theta (was 2.7-4.9 x), which hid a
    new outbreak in the same cell for years."""
    target = N_WEEKS - 1
    for seed in range(4):
        cube = nb_partnership(seed)
        clean = deviations.weekly_deviations(aggregate.stack_series(cube, first_week=FIRST), target)
        cube[0, 0, target - 106 : target - 103] = 60  # three weeks at 6 x, two years back
        past = deviations.weekly_deviations(aggregate.stack_series(cube, first_week=FIRST), target)
        assert past.theta[0] < 2 * clean.theta[0]


def test_the_cap_leaves_a_bursty_series_theta_alone():
    """A bursty category (NB theta 2 at one a week) has a long upper tail of ordinary weeks:
    the cap must not cut it (four plain standard deviations gave a median theta of 1.7)."""
    thetas = []
    for seed in range(6):
        cube = nb_partnership(seed, mean=1.0, size=0.5)
        result = deviations.weekly_deviations(
            aggregate.stack_series(cube, first_week=FIRST), N_WEEKS - 1
        )
        cells = result.method[:9] == deviations.GLM
        thetas.append(result.theta[:9][cells])
    assert np.median(np.concatenate(thetas)) >= 2.0


@pytest.mark.slow
def test_four_week_p_values_are_calibrated_and_the_family_error_holds_on_null_data():
    weeks_with_deviation, p4, p_series = [], [], []
    for seed in (3, 4):
        cube, _ = partnership(seed, n_areas=28, n_categories=20)
        table = table_of(cube)
        for target in range(N_WEEKS - 52, N_WEEKS, 2):
            result = deviations.weekly_deviations(table, target)
            weeks_with_deviation.append((result.level == deviations.DEVIATION).any())
            glm = result.method == deviations.GLM
            p4.append(result.p_windows[glm, 1])
            p_series.append(result.p_series[glm])
    assert np.mean(weeks_with_deviation) <= 0.05
    p4, p_series = np.concatenate(p4), np.concatenate(p_series)
    assert len(p4) > 1000
    assert 0.03 <= np.mean(p4 <= 0.05) <= 0.08
    assert np.mean(p4 <= 0.01) <= 0.02
    assert np.mean(p_series <= 0.05) <= 0.07  # the combination does not add false evidence
    assert np.mean(p_series <= 0.01) <= 0.015
