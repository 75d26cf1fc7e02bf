"""Negative-binomial CUSUM for a sustained rise ("ökande"), on the weekly baseline.

Over the recent weeks each series has an in-control expectation ``mu_t`` from its baseline
and a negative-binomial size ``r_t``. The CUSUM adds up the log-likelihood ratio of "the
mean is ``shift`` times higher" against "as expected",

    S_t = max(0, S_{t-1} + y_t log(shift) + (y_t + r_t) log((r_t + mu_t) / (r_t + shift mu_t))),

(for Poisson: ``y_t log(shift) - (shift - 1) mu_t``) and signals when ``S_t`` exceeds a limit
``h``, then starts again from zero. The limit is chosen per series so that the in-control
average run length is about ``arl`` weeks for a stationary series with the series' mean and
variance-to-mean ratio (Brook & Evans 1972 Markov-chain approximation; Hawkins & Olwell
1998).
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
    observed: np.ndarray, mean: np.ndarray, shape: np.ndarray, shift: float, limit: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run the CUSUM over rows x weeks; return its last value, run start and signal.

    ``shape`` is the negative-binomial size per row and week (``inf``: Poisson) and
    ``limit`` the signal limit per row. As in the standard chart, the statistic restarts
    from zero after a signal, so signals arrive on average every ``arl`` weeks in control.
    Weeks with NaN mean (not observed) leave the statistic unchanged. ``run_start`` is the
    column where the current run left zero (-1: at zero); ``signal`` says whether the last
    week signalled.
    """
    n_rows, n_weeks = observed.shape
    total = np.zeros(n_rows)
    run_start = np.full(n_rows, -1, dtype=np.int64)
    signal = np.zeros(n_rows, bool)
    for j in range(n_weeks):
        step = _log_ratio(observed[:, j], mean[:, j], shape[:, j], shift)
        step = np.where(np.isnan(step), 0.0, step)
        total = np.where(signal, 0.0, total)
        run_start = np.where(signal, -1, run_start)
        run_start = np.where((total <= 0) & (total + step > 0), j, run_start)
        total = np.maximum(0.0, total + step)
        run_start = np.where(total <= 0, -1, run_start)
        signal = total > limit
    return total, run_start, signal


def _log_ratio(y, mean, shape, shift):
    poisson = np.isinf(shape)
    r = np.where(poisson, 1.0, shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        nb = y * np.log(shift) + (y + r) * np.log((r + mean) / (r + shift * mean))
    return np.where(poisson, y * np.log(shift) - (shift - 1.0) * mean, nb)


def limit(mean: np.ndarray, phi: np.ndarray, shift: float, arl: float) -> np.ndarray:
    """Signal limit ``h`` for series of the given mean and variance-to-mean ratio."""
    table = _limit_table(shift, arl)
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
def _limit_table(shift: float, arl: float) -> np.ndarray:
    return np.array(
        [[_limit_for(mean, phi, shift, arl) for phi in _PHI_GRID] for mean in _MEAN_GRID]
    )


def _limit_for(mean: float, phi: float, shift: float, arl: float) -> float:
    """Bisect the limit whose Markov-chain in-control run length is ``arl``."""
    shape = mean / (phi - 1.0) if phi > 1 else np.inf
    law = stats.poisson(mean) if np.isinf(shape) else stats.nbinom(shape, shape / (shape + mean))
    y = np.arange(law.ppf(1e-12), law.ppf(1 - 1e-12) + 1)
    prob = law.pmf(y)
    step = _log_ratio(y, np.full(len(y), mean), np.full(len(y), shape), shift)
    low, high = 1e-3, 5.0
    while _run_length(step, prob, high) < arl:
        low, high = high, high * 2
    for _ in range(20):
        middle = (low + high) / 2
        if _run_length(step, prob, middle) < arl:
            low = middle
        else:
            high = middle
    return high


def _run_length(step: np.ndarray, prob: np.ndarray, h: float) -> float:
    """In-control average run length from zero (Brook & Evans, states at cell midpoints)."""
    width = h / _STATES
    level = (np.arange(_STATES) + 0.5) * width
    level[0] = 0.0
    after = np.maximum(0.0, level[:, None] + step[None, :])
    inside = after < h
    flat = np.arange(_STATES)[:, None] * _STATES + np.floor(after / width).astype(int)
    weight = np.broadcast_to(prob, after.shape)
    transition = np.bincount(flat[inside], weight[inside], minlength=_STATES**2)
    transition = transition.reshape(_STATES, _STATES)
    return _solve(np.eye(_STATES) - transition, np.ones(_STATES))[0]


@numba.njit(cache=True)
def _solve(a, b):
    """Gaussian elimination with partial pivoting.

    A compiled single-threaded solve: a threaded BLAS spends more time synchronising than
    solving systems this small on a busy two-core machine.
    """
    a = a.copy()
    b = b.copy()
    n = len(b)
    for k in range(n):
        pivot = k
        for i in range(k + 1, n):
            if abs(a[i, k]) > abs(a[pivot, k]):
                pivot = i
        for j in range(n):
            a[k, j], a[pivot, j] = a[pivot, j], a[k, j]
        b[k], b[pivot] = b[pivot], b[k]
        for i in range(k + 1, n):
            factor = a[i, k] / a[k, k]
            for j in range(k, n):
                a[i, j] -= factor * a[k, j]
            b[i] -= factor * b[k]
    x = np.empty(n)
    for i in range(n - 1, -1, -1):
        total = b[i]
        for j in range(i + 1, n):
            total -= a[i, j] * x[j]
        x[i] = total / a[i, i]
    return x
