import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis import cusum, fdr, pooled, predictive


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


def test_cusum_limit_gives_the_chosen_share_of_false_badge_weeks():
    rng = np.random.default_rng(2)
    mean, weeks = 2.0, 27
    limit = cusum.limit(np.array([mean]), np.array([1.0]), 1.5, 104.0, weeks)[0]
    y = rng.poisson(mean, (20_000, weeks)).astype(float)
    score, _ = cusum.statistic(y, np.full(y.shape, mean), np.full(y.shape, np.inf), 1.5)
    assert np.mean(score > limit) == pytest.approx(1 / 104, rel=0.2)


def test_cusum_follows_a_run_from_where_it_left_zero():
    y = np.array([[0.0, 5.0, 5.0, 0.0, 4.0]])
    mean = np.ones_like(y)
    shape = np.full_like(y, np.inf)
    score, run_start = cusum.statistic(y, mean, shape, 1.5)
    step = y[0] * np.log(1.5) - 0.5
    expected = 0.0
    for value in step:
        expected = max(0.0, expected + value)
    assert score[0] == pytest.approx(expected)
    assert run_start[0] == 1
    score, run_start = cusum.statistic(y[:, :1], mean[:, :1], shape[:, :1], 1.5)
    assert score[0] == 0.0 and run_start[0] == -1
