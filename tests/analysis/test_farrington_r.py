"""Our R-compatible configuration against R's surveillance::farringtonFlexible.

Runs R through ``Rscript`` (no rpy2). Skips, saying why, where R or the package is missing;
CI installs Debian's r-cran-surveillance.
"""

import datetime as dt
import functools
import shutil
import subprocess

import numpy as np
import pytest

from analysis import aggregate, deviations, weeks
from tests.analysis import r_reference

FIRST = weeks.week_index(dt.date(2017, 1, 2))
N_WEEKS = 6 * 52 + 20
TARGETS = range(N_WEEKS - 12, N_WEEKS)


def r_available():
    if shutil.which("Rscript") is None:
        return "Rscript is not installed (apt-get install r-cran-surveillance)"
    probe = subprocess.run(
        ["Rscript", "-e", "library(surveillance)"], capture_output=True, text=True
    )
    if probe.returncode != 0:
        return "R package surveillance is missing (apt-get install r-cran-surveillance)"
    return None


pytestmark = pytest.mark.skipif(r_available() is not None, reason=str(r_available()))


def simulated_counts():
    rng = np.random.default_rng(42)
    n_series = 16
    t = np.arange(N_WEEKS)
    level = np.exp(rng.uniform(-1.0, 2.5, n_series))[:, None]
    phase = rng.uniform(0, 2 * np.pi, n_series)[:, None]
    mean = level * (1 + 0.5 * np.cos(2 * np.pi * t / 52.18 + phase)) * np.exp(0.001 * t)
    counts = rng.negative_binomial(3, 3 / (3 + mean))
    for row in rng.choice(n_series, 8, replace=False):  # outbreaks, so that there are alarms
        week = rng.choice(list(TARGETS))
        counts[row, week : week + 2] += rng.poisson(4 * mean[row, week : week + 2] + 4)
    counts[0, :] = 0  # a sparse series: R's expectation ~1e-9 in an empty season
    counts[0, [20, 75, 140, 190, 250]] = 1
    return counts


def sparse_counts():
    """Nearly empty series: R's fits fail on some (NA everywhere) and its 5-in-4 rule blanks
    the upper bound on most."""
    rng = np.random.default_rng(5)
    t = np.arange(N_WEEKS)
    level = np.exp(rng.uniform(np.log(0.002), np.log(0.3), 24))[:, None]
    mean = level * (1 + 0.5 * np.cos(2 * np.pi * t / 52.18 + rng.uniform(0, 6, 24)[:, None]))
    return rng.negative_binomial(2, 2 / (2 + mean))


@functools.cache
def r_results(tmp, make=simulated_counts):
    counts = make()
    return counts, r_reference.farrington_flexible(counts, FIRST, TARGETS, tmp)


@functools.cache
def ours(make=simulated_counts):
    counts = make()
    table = aggregate.SeriesTable(
        counts=counts,
        area=np.arange(len(counts)),
        category=np.zeros(len(counts), np.int64),
        group=np.zeros(len(counts), np.int64),
        start=np.zeros(len(counts), np.int64),
        first_week=FIRST,
    )
    results = [deviations.weekly_deviations(table, k, deviations.R_COMPATIBLE) for k in TARGETS]
    return {
        "expected": np.array([r.expected for r in results]),
        "upper": np.array([r.threshold for r in results]),
        "alarm": np.array([r.alarm for r in results]),
        "p": np.array([r.p_value for r in results]),
    }


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    counts, theirs = r_results(tmp_path_factory.mktemp("farrington_r"))
    return counts, theirs, ours()


def test_fitted_expected_counts_agree_within_one_percent(both):
    _, theirs, mine = both
    assert theirs["expected"].shape == mine["expected"].shape
    fitted = np.isfinite(theirs["expected"])
    assert fitted.mean() > 0.9
    np.testing.assert_array_equal(np.isfinite(mine["expected"]), fitted)
    np.testing.assert_allclose(mine["expected"][fitted], theirs["expected"][fitted], rtol=0.01)
    assert theirs["expected"][:, 0].max() < 1e-6  # the sparse series: R's near-zero too


def test_upper_bounds_agree_where_r_reports_them(both):
    _, theirs, mine = both
    reported = np.isfinite(theirs["upper"])
    assert reported.sum() > 50
    np.testing.assert_allclose(mine["upper"][reported], theirs["upper"][reported], rtol=0.01)


def test_alarms_overlap_with_jaccard_at_least_0_9(both):
    _, theirs, mine = both
    r_alarm = theirs["alarm"] == 1
    assert r_alarm.sum() >= 5
    jaccard = (r_alarm & mine["alarm"]).sum() / (r_alarm | mine["alarm"]).sum()
    assert jaccard >= 0.9


def test_plug_in_p_values_agree(both):
    _, theirs, mine = both
    reported = np.isfinite(theirs["p"])
    np.testing.assert_allclose(mine["p"][reported], theirs["p"][reported], rtol=1e-6, atol=1e-12)


def test_r_compatible_gives_nan_exactly_where_r_gives_na(tmp_path_factory):
    _, theirs = r_results(tmp_path_factory.mktemp("farrington_r_sparse"), sparse_counts)
    mine = ours(sparse_counts)
    assert np.isnan(theirs["expected"]).any()  # fits that failed
    assert np.isnan(theirs["upper"]).sum() > np.isnan(theirs["expected"]).sum()  # 5 in 4
    for name in ("expected", "upper", "p"):
        np.testing.assert_array_equal(np.isnan(mine[name]), np.isnan(theirs[name]), err_msg=name)
    assert not mine["alarm"][np.isnan(theirs["alarm"])].any()  # no fit, no alarm
