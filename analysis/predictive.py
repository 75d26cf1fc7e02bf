"""The predictive distribution of next week's count.

Every baseline in ``analysis`` ends in four numbers per series: the expected count ``m``,
the week-to-week variation around it, as a dispersion ``phi`` (variance over mean, at least
1) and a negative-binomial ``theta`` (variance ``phi m + theta m^2``), and ``c``, the
squared coefficient of variation of the estimate of ``m`` (the fit's own uncertainty). With
``phi = 1`` and ``theta = c = 0`` the count is Poisson.

How the fit's error is spread (the ``mixing``) decides the far tail, where BH across
hundreds of series looks:

- ``"gamma"``: one negative binomial with variance ``phi m + (theta + c) m^2``. This is the
  exact posterior predictive of an empirical-Bayes Poisson-gamma baseline (``phi = 1``,
  ``theta = 0``, ``c = 1 / shape``), and R's plug-in threshold is the case ``c = 0``.
- ``"lognormal"``: the true mean is ``m`` times a lognormal error with mean 1 and squared CV
  ``c``, and around it the count varies as the negative binomial of ``phi`` and ``theta``.
  A GLM's estimate of log ``m`` is close to normal (the Wald error its standard error
  describes), so its error makes ``m`` lognormal, whose upper tail is heavier than the
  gamma's of the same variance. The mixture is integrated by Gauss-Hermite quadrature.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

GAMMA, LOGNORMAL = "gamma", "lognormal"

# Gauss-Hermite nodes and weights for the lognormal mixing (weights sum to 1).
_NODES, _WEIGHTS = np.polynomial.hermite.hermgauss(40)
_WEIGHTS = _WEIGHTS / np.sqrt(np.pi)


def size(mean: np.ndarray, phi: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Negative-binomial size (shape) for mean ``m`` and variance ``phi m + c m^2``.

    ``inf`` means Poisson.
    """
    excess = (np.asarray(phi, float) - 1.0) + np.asarray(c, float) * mean
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(excess > 0, mean / excess, np.inf)


def _nb(method: str, x, mean, shape) -> np.ndarray:
    """scipy's ``method`` ("cdf" or "ppf") of the negative binomial with this mean and size,
    Poisson where the size is infinite."""
    finite_shape = np.where(np.isinf(shape), 1.0, shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        nb = getattr(stats.nbinom, method)(x, finite_shape, finite_shape / (finite_shape + mean))
    return np.where(np.isinf(shape), getattr(stats.poisson, method)(x, mean), nb)


def _nodes(mean, phi, theta, c):
    """The lognormal mixing's means and negative-binomial sizes at the quadrature nodes (last
    axis): ``m exp(s z - s^2 / 2)`` with ``s^2 = log(1 + c)``, so the mean stays ``m`` and
    the mean's squared CV is ``c``."""
    s2 = np.log1p(np.asarray(c, float))[..., None]
    means = np.asarray(mean, float)[..., None] * np.exp(np.sqrt(2.0 * s2) * _NODES - s2 / 2.0)
    return means, size(
        means, np.asarray(phi, float)[..., None], np.asarray(theta, float)[..., None]
    )


def cdf(y, mean, phi, theta, c, mixing: str = GAMMA) -> np.ndarray:
    """P(Y <= y) of the predictive distribution (see the module's docstring)."""
    y, mean, phi, theta, c = np.broadcast_arrays(
        *(np.asarray(v, float) for v in (y, mean, phi, theta, c))
    )
    if mixing == LOGNORMAL:
        means, sizes = _nodes(mean, phi, theta, c)
        return _nb("cdf", y[..., None], means, sizes) @ _WEIGHTS
    return _nb("cdf", y, mean, size(mean, phi, theta + c))


def upper_p(y, mean, phi, theta, c, mixing: str = GAMMA, *, mid: bool) -> np.ndarray:
    """One-sided upper p-value of the observed count ``y``.

    ``mid``: the mid-p-value P(Y > y) + P(Y = y) / 2, which is on average uniform under the
    null for discrete counts; otherwise P(Y >= y), as R reports.
    """
    y = np.asarray(y, float)
    above = 1.0 - cdf(y, mean, phi, theta, c, mixing)
    at_or_above = 1.0 - cdf(y - 1.0, mean, phi, theta, c, mixing)
    return np.clip((above + at_or_above) / 2.0 if mid else at_or_above, 0.0, 1.0)


def quantile(probability: float, mean, phi, theta, c, mixing: str = GAMMA) -> np.ndarray:
    """Smallest count whose cumulative probability reaches ``probability`` (NaN where m is).

    With lognormal mixing it is found by bisection over whole counts: the mixture's CDF is
    the nodes' weighted average, so its quantile lies at or below the nodes' largest.
    """
    mean, phi, theta, c = np.broadcast_arrays(
        *(np.asarray(v, float) for v in (mean, phi, theta, c))
    )
    known = np.isfinite(mean)
    mean_ok = np.where(known, mean, 0.0)
    if mixing == GAMMA:
        found = _nb("ppf", probability, mean_ok, size(mean_ok, phi, theta + c))
        return np.where(known, found, np.nan)
    means, sizes = _nodes(mean_ok, phi, theta, c)
    low = np.zeros(mean_ok.shape)
    high = _nb("ppf", probability, means, sizes).max(axis=-1)
    while np.any(low < high):
        middle = np.floor((low + high) / 2.0)
        reached = cdf(middle, mean_ok, phi, theta, c, mixing) >= probability
        high = np.where(reached, middle, high)
        low = np.where(reached, low, middle + 1.0)
    return np.where(known, high, np.nan)
