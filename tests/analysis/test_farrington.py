import datetime as dt
from dataclasses import replace

import numpy as np
import pytest
import statsmodels.api as sm

from analysis import farrington, weeks

FIRST = weeks.week_index(dt.date(2019, 1, 7))


def simulated(n_series=6, n_weeks=300, seed=3):
    rng = np.random.default_rng(seed)
    t = np.arange(n_weeks)
    level = np.exp(rng.uniform(0.0, 2.0, n_series))[:, None]
    season = 1 + 0.5 * np.sin(2 * np.pi * t / 52.18)
    trend = np.exp(0.002 * t)
    mean = level * season * trend
    return rng.negative_binomial(4, 4 / (4 + mean))


def test_design_follows_the_noufaily_blocks():
    config = farrington.FarringtonConfig()
    target = 290
    plan = farrington.design(target, FIRST, config)
    assert plan.n_levels == 10
    assert plan.columns.max() == target - 27  # the last 26 weeks and the target are left out
    current = plan.label[target]
    one_year_back = weeks.years_back(FIRST + target, 1) - FIRST
    assert (plan.label[one_year_back - 3 : one_year_back + 4] == current).all()
    five_years_back = weeks.years_back(FIRST + target, 5) - FIRST
    assert plan.columns.min() == five_years_back - 3
    assert set(np.unique(plan.level)) == set(range(10))


def test_design_refuses_too_short_a_history_unless_adaptive():
    config = farrington.FarringtonConfig()
    assert farrington.design(150, FIRST, config) is None
    adaptive = farrington.FarringtonConfig(adaptive_years=True)
    plan = farrington.design(150, FIRST, adaptive)
    assert plan is not None and len(plan.window_start) == 2


def test_holiday_weeks_get_their_own_level():
    config = farrington.FarringtonConfig(holidays=farrington.SWEDISH_PEAKS)
    midsummer = weeks.week_index(dt.date(2024, 6, 21)) - FIRST
    plan = farrington.design(midsummer, FIRST, config)
    past = [weeks.week_index(dt.date(y, 6, d)) - FIRST for y, d in ((2023, 23), (2022, 24))]
    assert plan.label[past[0]] == plan.label[past[1]] == plan.target_level
    assert plan.label[past[0] - 1] != plan.target_level
    assert plan.n_levels == 13


def design_matrix(plan):
    return np.column_stack([np.eye(plan.n_levels)[plan.level], plan.time])


def test_coefficients_equal_statsmodels_glm():
    counts = simulated()
    config = farrington.FarringtonConfig(
        reweight=False, p_threshold_trend=1.0, epsilon=1e-13, max_iter=50
    )
    baseline = farrington.fit(counts, 280, first_week=FIRST, config=config)
    plan = baseline.design
    for s in range(counts.shape[0]):
        y = counts[s, plan.columns]
        reference = sm.GLM(y, design_matrix(plan), family=sm.families.Poisson()).fit(
            tol=1e-13, scale="X2"
        )
        ours = np.append(baseline.alpha[s], baseline.tau[s])
        assert baseline.trend[s]
        np.testing.assert_allclose(ours, reference.params, rtol=1e-8, atol=1e-10)
        # R's dispersion uses the working weights of the last iteration, as ours does
        assert baseline.phi[s] == pytest.approx(max(reference.scale, 1.0), rel=1e-6)


def test_a_windows_variance_is_the_delta_method_on_statsmodels_covariance():
    """The fit's error for the sum of the 27 recent weeks (the rising badge's reference):
    the gradient of log sum exp(x_t b) through statsmodels' unscaled covariance."""
    counts = simulated()
    config = farrington.FarringtonConfig(
        reweight=False, p_threshold_trend=1.0, epsilon=1e-13, max_iter=50
    )
    target = 280
    baseline = farrington.fit(counts, target, first_week=FIRST, config=config)
    plan = baseline.design
    recent = np.arange(target - 26, target + 1)
    rows = np.arange(counts.shape[0])
    expected = baseline.expected_in(recent, rows)
    ours = baseline.window_variance(recent, expected, rows)
    x_recent = np.column_stack([np.eye(plan.n_levels)[plan.label[recent]], recent - target])
    for s in rows:
        y = counts[s, plan.columns]
        reference = sm.GLM(y, design_matrix(plan), family=sm.families.Poisson()).fit(tol=1e-13)
        gradient = expected[s] @ x_recent / expected[s].sum()
        assert ours[s] == pytest.approx(gradient @ reference.normalized_cov_params @ gradient)
        alone = baseline.window_variance(np.array([target]), np.ones((1, 1)), rows[s : s + 1])
        assert alone[0] == pytest.approx(baseline.se_eta[s] ** 2 / baseline.phi[s])
        assert ours[s] < alone[0]


def test_reweighted_coefficients_equal_statsmodels_with_anscombe_weights():
    counts = simulated(seed=8)
    counts[:, 100:103] *= 5  # past outbreaks to down-weight
    config = farrington.FarringtonConfig(p_threshold_trend=1.0, epsilon=1e-13, max_iter=50)
    baseline = farrington.fit(counts, 280, first_week=FIRST, config=config)
    plan = baseline.design
    x = design_matrix(plan)
    for s in range(counts.shape[0]):
        y = counts[s, plan.columns].astype(float)
        first = sm.GLM(y, x, family=sm.families.Poisson()).fit(tol=1e-13, scale="X2")
        mu = first.fittedvalues
        leverage = first.get_hat_matrix_diag()
        anscombe = 1.5 * (y ** (2 / 3) * mu ** (-1 / 6) - np.sqrt(mu))
        anscombe /= np.sqrt(max(first.scale, 1.0) * (1 - leverage))
        omega = np.where(anscombe > 2.58, anscombe**-2.0, 1.0)
        omega *= len(y) / omega.sum()
        second = sm.GLM(y, x, family=sm.families.Poisson(), var_weights=omega).fit(tol=1e-13)
        ours = np.append(baseline.alpha[s], baseline.tau[s])
        np.testing.assert_allclose(ours, second.params, rtol=1e-8, atol=1e-10)


def _fits(counts, **configs):
    base = farrington.FarringtonConfig(p_threshold_trend=1.0)
    return {
        name: farrington.fit(counts, 290, first_week=FIRST, config=replace(base, **settings))
        for name, settings in configs.items()
    }


def test_the_consistent_reweighting_keeps_the_level_and_theta_of_clean_series():
    """Farrington's down-weighting takes ordinary high weeks too: on 2,000 clean negative
    binomial series (mean 1, theta 0.3) the reweighted level sits 2.5 % below the unweighted
    fit's and theta comes out 0.36. The consistent fit subtracts what down-weighting takes
    under the fitted law, and is within 1 % of the unweighted level, with theta 0.30."""
    rng = np.random.default_rng(21)
    counts = rng.negative_binomial(1 / 0.3, 1 / (1 + 0.3), size=(2000, 300))
    fits = _fits(counts, plain={}, consistent={"consistent": True}, unweighted={"reweight": False})
    level = {name: np.exp(fit.eta).mean() for name, fit in fits.items()}
    assert level["plain"] < 0.98 * level["unweighted"]
    assert level["consistent"] == pytest.approx(level["unweighted"], rel=0.01)
    assert fits["plain"].theta.mean() > 0.33
    assert fits["consistent"].theta.mean() == pytest.approx(0.3, rel=0.05)


def test_the_consistent_reweighting_still_down_weights_a_past_outbreak():
    """Three weeks at six times the mean (5) in the target's seasonal level: the unweighted
    level rises 15 %, the reweighted one 2 %, consistent or not."""
    rng = np.random.default_rng(22)
    counts = rng.negative_binomial(10, 10 / (10 + 5.0), size=(500, 300))
    plan = farrington.design(290, FIRST, farrington.FarringtonConfig())
    outbreak = counts.copy()
    outbreak[:, plan.columns[plan.level == plan.target_level][:3]] = 30
    settings = {"plain": {}, "consistent": {"consistent": True}, "unweighted": {"reweight": False}}
    before, after = _fits(counts, **settings), _fits(outbreak, **settings)
    rise = {
        name: np.exp(after[name].eta).mean() / np.exp(before[name].eta).mean() for name in settings
    }
    assert rise["unweighted"] > 1.1
    assert rise["consistent"] < 1.04
    assert rise["consistent"] == pytest.approx(rise["plain"], abs=0.01)


@pytest.mark.parametrize(("mean", "theta"), [(1.0, 0.3), (5.0, 0.1)])
def test_thetas_standard_error_is_its_spread_over_like_series(mean, theta):
    rng = np.random.default_rng(23)
    counts = rng.negative_binomial(1 / theta, 1 / (1 + theta * mean), size=(2000, 300))
    fit = _fits(counts, consistent={"consistent": True})["consistent"]
    assert np.median(fit.theta_se) / fit.theta.std() == pytest.approx(1.0, abs=0.2)


def test_insignificant_trend_is_dropped_and_the_level_mean_remains():
    rng = np.random.default_rng(5)
    counts = rng.poisson(4.0, (3, 300))
    config = farrington.FarringtonConfig(reweight=False)
    baseline = farrington.fit(counts, 280, first_week=FIRST, config=config)
    plan = baseline.design
    for s in np.flatnonzero(~baseline.trend):
        in_level = plan.columns[plan.level == plan.target_level]
        assert np.exp(baseline.eta[s]) == pytest.approx(counts[s, in_level].mean(), rel=1e-6)
    assert (~baseline.trend).sum() >= 2


def test_series_start_masks_earlier_weeks():
    counts = simulated()
    counts[0, :150] = 1000  # unknown weeks before the series started must not count
    start = np.zeros(counts.shape[0], dtype=np.int64)
    start[0] = 150
    config = farrington.FarringtonConfig(adaptive_years=True)
    masked = farrington.fit(counts, 280, first_week=FIRST, config=config, start=start)
    clean = counts.copy()
    clean[0, :150] = counts[1, :150]
    assert np.exp(masked.eta[0]) < 100
    expected = masked.expected_in(np.arange(200, 281))
    assert expected.shape == (counts.shape[0], 81)
    assert np.isfinite(expected[:, -1]).all()


def test_empty_seasonal_level_gets_a_near_zero_expectation_like_r():
    counts = simulated()
    config = farrington.FarringtonConfig()
    plan = farrington.design(280, FIRST, config)
    counts[:, plan.columns[plan.level == plan.target_level]] = 0
    baseline = farrington.fit(counts, 280, first_week=FIRST, config=config)
    assert baseline.ok.all()
    assert (np.exp(baseline.eta) < 1e-6).all()


def test_all_zero_series_does_not_converge_so_gets_no_result_like_r():
    counts = np.zeros((2, 300), dtype=np.int64)
    baseline = farrington.fit(counts, 280, first_week=FIRST, config=farrington.FarringtonConfig())
    assert not baseline.ok.any()
    assert np.isnan(baseline.eta).all()
