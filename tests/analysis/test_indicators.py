"""The indicator deviation method (analysis/indicators.py), checked against statsmodels and
scipy where they have the same statistic."""

import math

import numpy as np
import pytest
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

from analysis import indicators as ind
from analysis.indicators import Point


def monthly(values_by_year: dict[int, list[float]]) -> list[Point]:
    return [
        Point(year, month, value)
        for year, values in values_by_year.items()
        for month, value in enumerate(values, start=1)
    ]


# --- the baseline ------------------------------------------------------------------------------


def test_three_earlier_years_of_the_same_month_make_a_seasonal_baseline_for_counts():
    history = monthly({2023: [10] * 12, 2024: [12] * 12, 2025: [11] * 12})
    result = ind.assess(ind.COUNT, ind.MONTH, Point(2026, 3, 11), history)
    assert result.baseline == ind.SEASONAL
    assert result.history == 3
    assert result.expected == pytest.approx(11)


def test_amounts_always_use_the_recent_periods():
    history = monthly({2023: [10] * 12, 2024: [12] * 12, 2025: [11] * 12})
    result = ind.assess(ind.AMOUNT, ind.MONTH, Point(2026, 3, 11), history)
    assert result.baseline == ind.RECENT
    assert result.history == 12
    years = [Point(y, 1, 10.0) for y in range(2019, 2024)]
    assert ind.assess(ind.AMOUNT, ind.YEAR, Point(2024, 1, 50), years).outcome == ind.UNKNOWN
    six = [*years, Point(2018, 1, 11.0)]
    assert ind.assess(ind.AMOUNT, ind.YEAR, Point(2024, 1, 50), six).outcome == ind.ABOVE


def test_a_year_of_months_uses_the_recent_months_and_less_is_unknown():
    history = monthly({2025: [100, 110, 90, 105, 95, 100, 98, 102, 101, 99, 103, 97]})
    result = ind.assess(ind.AMOUNT, ind.MONTH, Point(2026, 1, 100), history)
    assert result.baseline == ind.RECENT
    assert result.history == 12
    short = ind.assess(ind.AMOUNT, ind.MONTH, Point(2025, 6, 100), history)
    assert short.baseline == ind.NO_BASELINE
    assert short.outcome == ind.UNKNOWN


def test_values_at_or_after_the_latest_period_are_not_history():
    history = monthly({2025: [1000] * 12})
    result = ind.assess(ind.AMOUNT, ind.MONTH, Point(2025, 12, 5), history)
    assert result.history == 11  # December itself is not its own history


def test_yearly_counts_need_three_earlier_years():
    two = [Point(2023, 1, 10), Point(2024, 1, 11)]
    assert ind.assess(ind.COUNT, ind.YEAR, Point(2025, 1, 40), two).outcome == ind.UNKNOWN
    three = [*two, Point(2022, 1, 12)]
    result = ind.assess(ind.COUNT, ind.YEAR, Point(2025, 1, 40), three)
    assert result.baseline == ind.RECENT
    assert result.outcome == ind.ABOVE


# --- amounts -----------------------------------------------------------------------------------


def test_amount_robust_z_is_median_and_scaled_mad():
    values = [100, 110, 90, 105, 95, 100, 98, 102, 101, 99, 103, 97]
    history = monthly({2025: values})
    result = ind.assess(ind.AMOUNT, ind.MONTH, Point(2026, 1, 130), history)
    median = np.median(values)
    mad = np.median(np.abs(np.array(values) - median))
    assert result.expected == median
    assert result.statistic == pytest.approx((130 - median) / (1.4826 * mad))
    assert result.outcome == ind.ABOVE
    assert ind.assess(ind.AMOUNT, ind.MONTH, Point(2026, 1, 104), history).outcome == ind.WITHIN
    assert ind.assess(ind.AMOUNT, ind.MONTH, Point(2026, 1, 60), history).outcome == ind.BELOW


@pytest.mark.parametrize("n", [6, 12])
def test_amount_false_alarms_stay_near_one_percent_on_normal_data(n):
    rng = np.random.default_rng(11)
    draws = rng.normal(100, 10, size=(3000, n + 1))
    alarms = 0
    for row in draws:
        history = [Point(2025, m, float(v)) for m, v in enumerate(row[:n], start=1)]
        latest = Point(2026, 1, float(row[n]))
        alarms += ind.assess(ind.AMOUNT, ind.MONTH, latest, history).outcome != ind.WITHIN
    assert 0.002 < alarms / len(draws) < 0.025  # 1 % calibrated, 3 000 trials


def test_the_amount_limits_table_is_what_the_simulation_gives():
    assert ind.simulate_amount_limits(range(6, 8), draws=400_000) == {
        n: ind.AMOUNT_LIMITS[n] for n in (6, 7)
    }


def test_a_single_outlier_in_the_history_does_not_hide_the_next_one():
    values = [100, 101, 99, 100, 102, 98, 100, 101, 99, 100, 5000, 100]
    result = ind.assess(ind.AMOUNT, ind.MONTH, Point(2026, 1, 140), monthly({2025: values}))
    assert result.outcome == ind.ABOVE  # a mean and SD would call 140 ordinary


def test_a_history_of_mostly_equal_values_falls_back_to_mean_absolute_deviation():
    values = np.array([0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0], dtype=float)
    assert ind.robust_scale(values) == pytest.approx(1.2533 * 10 / 12)


def test_a_constant_history_makes_any_other_value_a_deviation():
    history = monthly({2025: [50] * 12})
    assert ind.assess(ind.AMOUNT, ind.MONTH, Point(2026, 1, 51), history).outcome == ind.ABOVE
    assert ind.assess(ind.AMOUNT, ind.MONTH, Point(2026, 1, 50), history).outcome == ind.WITHIN


# --- counts ------------------------------------------------------------------------------------


def test_count_predictive_is_poisson_like_with_the_mean_uncertainty():
    values = np.array([4, 5, 6, 5, 4, 6, 5, 5], dtype=float)  # variance < mean: φ = 1
    distribution = ind.count_predictive(values, 0.5)
    assert distribution.mean() == pytest.approx(5.0)
    assert distribution.var() == pytest.approx(5.0 * (1 + 1 / 8))


def test_count_predictive_carries_overdispersion():
    values = np.array([0, 10, 2, 8, 1, 9, 3, 7], dtype=float)
    phi = np.var(values, ddof=1) / np.mean(values)
    distribution = ind.count_predictive(values, 0.5)
    assert distribution.var() == pytest.approx(phi * 5 * (1 + 1 / 8))


def test_count_mid_p_against_the_distribution():
    history = monthly({2025: [5, 4, 6, 5, 5, 4, 6, 5, 5, 4, 6, 5]})
    result = ind.assess(ind.COUNT, ind.MONTH, Point(2026, 1, 15), history)
    distribution = ind.count_predictive(np.array([p.value for p in history]), 0.5)
    mid_upper = distribution.sf(15) + 0.5 * distribution.pmf(15)
    assert result.p_value == pytest.approx(2 * mid_upper)
    assert result.outcome == ind.ABOVE
    assert ind.assess(ind.COUNT, ind.MONTH, Point(2026, 1, 7), history).outcome == ind.WITHIN


def test_an_all_zero_count_history_uses_the_floor():
    history = monthly({2025: [0] * 12})
    result = ind.assess(ind.COUNT, ind.MONTH, Point(2026, 1, 1), history)
    assert result.expected == pytest.approx(0.5)
    assert result.outcome == ind.WITHIN  # one event after a quiet year is not a deviation
    assert ind.assess(ind.COUNT, ind.MONTH, Point(2026, 1, 6), history).outcome == ind.ABOVE


def test_counts_false_alarm_rate_stays_near_alpha_on_poisson_data():
    rng = np.random.default_rng(7)
    alarms = 0
    trials = 2000
    for _ in range(trials):
        draws = rng.poisson(8, size=13)
        history = [Point(2025, m, float(v)) for m, v in enumerate(draws[:12], start=1)]
        result = ind.assess(ind.COUNT, ind.MONTH, Point(2026, 1, float(draws[12])), history)
        alarms += result.outcome != ind.WITHIN
    assert alarms / trials < 0.02  # two-sided 1 %, mid-p, with a margin for 2 000 trials


# --- survey shares -----------------------------------------------------------------------------


def test_wilson_interval_matches_statsmodels():
    for x, n in [(0, 20), (7, 40), (120, 400), (40, 40)]:
        ours = ind.wilson_interval(x, n)
        reference = proportion_confint(x, n, alpha=0.05, method="wilson")
        assert ours == pytest.approx(reference, abs=1e-12)


def test_newcombe_interval_matches_statsmodels():
    for x1, n1, x2, n2 in [(84, 400, 120, 410), (5, 30, 9, 28), (0, 50, 3, 60)]:
        ours = ind.newcombe_interval(x1, n1, x2, n2)
        reference = confint_proportions_2indep(
            x1, n1, x2, n2, method="newcomb", compare="diff", alpha=0.05
        )
        assert ours == pytest.approx(reference, abs=1e-12)


def test_two_proportion_test_matches_statsmodels_pooled_z():
    z, p = ind.two_proportion_test(84, 400, 120, 410)
    reference_z, reference_p = proportions_ztest([84, 120], [400, 410])
    assert z == pytest.approx(reference_z)
    assert p == pytest.approx(reference_p)


def test_a_survey_share_is_compared_with_last_years_value():
    history = [Point(2024, 1, 29.3, 410), Point(2023, 1, 31.0, 380)]
    result = ind.assess(ind.SHARE, ind.YEAR, Point(2025, 1, 21.0, 400), history)
    assert result.baseline == ind.SEASONAL
    assert result.previous_key == (2024, 1)
    assert result.outcome == ind.BELOW
    low, high = ind.newcombe_interval(84, 400, 120, 410)
    assert (result.low, result.high) == pytest.approx((100 * low, 100 * high))
    assert result.high < 0


def test_a_small_survey_change_is_within_its_uncertainty():
    history = [Point(2024, 1, 30.0, 60)]
    result = ind.assess(ind.SHARE, ind.YEAR, Point(2025, 1, 25.0, 60), history)
    assert result.outcome == ind.WITHIN
    assert result.low < 0 < result.high


def test_a_share_without_sample_size_or_history_cannot_be_judged():
    assert ind.assess(ind.SHARE, ind.YEAR, Point(2025, 1, 20.0, 100), []).outcome == ind.UNKNOWN
    no_n = ind.assess(ind.SHARE, ind.YEAR, Point(2025, 1, 20.0), [Point(2024, 1, 30.0, 100)])
    assert no_n.outcome == ind.UNKNOWN
    assert no_n.expected == 30.0
    assert not math.isnan(no_n.latest)


@pytest.mark.parametrize(("size", "p"), [(20.0, 0.7), (0.8, 0.1), (500.0, 0.999), (3.3, 0.5)])
def test_negative_binomial_matches_scipy(size, p):
    from scipy import stats

    ours, reference = ind.NegativeBinomial(size, p), stats.nbinom(size, p)
    assert ours.mean() == pytest.approx(reference.mean())
    assert ours.var() == pytest.approx(reference.var())
    for k in [0, 1, 3, 10, 40, 200]:
        assert ours.cdf(k) == pytest.approx(reference.cdf(k), rel=1e-9, abs=1e-300)
        assert ours.sf(k) == pytest.approx(reference.sf(k), rel=1e-9, abs=1e-300)
        assert ours.pmf(k) == pytest.approx(reference.pmf(k), rel=1e-9, abs=1e-300)
    for q in [0.001, 0.005, 0.25, 0.5, 0.995, 0.999]:
        assert ours.ppf(q) == reference.ppf(q)
