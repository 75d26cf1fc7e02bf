"""Negative-binomial CUSUM for a sustained rise ("ökande"), on the weekly baseline.

Over the recent weeks each series has an in-control expectation ``mu_t`` from its baseline
and a negative-binomial size ``r_t``. The CUSUM adds up the log-likelihood ratio of "the
mean is ``shift`` times higher" against "as expected",

    S_t = max(0, S_{t-1} + y_t log(shift) + (y_t + r_t) log((r_t + mu_t) / (r_t + shift mu_t))),

(for Poisson: ``y_t log(shift) - (shift - 1) mu_t``), starting from zero at the first of the
recent weeks. The badge shows while ``S_t`` is above a limit ``h``, so it stays on during a
rise that goes on. The limit is chosen per series so that a stable series with the series'
mean and variance-to-mean ratio is above it in about one week in ``one_in`` (104: about once
in two years, the in-control run length of a chart with that false-alarm rate), computed by
propagating the statistic's distribution over the window on a fine grid (the Markov-chain
approximation of Brook & Evans 1972; Hawkins & Olwell 1998).
"""

from __future__ import annotations

import functools

import numba
import numpy as np
from scipy import stats

_MEAN_GRID = np.logspace(-2, 2, 17)
_PHI_GRID = np.array([1.0, 1.5, 2.5, 4.0, 8.0])
_STATES = 100


def statistic(
    observed: np.ndarray, mean: np.ndarray, shape: np.ndarray, shift: float
) -> tuple[np.ndarray, np.ndarray]:
    """Run the CUSUM over rows x weeks; return its last value and where its run began.

    ``shape`` is the negative-binomial size per row and week (``inf``: Poisson). Weeks with
    NaN mean (not observed) leave the statistic unchanged. ``run_start`` is the column where
    the current run left zero (-1: the statistic is at zero).
    """
    n_rows, n_weeks = observed.shape
    total = np.zeros(n_rows)
    run_start = np.full(n_rows, -1, dtype=np.int64)
    for j in range(n_weeks):
        step = _log_ratio(observed[:, j], mean[:, j], shape[:, j], shift)
        step = np.where(np.isnan(step), 0.0, step)
        run_start = np.where((total <= 0) & (total + step > 0), j, run_start)
        total = np.maximum(0.0, total + step)
        run_start = np.where(total <= 0, -1, run_start)
    return total, run_start


def _log_ratio(y, mean, shape, shift):
    poisson = np.isinf(shape)
    r = np.where(poisson, 1.0, shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        nb = y * np.log(shift) + (y + r) * np.log((r + mean) / (r + shift * mean))
    return np.where(poisson, y * np.log(shift) - (shift - 1.0) * mean, nb)


def limit(mean: np.ndarray, phi: np.ndarray, shift: float, one_in: float, weeks: int) -> np.ndarray:
    """Limit ``h`` for series of the given mean and variance-to-mean ratio, for a window of
    ``weeks`` weeks, so that a stable series is above it in one week in ``one_in``."""
    table = _limit_table(shift, one_in, weeks)
    x = np.interp(
        np.log(np.clip(mean, _MEAN_GRID[0], _MEAN_GRID[-1])),
        np.log(_MEAN_GRID),
        np.arange(len(_MEAN_GRID)),
    )
    z = np.interp(np.clip(phi, _PHI_GRID[0], _PHI_GRID[-1]), _PHI_GRID, np.arange(len(_PHI_GRID)))
    i0 = np.minimum(np.floor(x).astype(int), len(_MEAN_GRID) - 2)
    j0 = np.minimum(np.floor(z).astype(int), len(_PHI_GRID) - 2)
    dx, dz = x - i0, z - j0
    return (
        table[i0, j0] * (1 - dx) * (1 - dz)
        + table[i0 + 1, j0] * dx * (1 - dz)
        + table[i0, j0 + 1] * (1 - dx) * dz
        + table[i0 + 1, j0 + 1] * dx * dz
    )


@functools.cache
def _limit_table(shift: float, one_in: float, weeks: int) -> np.ndarray:
    return np.array(
        [
            [_limit_for(mean, phi, shift, 1.0 / one_in, weeks) for phi in _PHI_GRID]
            for mean in _MEAN_GRID
        ]
    )


def _limit_for(mean: float, phi: float, shift: float, rate: float, weeks: int) -> float:
    """Bisect the limit that a stable series exceeds after ``weeks`` weeks with ``rate``."""
    shape = mean / (phi - 1.0) if phi > 1 else np.inf
    law = stats.poisson(mean) if np.isinf(shape) else stats.nbinom(shape, shape / (shape + mean))
    y = np.arange(law.ppf(1e-12), law.ppf(1 - 1e-12) + 1)
    prob = law.pmf(y)
    step = _log_ratio(y, np.full(len(y), mean), np.full(len(y), shape), shift)
    low, high = 1e-3, 5.0
    while _above(step, prob, high, weeks) > rate:
        low, high = high, high * 2
    for _ in range(20):
        middle = (low + high) / 2
        if _above(step, prob, middle, weeks) > rate:
            low = middle
        else:
            high = middle
    return high


def _above(step: np.ndarray, prob: np.ndarray, h: float, weeks: int) -> float:
    """P(S > h) after ``weeks`` steps from zero, on a grid of ``_STATES`` cells below ``h``
    and as many above it (the last cell keeps whatever goes beyond ``2 h``)."""
    width = h / _STATES
    n_cells = 2 * _STATES
    level = (np.arange(n_cells) + 0.5) * width
    level[0] = 0.0
    after = np.maximum(0.0, level[:, None] + step[None, :])
    cell = np.minimum(np.floor(after / width).astype(int), n_cells - 1)
    flat = np.arange(n_cells)[:, None] * n_cells + cell
    weight = np.broadcast_to(prob, after.shape)
    transition = np.bincount(flat.ravel(), weight.ravel(), minlength=n_cells**2)
    distribution = _propagate(transition.reshape(n_cells, n_cells), weeks)
    return float(distribution[_STATES:].sum())


@numba.njit(cache=True)
def _propagate(transition, weeks):
    """Distribution over the cells after ``weeks`` steps from cell 0.

    A compiled loop: a threaded BLAS spends more time synchronising than computing on
    matrices this small when the machine is busy.
    """
    n = transition.shape[0]
    distribution = np.zeros(n)
    distribution[0] = 1.0
    for _ in range(weeks):
        following = np.zeros(n)
        for i in range(n):
            if distribution[i] > 0:
                for j in range(n):
                    following[j] += distribution[i] * transition[i, j]
        distribution = following
    return distribution
