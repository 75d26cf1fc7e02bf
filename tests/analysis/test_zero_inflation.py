import numpy as np
import pytest

from analysis import zero_inflation

WEEKS = 250


def _season(n):
    return 2.0 * (1 + 0.3 * np.sin(2 * np.pi * np.arange(WEEKS) / 52.18))[None, :].repeat(n, 0)


def _choose(counts, mean, key):
    return zero_inflation.quiet_share(counts, mean, np.ones(counts.shape, bool), key)


def test_a_category_that_comes_and_goes_is_zero_inflated_with_its_share_of_quiet_weeks():
    """20 cells of one category, quiet in half the weeks (drawn independently) and Poisson
    around twice the mean in the others: chosen, and each cell's pi near 0.5."""
    rng = np.random.default_rng(1)
    mean = _season(20)
    busy = rng.random(mean.shape) >= 0.5
    counts = np.where(busy, rng.poisson(mean / 0.5), 0)
    quiet = _choose(counts, mean, np.zeros(20, int))
    assert (quiet > 0).all()
    assert np.median(quiet) == pytest.approx(0.5, abs=0.05)


def test_negative_binomial_cells_of_the_same_variance_are_not_zero_inflated():
    """The same mean and variance, from a negative binomial (theta 1): never chosen, in
    any of 20 categories of 20 cells."""
    rng = np.random.default_rng(2)
    mean = _season(400)
    counts = rng.negative_binomial(1.0, 1.0 / (1.0 + mean))
    quiet = _choose(counts, mean, np.repeat(np.arange(20), 20))
    assert (quiet == 0).all()


def test_weeks_before_a_series_began_do_not_count_as_quiet():
    """Poisson cells that began half-way through the baseline: their unobserved weeks are
    zeros in the table but not quiet weeks."""
    rng = np.random.default_rng(3)
    mean = _season(20)
    counts = rng.poisson(mean)
    observed = np.arange(WEEKS)[None, :] >= WEEKS // 2
    observed = observed.repeat(20, 0)
    counts[~observed] = 0
    quiet = zero_inflation.quiet_share(counts, mean, observed, np.zeros(20, int))
    assert (quiet == 0).all()
