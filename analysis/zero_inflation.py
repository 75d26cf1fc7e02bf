"""Zero-inflated series: weeks that are either quiet or busy.

Some categories come and go: an area sees none for weeks, then several a week while it
lasts. Their counts are zero-inflated: a share ``pi`` of quiet weeks with none, and busy
weeks around ``m / (1 - pi)``. A negative binomial with the same variance gives such a
series a far longer tail, so an outbreak in a busy week looks less unusual than it is.

Which law a series follows is chosen from its baseline, given the fit's expected counts
``m_t`` in its observed weeks:

- ``pi`` of the zero-inflated Poisson and ``theta`` of the negative binomial are each the
  maximum-likelihood value on a grid (the comparison is only fair with both fitted: with a
  moment ``theta`` against a fitted alternative the comparison leans towards the
  alternative, docs/method/deviations.md, ninth stop);
- the two laws are not nested, so they are compared by Vuong's test (Vuong 1989): the
  weeks' log-likelihood ratios ``l_t`` of the category's series in the group (the cells of
  all areas and its totals) are pooled, ``z = sum(l) / (sd(l) sqrt(n))``, and the
  zero-inflated law is taken where ``z > VUONG_Z``. One series' five years rarely tell
  them apart; a category's cells together often do.

The law itself is in ``analysis.predictive`` (``zero``): it keeps each series' variance,
so ``pi`` only moves how that variance is spread.
"""

from __future__ import annotations

import numpy as np
from scipy import special

QUIET_GRID = np.linspace(0.0, 0.9, 31)
THETA_GRID = np.concatenate([[0.0], np.logspace(-3, 1, 30)])
VUONG_Z = 2.0


def _log_nb(y: np.ndarray, m: np.ndarray, theta: float) -> np.ndarray:
    """Each week's negative-binomial log-likelihood without the ``log y!`` both laws share."""
    if theta == 0:
        return y * np.log(m) - m
    k = 1.0 / theta
    # log Gamma(y + k) - log Gamma(k) once per count value, not once per week
    by_count = special.gammaln(np.arange(int(y.max(initial=0)) + 1) + k) - special.gammaln(k)
    return by_count[y.astype(np.int64)] + k * np.log(k) - (k + y) * np.log(k + m) + y * np.log(m)


def _log_zip(y: np.ndarray, m: np.ndarray, quiet: float) -> np.ndarray:
    """Each week's zero-inflated Poisson log-likelihood without ``log y!``."""
    busy_week = np.log1p(-quiet) - m / (1.0 - quiet)  # log P(busy) + log P(none | busy)
    out = busy_week + y * (np.log(m) - np.log1p(-quiet))
    none = y == 0  # a quiet week, or a busy one without any
    with np.errstate(divide="ignore"):
        out[none] = np.logaddexp(np.log(quiet), busy_week[none])
    return out


def _best(log_lik, y, m, observed, grid) -> np.ndarray:
    """Each series' maximum-likelihood value of the law's parameter on ``grid``."""
    totals = np.stack([np.where(observed, log_lik(y, m, value), 0.0).sum(axis=1) for value in grid])
    return grid[np.argmax(totals, axis=0)]


def quiet_share(y, expected, observed, key) -> np.ndarray:
    """``pi`` of each series (rows of ``y``, its baseline weeks, with the fit's ``expected``
    counts and the ``observed`` mask): its maximum-likelihood value where the series' key
    (its group and category) prefers the zero-inflated law by Vuong's test, else 0."""
    y = np.asarray(y, float)
    m = np.fmax(np.asarray(expected, float), 1e-9)
    quiet = _best(_log_zip, y, m, observed, QUIET_GRID)
    theta = _best(_log_nb, y, m, observed, THETA_GRID)
    ratio = np.zeros_like(m)
    for value in np.unique(quiet):
        rows = np.flatnonzero(quiet == value)
        ratio[rows] = _log_zip(y[rows], m[rows], value)
    for value in np.unique(theta):
        rows = np.flatnonzero(theta == value)
        ratio[rows] -= _log_nb(y[rows], m[rows], value)
    chosen = np.zeros(len(y), bool)
    for group in np.unique(key):
        rows = np.flatnonzero(key == group)
        weeks = ratio[rows][observed[rows]]
        spread = weeks.std() * np.sqrt(weeks.size)
        chosen[rows] = spread > 0 and weeks.sum() / spread > VUONG_Z
    return np.where(chosen, quiet, 0.0)
