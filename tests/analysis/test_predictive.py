import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis import fdr, pooled, predictive, rise


def test_poisson_when_there_is_no_extra_variance():
    shape = predictive.size(np.array([2.0]), np.array([1.0]), np.array([0.0]))
    assert np.isinf(shape).all()
    p = predictive.upper_p(np.array([4]), np.array([2.0]), shape, mid=True)
    expected = stats.poisson.sf(4, 2.0) + stats.poisson.pmf(4, 2.0) / 2
    assert p[0] == pytest.approx(expected)
    assert predictive.quantile(0.99, np.array([2.0]), shape)[0] == stats.poisson.ppf(0.99, 2)


def test_negative_binomial_moments_match_the_variance_formula():
    mean, phi, c = 3.0, 1.4, 0.2
    shape = predictive.size(np.array([mean]), np.array([phi]), np.array([c]))[0]
    law = stats.nbinom(shape, shape / (shape + mean))
    assert law.mean() == pytest.approx(mean)
    assert law.var() == pytest.approx(phi * mean + c * mean**2)


def test_plug_in_p_is_r_style_at_or_above():
    shape = np.array([np.inf])
    p = predictive.upper_p(np.array([3]), np.array([1.0]), shape, mid=False)
    assert p[0] == pytest.approx(stats.poisson.sf(2, 1.0))


@given(st.floats(0.05, 30), st.floats(1.0, 4.0), st.floats(0.0, 1.0))
def test_mid_p_is_calibrated_on_average(mean, phi, c):
    shape = predictive.size(np.array([mean]), np.array([phi]), np.array([c]))
    y = np.arange(0, int(mean * 20 + 60))
    pmf = np.diff(np.concatenate([[0.0], predictive._cdf(y, mean, shape)]))
    p = predictive.upper_p(y, np.full(len(y), mean), np.broadcast_to(shape, len(y)), mid=True)
    assert np.sum(pmf * p) == pytest.approx(0.5, abs=1e-6)


def test_bh_matches_statsmodels_within_each_family():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=40) ** 3
    p[5] = np.nan
    family = np.repeat([0, 1], 20)
    adjusted = fdr.bh_adjust(p, family)
    assert np.isnan(adjusted[5])
    for member in (0, 1):
        keep = (family == member) & ~np.isnan(p)
        reference = multipletests(p[keep], method="fdr_bh")[1]
        np.testing.assert_allclose(adjusted[keep], reference)


def test_marshall_kappa_detects_extra_spread():
    rng = np.random.default_rng(1)
    expected = np.full(2000, 20.0)
    homogeneous = rng.poisson(expected)
    assert pooled.marshall_kappa(homogeneous, expected) > 50
    risk = rng.gamma(4.0, 1 / 4.0, 2000)
    heterogeneous = rng.poisson(expected * risk)
    assert pooled.marshall_kappa(heterogeneous, expected) == pytest.approx(4.0, rel=0.25)


def test_posterior_predictive_of_an_empty_series_is_not_near_zero():
    mean, cv2 = pooled.posterior_predictive(
        np.array([0.0]), np.array([200.0]), np.array([1.0]), np.array([0.5]), np.array([0.0])
    )
    assert mean[0] == pytest.approx(0.5 / 200)
    assert cv2[0] == pytest.approx(2.0)


@pytest.mark.parametrize(("mean", "theta", "cv2"), [(2.0, 0.0, 0.0), (8.0, 0.2, 0.05)])
def test_rise_limit_gives_the_chosen_share_of_false_badge_weeks(mean, theta, cv2):
    """Stable series whose baseline is off by the fit's own error: the badge shows in about
    one week in 104, the rate the limit was calibrated for (with an independent seed)."""
    rng = np.random.default_rng(2)
    n = 40_000
    z = rise.null_statistic(rng, mean, theta, cv2, n)
    limit = rise.limit(np.array([mean]), np.array([theta]), np.array([cv2]), 104.0)[0]
    assert np.mean(z > limit) == pytest.approx(1 / 104, rel=0.3)


def test_rise_statistic_finds_where_the_level_moved_up_and_stayed():
    mean = np.ones((1, 12))
    y = np.array([[1.0, 0, 2, 1, 1, 0, 1, 3, 4, 3, 4, 3]])
    stat = rise.statistic(y, mean, mean, np.array([0.0]))
    assert stat["since"][0] == 7
    assert stat["kappa"][0] == pytest.approx(17 / 5)
    assert stat["z"][0] == pytest.approx((17 - 5) / np.sqrt(5))
    assert stat["still_up"][0]
    assert rise.badge(stat, np.array([3.0]))[0]


def test_rise_statistic_lets_go_of_a_burst_once_the_weeks_after_it_are_normal():
    mean = np.full((1, 12), 0.2)
    y = np.zeros((1, 12))
    y[0, 3] = 6.0  # one burst week, winsorised, then normal weeks
    stat = rise.statistic(y, mean, mean, np.array([0.0]))
    assert not stat["still_up"][0]
    assert not rise.badge(stat, np.array([-np.inf]))[0]
