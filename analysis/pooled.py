"""Empirical-Bayes Poisson-gamma baselines for sparse and short series.

A sparse series (a few incidents a year in one area and category) cannot carry a seasonal
regression of its own. Its count in week ``t`` is instead modelled as ``rho * g(t)``: a
profile ``g`` borrowed from a richer series (the category's total over all areas, with its
season and trend, or a flat profile) times the series' own rate ``rho``. The rate gets a
gamma prior ``Gamma(a, b)`` and, after ``Y`` incidents over an exposure ``G = sum g(t)``,
the posterior ``Gamma(a + Y, b + G)``. Next week's count is then negative binomial with
mean ``(a + Y) / (b + G) * g(target)`` and size ``a + Y``: one incident in a usually empty
series is never a surprise on the scale of one in a million.

For the area x category cells of a partnership the prior has mean ``pi`` (the area's share
of all incidents) and shape ``kappa``, estimated from all cells by Marshall's (1991) method
of moments; other series get the Jeffreys prior ``Gamma(0.5, 0)``.
"""

from __future__ import annotations

import numpy as np

JEFFREYS_SHAPE = 0.5
KAPPA_RANGE = (1e-3, 1e6)


def marshall_kappa(observed: np.ndarray, expected: np.ndarray) -> float:
    """Gamma shape of relative risks ``observed / expected`` by the method of moments.

    The spread of the crude ratios beyond what Poisson noise explains is the prior
    variance ``1 / kappa`` (Marshall 1991, Appl Stat 40:283). With no excess spread the
    result is the upper end of ``KAPPA_RANGE`` (all series share the pooled rate).
    """
    keep = expected > 0
    observed, expected = observed[keep], expected[keep]
    if expected.sum() <= 0 or observed.sum() <= 0:
        return KAPPA_RANGE[1]
    mean = observed.sum() / expected.sum()
    spread = np.sum(expected * (observed / expected - mean) ** 2) / expected.sum()
    variance = spread - mean / expected.mean()
    if variance <= 0:
        return KAPPA_RANGE[1]
    return float(np.clip(mean**2 / variance, *KAPPA_RANGE))


def posterior_predictive(
    events: np.ndarray,
    exposure: np.ndarray,
    profile_at_target: np.ndarray,
    prior_shape: np.ndarray,
    prior_rate: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Expected count and ``c`` (squared coefficient of variation of the rate) at the target.

    The predictive distribution is negative binomial with that mean and size ``1 / c``,
    i.e. ``analysis.predictive`` with ``phi = 1``.
    """
    shape = prior_shape + events
    rate = (shape / (prior_rate + exposure)) * profile_at_target
    return rate, 1.0 / shape
