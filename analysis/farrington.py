"""The improved Farrington baseline (Noufaily et al. 2013), batched over many series.

For a target week the baseline is every past week back to ``years`` years before it, except
the most recent ``past_weeks_not_included`` + 1 weeks. Each baseline week gets a seasonal
level: the weeks within ``half_window`` of the same week in past years share the "current
season" level, and the weeks between those windows are cut into ``periods - 1`` blocks, the
same blocks in every year (R's ``noPeriods``). A quasi-Poisson GLM with a log link,
``log mu = alpha[level] + tau * t``, is fitted to the baseline, past outbreaks are
down-weighted by their Anscombe residuals (weights ``gamma / s^2`` above ``weights_threshold``)
and the model is refitted. The trend is kept only if it is significant at
``p_threshold_trend``, at least three years are used, and its prediction does not exceed the
largest baseline count; otherwise the model is refitted without it.

The design (which weeks, which levels) depends only on the calendar and the target week, so
it is built once and shared by every series. The fit uses the structure of the design: the
seasonal indicators are disjoint, so ``X'WX`` is an "arrow" matrix that is solved in closed
form per series in O(n), inside one compiled loop over all series. The iteration is R's
``glm.fit`` (start ``mu = y + 0.1``, stop when the relative change in deviance is below
1e-8, at most 25 iterations), so that in the R-compatible configuration the fitted values
equal ``surveillance::farringtonFlexible``'s, including its near-zero expectations for
seasonal levels without any counts.

Known yearly peaks (New Year, Walpurgis Night, Midsummer Eve) can be given their own
seasonal levels (``holidays``): their weeks are then compared with the same peak in past
years instead of being down-weighted as outbreaks.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np
from scipy import stats

from analysis.weeks import monday, week_index, years_back

# A week beyond about this normal quantile of its own predictive distribution counts as only
# that far when theta is measured: a past outbreak must not count as how the series varies.
OUTLIER_Z = 3.0
# Newton steps towards the Fisher-consistent levels, theta measured again before each (the
# first theta, around levels that are too low, is too large and over-corrects).
CONSISTENT_STEPS = 2


@dataclass(frozen=True)
class Holiday:
    """A yearly peak: ``dates(year)`` gives the days whose weeks belong to it in ``year``."""

    name: str
    dates: Callable[[int], tuple[dt.date, ...]]


def _midsummer_eve(year: int) -> tuple[dt.date, ...]:
    june_19 = dt.date(year, 6, 19)
    return (june_19 + dt.timedelta(days=(4 - june_19.weekday()) % 7),)


SWEDISH_PEAKS = (
    Holiday("nyår", lambda year: (dt.date(year, 12, 31), dt.date(year, 1, 1))),
    Holiday("valborg", lambda year: (dt.date(year, 4, 30),)),
    Holiday("midsommar", _midsummer_eve),
)


@dataclass(frozen=True)
class FarringtonConfig:
    """Settings of the baseline model; the names follow R's ``farringtonFlexible``.

    ``adaptive_years``: use as many whole years as the data have, up to ``years`` (R instead
    refuses a week without ``years`` years of history). ``epsilon`` and ``max_iter`` stop the
    IRLS as R's ``glm.control`` does: on the relative change of the deviance.
    """

    years: int = 5
    half_window: int = 3
    periods: int = 10
    past_weeks_not_included: int = 26
    reweight: bool = True
    weights_threshold: float = 2.58
    consistent: bool = False
    trend: bool = True
    p_threshold_trend: float = 0.05
    holidays: tuple[Holiday, ...] = ()
    adaptive_years: bool = False
    epsilon: float = 1e-8
    max_iter: int = 25


@dataclass(frozen=True)
class Design:
    """The baseline of one target week, shared by all series.

    Columns are positions in the series matrix. ``label[j]`` is the seasonal level of column
    ``j`` for every column up to the target (-1: not in any level), and ``columns``/``level``
    are the baseline weeks actually fitted. ``time`` is the column minus the target column.
    ``window_start[i]`` is the first column of the window ``i + 1`` years back.
    ``ordinary[j]`` is the level column ``j`` would have without the yearly peaks, and
    ``holiday[k]`` says whether level ``k`` is a yearly peak's.
    """

    target: int
    columns: np.ndarray
    level: np.ndarray
    time: np.ndarray
    label: np.ndarray
    target_level: int
    n_levels: int
    window_start: np.ndarray
    ordinary: np.ndarray
    holiday: np.ndarray


def design(
    target: int, first_week: int, config: FarringtonConfig, earliest: int = 0
) -> Design | None:
    """The baseline design for column ``target`` of series whose column 0 is ``first_week``.

    ``earliest`` is the first column with data. Returns None when not even one past year fits
    (or, without ``adaptive_years``, when ``config.years`` years do not fit).
    """
    target = int(target)
    w = config.half_window
    target_week = first_week + target
    reference = [target] + [
        years_back(target_week, i) - first_week for i in range(1, config.years + 1)
    ]
    years = sum(1 for ref in reference[1:] if ref - w >= earliest)  # older years come last
    if years == 0 or (not config.adaptive_years and years < config.years):
        return None
    label = np.full(target + 1, -1, dtype=np.int64)
    current = config.periods - 1
    label[target - w :] = current
    for i in range(1, years + 1):
        ref = reference[i]
        label[ref - w : ref + w + 1] = current
        if config.periods > 1:
            _label_blocks(label, ref + w + 1, reference[i - 1] - w, config.periods - 1)
    target_level = current
    ordinary = label.copy()
    for h, holiday in enumerate(config.holidays):
        columns = _holiday_columns(holiday, first_week, target)
        columns = columns[label[columns] >= 0]
        label[columns] = config.periods + h
        if target in columns:
            target_level = config.periods + h
    fitted = np.flatnonzero(label[: max(target - config.past_weeks_not_included, 0)] >= 0)
    present = np.unique(label[fitted])
    if target_level not in present:
        target_level = current
        if current not in present:
            return None
    compact = np.full(config.periods + len(config.holidays), -1, dtype=np.int64)
    compact[present] = np.arange(len(present))
    label = np.where(label >= 0, compact[np.maximum(label, 0)], -1)
    ordinary = np.where(ordinary >= 0, compact[np.maximum(ordinary, 0)], -1)
    return Design(
        target=target,
        columns=fitted,
        level=label[fitted],
        time=(fitted - target).astype(float),
        label=label,
        target_level=int(compact[target_level]),
        n_levels=len(present),
        window_start=np.array([ref - w for ref in reference[1 : years + 1]], dtype=np.int64),
        ordinary=ordinary,
        holiday=present >= config.periods,
    )


def first_week_needed(target_week: int, config: FarringtonConfig) -> int:
    """The earliest week the baseline of ``target_week`` (a week index) can use: ``years``
    years back, less the half window around that year's reference week. Data from this week
    on give the fit all its years."""
    return years_back(target_week, config.years) - config.half_window


def _label_blocks(label: np.ndarray, start: int, stop: int, n_blocks: int) -> None:
    """Cut columns ``start..stop-1`` into ``n_blocks`` blocks, the first ones one longer."""
    length, rest = divmod(stop - start, n_blocks)
    if length == 0:
        raise ValueError("too many seasonal periods for the gap between windows")
    edges = start + np.cumsum([0] + [length + (j < rest) for j in range(n_blocks)])
    for j in range(n_blocks):
        label[edges[j] : edges[j + 1]] = j


def _holiday_columns(holiday: Holiday, first_week: int, target: int) -> np.ndarray:
    first_year = monday(first_week).year
    last_year = monday(first_week + target).year + 1
    weeks = {
        week_index(day) - first_week
        for year in range(first_year, last_year + 1)
        for day in holiday.dates(year)
    }
    return np.array(sorted(c for c in weeks if 0 <= c <= target), dtype=np.int64)


def holiday_weeks(holidays: tuple[Holiday, ...], first_week: int, n_weeks: int) -> np.ndarray:
    """Columns (``0..n_weeks-1``, column 0 is ``first_week``) of all the holidays' weeks."""
    columns = [_holiday_columns(holiday, first_week, n_weeks - 1) for holiday in holidays]
    return np.unique(np.concatenate(columns)) if columns else np.array([], np.int64)


@dataclass(frozen=True)
class Baseline:
    """Per-series result of the baseline fit for one target week (one row per series).

    ``eta`` is the log expected count at the target and ``se_eta`` its standard error
    (computed with ``phi``); ``phi`` is the Pearson dispersion, at least 1. ``alpha`` and
    ``tau`` are the level and trend coefficients (``tau`` is 0 where the trend was dropped),
    so the expected count in column ``j`` is ``exp(alpha[label[j]] + tau * (j - target))``.
    ``level_exposure`` is the weighted exposure of the target's level (its weeks, weighted
    and moved to the target by the trend): the level's weighted count over it is the
    expected count. ``theta`` is the negative-binomial overdispersion (variance
    ``mu + theta mu^2``) that makes the Pearson statistic over all observed weeks equal its
    degrees of freedom, a moment estimate. ``theta_se`` is its standard error, from the
    weeks' own spread of squared Pearson residuals (``_theta_se``). ``ok`` is False where
    the fit failed.
    ``level_weight`` and ``level_time`` (series x levels) are each level's IRLS weight and
    weighted mean time in the last iteration, and ``trend_spread`` the trend's weighted
    spread of time around the levels' means (``inf`` where the trend was dropped): the
    pieces of the fit's covariance that ``window_variance`` needs.
    """

    eta: np.ndarray
    se_eta: np.ndarray
    phi: np.ndarray
    alpha: np.ndarray
    tau: np.ndarray
    trend: np.ndarray
    ok: np.ndarray
    level_exposure: np.ndarray
    theta: np.ndarray
    theta_se: np.ndarray
    level_weight: np.ndarray
    level_time: np.ndarray
    trend_spread: np.ndarray
    design: Design

    def window_variance(self, columns: np.ndarray, expected: np.ndarray, rows: np.ndarray):
        """Variance of the log of the fit's expected sum over ``columns`` (its ``expected``
        counts, rows x columns), per unit of dispersion: ``sum_l w_l^2 / a_l + (t_w - sum_l
        w_l t_l)^2 / S``, ``w_l`` the sum's share in level ``l``, ``a_l`` and ``t_l`` the
        level's weight and mean time, ``t_w`` the sum's mean time, ``S`` the trend's spread.
        NaN where the sum has weeks outside the fitted levels."""
        label = self.design.label[columns]
        share = expected / expected.sum(axis=1, keepdims=True)
        time = (columns - self.design.target).astype(float)
        a, t = self.level_weight[rows], self.level_time[rows]
        levels = np.zeros(a.shape)
        for j, level in enumerate(label):
            if level < 0:
                return np.full(len(rows), np.nan)
            levels[:, level] += share[:, j]
        with np.errstate(divide="ignore", invalid="ignore"):
            spread = np.where(levels > 0, levels * levels / a, 0.0).sum(axis=1)
            offset = share @ time - np.where(levels > 0, levels * t, 0.0).sum(axis=1)
            return spread + offset * offset / self.trend_spread[rows]

    def expected_in(self, columns: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Expected counts of the series (all, or ``rows``) in the given columns."""
        rows = slice(None) if rows is None else rows
        label = self.design.label[columns]
        eta = self.alpha[rows][:, label] + self.tau[rows, None] * (columns - self.design.target)
        return np.where(label >= 0, np.exp(eta), np.nan)


def fit(
    counts: np.ndarray,
    target: int,
    *,
    first_week: int,
    config: FarringtonConfig,
    start: np.ndarray | None = None,
    rows: np.ndarray | None = None,
    r_quirks: bool = False,
) -> Baseline | None:
    """Fit the baseline of every row of ``counts`` (series x weeks) for column ``target``.

    ``start[s]`` is the first observed column of series ``s`` (earlier weeks get zero
    weight). ``rows`` limits the fit to some rows (the others get ``ok`` False). With
    ``r_quirks`` the trend test uses the dispersion R's implementation computes after
    reweighting (see ``_r_test_dispersion``), so trend decisions match R's.
    Returns None when the design does not fit the data's history.
    """
    n_series = counts.shape[0]
    start = np.zeros(n_series, dtype=np.int64) if start is None else np.asarray(start, np.int64)
    earliest = int(start.min()) if config.adaptive_years else 0
    plan = design(target, first_week, config, earliest)
    if plan is None:
        return None
    selected = np.ones(n_series, bool) if rows is None else np.zeros(n_series, bool)
    if rows is not None:
        selected[rows] = True
    n = len(plan.columns)
    df_max = n + 1
    critical = stats.t.ppf(1 - config.p_threshold_trend / 2, np.maximum(np.arange(df_max), 1))
    out = {
        name: np.full(n_series, np.nan)
        for name in ("eta", "se_eta", "phi", "tau", "level_exposure", "theta", "theta_se")
    }
    alpha = np.full((n_series, plan.n_levels), np.nan)
    level_weight = np.zeros((n_series, plan.n_levels))
    level_time = np.zeros((n_series, plan.n_levels))
    trend_spread = np.full(n_series, np.inf)
    trend = np.zeros(n_series, bool)
    ok = np.zeros(n_series, bool)
    _fit_all(
        counts,
        start,
        selected,
        plan.columns,
        plan.level,
        plan.time,
        plan.n_levels,
        plan.target_level,
        plan.window_start,
        config.trend,
        config.reweight,
        config.weights_threshold,
        (config.epsilon, config.max_iter),
        critical,
        r_quirks,
        config.consistent,
        out["eta"],
        out["se_eta"],
        out["phi"],
        alpha,
        out["tau"],
        trend,
        ok,
        out["level_exposure"],
        out["theta"],
        out["theta_se"],
        level_weight,
        level_time,
        trend_spread,
    )
    return Baseline(
        alpha=alpha,
        trend=trend,
        ok=ok,
        level_weight=level_weight,
        level_time=level_time,
        trend_spread=trend_spread,
        design=plan,
        **out,
    )


# --- the compiled fit ------------------------------------------------------------------


@numba.njit(cache=True, error_model="numpy")
def _irls(y, prior, t, lev, n_levels, with_trend, stop, coef, mu, work, sums):
    """R's IRLS for log mu = alpha[lev] + tau t; returns (converged, rank).

    Leaves the coefficients in ``coef`` (levels, then tau), the fitted means in ``mu``, the
    working weights of the last iteration in ``work`` and that iteration's level sums
    (weight, weight * t) and Schur complement in ``sums`` for hat values and variances.
    """
    n = y.shape[0]
    eta = np.empty(n)
    for i in range(n):
        mu[i] = y[i] + 0.1
        eta[i] = np.log(mu[i])
    dev_old = _deviance(y, mu, prior)
    a = sums[0]
    b = sums[1]
    rz = np.empty(n_levels)
    rank = 0
    epsilon, max_iter = stop
    for _ in range(max_iter):
        a[:] = 0.0
        b[:] = 0.0
        rz[:] = 0.0
        c = 0.0
        rtz = 0.0
        for i in range(n):
            w = prior[i] * mu[i]
            z = eta[i] + (y[i] - mu[i]) / mu[i]
            work[i] = w
            a[lev[i]] += w
            b[lev[i]] += w * t[i]
            rz[lev[i]] += w * z
            c += w * t[i] * t[i]
            rtz += w * t[i] * z
        sums[2, 0] = _solve_arrow(a, b, c, rz, rtz, with_trend, coef)
        tau = coef[n_levels]
        rank = 1 if with_trend else 0
        for level in range(n_levels):
            rank += a[level] > 0
        for i in range(n):
            eta[i] = coef[lev[i]] + tau * t[i]
            mu[i] = np.exp(eta[i])
        dev = _deviance(y, mu, prior)
        if not np.isfinite(dev):
            return False, rank
        if abs(dev - dev_old) / (abs(dev) + 0.1) < epsilon:
            return True, rank
        dev_old = dev
    return False, rank


@numba.njit(cache=True, error_model="numpy")
def _solve_arrow(a, b, c, level_rhs, trend_rhs, with_trend, out):
    """Solve the normal equations of levels plus a trend (the arrow matrix of level weights
    ``a``, level times ``b``, trend ``c``) for the right-hand sides; the levels, then the
    trend, go into ``out``. Returns the trend's Schur complement (1 without a trend)."""
    n_levels = a.shape[0]
    trend = 0.0
    schur = 1.0
    if with_trend:
        schur = c
        rhs = trend_rhs
        for level in range(n_levels):
            if a[level] > 0:
                schur -= b[level] * b[level] / a[level]
                rhs -= b[level] * level_rhs[level] / a[level]
        trend = rhs / schur
    for level in range(n_levels):
        out[level] = (level_rhs[level] - b[level] * trend) / a[level] if a[level] > 0 else 0.0
    out[n_levels] = trend
    return schur


@numba.njit(cache=True, error_model="numpy")
def _deviance(y, mu, prior):
    dev = 0.0
    for i in range(y.shape[0]):
        if prior[i] > 0:
            if y[i] > 0:
                dev += 2.0 * prior[i] * (y[i] * np.log(y[i] / mu[i]) - (y[i] - mu[i]))
            else:
                dev += 2.0 * prior[i] * mu[i]
    return dev


@numba.njit(cache=True, error_model="numpy")
def _dispersion(y, mu, prior, work, rank):
    """Pearson dispersion as R's summary.glm: last working weights times working residuals."""
    total = 0.0
    n_ok = 0
    for i in range(y.shape[0]):
        if prior[i] > 0:
            n_ok += 1
            r = (y[i] - mu[i]) / mu[i]
            total += work[i] * r * r
    df = n_ok - rank
    return (total / df if df > 0 else np.nan), df


@numba.njit(cache=True, error_model="numpy")
def _r_test_dispersion(y, mu, omega, df):
    """The dispersion R's trend test uses after reweighting.

    ``fitGLM.flexible`` overwrites the model's working weights with the Farrington weights,
    so ``summary.glm`` sums ``omega * ((y - mu) / mu)^2``, which lacks a factor ``mu`` and
    inflates the dispersion of small counts: R keeps fewer trends than its test intends.
    """
    total = 0.0
    for i in range(y.shape[0]):
        if omega[i] > 0:
            r = (y[i] - mu[i]) / mu[i]
            total += omega[i] * r * r
    return total / df


@numba.njit(cache=True, error_model="numpy")
def _leverage(i, t, lev, work, sums, with_trend):
    a = sums[0, lev[i]]
    h = 1.0 / a
    if with_trend:
        centred = t[i] - sums[1, lev[i]] / a
        h += centred * centred / sums[2, 0]
    return work[i] * h


@numba.njit(cache=True, error_model="numpy")
def _anscombe_weights(y, mu, prior, t, lev, work, sums, with_trend, phi, threshold, omega):
    """Farrington's weights: gamma / s^2 for Anscombe residuals s above the threshold."""
    n_ok = 0
    total = 0.0
    for i in range(y.shape[0]):
        omega[i] = 0.0
        if prior[i] > 0:
            n_ok += 1
            one_minus_h = 1.0 - _leverage(i, t, lev, work, sums, with_trend)
            omega[i] = _anscombe_weight(y[i], mu[i], phi * one_minus_h, threshold)
            total += omega[i]
    gamma = n_ok / total
    for i in range(y.shape[0]):
        omega[i] *= gamma
    return gamma


@numba.njit(cache=True, error_model="numpy")
def _anscombe_weight(y, mu, scale, threshold):
    """``1 / s^2`` for an Anscombe residual ``s`` (with dispersion times ``1 - h`` ``scale``)
    above ``threshold``, else 1."""
    if scale <= 0:
        return 1.0
    s = 1.5 * (y ** (2.0 / 3.0) * mu ** (-1.0 / 6.0) - np.sqrt(mu)) / np.sqrt(scale)
    return 1.0 / (s * s) if s > threshold else 1.0


@numba.njit(cache=True, error_model="numpy")
def _fit_model(model, mask, with_trend, coef, mu, work, sums, reweighting):
    """One model as R's algo.farrington.fitGLM.flexible; returns (ok, trend, disp, df).

    ``reweighting`` gets the dispersion the weights were computed with and their scale
    ``gamma`` (see ``_anscombe_weights``)."""
    y, _, _, _, t, lev, n_levels, reweight, threshold, stop = model
    converged, rank = _irls(y, mask, t, lev, n_levels, with_trend, stop, coef, mu, work, sums)
    if not converged and with_trend:
        with_trend = False
        converged, rank = _irls(y, mask, t, lev, n_levels, False, stop, coef, mu, work, sums)
    if not converged:
        return False, with_trend, np.nan, 0
    disp, df = _dispersion(y, mu, mask, work, rank)
    if reweight:
        omega = np.empty(y.shape[0])
        reweighting[0] = max(disp, 1.0)
        reweighting[1] = _anscombe_weights(
            y, mu, mask, t, lev, work, sums, with_trend, reweighting[0], threshold, omega
        )
        _, rank = _irls(y, omega, t, lev, n_levels, with_trend, stop, coef, mu, work, sums)
        disp, df = _dispersion(y, mu, omega, work, rank)
        mask[:] = omega
    return np.isfinite(disp), with_trend, disp, df


@numba.njit(cache=True, error_model="numpy")
def _consistent_step(model, with_trend, theta, reweighting, coef, mu, work, sums):
    """One Newton step of the reweighted fit towards Fisher consistency (Cantoni and
    Ronchetti 2001): each week's score ``omega (y - mu)`` less its expectation under the
    fitted negative binomial (``_downweighted_excess``), solved with the fit's own weights.

    Ordinary high weeks are down-weighted too, so the plain reweighted fit sits below the
    series' mean (1-2.5 % on clean negative binomial series), and the far tail of the week
    test is then too often reached."""
    y, weight, _, _, t, lev, n_levels, _, threshold, _ = model
    phi, gamma = reweighting
    a = np.zeros(n_levels)
    b = np.zeros(n_levels)
    score = np.zeros(n_levels)
    c = 0.0
    score_t = 0.0
    for i in range(y.shape[0]):
        if weight[i] <= 0:
            continue
        one_minus_h = 1.0 - _leverage(i, t, lev, work, sums, with_trend)
        excess = gamma * _downweighted_excess(mu[i], theta, phi * one_minus_h, threshold)
        g = weight[i] * (y[i] - mu[i]) - excess
        w = weight[i] * mu[i]
        a[lev[i]] += w
        b[lev[i]] += w * t[i]
        score[lev[i]] += g
        c += w * t[i] * t[i]
        score_t += g * t[i]
    step = np.empty(n_levels + 1)
    _solve_arrow(a, b, c, score, score_t, with_trend, step)
    for k in range(n_levels + 1):
        coef[k] += step[k]
    for i in range(y.shape[0]):
        mu[i] = np.exp(coef[lev[i]] + coef[n_levels] * t[i])


@numba.njit(cache=True, error_model="numpy")
def _downweighted_excess(mu, theta, scale, threshold):
    """``E[(w(Y) - 1) (Y - mu)]`` for ``Y`` negative binomial (Poisson if ``theta`` is 0)
    with mean ``mu`` and ``w`` the Anscombe weight (``_anscombe_weight``): what the
    down-weighting takes off an ordinary week's score, a negative number."""
    if scale <= 0:
        return 0.0
    # the smallest count whose Anscombe residual is above the threshold (above mu)
    root = mu ** (1.0 / 6.0) * (threshold * np.sqrt(scale) / 1.5 + np.sqrt(mu))
    k = np.floor(root**1.5) + 1.0
    if theta > 0:
        size = 1.0 / theta
        log_pmf = (
            math.lgamma(k + size)
            - math.lgamma(size)
            - math.lgamma(k + 1.0)
            + size * np.log(size / (size + mu))
            + k * np.log(mu / (size + mu))
        )
        ratio = mu / (size + mu)
    else:
        size = 0.0
        log_pmf = k * np.log(mu) - mu - math.lgamma(k + 1.0)
        ratio = 1.0
    pmf = np.exp(log_pmf)
    total = 0.0
    for _ in range(100_000):
        term = pmf * (_anscombe_weight(k, mu, scale, threshold) - 1.0) * (k - mu)
        total += term
        if -term < 1e-12 * max(-total, 1e-300):  # the tail no longer adds anything
            break
        if theta > 0:
            pmf *= (k + size) / (k + 1.0) * ratio
        else:
            pmf *= mu / (k + 1.0)
        k += 1.0
    return total


@numba.njit(cache=True, error_model="numpy")
def _fit_observed(model, with_trend, coef, mu, work, sums, reweighting):
    """``_fit_model`` with weight 1 on the weeks a series was observed, 0 before its start."""
    y, weight, columns, start = model[:4]
    for i in range(y.shape[0]):
        weight[i] = 1.0 if columns[i] >= start else 0.0
    return _fit_model(model, weight, with_trend, coef, mu, work, sums, reweighting)


@numba.njit(cache=True, parallel=True, error_model="numpy")
def _fit_all(
    counts,
    start,
    selected,
    columns,
    lev,
    t,
    n_levels,
    target_level,
    window_start,
    trend,
    reweight,
    threshold,
    stop,
    critical,
    r_quirks,
    consistent,
    eta_out,
    se_out,
    phi_out,
    alpha_out,
    tau_out,
    trend_out,
    ok_out,
    exposure_out,
    theta_out,
    theta_se_out,
    weight_out,
    time_out,
    spread_out,
):
    n = columns.shape[0]
    for s in numba.prange(counts.shape[0]):
        if not selected[s]:
            continue
        y = np.empty(n)
        observed = np.empty(n)
        y_max = 0.0
        for i in range(n):
            y[i] = counts[s, columns[i]]
            observed[i] = 1.0 if columns[i] >= start[s] else 0.0
            if observed[i] > 0:
                y_max = max(y_max, y[i])
        years = 0
        for i in range(window_start.shape[0]):
            years += window_start[i] >= start[s]
        coef = np.empty(n_levels + 1)
        mu = np.empty(n)
        work = np.empty(n)
        sums = np.zeros((3, n_levels))
        weight = np.empty(n)

        model = (y, weight, columns, start[s], t, lev, n_levels, reweight, threshold, stop)
        reweighting = np.zeros(2)
        ok, with_trend, disp, df = _fit_observed(model, trend, coef, mu, work, sums, reweighting)
        if ok and with_trend:
            test_disp = _r_test_dispersion(y, mu, weight, df) if r_quirks and reweight else disp
            se = np.sqrt(test_disp / sums[2, 0])
            significant = abs(coef[n_levels]) > critical[min(df, critical.shape[0] - 1)] * se
            if not (years >= 3 and significant and np.exp(coef[target_level]) <= y_max):
                ok, with_trend, disp, df = _fit_observed(
                    model, False, coef, mu, work, sums, reweighting
                )
        if not ok or sums[0, target_level] <= 0:
            continue
        if consistent and reweight:
            for _ in range(CONSISTENT_STEPS):
                theta = _capped_theta(y, mu, observed, df)
                _consistent_step(model, with_trend, theta, reweighting, coef, mu, work, sums)
        phi = max(disp, 1.0)
        a = sums[0, target_level]
        var = 1.0 / a
        if with_trend:
            centred = sums[1, target_level] / a
            var += centred * centred / sums[2, 0]
        eta_out[s] = coef[target_level]
        se_out[s] = np.sqrt(phi * var)
        phi_out[s] = phi
        for level in range(n_levels):
            alpha_out[s, level] = coef[level] if sums[0, level] > 0 else np.nan
            weight_out[s, level] = sums[0, level]
            time_out[s, level] = sums[1, level] / sums[0, level] if sums[0, level] > 0 else 0.0
        if with_trend:
            spread_out[s] = sums[2, 0]
        tau_out[s] = coef[n_levels] if with_trend else 0.0
        trend_out[s] = with_trend
        ok_out[s] = True
        exposure = 0.0
        for i in range(n):
            if lev[i] == target_level:
                exposure += weight[i] * np.exp(tau_out[s] * t[i])
        exposure_out[s] = exposure
        # all observed weeks count (capped), not only the ones the reweighting kept: it trims
        # the upper tail of ordinary weeks too, and a dispersion without it makes p-values
        # too small
        theta_out[s] = _capped_theta(y, mu, observed, df)
        theta_se_out[s] = _theta_se(y, mu, observed, df, theta_out[s])


@numba.njit(cache=True, error_model="numpy")
def _pearson_nb(y, mu, weight, theta):
    total = 0.0
    for i in range(y.shape[0]):
        if weight[i] > 0:
            r = y[i] - mu[i]
            total += weight[i] * r * r / (mu[i] * (1.0 + theta * mu[i]))
    return total


@numba.njit(cache=True, error_model="numpy")
def _outlier_cap(mu, theta):
    """``OUTLIER_Z`` as a negative binomial count above ``mu``: the Cornish-Fisher quantile
    ``mu + (z + (z^2 - 1) g / 6) sd``, with ``g`` the skewness ``(1 + 2 theta mu) / sd``. A
    bound in plain standard deviations cut the long upper tail of bursty series (theta 1-2)
    in 85-97 % of clean series and took theta 8-22 % too low."""
    sd = np.sqrt(mu * (1.0 + theta * mu))
    skew = (1.0 + 2.0 * theta * mu) / sd
    return mu + (OUTLIER_Z + (OUTLIER_Z * OUTLIER_Z - 1.0) * skew / 6.0) * sd


@numba.njit(cache=True, error_model="numpy")
def _capped_theta(y, mu, weight, df):
    """The moment theta with each week capped at ``_outlier_cap`` under the theta found so far
    (three rounds, from the uncapped theta).

    A past outbreak's few weeks would otherwise multiply theta (three weeks at 6x the mean
    of 10 took it from 0.1-0.2 to 0.4-0.5) and widen every later week's predictive
    distribution for years. On clean NB series the cap moves theta by 1-2 % (mean 1 and 10,
    theta 0.15-2), as ordinary weeks are rarely beyond it and are then capped, not dropped.
    """
    theta = _moment_theta(y, mu, weight, df)
    capped = np.empty(y.shape[0])
    for _ in range(3):
        changed = False
        for i in range(y.shape[0]):
            cap = _outlier_cap(mu[i], theta)
            changed |= weight[i] > 0 and y[i] > cap
            capped[i] = min(y[i], cap)
        if not changed:  # most series: nothing that far out, theta stays
            break
        theta = _moment_theta(capped, mu, weight, df)
    return theta


@numba.njit(cache=True, error_model="numpy")
def _theta_se(y, mu, weight, df, theta):
    """Standard error of the moment theta (``_moment_theta`` on the capped weeks), by the
    delta method with the weeks' own spread of squared Pearson residuals (a sandwich
    estimate): how far theta could be from the series' true overdispersion, which the week
    test's far tail is sensitive to."""
    n_observed = 0.0
    for i in range(y.shape[0]):
        n_observed += weight[i]
    if n_observed <= 0 or df <= 0:
        return 0.0
    spread = 0.0
    slope = 0.0
    for i in range(y.shape[0]):
        if weight[i] <= 0:
            continue
        variance = mu[i] * (1.0 + theta * mu[i])
        r = min(y[i], _outlier_cap(mu[i], theta)) - mu[i]
        excess = r * r / variance - df / n_observed
        spread += weight[i] * excess * excess
        slope += weight[i] * mu[i] / (1.0 + theta * mu[i])
    return np.sqrt(spread) / slope


@numba.njit(cache=True, error_model="numpy")
def _moment_theta(y, mu, weight, df):
    """Solve Pearson(theta) = df for the NB overdispersion theta >= 0 by bisection."""
    if df <= 0 or _pearson_nb(y, mu, weight, 0.0) <= df:
        return 0.0
    high = 1.0
    while _pearson_nb(y, mu, weight, high) > df and high < 1e6:
        high *= 4.0
    low = 0.0
    for _ in range(40):
        middle = (low + high) / 2
        if _pearson_nb(y, mu, weight, middle) > df:
            low = middle
        else:
            high = middle
    return high
