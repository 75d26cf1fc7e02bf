"""Area ranking for the periodic analysis: which areas need most, with trend and uncertainty.

Per area, over the index window (by default the whole period given):

- a severity-weighted index: the sum over categories of weight x count, per 1,000
  inhabitants when every area's population is known (otherwise the weighted count itself,
  for all areas: a list mixing rates and counts would compare unlike things);
- its interval: the gamma interval for a weighted sum of Poisson counts (Fay & Feuer 1997),
  which is the exact Poisson (Garwood) interval when all weights are 1;
- an interval for the area's rank, from draws of each area-category rate from its Jeffreys
  posterior (Gamma(n + 1/2, 1)): a list is only as sharp as its rank intervals allow;
- the trend over all periods given: a quasi-Poisson log-linear regression of the weighted
  series on time, as a rate ratio per period with a t-interval and p-value.

Categories with weight 0 (e.g. positive events) do not count. Everything is arrays over areas;
``order`` lists the areas from most to least need.
"""

from dataclasses import dataclass

import numpy as np
from scipy import stats

PER_INHABITANTS = "per_inhabitants"
WEIGHTED_COUNT = "weighted_count"


@dataclass(frozen=True)
class Ranking:
    """Index, intervals, ranks and trends per area (arrays aligned with the input areas).

    ``basis`` is "per_inhabitants" (index per ``per`` inhabitants) or "weighted_count".
    ``rank`` is 1 for the area with the highest index; ``rank_low``..``rank_high`` is its
    interval. ``trend_ratio`` is the multiplicative change per period (1.02 = +2 % per
    period); NaN where ``trend_estimable`` is False (too few events or periods).
    """

    basis: str
    per: float
    level: float
    weighted_count: np.ndarray
    events: np.ndarray
    index: np.ndarray
    index_low: np.ndarray
    index_high: np.ndarray
    rank: np.ndarray
    rank_low: np.ndarray
    rank_high: np.ndarray
    order: np.ndarray
    trend_ratio: np.ndarray
    trend_low: np.ndarray
    trend_high: np.ndarray
    trend_p: np.ndarray
    trend_estimable: np.ndarray


def rank_areas(
    counts: np.ndarray,
    weights: np.ndarray,
    population: np.ndarray | None = None,
    *,
    index_periods: int | None = None,
    per: float = 1000.0,
    level: float = 0.95,
    min_trend_events: int = 10,
    min_trend_periods: int = 4,
    n_draws: int = 2000,
    seed: int = 0,
) -> Ranking:
    """Rank areas by severity-weighted index.

    ``counts`` is areas x categories x periods (whole numbers), ``weights`` the severity
    weight per category, ``population`` the inhabitants per area (optional). The index uses
    the last ``index_periods`` periods (all by default); the trend uses all periods.
    """
    counts, weights, scale, basis = _validated(counts, weights, population, per)
    window = counts[:, :, -index_periods:] if index_periods else counts
    by_category = window.sum(axis=2)
    weighted = by_category @ weights
    low, high = weighted_poisson_interval(by_category, weights, level)
    index = weighted * scale
    draws = _index_draws(by_category, weights, n_draws, seed) * scale[:, None]
    rank, rank_low, rank_high, order = _ranks(index, weighted, draws, level)
    series = np.einsum("acp,c->ap", counts, weights)
    enough = (counts[:, weights > 0].sum(axis=(1, 2)) >= min_trend_events) & (
        counts.shape[2] >= min_trend_periods
    )
    trend = log_linear_trend(series, enough, level)
    return Ranking(
        basis=basis,
        per=per,
        level=level,
        weighted_count=weighted,
        events=by_category[:, weights > 0].sum(axis=1),
        index=index,
        index_low=low * scale,
        index_high=high * scale,
        rank=rank,
        rank_low=rank_low,
        rank_high=rank_high,
        order=order,
        trend_ratio=trend[0],
        trend_low=trend[1],
        trend_high=trend[2],
        trend_p=trend[3],
        trend_estimable=np.isfinite(trend[0]),
    )


def _validated(counts, weights, population, per):
    counts = np.asarray(counts, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if counts.ndim != 3 or weights.shape != counts.shape[1:2]:
        raise ValueError("counts must be areas x categories x periods, weights per category")
    if not np.all(np.isfinite(counts)) or np.any(counts < 0) or np.any(counts != np.round(counts)):
        raise ValueError("counts must be finite non-negative whole numbers")
    if np.any(weights < 0) or not np.any(weights > 0):
        raise ValueError("weights must be non-negative with at least one above zero")
    n_areas = counts.shape[0]
    if population is None:
        return counts, weights, np.ones(n_areas), WEIGHTED_COUNT
    population = np.asarray(population, dtype=float)
    if population.shape != (n_areas,):
        raise ValueError("population must have one value per area")
    if not np.all(np.isfinite(population) & (population > 0)):
        return counts, weights, np.ones(n_areas), WEIGHTED_COUNT
    return counts, weights, per / population, PER_INHABITANTS


def weighted_poisson_interval(
    counts: np.ndarray, weights: np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Fay & Feuer (1997) gamma interval for sum_c weights[c] * counts[..., c].

    ``counts`` has categories last. Categories with weight 0 drop out; the largest weight
    among the others plays the part of Fay & Feuer's w_M. With all weights 1 this is the
    exact Poisson interval for the total.
    """
    counted = weights > 0
    w, n = weights[counted], counts[..., counted]
    total, variance, w_max = n @ w, n @ w**2, w.max()
    tail = (1 - level) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        low = stats.gamma.ppf(tail, total**2 / variance, scale=variance / total)
    low = np.where(total > 0, low, 0.0)
    high = stats.gamma.ppf(
        1 - tail,
        (total + w_max) ** 2 / (variance + w_max**2),
        scale=(variance + w_max**2) / (total + w_max),
    )
    return low, high


def _index_draws(by_category: np.ndarray, weights: np.ndarray, n_draws: int, seed: int):
    """Draws of each area's weighted rate from the Jeffreys posterior of every category rate."""
    rng = np.random.default_rng(seed)
    rates = rng.gamma(by_category + 0.5, size=(n_draws, *by_category.shape))
    return (rates @ weights).T


def _ranks(index, weighted, draws, level):
    """Rank (1 = most need), its interval from the draws, and the order of areas."""
    # Highest index first; ties go to the larger weighted count, then to input order.
    order = np.lexsort((np.arange(len(index)), -weighted, -index))
    rank = np.empty(len(index))
    rank[order] = np.arange(1, len(index) + 1)
    draw_ranks = np.argsort(np.argsort(-draws, axis=0), axis=0) + 1.0
    tail = (1 - level) / 2
    rank_low = np.quantile(draw_ranks, tail, axis=1, method="lower")
    rank_high = np.quantile(draw_ranks, 1 - tail, axis=1, method="higher")
    return rank, rank_low, rank_high, order


def log_linear_trend(
    series: np.ndarray, estimable: np.ndarray, level: float = 0.95, max_iter: int = 100
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Quasi-Poisson regression log E[y_t] = a + b t for every row of ``series`` at once.

    Returns exp(b) (ratio per period), its t-interval and two-sided p-value; NaN for rows
    not ``estimable`` or whose fit does not settle (e.g. all events in the last period,
    where the slope runs off to infinity). Newton steps on the 2 x 2 Poisson information,
    vectorised over rows; the Pearson dispersion (at least 1) scales the variance, as in
    R's quasipoisson.
    """
    n_periods = series.shape[1]
    x = np.arange(n_periods) - (n_periods - 1) / 2
    rows = np.flatnonzero(estimable)
    y = series[rows]
    coef = np.zeros((len(rows), 2))
    coef[:, 0] = np.log(y.mean(axis=1))
    active = np.ones(len(rows), dtype=bool)
    for _ in range(max_iter):
        mu = np.exp(coef[active, :1] + coef[active, 1:] * x)
        residual = y[active] - mu
        score = np.stack([residual.sum(axis=1), (residual * x).sum(axis=1)], axis=1)
        step = np.linalg.solve(_information(mu, x), score[:, :, None])[:, :, 0]
        coef[active] += step
        # A slope this steep means no finite maximum exists; stop before exp() overflows.
        diverging = np.abs(coef[active, 1]) * n_periods > 50
        active[active] = (np.abs(step).max(axis=1) > 1e-10) & ~diverging
        if not active.any():
            break
    settled = ~active & (np.abs(coef[:, 1]) * n_periods <= 50)
    mu = np.exp(coef[:, :1] + coef[:, 1:] * x)
    df = n_periods - 2
    # Never less spread than Poisson: a weighted count with weights >= 1 has at least that,
    # and a series that happens to look calmer must not get a falsely narrow interval.
    dispersion = np.maximum(((y - mu) ** 2 / mu).sum(axis=1) / df, 1.0)
    se = np.sqrt(dispersion * np.linalg.inv(_information(mu, x))[:, 1, 1])
    slope = coef[:, 1]
    half = stats.t.ppf(0.5 + level / 2, df) * se
    p_value = 2 * stats.t.sf(np.abs(slope / se), df)
    results = []
    for values in (np.exp(slope), np.exp(slope - half), np.exp(slope + half), p_value):
        full = np.full(series.shape[0], np.nan)
        full[rows[settled]] = values[settled]
        results.append(full)
    return tuple(results)


def _information(mu: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Poisson information matrix of (intercept, slope) per row."""
    s0, s1, s2 = mu.sum(axis=1), (mu * x).sum(axis=1), (mu * x**2).sum(axis=1)
    return np.stack([np.stack([s0, s1], axis=1), np.stack([s1, s2], axis=1)], axis=1)
