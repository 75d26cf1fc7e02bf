"""Seeded synthetic weekly counts with known truth, for tests, validity checks and benchmarks.

A partnership's cube is drawn as negative-binomial counts (size ``dispersion_size``) around
``mean[a, c, t] = rate * area_share[a] * category_share[c] * season_c(t) * peak_c(t)``:
a yearly cosine season with its own phase per category, and for the categories with yearly
peaks a ``peak_factor`` times higher mean in the weeks of New Year, Walpurgis Night and
Midsummer Eve. Outbreaks of known length and size can be planted on top.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.farrington import SWEDISH_PEAKS, Holiday, holiday_weeks

WEEKS_PER_YEAR = 365.2425 / 7


@dataclass(frozen=True)
class Partnership:
    """Shape and intensity of a synthetic partnership."""

    n_areas: int = 25
    n_categories: int = 20
    incidents_per_year: float = 3000.0
    dispersion_size: float = 5.0
    season_amplitude: float = 0.4
    peak_factor: float = 3.0
    peak_share: float = 0.3  # share of categories with yearly peaks
    holidays: tuple[Holiday, ...] = SWEDISH_PEAKS


def expected_cube(
    rng: np.random.Generator, partnership: Partnership, first_week: int, n_weeks: int
) -> np.ndarray:
    """The true mean count per area x category x week."""
    p = partnership
    area = rng.gamma(2.0, 1.0, p.n_areas)
    category = rng.gamma(1.0, 1.0, p.n_categories)
    weekly = p.incidents_per_year / WEEKS_PER_YEAR
    t = np.arange(n_weeks)
    phase = rng.uniform(0, 2 * np.pi, p.n_categories)
    season = 1 + p.season_amplitude * np.cos(2 * np.pi * t / WEEKS_PER_YEAR + phase[:, None])
    peaked = rng.random(p.n_categories) < p.peak_share
    peak = np.ones(n_weeks)
    peak[holiday_weeks(p.holidays, first_week, n_weeks)] = p.peak_factor
    season = season * np.where(peaked[:, None], peak[None, :], 1.0)
    season /= season.mean(axis=1, keepdims=True)
    shares = (area / area.sum())[:, None, None] * (category / category.sum())[None, :, None]
    return weekly * shares * season[None, :, :]


def draw_counts(rng: np.random.Generator, mean: np.ndarray, dispersion_size: float) -> np.ndarray:
    """Negative-binomial counts around ``mean`` (variance ``mean + mean^2 / size``)."""
    return rng.negative_binomial(dispersion_size, dispersion_size / (dispersion_size + mean))


def plant_outbreaks(
    rng: np.random.Generator,
    counts: np.ndarray,
    mean: np.ndarray,
    *,
    n_outbreaks: int,
    last_week: int,
    length: tuple[int, int] = (1, 4),
    factor: tuple[float, float] = (2.0, 10.0),
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Add outbreaks to random series of a series x weeks matrix, each ending by ``last_week``.

    An outbreak lasts a uniform 1-4 weeks and adds Poisson counts with mean
    ``(factor - 1) * mean`` (factor uniform in 2-10), so the series runs at 2-10 times its
    baseline. Series are drawn with probability proportional to ``weights`` (uniform if
    None). Returns the new counts and a boolean matrix marking the outbreak weeks.
    """
    counts = counts.copy()
    truth = np.zeros(counts.shape, bool)
    p = None if weights is None else weights / weights.sum()
    rows = rng.choice(counts.shape[0], n_outbreaks, replace=False, p=p)
    for row in rows:
        weeks = rng.integers(length[0], length[1] + 1)
        begin = last_week - weeks + 1 - rng.integers(0, 4)
        span = slice(begin, begin + weeks)
        extra = (rng.uniform(*factor) - 1.0) * mean[row, span]
        counts[row, span] += rng.poisson(extra)
        truth[row, span] = True
    return counts, truth
