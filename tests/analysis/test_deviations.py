from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis import aggregate, deviations, farrington, predictive, simulation
from analysis.aggregate import ALL
from tests.analysis.helpers import FIRST, N_WEEKS, partnership, table_of


def cells(table):
    return (table.area != ALL) & (table.category != ALL)


def test_one_incident_in_a_usually_empty_series_is_never_a_deviation():
    cube, _ = partnership(1)
    cube = cube.copy()
    cube[0, 0, :] = 0
    target = N_WEEKS - 1
    cube[0, 0, [30, 80, 130, 185, 235]] = 1  # a few incidents, none in this season
    cube[0, 0, target] = 1
    result = deviations.weekly_deviations(table_of(cube), target)
    assert result.method[0] == deviations.POOLED
    assert result.level[0] == deviations.NONE
    assert result.p_value[0] > 1e-3  # R's plug-in gives about 1e-9 here
    r_result = deviations.weekly_deviations(table_of(cube), target, deviations.R_COMPATIBLE)
    assert r_result.p_value[0] < 1e-6
    single = result.observed == 1
    assert (result.level[single] == deviations.NONE).all()


def test_recurring_yearly_peaks_are_season_not_outbreaks():
    cube, _ = partnership(2, n_categories=20, per_year=20000.0, peak_share=1.0)
    table = table_of(cube)
    peaks = farrington.holiday_weeks(farrington.SWEDISH_PEAKS, FIRST, N_WEEKS)
    targets = peaks[peaks >= N_WEEKS - 52]
    ours, theirs, n = 0, 0, 0
    for target in targets:
        result = deviations.weekly_deviations(table, target)
        r_result = deviations.weekly_deviations(table, target, deviations.R_COMPATIBLE)
        busy = cells(table) & (result.expected >= 1)
        n += busy.sum()
        ours += (result.level[busy] != deviations.NONE).sum()
        theirs += r_result.alarm[busy].sum()
    assert n > 200
    assert theirs / n > 0.10  # R's way flags recurring peaks as outbreaks
    assert ours / n < 0.05


@pytest.mark.slow
def test_null_weeks_with_any_deviation_stay_below_q_over_600_series():
    weeks_with_deviation, glm_p = [], []
    for seed in (3, 4):
        cube, _ = partnership(seed, n_areas=28, n_categories=20)
        table = table_of(cube)
        assert table.n_series >= 600
        for target in range(N_WEEKS - 52, N_WEEKS, 2):
            result = deviations.weekly_deviations(table, target)
            weeks_with_deviation.append((result.level == deviations.DEVIATION).any())
            glm_p.append(result.p_value[result.method == deviations.GLM])
    assert len(weeks_with_deviation) == 52
    assert np.mean(weeks_with_deviation) <= 0.05
    glm_p = np.concatenate(glm_p)  # the seasonal model's p-values are calibrated too
    assert len(glm_p) > 1000
    assert 0.03 <= np.mean(glm_p <= 0.05) <= 0.07
    assert np.mean(glm_p <= 0.01) <= 0.02


def test_a_planted_outbreak_is_flagged_and_explained_by_its_numbers():
    cube, mean = partnership(5)
    cube = cube.copy()
    table = table_of(cube)
    total = table.n_series - 1
    target = N_WEEKS - 1
    busiest = int(np.argmax(mean[:, :, target].ravel()))
    area, category = divmod(busiest, cube.shape[1])
    cube[area, category, target] += int(6 * mean[area, category, target]) + 6
    result = deviations.weekly_deviations(table_of(cube), target)
    assert result.level[busiest] == deviations.DEVIATION
    assert result.p_adjusted[busiest] <= 0.05
    assert result.p_value[busiest] <= result.p_adjusted[busiest]
    assert result.observed[busiest] > result.threshold[busiest] >= result.normal_high[busiest]
    assert result.normal_low[busiest] <= result.expected[busiest] <= result.normal_high[busiest]
    assert result.method[total] == deviations.GLM


def test_fewer_than_eight_weeks_of_history_gives_counts_only():
    cube, _ = partnership(6)
    result = deviations.weekly_deviations(table_of(cube[:, :, :8]), 7)
    assert (result.method == deviations.UNTESTED).all()
    assert np.isnan(result.p_value).all()
    assert (result.level == deviations.NONE).all()
    assert result.observed.sum() == cube[:, :, 7].sum() * 4


def test_less_than_a_year_uses_the_short_pooled_rule():
    cube, _ = partnership(7)
    result = deviations.weekly_deviations(table_of(cube[:, :, :30]), 29)
    assert (result.method == deviations.SHORT).all()
    assert np.isfinite(result.p_value).all()
    assert (result.level != deviations.DEVIATION).all()


def test_a_series_added_later_is_tested_on_its_own_weeks_only():
    cube, _ = partnership(8)
    table = table_of(cube)
    start = table.start.copy()
    start[0] = N_WEEKS - 20
    late = aggregate.SeriesTable(
        table.counts, table.area, table.category, table.group, start, table.first_week
    )
    result = deviations.weekly_deviations(late, N_WEEKS - 1)
    assert result.method[0] == deviations.SHORT
    assert result.method[1] != deviations.SHORT


def test_a_sustained_rise_gets_the_rising_badge_without_a_weekly_flag():
    cube, mean = partnership(9)
    cube = cube.copy()
    end = N_WEEKS - 1
    busiest = int(np.argmax(mean[:, :, end].ravel()))
    area, category = divmod(busiest, cube.shape[1])
    span = slice(end - 9, end + 1)
    cube[area, category, span] = np.round(2.2 * mean[area, category, span]).astype(int)
    table = table_of(cube)
    signals = []
    for target in range(end - 9, end + 1):
        result = deviations.weekly_deviations(table, target)
        assert result.level[busiest] != deviations.DEVIATION
        if result.rising[busiest]:
            signals.append(target)
            assert result.rise_score[busiest] > result.rise_limit[busiest]
            assert FIRST + end - 26 <= result.rising_since[busiest] <= FIRST + target
    assert signals


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 3), st.integers(10, 60))
def test_no_flag_on_an_all_zero_series(row, length):
    cube, _ = partnership(10)
    cube = cube[:, :, :length].copy()
    cube[row] = 0
    table = table_of(cube)
    for config in (deviations.DEFAULT, deviations.R_COMPATIBLE):
        result = deviations.weekly_deviations(table, length - 1, config)
        zero = table.counts[:, :length].sum(axis=1) == 0
        assert zero.any()
        assert (result.level[zero] == deviations.NONE).all()
        assert not result.alarm[zero].any()
        assert not result.rising[zero].any()


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_permuting_incidents_changes_nothing(seed):
    cube, _ = partnership(11, n_areas=4, n_categories=3)
    area, category, week = np.nonzero(cube[:, :, :70])
    repeat = cube[:, :, :70][area, category, week]
    incidents = [np.repeat(x, repeat) for x in (week + FIRST, area, category)]
    order = np.random.default_rng(seed).permutation(len(incidents[0]))
    results = []
    for permutation in (np.arange(len(order)), order):
        w, a, c = (x[permutation] for x in incidents)
        rebuilt = aggregate.count_cube(
            w, a, c, n_areas=4, n_categories=3, first_week=FIRST, n_weeks=70
        )
        results.append(deviations.weekly_deviations(table_of(rebuilt), 69))
    for name in ("expected", "p_value", "p_adjusted", "level", "rise_score"):
        np.testing.assert_array_equal(getattr(results[0], name), getattr(results[1], name))


def test_a_national_batch_gives_each_partnership_its_own_result():
    tables = [
        aggregate.stack_series(partnership(seed)[0], first_week=FIRST, group=seed)
        for seed in (13, 14)
    ]
    together = deviations.weekly_deviations(aggregate.concat_series(tables), N_WEEKS - 1)
    alone = deviations.weekly_deviations(tables[1], N_WEEKS - 1)
    rows = slice(tables[0].n_series, None)
    for name in ("expected", "p_value", "p_adjusted", "threshold", "level", "rise_score"):
        np.testing.assert_allclose(getattr(together, name)[rows], getattr(alone, name))


def test_a_seeded_run_is_reproducible():
    first = deviations.weekly_deviations(table_of(partnership(12)[0]), N_WEEKS - 1)
    partnership.cache_clear()
    second = deviations.weekly_deviations(table_of(partnership(12)[0]), N_WEEKS - 1)
    for name in ("observed", "expected", "p_value", "threshold", "level", "rise_score"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))


PICTURE_LIKE = (deviations.DEFAULT, replace(deviations.DEFAULT, rise_one_in=520.0))


def test_a_one_week_burst_is_not_a_lasting_rise():
    """Five incidents in one week of an otherwise empty series: an outbreak, not a rise.
    The weeks after it must not carry the rising badge (it used to stay on for 27 weeks)."""
    cube, _ = partnership(15)
    cube = cube.copy()
    burst = N_WEEKS - 27
    cube[0, 0, :] = 0
    cube[0, 0, burst] = 5
    table = table_of(cube)
    for config in PICTURE_LIKE:
        badged = [
            target
            for target in range(burst + 1, N_WEEKS)
            if deviations.weekly_deviations(table, target, config).rising[0]
        ]
        assert badged == []


def test_holiday_columns_never_push_an_ordinary_level_below_itself():
    """A series with a mean of 1.6 whose past holiday weeks happened to be empty: an ordinary
    count of 8 in a holiday week is compared with its ordinary level, not with ~0.1."""
    cube, _ = partnership(16, peak_share=0.0)
    cube = cube.copy()
    rng = np.random.default_rng(16)
    cube[0, 0, :] = rng.negative_binomial(5, 5 / (5 + 1.6), N_WEEKS)
    peaks = farrington.holiday_weeks(farrington.SWEDISH_PEAKS, FIRST, N_WEEKS)
    target = int(peaks[peaks >= N_WEEKS - 52][-1])
    cube[0, 0, peaks[peaks < target]] = 0
    cube[0, 0, target] = 8
    result = deviations.weekly_deviations(table_of(cube), target)
    assert result.method[0] == deviations.GLM
    assert result.expected[0] >= 1.0
    assert result.level[0] != deviations.DEVIATION


def test_sparse_cells_of_a_bursty_category_share_its_overdispersion():
    """At 0.1 a week a cell cannot estimate its own spread; a bursty category's cells get the
    category's, so three incidents in one week are not judged on Poisson tails."""
    rng = np.random.default_rng(17)
    shape = simulation.Partnership(n_areas=25, n_categories=4, incidents_per_year=600.0)
    mean = simulation.expected_cube(rng, shape, FIRST, N_WEEKS)
    mean[:, :2] = 0.1  # categories 0 and 1: 0.1 a week in every area (pooled cells)
    cube = rng.poisson(mean)
    cube[:, 0] = rng.negative_binomial(0.3, 0.3 / (0.3 + mean[:, 0]))  # category 0 bursty
    result = deviations.weekly_deviations(table_of(cube), N_WEEKS - 1)
    table = table_of(cube)
    pooled_cells = cells(table) & (result.method == deviations.POOLED)
    bursty = pooled_cells & (table.category == 0)
    calm = pooled_cells & (table.category == 1)
    assert bursty.sum() >= 10 and calm.sum() >= 10
    assert (result.theta[bursty] > 0.5).all()  # none left at Poisson by a noisy estimate
    assert np.median(result.theta[calm]) < np.min(result.theta[bursty]) / 3


def test_a_pooled_cells_expectation_states_its_whole_error():
    """A sparse cell borrows its category's seasonal profile; its expected count is its own
    rate times the profile, both estimated. Stating only the rate's error understated the
    whole error 2.2x in standard deviation at 15,000 incidents a year (issue 9's busier
    scorecard: null weeks with an avvikelse 9 % instead of at most 5 %); in this
    partnership the large-kappa prior made it far worse. Counts here are
    negative binomial around area share x category share x a season and trend per category,
    not the engine's model; the log error of the expectation over its stated CV must look
    standard normal."""
    rng = np.random.default_rng(91)
    n_areas, n_categories = 20, 10
    t = np.arange(N_WEEKS)
    phase = rng.uniform(0, 2 * np.pi, (n_categories, 1))
    season = np.exp(rng.uniform(0, 0.5, (n_categories, 1)) * np.cos(2 * np.pi * t / 52.18 + phase))
    trend = np.exp(rng.uniform(-0.05, 0.05, (n_categories, 1)) * t / 52)
    area = rng.gamma(2.0, 1.0, n_areas)
    category = rng.gamma(1.0, 1.0, n_categories)
    share = np.outer(area / area.sum(), category / category.sum())
    mean = 15000 / 52.18 * share[:, :, None] * (season * trend)[None]
    size = rng.uniform(1.5, 10.0, (1, n_categories, 1))
    cube = rng.negative_binomial(size, size / (size + mean))
    table = table_of(cube)
    truth = mean.reshape(-1, N_WEEKS)
    z = []
    for target in range(N_WEEKS - 52, N_WEEKS, 4):
        result = deviations.weekly_deviations(table, target)
        pooled = np.flatnonzero(cells(table) & (result.method == deviations.POOLED))
        level = truth[pooled, target]
        keep = (level >= 0.2) & (level < 1.0)
        error = np.log(level[keep] / result.expected[pooled][keep])
        z.append(error / np.sqrt(result.fit_cv2[pooled][keep]))
    z = np.concatenate(z)
    assert z.size >= 300
    assert np.std(z) < 1.3  # 53 with the rate's error alone (1.16 now)
    assert np.mean(z > 2) < 0.08  # 2.3 % for a standard normal; 49 % before (5.3 % now)


def test_weeks_that_stay_off_the_fit_together_do_not_make_four_weeks_unusual():
    """Null series whose level wanders for weeks at a time (a log-level that follows an
    autoregression, not a season the fit can learn). Each week's own test allows for some of
    it in theta; the four-week sum counted the shared drift four times and called small
    p-values about four times as often as the week did (4.5 % against 1.1 % at 0.001). With
    the spread of the baseline's own four-week sums it stays near the week's (1.3x)."""
    rng = np.random.default_rng(93)
    n_series = 150
    drift = np.zeros((n_series, N_WEEKS))
    for t in range(1, N_WEEKS):
        drift[:, t] = 0.95 * drift[:, t - 1] + rng.normal(0, 0.15, n_series)
    counts = rng.poisson(5.0 * np.exp(drift))
    table = aggregate.stack_series(counts[:, None, :], first_week=FIRST)
    week, series = [], []
    for target in range(N_WEEKS - 26, N_WEEKS):
        result = deviations.weekly_deviations(table, target)
        tested = cells(table) & (result.method == deviations.GLM)
        week.append(result.p_value[tested])
        series.append(result.p_series[tested])
    week, series = np.concatenate(week), np.concatenate(series)
    assert week.size >= 2000
    assert np.mean(series <= 0.001) < 2 * np.mean(week <= 0.001)
    assert np.mean(series <= 0.01) < 1.5 * np.mean(week <= 0.01)


def test_weeks_that_stay_off_the_fit_together_are_rarely_a_rise():
    """Stable series whose level wanders for weeks at a time (a log-level AR(1), correlation
    0.9 from one week to the next, sd 0.3, 3 incidents a week), as when conditions persist.
    The badge took its sums of weeks as sums of independent weeks and showed on 5.0 % of
    series-weeks against its design of 1.33 %; with the spread of the baseline's own
    four-week sums on 3.5 %, and with that of its 13-week sums for the longer ones on 2.5 %.
    Still above the design: the fit's error per series, not the sums' spread (docs/method)."""
    rng = np.random.default_rng(2)
    n_series, rho, sd = 300, 0.9, 0.3
    drift = np.zeros((n_series, N_WEEKS))
    drift[:, 0] = rng.normal(0, sd, n_series)
    for t in range(1, N_WEEKS):
        drift[:, t] = rho * drift[:, t - 1] + rng.normal(0, sd * np.sqrt(1 - rho**2), n_series)
    counts = rng.poisson(3.0 * np.exp(drift - sd**2 / 2))
    table = aggregate.stack_series(counts[:, None, :], first_week=FIRST)
    badge = []
    for target in range(N_WEEKS - 26, N_WEEKS, 2):
        result = deviations.weekly_deviations(table, target)
        badge.append(result.rising[cells(table) & (result.method == deviations.GLM)])
    badge = np.concatenate(badge)
    assert badge.size >= 3500
    assert badge.mean() < 0.03


def _exact_size(law, level, mixing, true_tail, top=60):
    """The week test's exact false rate at ``level``: per series of ``law`` (keywords of
    ``analysis.predictive``, e.g. ``Deviations.law``), the probability under the true law
    (``true_tail(y)``: P(Y >= y)) of a count whose p-value is at or below ``level``."""
    y = np.arange(0, top)[None, :]
    p = predictive.upper_p(y, **law, mixing=mixing, mid=True)
    first = np.where((p <= level).any(axis=1), np.argmax(p <= level, axis=1), np.inf)
    return np.mean(true_tail(first)) / level


def _tail_of_nb(size, p):
    """P(Y >= y) of a negative binomial (scipy's ``size`` and ``p``)."""
    return lambda y: stats.nbinom.sf(y - 1, size, p)


SEASONAL_WEEKS = 5 * 52 + 30  # five years of baseline and the weeks after it


def _season(level: float) -> np.ndarray:
    """``level`` a week with a season of +-30 % (a sine, not the fit's steps), over
    ``SEASONAL_WEEKS`` weeks."""
    return level * (1 + 0.3 * np.sin(2 * np.pi * np.arange(SEASONAL_WEEKS) / 52.18))


def _seasonal_nb(seed: int, n: int, level: float, theta: float):
    """``n`` negative-binomial series of ``level`` a week with a season of +-30 % (a sine, not
    the fit's steps) and overdispersion ``theta``, over ``SEASONAL_WEEKS`` weeks: the true
    mean of each week, and the table."""
    rng = np.random.default_rng(seed)
    mean = _season(level)
    counts = rng.negative_binomial(1 / theta, 1 / (1 + theta * mean), size=(n, 1, len(mean)))
    return mean, aggregate.stack_series(counts, first_week=FIRST)


def _fit_error_z(dev, rows, truth):
    """How far the fit's expectation is from the ``truth`` in units of its stated error:
    log(m / true m) / sqrt(c)."""
    return np.log(dev.expected[rows] / truth) / np.sqrt(dev.fit_cv2[rows])


def _fit_error_sd(mean, table, n, config, targets) -> float:
    """The sd of ``_fit_error_z`` over the first ``n`` series of ``table`` (each must have
    its own GLM) and the ``targets`` weeks, whose true weekly ``mean`` they share."""
    z = []
    for target in targets:
        dev = deviations.weekly_deviations(table, target, config)
        rows = np.flatnonzero(dev.method[:n] == deviations.GLM)
        assert len(rows) == n
        z.append(_fit_error_z(dev, rows, mean[target]))
    return np.concatenate(z).std()


def test_consistent_levels_and_thetas_error_bring_the_far_tail_nearer_its_level():
    """1,500 series, negative binomial (mean 1 a week, theta 0.25, a season; not the model's
    law): the week test's exact false rate at p = 1e-4, where BH over ~600 series looks.
    With the fit's error mixed in as gamma (``GAMMA_FIT_ERROR``, DEFAULT until the thirteenth
    stop: Farrington's plain reweighting, theta taken as known) it is reached 1.73 times as
    often as the level; with the consistent levels and theta's error (``THETA_ERROR``) 1.46
    times, and with the fit's error also taken as lognormal 1.14 times."""
    n, weeks, theta = 1500, SEASONAL_WEEKS, 0.25
    mean, table = _seasonal_nb(11, n, 1.0, theta)

    true_tail = _tail_of_nb(1 / theta, 1 / (1 + theta * mean[-1]))
    configs = {
        "gamma": deviations.GAMMA_FIT_ERROR,
        "THETA_ERROR": deviations.THETA_ERROR,
        "lognormal": replace(deviations.THETA_ERROR, mixing=predictive.LOGNORMAL),
    }
    size = {}
    for name, config in configs.items():
        dev = deviations.weekly_deviations(table, weeks - 1, config)
        rows = np.flatnonzero(dev.method[:n] == deviations.GLM)
        assert len(rows) > 0.9 * n
        size[name] = _exact_size(dev.law(rows), 1e-4, config.mixing, true_tail)
    assert size["gamma"] > 1.6
    assert size["THETA_ERROR"] < 0.9 * size["gamma"]
    assert size["lognormal"] < 0.85 * size["THETA_ERROR"]


def test_the_far_tail_excess_of_busy_series_is_the_means_estimate_not_thetas():
    """1,000 series, negative binomial (mean 10 a week, theta 0.3, a season): the week test
    reaches p = 1e-4 2.3 times as often as the level. With the true theta put in it stays
    (2.4); with the true mean (the fit's error still mixed in) it falls to 0.8. The fit
    states its error honestly (log(m / true m) over sqrt(c) has sd 1.02; the level sits 0.2
    of it low: Farrington's reweighting), but the gamma that mixed it in until the thirteenth
    stop has the lighter far tail: mixed as lognormal (DEFAULT now), 1.5
    (docs/method/deviations.md, tenth stop)."""
    n, weeks, theta = 1000, SEASONAL_WEEKS, 0.3
    mean, table = _seasonal_nb(3, n, 10.0, theta)
    dev = deviations.weekly_deviations(table, weeks - 1)
    rows = np.flatnonzero(dev.method[:n] == deviations.GLM)
    assert len(rows) == n
    law = dev.law(rows)

    true_tail = _tail_of_nb(1 / theta, 1 / (1 + theta * mean[-1]))

    def size(law, mixing=predictive.GAMMA):
        return _exact_size(law, 1e-4, mixing, true_tail, top=200)

    as_tested = size(law)
    assert as_tested > 2.0
    assert size({**law, "theta": np.full_like(law["theta"], theta)}) > 0.85 * as_tested
    assert size({**law, "mean": np.full_like(law["mean"], mean[-1])}) < 1.0
    assert size(law, predictive.LOGNORMAL) < 0.75 * as_tested
    z = _fit_error_z(dev, rows, mean[-1])
    assert 0.9 < z.std() < 1.2
    assert -0.35 < z.mean() < 0.0


def test_the_fit_error_of_a_busy_series_can_be_as_large_as_negative_binomial_weeks_make_it():
    """1,000 series, negative binomial (20 a week, theta 0.1, a season), four target weeks:
    the fit's stated error sqrt(c) against how far its expectation is from the truth,
    z = log(m / true m) / sqrt(c). With the quasi-Poisson phi (R's, averaged over the
    reweighted baseline; DEFAULT) the error is stated too small (z has sd 1.08); with
    ``max(phi, 1 + theta m)`` at the target (``NB_FIT_ERROR``, measured and not adopted) it
    is the right size (1.02) (docs/method/deviations.md, fifteenth stop)."""
    n, weeks = 1000, SEASONAL_WEEKS
    mean, table = _seasonal_nb(3, n, 20.0, 0.1)
    targets = (weeks - 1, weeks - 14, weeks - 27, weeks - 40)
    assert _fit_error_sd(mean, table, n, deviations.DEFAULT, targets) > 1.06
    assert 0.97 < _fit_error_sd(mean, table, n, deviations.NB_FIT_ERROR, targets) < 1.04


def _persistent(seed: int, n: int, level: float, rho: float, sd: float):
    """``n`` series of ``level`` a week with a season of +-30 %, Poisson around a rate that
    wanders as a log-normal AR(1) (correlation ``rho`` from one week to the next, marginal sd
    ``sd``, mean 1): weeks that are not independent. The marginal mean of each week, and the
    table."""
    rng = np.random.default_rng(seed)
    mean = _season(level)
    latent = np.empty((n, SEASONAL_WEEKS))
    latent[:, 0] = sd * rng.standard_normal(n)
    for t in range(1, SEASONAL_WEEKS):
        step = sd * np.sqrt(1 - rho**2) * rng.standard_normal(n)
        latent[:, t] = rho * latent[:, t - 1] + step
    counts = rng.poisson(mean * np.exp(latent - sd**2 / 2))
    return mean, aggregate.stack_series(counts[:, None, :], first_week=FIRST)


def test_the_fit_error_of_a_series_whose_weeks_persist_can_be_as_large_as_its_blocks_make_it():
    """600 series whose weeks persist (5 a week, AR(1) correlation 0.7, marginal sd 0.3),
    three target weeks: z = log(m / true m) / sqrt(c). The fit's covariance takes the
    baseline's weeks as independent, and the target's level is estimated from a few blocks
    of seven weeks that move together, so DEFAULT states its error too small (z has sd 1.52).
    Widened by how much more seven-week sums spread than the weeks say (``BLOCK_FIT_ERROR``,
    measured and not adopted) it is nearly the right size (1.13); on independent negative
    binomial series (5 a week, theta 0.1) the two are about the same (1.09)
    (docs/method/deviations.md, sixteenth stop)."""
    n, weeks = 600, SEASONAL_WEEKS
    targets = (weeks - 1, weeks - 14, weeks - 27)

    def sd(data, config):
        return _fit_error_sd(*data, n, config, targets)

    persistent = _persistent(5, n, 5.0, 0.7, 0.3)
    assert sd(persistent, deviations.DEFAULT) > 1.35
    assert 0.95 < sd(persistent, deviations.BLOCK_FIT_ERROR) < 1.2
    independent = _seasonal_nb(5, n, 5.0, 0.1)
    assert sd(independent, deviations.BLOCK_FIT_ERROR) == pytest.approx(
        sd(independent, deviations.DEFAULT), rel=0.02
    )


def test_the_lognormal_fit_error_halves_the_far_tail_where_variance_is_linear_in_the_mean():
    """1,000 series as in the literature's simulation design (Noufaily et al. 2013): the
    week's variance five times its mean (not the model's mu + theta mu^2), 0.8 a week with a
    strong season. In the season's trough (0.32 a week) the week test reaches p = 1e-4 32
    times as often as the level with the fit's error mixed in as gamma (``GAMMA_FIT_ERROR``)
    and 14 times with DEFAULT's lognormal; in a busier week (1.36) 6.3 and 2.0 times. What is
    left in the trough is the variance law: one theta for the whole year understates how
    skewed the quiet weeks of such a series are (docs/method/deviations.md, thirteenth
    stop)."""
    rng = np.random.default_rng(13)
    n, weeks, phi = 1000, SEASONAL_WEEKS, 5.0
    angle = 2 * np.pi * np.arange(weeks) / 52.18
    mean = np.exp(0.6 * np.cos(angle) + 0.6 * np.sin(angle))
    mean *= 0.8 / mean.mean()
    size = mean / (phi - 1)
    counts = rng.poisson(rng.gamma(size, phi - 1, size=(n, 1, weeks)))
    table = aggregate.stack_series(counts, first_week=FIRST)
    for target, bound in ((weeks - 1, 0.5), (weeks - 27, 0.4)):
        true_tail = _tail_of_nb(size[target], 1 / phi)
        excess = {}
        for config in (deviations.GAMMA_FIT_ERROR, deviations.DEFAULT):
            dev = deviations.weekly_deviations(table, target, config)
            rows = np.flatnonzero(dev.method[:n] == deviations.GLM)
            assert len(rows) > 0.95 * n
            law = dev.law(rows)
            excess[config.mixing] = _exact_size(law, 1e-4, config.mixing, true_tail, top=200)
        assert excess[predictive.LOGNORMAL] < bound * excess[predictive.GAMMA]


def test_a_lognormal_week_halves_the_far_tail_excess_of_lognormal_weekly_noise():
    """1,000 series whose weekly variation is lognormal (mean 10 a week, log-sd 0.3, a
    season; the dense scorecard process's law, not the negative binomial): with the fit's
    error mixed in as gamma (``GAMMA_FIT_ERROR``) the week test reaches p = 1e-4 3.8 times as
    often as the level, because the negative binomial's
    gamma has the lighter far tail at the same variance; with the week's variation taken as
    lognormal (``LOGNORMAL_WEEKS``) 1.8 times. The rest is the estimates' own error."""
    rng = np.random.default_rng(2)
    n, weeks, sigma = 1000, SEASONAL_WEEKS, 0.3
    mean = _season(10.0)
    counts = rng.poisson(mean * np.exp(sigma * rng.standard_normal((n, 1, weeks)) - sigma**2 / 2))
    table = aggregate.stack_series(counts, first_week=FIRST)
    truth = (mean[-1], 1.0, np.expm1(sigma**2), 0.0, 0.0, predictive.POISSON_LOGNORMAL)

    def true_tail(y):
        return predictive.upper_p(np.fmin(y, 10**6), *truth, mid=False)

    size = {}
    for config in (deviations.GAMMA_FIT_ERROR, deviations.LOGNORMAL_WEEKS):
        dev = deviations.weekly_deviations(table, weeks - 1, config)
        rows = np.flatnonzero(dev.method[:n] == deviations.GLM)
        assert len(rows) == n
        size[config.mixing] = _exact_size(dev.law(rows), 1e-4, config.mixing, true_tail, top=160)
    assert size[predictive.GAMMA] > 3.0
    assert size[predictive.POISSON_LOGNORMAL] < 0.6 * size[predictive.GAMMA]


def test_a_category_that_comes_and_goes_gets_a_calibrated_and_sharper_week_test():
    """600 cells of one category, quiet in 40 % of the weeks and Poisson around 2.5 a week
    (a season) in the others: the negative binomial of the same variance puts the week
    test's p = 1e-3 and 1e-4 too far out (reached 0.32 and 0.19 times as often as the
    level: outbreaks missed). With the zero-inflated law (DEFAULT) 0.83 and 0.73 times,
    and each cell's share of quiet weeks is found."""
    rng = np.random.default_rng(4)
    n, weeks, quiet = 600, SEASONAL_WEEKS, 0.4
    mean = _season(1.5)
    busy = rng.random((n, 1, weeks)) >= quiet
    counts = np.where(busy, rng.poisson(mean / (1 - quiet), size=(n, 1, weeks)), 0)
    table = aggregate.stack_series(counts, first_week=FIRST)

    def true_tail(y):
        return (1 - quiet) * stats.poisson.sf(y - 1, mean[-1] / (1 - quiet))

    configs = {
        "negative binomial": replace(deviations.DEFAULT, zero_inflation=False),
        "DEFAULT": deviations.DEFAULT,
    }
    size = {}
    for name, config in configs.items():
        dev = deviations.weekly_deviations(table, weeks - 1, config)
        rows = np.flatnonzero(dev.method[:n] == deviations.GLM)
        assert len(rows) == n
        size[name] = [
            _exact_size(dev.law(rows), level, predictive.GAMMA, true_tail) for level in (1e-3, 1e-4)
        ]
    assert np.median(dev.zero[:n]) == pytest.approx(quiet, abs=0.05)
    assert max(size["negative binomial"]) < 0.4
    assert min(size["DEFAULT"]) > 0.6 and max(size["DEFAULT"]) < 1.5


def test_the_badges_reference_error_is_the_windows_and_grows_where_a_level_moved():
    """DEFAULT compares the 27 recent weeks with an expectation known better than the target
    week's alone (three to four seasonal levels); where the series' level moved two years
    ago (x1.7, a shift the fitted trend cuts through) its seasonal levels stray from the fit
    year to year, and the reference's error grows by that misfit. The picture's badge starts
    from the target week's error and adds the same misfit."""
    rng = np.random.default_rng(8)
    n, weeks = 600, 6 * 52
    mean = np.full((2 * n, weeks), 3.0) * (1 + 0.3 * np.sin(2 * np.pi * np.arange(weeks) / 52.18))
    mean[n:, weeks - 2 * 52 :] *= 1.7
    counts = rng.negative_binomial(4.0, 4.0 / (4.0 + mean))[:, None, :]
    table = aggregate.stack_series(counts, first_week=FIRST)
    dev = deviations.weekly_deviations(table, weeks - 1, deviations.DEFAULT)
    stable, moved = np.arange(n), np.arange(n, 2 * n)
    assert (dev.method[: 2 * n] == deviations.GLM).all()
    assert np.median(dev.rise_cv2[stable] / dev.fit_cv2[stable]) < 0.7
    assert np.median(dev.rise_cv2[moved]) > 1.3 * np.median(dev.rise_cv2[stable])
    picture = deviations.weekly_deviations(table, weeks - 1, deviations.PICTURE)
    misfit = picture.rise_cv2[: 2 * n] - picture.fit_cv2[: 2 * n]
    assert (misfit >= 0).all()
    assert np.median(misfit[moved]) > 2 * np.median(misfit[stable])
