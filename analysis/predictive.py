"""The predictive distribution of next week's count.

Every baseline in ``analysis`` ends in five numbers per series: the expected count ``m``,
the week-to-week variation around it, as a dispersion ``phi`` (variance over mean, at least
1) and a negative-binomial ``theta`` (variance ``phi m + theta m^2``), ``c``, the squared
coefficient of variation of the estimate of ``m`` (the fit's own uncertainty), and
``theta_se``, the standard error of ``theta``. With ``phi = 1`` and ``theta = c =
theta_se = 0`` the count is Poisson.

How the fit's error is spread (the ``mixing``) decides the far tail, where BH across
hundreds of series looks:

- ``"gamma"``: one negative binomial with variance ``phi m + (theta + c) m^2``. This is the
  exact posterior predictive of an empirical-Bayes Poisson-gamma baseline (``phi = 1``,
  ``theta = 0``, ``c = 1 / shape``), and R's plug-in threshold is the case ``c = 0``.
- ``"lognormal"``: the true mean is ``m`` times a lognormal error with mean 1 and squared CV
  ``c``, and around it the count varies as the negative binomial of ``phi`` and ``theta``.
  A GLM's estimate of log m is close to normal (the Wald error its standard error
  describes), so its error makes m lognormal, whose upper tail is heavier than the gamma's
  of the same variance. The mixture is integrated by Gauss-Hermite quadrature.
- ``"poisson-lognormal"``: the same, and the week's own variation around the true mean is
  lognormal too, with squared CV ``theta`` (the negative binomial's is gamma): the rate is
  ``m`` times one lognormal whose log-variance is ``log(1 + c) + log(1 + theta)``, and the
  count Poisson around it (or quasi-Poisson with ``phi``). Same mean and variance as the
  others, a heavier far tail.

A series whose weeks are either quiet or busy (a category that comes and goes) is
zero-inflated: with ``zero`` (its share of quiet weeks, pi) the law is pi weeks of none and
1 - pi weeks of the same law around ``m / (1 - pi)`` with overdispersion ``theta (1 - pi) -
pi`` (at least 0), which keeps the mean and the variance ``phi m + theta m^2``. Its far tail
is lighter than the negative binomial's of the same variance.

An estimated ``theta`` is uncertain too, and a far tail computed with it as if it were
known is reached too often where it came out low. With ``theta_se`` the law is averaged
over ``theta`` normal around its estimate with that standard error (cut at 0), by
Gauss-Hermite quadrature.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

GAMMA, LOGNORMAL, POISSON_LOGNORMAL = "gamma", "lognormal", "poisson-lognormal"


def _hermite(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Hermite nodes scaled for a standard normal, and weights summing to 1."""
    nodes, weights = np.polynomial.hermite.hermgauss(n)
    return np.sqrt(2.0) * nodes, weights / np.sqrt(np.pi)


_NODES, _WEIGHTS = _hermite(40)  # the lognormal mixing of the fit's error
_THETA_NODES, _THETA_WEIGHTS = _hermite(5)  # theta's estimation error


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
    poisson = np.isinf(shape)
    # placeholders where the Poisson is used: scipy's negative-binomial search does not end
    # for a success probability that rounds to 1
    finite_shape = np.where(poisson, 1.0, shape)
    nb_mean = np.where(poisson, 1.0, mean)
    with np.errstate(divide="ignore", invalid="ignore"):
        nb = getattr(stats.nbinom, method)(x, finite_shape, finite_shape / (finite_shape + nb_mean))
    return np.where(poisson, getattr(stats.poisson, method)(x, mean), nb)


def _components(mean, phi, theta, c, theta_se, mixing, zero=0.0, weeks=1):
    """The predictive law as a mixture of negative binomials: their weights (last axis,
    summing to 1), means and sizes (the arguments' shape plus that axis)."""
    zero = np.asarray(zero, float)
    if np.any(zero > 0):
        return _quiet_and_busy(mean, phi, theta, c, theta_se, mixing, zero, weeks)
    mean, phi, theta, c, theta_se = (
        np.asarray(v, float)[..., None] for v in (mean, phi, theta, c, theta_se)
    )
    weights = np.ones(1)
    if np.any(theta_se > 0):
        theta = np.maximum(theta + theta_se * _THETA_NODES, 0.0)
        weights = _THETA_WEIGHTS
    if mixing in (LOGNORMAL, POISSON_LOGNORMAL):
        # m exp(s z - s^2 / 2) with s^2 = log(1 + c): the mean stays m, its squared CV is c
        s2 = np.log1p(c)
        if mixing == POISSON_LOGNORMAL:
            # the week's own variation is lognormal too, with squared CV theta
            s2 = s2 + np.log1p(theta)
            theta = np.zeros_like(theta)
        s2 = s2[..., None]
        means = mean[..., None] * np.exp(np.sqrt(s2) * _NODES - s2 / 2.0)
        sizes = size(means, phi[..., None], theta[..., None])
        weights = np.multiply.outer(weights, _WEIGHTS).ravel()
        shape = np.broadcast_shapes(means.shape, sizes.shape)
        flat = (*shape[:-2], shape[-2] * shape[-1])
        return (
            weights,
            np.broadcast_to(means, shape).reshape(flat),
            np.broadcast_to(sizes, shape).reshape(flat),
        )
    return weights, mean, size(mean, phi, theta + c)


def _quiet_and_busy(mean, phi, theta, c, theta_se, mixing, zero, weeks):
    """The zero-inflated law of a sum over ``weeks`` weeks, each quiet with probability
    ``zero``: ``B`` of them busy (binomial), and for ``B >= 1`` the law of ``B`` busy weeks'
    sum, with the mean ``B m / (weeks (1 - zero))`` and the overdispersion that keeps the
    sum's variance ``phi m + theta m^2``: ``(theta weeks (1 - zero) - zero) / (zero + weeks
    (1 - zero))``, at least 0 (one week: ``theta (1 - zero) - zero``)."""
    mean, phi, theta, c, theta_se = (
        np.asarray(v, float)[..., None] for v in (mean, phi, theta, c, theta_se)
    )
    quiet = zero[..., None]
    busy_share = weeks * (1.0 - quiet)
    busy = np.arange(1, weeks + 1)
    weights, means, sizes = _components(
        mean / busy_share * busy,
        phi,
        np.maximum((theta * busy_share - quiet) / (quiet + busy_share), 0.0),
        c,
        theta_se,
        mixing,
    )
    weights, means, sizes = np.broadcast_arrays(weights, means, sizes)  # ... x busy x inner
    weights = stats.binom.pmf(busy, weeks, 1.0 - quiet)[..., None] * weights
    none = quiet**weeks
    return tuple(
        _append(first, rest.reshape(*rest.shape[:-2], -1))
        for first, rest in (
            (none, weights),
            (np.zeros_like(none), means),
            (np.full_like(none, np.inf), sizes),
        )
    )


def _append(first: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """``first`` (one component) before ``rest`` on the last axis, the other axes broadcast."""
    shape = np.broadcast_shapes(first.shape[:-1], rest.shape[:-1])
    return np.concatenate(
        [
            np.broadcast_to(first, (*shape, first.shape[-1])),
            np.broadcast_to(rest, (*shape, rest.shape[-1])),
        ],
        axis=-1,
    )


def cdf(
    y, mean, phi, theta, c, theta_se=0.0, mixing: str = GAMMA, zero=0.0, weeks: int = 1
) -> np.ndarray:
    """P(Y <= y) of the predictive distribution (see the module's docstring); ``weeks``: of
    a zero-inflated sum over that many weeks."""
    y, mean, phi, theta, c, theta_se, zero = np.broadcast_arrays(
        *(np.asarray(v, float) for v in (y, mean, phi, theta, c, theta_se, zero))
    )
    weights, means, sizes = _components(mean, phi, theta, c, theta_se, mixing, zero, weeks)
    return _mixture_cdf(y, weights, means, sizes)


def _mixture_cdf(y, weights, means, sizes) -> np.ndarray:
    """P(Y <= y) of a mixture of negative binomials (components on the last axis)."""
    return np.sum(_nb("cdf", y[..., None], means, sizes) * weights, axis=-1)


def upper_p(
    y, mean, phi, theta, c, theta_se=0.0, mixing: str = GAMMA, zero=0.0, weeks: int = 1, *, mid
) -> np.ndarray:
    """One-sided upper p-value of the observed count ``y``.

    ``mid``: the mid-p-value P(Y > y) + P(Y = y) / 2, which is on average uniform under the
    null for discrete counts; otherwise P(Y >= y), as R reports.
    """
    y = np.asarray(y, float)
    law = (mean, phi, theta, c, theta_se, mixing, zero, weeks)
    above = 1.0 - cdf(y, *law)
    at_or_above = 1.0 - cdf(y - 1.0, *law)
    return np.clip((above + at_or_above) / 2.0 if mid else at_or_above, 0.0, 1.0)


def quantile(
    probability: float, mean, phi, theta, c, theta_se=0.0, mixing: str = GAMMA, zero=0.0
) -> np.ndarray:
    """Smallest count whose cumulative probability reaches ``probability`` (NaN where m is).

    A mixture has no quantile function of its own: its CDF (the components' weighted
    average) is searched over whole counts, from the quantile of the negative binomial with
    the mixture's mean and variance, in steps that double until the answer is bracketed,
    then by bisection. The first guess is usually within a few counts, so a handful of CDF
    evaluations replace one quantile search per component.
    """
    mean, phi, theta, c, theta_se, zero = np.broadcast_arrays(
        *(np.asarray(v, float) for v in (mean, phi, theta, c, theta_se, zero))
    )
    known = np.isfinite(mean)
    mean_ok = np.where(known, mean, 0.0)
    weights, means, sizes = _components(mean_ok, phi, theta, c, theta_se, mixing, zero)
    if weights.shape[-1] == 1:
        found = _nb("ppf", probability, means, sizes)[..., 0]
    else:
        shape = np.broadcast_shapes(weights.shape, means.shape, sizes.shape)
        weights, means, sizes = (
            np.broadcast_to(a, shape).reshape(-1, shape[-1]) for a in (weights, means, sizes)
        )
        # a component of size 0 (a mean of 0 with overdispersion) or an infinite mean has
        # no law: NaN, as the negative binomial's own quantile is there
        lawful = np.all((sizes > 0) & np.isfinite(means), axis=-1)
        found = np.full(len(means), np.nan)
        found[lawful] = _search(probability, weights[lawful], means[lawful], sizes[lawful])
        found = found.reshape(mean.shape)
    return np.where(known, found, np.nan)


def _search(probability: float, weights, means, sizes) -> np.ndarray:
    """The quantile of each row's mixture (rows of components), see ``quantile``."""

    def reached(x, rows):
        return _mixture_cdf(x, weights[rows], means[rows], sizes[rows]) >= probability

    # from 0 where the mixture's variance is too large for floats (scipy's own search hangs)
    mean, shape = _matched(weights, means, sizes)
    usable = np.isfinite(mean) & ~np.isnan(shape)
    guess = np.zeros(len(mean))
    guess[usable] = _nb("ppf", probability, mean[usable], shape[usable])
    low, high = _bracket(reached, guess)
    # an end reached only at infinity is the answer: there is nothing to halve
    while len(open_ := np.flatnonzero((low < high) & np.isfinite(high))):
        middle = np.floor((low[open_] + high[open_]) / 2.0)
        hit = reached(middle, open_)
        high[open_] = np.where(hit, middle, high[open_])
        low[open_] = np.where(hit, low[open_], middle + 1.0)
    return high


def _bracket(reached, guess: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Counts ``low <= quantile <= high`` around each row's ``guess``, the other end found
    in steps of 1, 2, 4, ... away from it; ``reached(x, rows)``: whether those rows' CDF at
    ``x`` reaches the probability. A CDF that never gets there (NaN where scipy has no
    value) ends with ``high`` NaN."""
    every = np.arange(len(guess))
    above = reached(guess, every)  # the quantile is at most the guess
    high = np.where(above, guess, np.inf)
    low = np.where(above, 0.0, guess + 1.0)
    step = np.ones(len(guess))
    open_ = every
    while len(open_):
        candidate = np.where(above[open_], high[open_] - step[open_], low[open_] - 1 + step[open_])
        candidate = np.maximum(candidate, 0.0)
        hit = reached(candidate, open_)
        high[open_] = np.where(hit, candidate, high[open_])
        low[open_] = np.where(hit, low[open_], candidate + 1.0)
        step[open_] *= 2.0
        # downwards the search ends at the first miss (or at 0), upwards at the first hit
        lost = ~hit & ~np.isfinite(candidate)
        high[open_[lost]] = np.nan
        done = np.where(above[open_], ~hit | (candidate == 0), hit) | lost
        open_ = open_[~done]
    return low, high


def _matched(weights, means, sizes) -> tuple[np.ndarray, np.ndarray]:
    """Mean and negative-binomial size with each row's mixture mean and variance."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        variances = means + np.where(np.isinf(sizes), 0.0, means**2 / sizes)
        mean = np.sum(weights * means, axis=-1)
        variance = np.sum(weights * (variances + means**2), axis=-1) - mean**2
    return mean, size(mean, variance / np.where(mean > 0, mean, 1.0), 0.0)
