"""The negative-binomial predictive distribution of next week's count.

Every baseline in ``analysis`` ends in three numbers per series: the expected count ``m``,
the dispersion ``phi`` (week-to-week variance over mean, at least 1) and ``c``, the squared
coefficient of variation of the estimate of ``m`` (the fit's own uncertainty). The count is
then taken as negative binomial with mean ``m`` and variance ``phi * m + c * m**2``; with
``phi = 1`` and ``c = 0`` that is Poisson. This is the exact posterior predictive of an
empirical-Bayes Poisson-gamma baseline (``phi = 1``, ``c = 1 / shape``) and a moment match
for a quasi-Poisson GLM whose log mean has standard error ``sqrt(c)``. R's plug-in threshold
is the special case ``c = 0`` (it ignores the fit's uncertainty).
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def size(mean: np.ndarray, phi: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Negative-binomial size (shape) for mean ``m`` and variance ``phi m + c m^2``.

    ``inf`` means Poisson.
    """
    excess = (np.asarray(phi, float) - 1.0) + np.asarray(c, float) * mean
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(excess > 0, mean / excess, np.inf)


def _cdf(y: np.ndarray, mean: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """P(Y <= y), Poisson where the shape is infinite."""
    poisson = np.isinf(shape)
    finite_shape = np.where(poisson, 1.0, shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        nb = stats.nbinom.cdf(y, finite_shape, finite_shape / (finite_shape + mean))
    return np.where(poisson, stats.poisson.cdf(y, mean), nb)


def upper_p(y: np.ndarray, mean: np.ndarray, shape: np.ndarray, *, mid: bool) -> np.ndarray:
    """One-sided upper p-value of the observed count ``y``.

    ``mid``: the mid-p-value P(Y > y) + P(Y = y) / 2, which is on average uniform under the
    null for discrete counts; otherwise P(Y >= y), as R reports.
    """
    y = np.asarray(y, float)
    above = 1.0 - _cdf(y, mean, shape)
    at_or_above = 1.0 - _cdf(y - 1.0, mean, shape)
    return np.clip((above + at_or_above) / 2.0 if mid else at_or_above, 0.0, 1.0)


def quantile(probability: float, mean: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """Smallest count whose cumulative probability reaches ``probability`` (NaN where m is)."""
    poisson = np.isinf(shape)
    finite_shape = np.where(poisson, 1.0, shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        nb = stats.nbinom.ppf(probability, finite_shape, finite_shape / (finite_shape + mean))
    return np.where(poisson, stats.poisson.ppf(probability, mean), nb)
