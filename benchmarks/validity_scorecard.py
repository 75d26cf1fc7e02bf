"""Scorecard of the weekly flags and the rising badge on data the model did not generate.

    .venv/bin/python -m benchmarks.validity_scorecard            # full run
    .venv/bin/python -m benchmarks.validity_scorecard --quick    # fewer partnerships and weeks
    .venv/bin/python -m benchmarks.validity_scorecard --no-r     # without Rscript
    .venv/bin/python -m benchmarks.validity_scorecard --busier 5  # 5x the synthetic incidents
    .venv/bin/python -m benchmarks.validity_scorecard --config THETA_ERROR  # a candidate
    .venv/bin/python -m benchmarks.validity_scorecard --history 124  # a short history

Prints every row of the table in issue 9 for DEFAULT and the picture's configuration
(``deviations.PICTURE``: the same weekly flags, a rarer rising badge), per data-generating
process, with R beside it:

- "R + BH" is ``deviations.R_COMPATIBLE`` (our engine set up as R's ``farringtonFlexible``
  with Noufaily's settings, which tests/analysis/test_farrington_r.py shows gives R's
  expected counts and alarms) with Benjamini-Hochberg at q = 0.05 on its p-values; with R
  available, real ``farringtonFlexible`` is run through Rscript on one partnership's tested
  weeks and its agreement with R_COMPATIBLE printed;
- R's ``algo.glrnb`` (NB GLR, in-control mean estimated by R from the weeks before the
  monitored window) for the rises, at several limits ``c.ARL``, through Rscript.

Data-generating processes (none is the model: no Farrington levels, no gamma-pooled rates):

- ``nb``: 28 areas x 20 categories, 3,000 incidents a year, a two-harmonic season, a trend
  per category, NB size 1.5-10 per category, yearly peaks (2-4x) in 30 % of categories;
- ``sparse``: the same partnership at 1,500 a year, zero-inflated: each week a cell is
  "off" with probability 0.3-0.7, otherwise Poisson (the mean is kept);
- ``regime``: 3,000 a year, with 0-2 lasting level shifts (x0.6-1.7) per category and per
  cell at random weeks of the history the baseline sees (until 27 weeks before the first
  tested week), NB size 4;
- ``dense``: a big city, 24,000 incidents a year in 16 areas x 12 categories (most cells
  several a week), Poisson with log-normal weekly noise (sd 0.1-0.35 per category, not NB),
  season, yearly peaks in 30 % of categories, a trend per category;
- ``persistent``: 12,000 incidents a year in 24 areas x 15 categories, weeks that are not
  independent: each cell's rate wanders around its mean as a log-normal AR(1) (week-to-week
  correlation 0.3-0.9, marginal sd 0.1-0.4 per category), Poisson around it, season, yearly
  peaks in 30 % of categories, a trend per category (no oracle: it assumes independent
  weeks);
- ``noufaily``: the structure of the literature's standard simulation design (Noufaily et
  al. 2013) as a partnership of 16 areas x 10 categories, 15,000 incidents a year: per
  category a trend, 0-2 harmonics, a week's variance phi (1-5) times its mean, and four past
  outbreaks of k = 2-5 standard deviations per cell in the history (no oracle);
- ``chicago``: real weekly aggravated assaults in Chicago 2010-2019 (22 police districts x
  13 location categories, ../shared/data/chicago-aggravated-assaults), as one partnership;
- ``polisen``: real weekly event notices of the Swedish Police, April 2023 - August 2026
  (../shared/data/polisen-events): the 21 counties x the 15 most common incident types, as
  one partnership. Real Swedish holidays: for both real data sets the scorecard also prints
  how often the real counts, without plants, are flagged in the weeks of New Year,
  Walpurgis Night and Midsummer against the other tested weeks.

Each is run prospectively, week by week over the tested weeks, as the app runs it: every
series of the partnership (cells, area totals, category totals, total) in one call, BH
within the partnership's week. Outbreaks (1-4 weeks, 2-10x the series' mean, in 4 % of the
cells, drawn in proportion to their incidents) are planted in the tested weeks; a planted
outbreak is found if any of its weeks is "avvikelse" in its cell; "found, expected < truth /
2" counts the finds made in a week whose expectation was under half the cell's true mean
(Chicago: its mean over the year before), flags that the cell's ordinary level would also
have got. Slow rises: the mean of 4 % of the cells climbs linearly to 1.5-2.5x over 26 weeks
ending with the last tested week; found if the badge shows in any of their last 18 weeks.
Null: the same data without plants.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gzip
import inspect
import math
import pathlib
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, replace

import numpy as np
from scipy import stats

from analysis import aggregate, deviations, farrington, weeks
from analysis.aggregate import ALL
from benchmarks.shared_data import shared_data
from lagesbild.policeevents import feed
from tests.analysis import r_reference

DATA = shared_data()
CHICAGO = DATA / "chicago-aggravated-assaults" / "chicago_aggravated_assaults.csv.gz"
POLISEN = DATA / "polisen-events"
COUNTIES = DATA / "se-kommun-population" / "swedish_admin_areas.csv"
POLISEN_FIRST = dt.date(2023, 4, 3)  # the archive is complete from late March 2023
# The feed's night summaries, "other" and the police's own traffic checks are not incidents.
POLISEN_NOT_INCIDENTS = ("Sammanfattning", "Övrigt", "Trafikkontroll")
POLISEN_TYPES = 15
REAL = ("chicago", "polisen")
SYNTH_FIRST = weeks.week_index(dt.date(2018, 1, 1))
SYNTH_WEEKS = 6 * 52 + 4
WEEKS_PER_YEAR = 365.2425 / 7
RISE_WEEKS = 26
RISE_FOUND_FROM = 8  # the badge counts from the 9th week of a rise on


@dataclass
class Dataset:
    """One partnership: counts (areas x categories x weeks), its mean, and peaked categories.

    ``size`` (NB size, ``inf`` for Poisson), ``off`` (the chance a cell's week is "off",
    zero-inflation) and ``sigma`` (log-normal weekly noise) say how the counts were drawn
    around the mean, for the oracle; ``size`` is ``None`` for real data, whose law is
    unknown."""

    name: str
    counts: np.ndarray
    mean: np.ndarray
    first_week: int
    peaked: np.ndarray
    size: np.ndarray | None = None
    off: np.ndarray | None = None
    sigma: np.ndarray | float = 0.0


# --- data-generating processes ---------------------------------------------------------------


def _shares(rng, n_areas, n_categories):
    area = rng.gamma(2.0, 1.0, n_areas)
    category = rng.gamma(1.0, 1.0, n_categories)
    return (area / area.sum())[:, None] * (category / category.sum())[None, :]


def _season(rng, n_categories, n_weeks, first_week, amplitude=0.5, peaks=True):
    t = np.arange(n_weeks)
    a1 = rng.uniform(0, amplitude, n_categories)[:, None]
    a2 = rng.uniform(0, amplitude / 2.5, n_categories)[:, None]
    p1, p2 = (rng.uniform(0, 2 * np.pi, n_categories)[:, None] for _ in range(2))
    season = np.exp(
        a1 * np.cos(2 * np.pi * t / WEEKS_PER_YEAR + p1)
        + a2 * np.cos(4 * np.pi * t / WEEKS_PER_YEAR + p2)
    )
    peaked = np.zeros(n_categories, bool)
    if peaks:
        peaked = rng.random(n_categories) < 0.3
        holiday = farrington.holiday_weeks(farrington.SWEDISH_PEAKS, first_week, n_weeks)
        factor = rng.uniform(2.0, 4.0, n_categories)
        season[np.ix_(peaked, holiday)] *= factor[peaked, None]
    return season / season.mean(axis=1, keepdims=True), peaked


def _trending_mean(rng, per_year, n_areas, n_categories):
    """Weekly means with a season, yearly peaks in 30 % of categories and a trend per
    category (areas x categories x weeks), and which categories peak."""
    n = SYNTH_WEEKS
    season, peaked = _season(rng, n_categories, n, SYNTH_FIRST)
    trend = np.exp(rng.uniform(-0.05, 0.05, n_categories)[:, None] * np.arange(n) / 52)
    mean = per_year / WEEKS_PER_YEAR * _shares(rng, n_areas, n_categories)[:, :, None]
    return mean * (season * trend)[None], peaked


def nb(rng, per_year=3000.0, n_areas=28, n_categories=20) -> Dataset:
    mean, peaked = _trending_mean(rng, per_year, n_areas, n_categories)
    size = rng.uniform(1.5, 10.0, n_categories)[None, :, None]
    counts = rng.negative_binomial(size, size / (size + mean))
    return Dataset("nb", counts, mean, SYNTH_FIRST, peaked, size=size, off=np.zeros((1, 1, 1)))


def dense(rng, per_year=24000.0, n_areas=16, n_categories=12) -> Dataset:
    """A big city's partnership: few, busy cells; log-normal weekly noise around the mean
    (Poisson-lognormal, not negative binomial), season, yearly peaks, a trend per category."""
    mean, peaked = _trending_mean(rng, per_year, n_areas, n_categories)
    sigma = rng.uniform(0.1, 0.35, n_categories)[None, :, None]
    noise = np.exp(sigma * rng.standard_normal(mean.shape) - sigma**2 / 2)
    counts = rng.poisson(mean * noise)
    no = np.zeros((1, 1, 1))
    law = {"size": np.full((1, 1, 1), np.inf), "off": no, "sigma": sigma}
    return Dataset("dense", counts, mean, SYNTH_FIRST, peaked, **law)


def sparse(rng, per_year=1500.0, n_areas=28, n_categories=20) -> Dataset:
    n = SYNTH_WEEKS
    season, _ = _season(rng, n_categories, n, SYNTH_FIRST, amplitude=0.3, peaks=False)
    mean = per_year / WEEKS_PER_YEAR * _shares(rng, n_areas, n_categories)[:, :, None]
    mean = mean * season[None]
    off = rng.uniform(0.3, 0.7, (n_areas, n_categories, 1))
    on = rng.random(mean.shape) >= off
    counts = np.where(on, rng.poisson(mean / (1 - off)), 0)
    no_peaks = np.zeros(n_categories, bool)
    return Dataset(
        "sparse", counts, mean, SYNTH_FIRST, no_peaks, size=np.full((1, 1, 1), np.inf), off=off
    )


def regime(rng, per_year=3000.0, n_areas=28, n_categories=20) -> Dataset:
    n = SYNTH_WEEKS
    season, peaked = _season(rng, n_categories, n, SYNTH_FIRST, amplitude=0.3)
    mean = per_year / WEEKS_PER_YEAR * _shares(rng, n_areas, n_categories)[:, :, None]
    mean = mean * season[None]
    level = np.ones(mean.shape)
    # Shifts happen in the history the baseline sees: at least 27 weeks before the first
    # tested week (the baseline leaves out the 26 before each; a shift inside them is a
    # real, recent change of level, and flags on it are right, not false).
    latest = n - 52 - 27
    for c in range(n_categories):
        for _ in range(rng.integers(0, 3)):
            level[:, c, rng.integers(52, latest) :] *= rng.uniform(0.6, 1.7)
    for a in range(n_areas):
        for c in range(n_categories):
            if rng.random() < 0.3:
                level[a, c, rng.integers(52, latest) :] *= rng.uniform(0.6, 1.7)
    mean = mean * level
    counts = rng.negative_binomial(4.0, 4.0 / (4.0 + mean))
    return Dataset(
        "regime",
        counts,
        mean,
        SYNTH_FIRST,
        peaked,
        size=np.full((1, 1, 1), 4.0),
        off=np.zeros((1, 1, 1)),
    )


def persistent(rng, per_year=12000.0, n_areas=24, n_categories=15) -> Dataset:
    """Weeks that are not independent: each cell's rate wanders around its mean as a
    log-normal AR(1) (correlation 0.3-0.9 from one week to the next, marginal sd 0.1-0.4
    per category), as real counts do when conditions persist for weeks (weather, a
    troubled address, a policing campaign); Poisson around the rate, season, yearly peaks,
    a trend per category. No oracle: its ceiling assumes independent weeks."""
    mean, peaked = _trending_mean(rng, per_year, n_areas, n_categories)
    rho = rng.uniform(0.3, 0.9, n_categories)[None, :]
    sigma = rng.uniform(0.1, 0.4, n_categories)[None, :]
    step = sigma * np.sqrt(1.0 - rho**2)
    latent = np.empty(mean.shape)
    latent[:, :, 0] = sigma * rng.standard_normal(mean.shape[:2])
    for t in range(1, mean.shape[2]):
        latent[:, :, t] = rho * latent[:, :, t - 1] + step * rng.standard_normal(mean.shape[:2])
    counts = rng.poisson(mean * np.exp(latent - sigma[:, :, None] ** 2 / 2))
    return Dataset("persistent", counts, mean, SYNTH_FIRST, peaked)


def noufaily(rng, per_year=15000.0, n_areas=16, n_categories=10) -> Dataset:
    """The structure of the literature's standard simulation (Noufaily et al. 2013, Stat Med
    32:1206), as a partnership: per category a trend ``beta`` (0, 0.001 or 0.002 a week), 0-2
    yearly harmonics with the same weights ``gamma1, gamma2`` (-0.6 to 0.6), and the week's
    variance ``phi`` times its mean (``phi`` 1-5: linear in the mean, not the model's
    quadratic); four past outbreaks per cell in the five years before the tested year, each
    Poisson(k sd) incidents (k 2-5, sd of the cell's week at its start) spread over the weeks
    after its start by a log-normal (0, 0.5) delay. No oracle (the week's law changes with
    its mean)."""
    n = SYNTH_WEEKS
    t = np.arange(n)[None, :]
    beta = rng.choice([0.0, 0.001, 0.002], n_categories)[:, None]
    harmonics = rng.integers(0, 3, n_categories)
    gamma1, gamma2 = (rng.uniform(-0.6, 0.6, n_categories) for _ in range(2))
    log_season = np.zeros((n_categories, n))
    for c in range(n_categories):
        for j in range(1, harmonics[c] + 1):
            angle = 2 * np.pi * j * t[0] / WEEKS_PER_YEAR
            log_season[c] += gamma1[c] * np.cos(angle) + gamma2[c] * np.sin(angle)
    shape = np.exp(log_season + beta * t)
    shape /= shape[:, -104:-52].mean(axis=1, keepdims=True)  # the year before: per_year
    mean = per_year / WEEKS_PER_YEAR * _shares(rng, n_areas, n_categories)[:, :, None]
    mean = mean * shape[None]
    phi = rng.choice([1.0, 1.5, 2.0, 3.0, 5.0], n_categories)[None, :, None]
    excess = np.broadcast_to(phi - 1.0, mean.shape)
    level = mean.copy()  # gamma-Poisson of variance phi * mean where phi > 1
    mixed = excess > 0
    level[mixed] = rng.gamma(mean[mixed] / excess[mixed], excess[mixed])
    counts = rng.poisson(level)
    first_past, last_past = n - 52 - 5 * 52, n - 52 - 4
    for a in range(n_areas):
        for c in range(n_categories):
            for start in rng.integers(first_past, last_past, 4):
                cases = rng.poisson(rng.integers(2, 6) * np.sqrt(phi[0, c, 0] * mean[a, c, start]))
                delay = np.floor(rng.lognormal(0.0, 0.5, cases)).astype(int)
                np.add.at(counts[a, c], np.minimum(start + delay, n - 53), 1)
    return Dataset("noufaily", counts, mean, SYNTH_FIRST, np.zeros(n_categories, bool))


def chicago(rng) -> Dataset | None:
    """Real counts: aggravated assaults by police district and location category."""
    if not CHICAGO.exists():
        return None
    import pandas as pd

    with gzip.open(CHICAGO, "rt") as handle:
        frame = pd.read_csv(handle, usecols=["date", "loc_cat", "district"])
    frame = frame[frame["district"] != 31]
    days = pd.to_datetime(frame["date"]).dt.date
    first = weeks.week_index(dt.date(2010, 1, 4))
    week = np.array([weeks.week_index(d) for d in days]) - first
    keep = week >= 0
    districts = np.unique(frame["district"])
    categories = np.unique(frame["loc_cat"])
    area = np.searchsorted(districts, frame["district"].to_numpy())
    category = np.searchsorted(categories, frame["loc_cat"].to_numpy())
    n_weeks = int(week[keep].max())  # the last, partial week left out
    keep &= week < n_weeks
    counts = np.zeros((len(districts), len(categories), n_weeks), np.int64)
    np.add.at(counts, (area[keep], category[keep], week[keep]), 1)
    return _real("chicago", counts, first)


def polisen(rng) -> Dataset | None:
    """Real counts: the police's public event notices, one per incident they chose to
    publish, by county (a notice placed in a municipality counts in its county) and type."""
    if not POLISEN.exists():
        return None
    import pandas as pd

    county_of = dict(pd.read_csv(COUNTIES, dtype=str)[["municipality_name", "county_name"]].values)
    counties = sorted(set(county_of.values()))
    rows = []
    for path in sorted(POLISEN.glob("events_20*.jsonl")):
        for record in feed.read_file(path):
            event = feed.parse_record(record)  # when it happened, as the app counts it
            place = event.location_name
            county = place if place in counties else county_of.get(place)
            if county is not None and not event.event_type.startswith(POLISEN_NOT_INCIDENTS):
                week = weeks.week_index(event.occurred_at.date())
                rows.append((week, county, event.event_type))
    frame = pd.DataFrame(rows, columns=["week", "county", "type"])
    first = weeks.week_index(POLISEN_FIRST)
    frame = frame[frame["week"] >= first]
    types = frame["type"].value_counts().index[:POLISEN_TYPES]
    frame = frame[frame["type"].isin(types)]
    n_weeks = int(frame["week"].max()) - first  # the last, partial week left out
    frame = frame[frame["week"] < first + n_weeks]
    counts = np.zeros((len(counties), len(types), n_weeks), np.int64)
    area = np.searchsorted(counties, frame["county"].to_numpy())
    category = pd.Index(types).get_indexer(frame["type"])
    np.add.at(counts, (area, category, frame["week"].to_numpy() - first), 1)
    return _real("polisen", counts, first)


def _real(name: str, counts: np.ndarray, first_week: int) -> Dataset:
    """Real counts as one partnership. Their "mean" is each series' mean over the year before
    the last 52 weeks, used only to size and band the plants."""
    level = counts[:, :, -52 - 52 : -52].mean(axis=2, keepdims=True)
    mean = np.broadcast_to(level, counts.shape).astype(float)
    return Dataset(name, counts, mean, first_week, np.zeros(counts.shape[1], bool))


# --- plants ---------------------------------------------------------------------------------


@dataclass
class Plant:
    row: int  # cell row in the stacked table
    start: int
    length: int
    factor: float
    baseline: float  # the series' mean per week over the plant


def plant_outbreaks(rng, data: Dataset, tested: range, share=0.04):
    counts = data.counts.copy()
    n_areas, n_categories, _ = counts.shape
    cells = n_areas * n_categories
    weight = data.mean[:, :, tested].reshape(cells, -1).sum(axis=1) + 1e-9
    rows = rng.choice(cells, max(1, int(share * cells)), replace=False, p=weight / weight.sum())
    plants = []
    for row in rows:
        a, c = divmod(int(row), n_categories)
        length = int(rng.integers(1, 5))
        start = int(rng.integers(tested.start, tested.stop - length + 1))
        factor = float(rng.uniform(2.0, 10.0))
        span = slice(start, start + length)
        base = data.mean[a, c, span]
        counts[a, c, span] += rng.poisson((factor - 1.0) * base)
        plants.append(Plant(int(row), start, length, factor, float(base.mean())))
    return counts, plants


def plant_rises(rng, data: Dataset, last: int, share=0.04):
    counts = data.counts.copy()
    n_areas, n_categories, _ = counts.shape
    cells = n_areas * n_categories
    span = np.arange(last - RISE_WEEKS + 1, last + 1)
    weight = data.mean[:, :, span].reshape(cells, -1).sum(axis=1) + 1e-9
    rows = rng.choice(cells, max(1, int(share * cells)), replace=False, p=weight / weight.sum())
    plants = []
    for row in rows:
        a, c = divmod(int(row), n_categories)
        factor = float(rng.uniform(1.5, 2.5))
        ramp = (factor - 1.0) * (np.arange(1, RISE_WEEKS + 1) / RISE_WEEKS)
        base = data.mean[a, c, span]
        counts[a, c, span] += rng.poisson(ramp * base)
        plants.append(Plant(int(row), int(span[0]), RISE_WEEKS, factor, float(base.mean())))
    return counts, plants


# --- what an oracle could find ---------------------------------------------------------------

ORACLE_RISE_FALSE = 0.015  # issue 9's bound on false series-weeks of the badge
ORACLE_NULL_WEEKS = 0.05  # issue 9's bound on null partnership-weeks with any avvikelse


def oracle(data: Dataset, plants, alpha: float, *, ramp: bool, found_from: int = 0, seed=2027):
    """Per plant: the chance that a detector knowing everything finds it, and the chance that
    it alarms on the same cell without the plant, at ``alpha`` false alarms in each week of a
    stable series. ``None`` for real data (the law is unknown).

    The oracle knows the cell's true weekly mean and law (``size``, ``off``), the week the
    plant began, its length and size (``ramp``: a linear climb, else a constant excess). In
    each week of the plant it takes the Poisson log-likelihood ratio of the plant against the
    stable mean over the plant's weeks so far and alarms above that week's limit, simulated
    from the stable law (ties broken at random, so that exactly ``alpha`` of stable series
    alarm in each week). Found: an alarm in any week of the plant from ``found_from`` on. A
    ceiling to compare with, not a method: a detector must estimate the mean and cannot know
    when or how something begins."""
    if data.size is None:
        return None
    rng = np.random.default_rng(seed)
    replicates = max(4000, int(20 / alpha))
    n_categories = data.counts.shape[1]
    size = np.broadcast_to(data.size, data.mean.shape)
    off = np.broadcast_to(data.off, data.mean.shape)
    sigma = np.broadcast_to(data.sigma, data.mean.shape)
    found, chance = [], []
    for plant in plants:
        a, c = divmod(plant.row, n_categories)
        mean = data.mean[a, c, plant.start : plant.start + plant.length]
        shape = np.arange(1, plant.length + 1) / plant.length if ramp else 1.0
        extra = (plant.factor - 1.0) * shape * mean
        law = (mean, size[a, c, 0], off[a, c, 0], sigma[a, c, 0], replicates)
        stable = _plant_llr(rng, _draw(rng, *law), mean, extra)
        limit = np.quantile(stable, 1 - alpha, axis=0)
        planted = _draw(rng, *law) + rng.poisson(extra, (replicates, plant.length))
        found.append((_plant_llr(rng, planted, mean, extra) > limit)[:, found_from:].any(axis=1))
        chance.append((stable > limit)[:, found_from:].any(axis=1))
    return np.array([f.mean() for f in found]), np.array([c.mean() for c in chance])


def _plant_llr(rng, y, mean, extra):
    """The plant's Poisson log-likelihood ratio over its weeks so far, ties broken at random."""
    ties = rng.uniform(0.0, 1e-9, y.shape)
    return np.cumsum(y * np.log1p(extra / mean) - extra + ties, axis=1)


def _draw(rng, mean, size, off, sigma, replicates):
    """Stable series of a cell: Poisson around ``mean / (1 - off)`` times gamma (NB ``size``)
    or log-normal (``sigma``) noise in the weeks that are "on", zero in the others."""
    level = np.broadcast_to(mean / (1.0 - off), (replicates, len(mean)))
    if np.isfinite(size):
        level = rng.gamma(size, level / size)
    if sigma > 0:
        level = level * np.exp(sigma * rng.standard_normal(level.shape) - sigma**2 / 2)
    return np.where(rng.random(level.shape) >= off, rng.poisson(level), 0)


# --- running the engine as the app does ----------------------------------------------------


def table_of(counts_list, first_week):
    return aggregate.concat_series(
        [
            aggregate.stack_series(counts, first_week=first_week, group=g)
            for g, counts in enumerate(counts_list)
        ]
    )


def run(table, tested: range, configs: dict):
    """Per config: level, p, rising, expected as series x tested weeks."""
    keys = ("level", "p", "p_series", "rising", "expected", "alarm")
    out = {name: {k: [] for k in keys} for name in configs}
    for target in tested:
        for name, config in configs.items():
            dev = deviations.weekly_deviations(table, target, config)
            out[name]["level"].append(dev.level)
            out[name]["p"].append(dev.p_value)
            out[name]["p_series"].append(dev.p_series)
            out[name]["rising"].append(dev.rising)
            out[name]["expected"].append(dev.expected)
            out[name]["alarm"].append(dev.alarm)
    return {name: {k: np.array(v).T for k, v in d.items()} for name, d in out.items()}


CONFIGS = {
    "DEFAULT": deviations.DEFAULT,
    "picture": deviations.PICTURE,
    "R_COMPATIBLE": deviations.R_COMPATIBLE,
}


def mcnemar(ours: np.ndarray, theirs: np.ndarray) -> tuple[int, int, float]:
    b = int((ours & ~theirs).sum())
    c = int((~ours & theirs).sum())
    p = stats.binomtest(b, b + c, 0.5).pvalue if b + c else 1.0
    return b, c, p


def pct(x) -> str:
    return (
        "   –  " if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:5.1f} %"
    )


# --- R -------------------------------------------------------------------------------------

R_GLRNB = """
suppressMessages(library(surveillance))
args <- commandArgs(trailingOnly = TRUE)
observed <- as.matrix(read.csv(args[1], header = FALSE))
first <- as.integer(readLines(args[2]))
limits <- as.numeric(strsplit(readLines(args[3]), ",")[[1]])
n <- nrow(observed)
range <- first:n
out <- matrix(NA_integer_, nrow = length(limits) * ncol(observed), ncol = length(range))
for (s in seq_len(ncol(observed))) {
  y <- observed[, s]
  dp <- create.disProg(week = seq_len(n), observed = y, state = 0 * y, freq = 52)
  mu0 <- NULL
  alpha <- NULL
  for (i in seq_along(limits)) {
    control <- list(range = range, c.ARL = limits[i], mu0 = mu0, alpha = alpha, Mtilde = 1,
      M = -1, change = "intercept", dir = "inc", ret = "value")
    res <- tryCatch(suppressWarnings(algo.glrnb(dp, control = control)), error = function(e) NULL)
    if (is.null(res)) break
    mu0 <- res$control$mu0  # R's own in-control fit, estimated once per series
    alpha <- res$control$alpha
    out[(i - 1) * ncol(observed) + s, ] <- as.integer(res$alarm)
  }
}
write.table(out, args[4], sep = ",", row.names = FALSE, col.names = FALSE, na = "NaN")
"""


def r_ready() -> bool:
    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(["Rscript", "-e", "library(surveillance)"], capture_output=True)
    return probe.returncode == 0


def r_glrnb(counts: np.ndarray, tested: range, limits: list[float]) -> np.ndarray:
    """R's algo.glrnb alarms: limits x series x tested weeks (NaN where R failed)."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        np.savetxt(tmp / "y.csv", counts[:, : tested.stop].T, fmt="%d", delimiter=",")
        (tmp / "first.txt").write_text(f"{tested.start + 1}\n")
        (tmp / "limits.txt").write_text(",".join(str(v) for v in limits) + "\n")
        (tmp / "run.R").write_text(R_GLRNB)
        subprocess.run(
            ["Rscript", str(tmp / "run.R"), str(tmp / "y.csv"), str(tmp / "first.txt"),
             str(tmp / "limits.txt"), str(tmp / "out.csv")],
            check=True, capture_output=True,
        )  # fmt: skip
        alarms = np.loadtxt(tmp / "out.csv", delimiter=",", ndmin=2)
    return alarms.reshape(len(limits), counts.shape[0], len(tested))


def r_farrington(counts: np.ndarray, first_week: int, tested: range) -> dict[str, np.ndarray]:
    """R's farringtonFlexible (Noufaily settings) on the tested weeks (series x weeks)."""
    with tempfile.TemporaryDirectory() as tmp:
        result = r_reference.farrington_flexible(counts, first_week, tested, pathlib.Path(tmp))
    return {name: result[name].T for name in ("expected", "alarm", "p")}


def _recent(dataset: Dataset, n_weeks: int) -> Dataset:
    """Only the last ``n_weeks`` weeks of ``dataset``: a partnership whose history is
    shorter."""
    drop = max(dataset.counts.shape[2] - n_weeks, 0)
    return replace(
        dataset,
        counts=dataset.counts[:, :, drop:],
        mean=dataset.mean[:, :, drop:],
        first_week=dataset.first_week + drop,
    )


# --- the scorecard --------------------------------------------------------------------------


def score(rng, make, args, r_ok: bool) -> None:
    t0 = time.perf_counter()
    datasets = [make(rng)]
    if datasets[0] is None:
        print("  (data not found, skipped)")
        return
    if datasets[0].name not in REAL:  # real data: one partnership; synthetic: several
        datasets += [make(rng) for _ in range(args.partnerships - 1)]
    if args.history is not None:
        datasets = [_recent(d, args.history + args.weeks) for d in datasets]
    first_week = datasets[0].first_week
    n_weeks = datasets[0].counts.shape[2]
    tested = range(n_weeks - args.weeks, n_weeks)
    n_series = aggregate.stack_series(datasets[0].counts, first_week=first_week).n_series
    print(
        f"  {len(datasets)} partnership(s) x {n_series} series, tested weeks "
        f"{len(tested)}, {n_weeks} weeks of data"
    )
    rows: dict[str, dict[str, object]] = {name: {} for name in ("DEFAULT", "picture", "R + BH")}

    # outbreaks
    planted = [plant_outbreaks(rng, d, tested) for d in datasets]
    table = table_of([c for c, _ in planted], first_week)
    result = run(table, tested, {k: CONFIGS[k] for k in ("DEFAULT", "R_COMPATIBLE")})
    per = n_series  # series per partnership
    found = {"DEFAULT": [], "R + BH": []}
    found_low = {"DEFAULT": [], "R + BH": []}
    after_badge = {"DEFAULT": [], "picture": []}
    band_23, band_sparse = [], []
    for g, (_, plants) in enumerate(planted):
        for plant in plants:
            row = g * per + plant.row
            cols = np.arange(plant.start, plant.start + plant.length) - tested.start
            a, c = divmod(plant.row, datasets[g].counts.shape[1])
            truth = datasets[g].mean[a, c, cols + tested.start]
            for name, key in (("DEFAULT", "DEFAULT"), ("R + BH", "R_COMPATIBLE")):
                flagged = result[key]["level"][row, cols] == deviations.DEVIATION
                found[name].append(flagged.any())
                low = result[key]["expected"][row, cols] < truth / 2
                found_low[name].append((flagged & low).any())
            band_23.append(plant.factor < 3.0)
            band_sparse.append(plant.baseline < 1.0)
            after = np.arange(cols[-1] + 1, len(tested))
            if len(after):
                after_badge["DEFAULT"].append(result["DEFAULT"]["rising"][row, after])
    band_23, band_sparse = np.array(band_23), np.array(band_sparse)
    for name in found:
        hits = np.array(found[name])
        rows[name]["outbreaks found"] = (hits.mean(), len(hits))
        rows[name]["2-3x found"] = (
            hits[band_23].mean() if band_23.any() else np.nan,
            band_23.sum(),
        )
        rows[name]["sparse found"] = (
            hits[band_sparse].mean() if band_sparse.any() else np.nan,
            band_sparse.sum(),
        )
        # A find on an expectation under half the cell's true mean is a flag that a cell
        # at its ordinary level would also have got (sparse found: R's lead there).
        low = np.array(found_low[name])
        rows[name]["found, expected < truth / 2"] = (
            f"{low.sum()} of {hits.sum()} finds ({low[band_sparse].sum()} of "
            f"{hits[band_sparse].sum()} sparse)"
        )
    rows["picture"].update(rows["DEFAULT"])  # the same weekly flags
    b, c, p = mcnemar(np.array(found["DEFAULT"]), np.array(found["R + BH"]))
    rows["DEFAULT"]["McNemar vs R + BH"] = f"{b} only ours, {c} only R, p = {p:.3g}"
    alpha = ORACLE_NULL_WEEKS / per  # Bonferroni over the partnership's series in a week
    ceiling = [
        oracle(d, plants, alpha, ramp=False)
        for d, (_, plants) in zip(datasets, planted, strict=True)
    ]
    if all(o is not None for o in ceiling):
        hits = np.concatenate([o[0] for o in ceiling])
        rows["DEFAULT"]["outbreaks, oracle"] = (
            f"{pct(hits.mean())} (2-3x {pct(hits[band_23].mean() if band_23.any() else None)}, "
            f"sparse {pct(hits[band_sparse].mean() if band_sparse.any() else None)}) at "
            f"{alpha:.1e} false a series-week (5 % of weeks over {per} series)"
        )
    if after_badge["DEFAULT"]:
        rows["DEFAULT"]["badge after a burst"] = np.concatenate(after_badge["DEFAULT"]).mean()
    picture_after = []
    result_picture = run(table, tested, {"picture": CONFIGS["picture"]})["picture"]
    for g, (_, plants) in enumerate(planted):
        for plant in plants:
            row = g * per + plant.row
            after = np.arange(plant.start + plant.length - tested.start, len(tested))
            if len(after):
                picture_after.append(result_picture["rising"][row, after])
    if picture_after:
        rows["picture"]["badge after a burst"] = np.concatenate(picture_after).mean()

    if r_ok and args.r_farrington:
        counts0 = table.counts[:per]
        r = r_farrington(counts0, first_week, tested)
        ours = result["R_COMPATIBLE"]
        alarm_r = r["alarm"] > 0
        ours_alarm = ours["alarm"][:per]
        both = (alarm_r & ours_alarm).sum()
        either = (alarm_r | ours_alarm).sum()
        ok = np.isfinite(r["expected"]) & np.isfinite(ours["expected"][:per])
        rel = np.abs(r["expected"][ok] / ours["expected"][:per][ok] - 1)
        print(
            f"  real R farringtonFlexible on partnership 0: alarm Jaccard with R_COMPATIBLE "
            f"{both / max(either, 1):.3f}; expected counts within 1 % in "
            f"{np.mean(rel < 0.01):.1%} of {ok.sum()} series-weeks"
        )

    # null data
    table = table_of([d.counts for d in datasets], first_week)
    null = None
    if datasets[0].name in REAL:
        score_real_holidays(table, tested, first_week, rows)
    else:
        null = run(table, tested, CONFIGS)
    if null is not None:
        groups = table.group
        for name, key in (("DEFAULT", "DEFAULT"), ("R + BH", "R_COMPATIBLE")):
            if not np.isfinite(null[key]["p"]).any():  # R's settings: too short a history
                continue
            dev = null[key]["level"] == deviations.DEVIATION
            weekly = np.array([dev[groups == g].any(axis=0) for g in np.unique(groups)]).ravel()
            rows[name]["null weeks with any avvikelse"] = (weekly.mean(), weekly.size)
            p = null[key]["p"]
            p = p[np.isfinite(p)]
            rows[name]["null p <= .001/.01/.05"] = (
                " / ".join(f"{100 * np.mean(p <= a):.2f}" for a in (0.001, 0.01, 0.05))
                + f" % (n={p.size:,})"
            )
            p = null[key]["p_series"]  # what BH sees: the week and the four-week sum combined
            p = p[np.isfinite(p)]
            rows[name]["null series p (BH's input)"] = (
                " / ".join(f"{100 * np.mean(p <= a):.2f}" for a in (0.001, 0.01, 0.05))
                + f" % (n={p.size:,})"
            )
        rows["picture"]["null weeks with any avvikelse"] = rows["DEFAULT"][
            "null weeks with any avvikelse"
        ]
        for name in ("DEFAULT", "picture"):
            one_in = CONFIGS[name].rise_one_in
            tested_rows = np.isfinite(null[name]["p"])
            badge = null[name]["rising"][tested_rows]
            rows[name]["badge on null series-weeks"] = (
                f"{100 * badge.mean():.2f} % (design {100 / one_in:.2f} %, n={badge.size:,})"
            )

    # holidays (datasets with peaked categories): peak weeks of the last two years
    if any(d.peaked.any() for d in datasets):
        for name, config in (("DEFAULT", deviations.DEFAULT), ("R + BH", deviations.R_COMPATIBLE)):
            rows[name]["holiday peaks flagged"] = holiday_peaks_flagged(table, datasets, config)
        rows["picture"]["holiday peaks flagged"] = rows["DEFAULT"]["holiday peaks flagged"]

    # slow rises, planted in the null data (``table``)
    score_rises(rng, datasets, table, null, tested, rows, r_ok and args.glrnb)

    if not np.isfinite(result["R_COMPATIBLE"]["expected"]).any():  # glrnb needs less
        glrnb = {k: v for k, v in rows["R + BH"].items() if "glrnb" in k}
        rows["R + BH"] = {"weeks tested": "none (Noufaily's settings need five years)", **glrnb}
        del rows["DEFAULT"]["McNemar vs R + BH"]
    for name, figures in rows.items():
        print(f"  {name}")
        for key, value in figures.items():
            if isinstance(value, tuple):
                share, count = value
                value = f"{pct(share)} (n={count})"
            elif isinstance(value, float):
                value = pct(value)
            print(f"    {key:32s} {value}")
    print(f"  ({time.perf_counter() - t0:.0f} s)")


def score_real_holidays(table, tested: range, first_week: int, rows) -> None:
    """Real counts without plants: the share of series-weeks with an avvikelse in the weeks
    of New Year, Walpurgis Night and Midsummer (``farrington.SWEDISH_PEAKS``) against the
    other tested weeks. Not a null (a real week can hold a real outbreak), but a yearly peak
    that the baseline has seen before should be flagged no more often than an ordinary
    week."""
    result = run(table, tested, {k: CONFIGS[k] for k in ("DEFAULT", "R_COMPATIBLE")})
    columns = farrington.holiday_weeks(farrington.SWEDISH_PEAKS, first_week, tested.stop)
    holiday = np.isin(np.arange(tested.start, tested.stop), columns)
    for name, key in (("DEFAULT", "DEFAULT"), ("R + BH", "R_COMPATIBLE")):
        flagged = result[key]["level"] == deviations.DEVIATION
        tested_weeks = np.isfinite(result[key]["expected"])
        for label, weeks_of in (("holiday", holiday), ("other", ~holiday)):
            n = tested_weeks[:, weeks_of].sum()
            rows[name][f"real weeks flagged, {label}"] = (
                f"{100 * flagged[:, weeks_of].sum() / n:.2f} % of {n:,} series-weeks "
                f"({weeks_of.sum()} weeks)"
                if n
                else "none tested"
            )


def score_rises(rng, datasets, stable, null, tested, rows, glrnb: bool) -> None:
    """The slow-rise rows: found, false badges elsewhere, the same cells without the rise
    (what "found" counts by chance), glrnb beside it and the oracle's ceiling."""
    n_weeks = datasets[0].counts.shape[2]
    per = stable.n_series // len(datasets)
    rising = [plant_rises(rng, d, n_weeks - 1) for d in datasets]
    table = table_of([c for c, _ in rising], datasets[0].first_week)
    names = ("DEFAULT", "picture")
    result = run(table, tested, {k: CONFIGS[k] for k in names})
    if null is None:  # real data: the same weeks as they were, without the plants
        null = run(stable, tested, {k: CONFIGS[k] for k in names})
    is_rise = np.zeros(table.n_series, bool)
    rise_rows = []
    for g, (_, plants) in enumerate(rising):
        for plant in plants:
            is_rise[g * per + plant.row] = True
            rise_rows.append((g * per + plant.row, plant))
    related = _related(table, is_rise)
    planted = np.array([row for row, _ in rise_rows])
    from_col = len(tested) - (RISE_WEEKS - RISE_FOUND_FROM)
    for name in names:
        badge = result[name]["rising"]
        hits = badge[planted, from_col:].any(axis=1)
        strong = np.array([p.baseline >= 1.0 for _, p in rise_rows])
        tested_rows = np.isfinite(result[name]["p"])
        false = badge[~related[:, None] & tested_rows].mean()
        busy = f"{100 * hits[strong].mean():.1f} % of {strong.sum()}" if strong.any() else "none"
        rows[name]["slow rises found"] = (
            f"{100 * hits.mean():.1f} % of {len(hits)} (mean >= 1/week: {busy}), "
            f"badge on other series-weeks {100 * false:.2f} %"
        )
        chance = null[name]["rising"][planted, from_col:].any(axis=1)
        rows[name]["same cells without the rise"] = f"{100 * chance.mean():.1f} % (chance)"
    ceiling = [
        oracle(d, plants, ORACLE_RISE_FALSE, ramp=True, found_from=RISE_FOUND_FROM)
        for d, (_, plants) in zip(datasets, rising, strict=True)
    ]
    if all(o is not None for o in ceiling):
        found = np.concatenate([o[0] for o in ceiling])
        chance = np.concatenate([o[1] for o in ceiling])
        rows["DEFAULT"]["slow rises, oracle"] = (
            f"{100 * found.mean():.1f} % at {100 * ORACLE_RISE_FALSE:.1f} % false a week "
            f"(same cells without the rise {100 * chance.mean():.1f} %)"
        )
    if glrnb:
        limits = [3.0, 4.0, 5.0, 6.0]
        alarms = r_glrnb(table.counts, tested, limits)
        twins = r_glrnb(stable.counts[planted], tested, limits)
        texts = []
        for i, c in enumerate(limits):
            a = alarms[i]
            fitted = np.isfinite(a).all(axis=1)
            hits = fitted[planted] & (np.nan_to_num(a[planted, from_col:]) > 0).any(axis=1)
            chance = np.isfinite(twins[i]).all(axis=1) & (
                np.nan_to_num(twins[i][:, from_col:]) > 0
            ).any(axis=1)
            false = np.nanmean(a[~related & fitted])
            texts.append(
                f"c.ARL={c:g}: {100 * hits.mean():.1f} % at {100 * false:.2f} % false, "
                f"same cells without the rise {100 * chance.mean():.1f} % "
                f"({(~fitted).sum()} series without an R fit)"
            )
        rows["R + BH"]["slow rises found (glrnb)"] = "; ".join(texts)


def holiday_peaks_flagged(table, datasets, config) -> str:
    """Flags on the recurring yearly peaks of the last two years: cells of peaked categories
    expecting at least 0.5 incidents in the peak week, in ``table`` (the data without plants)."""
    first_week, n_weeks = datasets[0].first_week, datasets[0].counts.shape[2]
    holiday = farrington.holiday_weeks(farrington.SWEDISH_PEAKS, first_week, n_weeks)
    n_flag = n_any = n = 0
    for target in holiday[holiday >= n_weeks - 104]:
        dev = deviations.weekly_deviations(table, int(target), config)
        for g, d in enumerate(datasets):
            cells = np.flatnonzero(
                (table.group == g) & (table.area != ALL) & (table.category != ALL)
            )
            a, c = table.area[cells], table.category[cells]
            busy = d.peaked[c] & (d.mean[a, c, target] >= 0.5)
            n_flag += (dev.level[cells[busy]] == deviations.DEVIATION).sum()
            n_any += (dev.level[cells[busy]] != deviations.NONE).sum()
            n += busy.sum()
    return (
        f"{100 * n_flag / max(n, 1):.1f} % avvikelse, "
        f"{100 * n_any / max(n, 1):.1f} % any level (n={n})"
    )


def _related(table, mask):
    """Series that contain a planted series: itself, its area total, its category total,
    the total (their badges are not false)."""
    related = mask.copy()
    for row in np.flatnonzero(mask):
        g, a, c = table.group[row], table.area[row], table.category[row]
        same = table.group == g
        related |= same & (
            ((table.area == a) & (table.category == ALL))
            | ((table.area == ALL) & (table.category == c))
            | ((table.area == ALL) & (table.category == ALL))
        )
    return related


def generators(busier: float = 1.0) -> dict:
    """The data-generating processes by name, the synthetic ones with ``busier`` times their
    incidents a year (the real data stay as they are)."""
    makers = {
        "nb": nb,
        "sparse": sparse,
        "regime": regime,
        "dense": dense,
        "persistent": persistent,
        "noufaily": noufaily,
    }
    if busier != 1.0:
        for name, make in makers.items():
            per_year = inspect.signature(make).parameters["per_year"].default
            makers[name] = functools.partial(make, per_year=busier * per_year)
    return {**makers, "chicago": chicago, "polisen": polisen}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1 partnership, 26 weeks")
    parser.add_argument("--partnerships", type=int, default=3)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--no-r", action="store_true")
    parser.add_argument("--r-farrington", action="store_true", help="real R on partnership 0")
    parser.add_argument("--no-glrnb", dest="glrnb", action="store_false")
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument(
        "--history",
        type=int,
        default=None,
        help="keep only this many weeks of data before the tested weeks",
    )
    parser.add_argument(
        "--busier", type=float, default=1.0, help="multiply the synthetic incidents a year"
    )
    parser.add_argument(
        "--config",
        default="DEFAULT",
        help="a configuration of analysis.deviations (e.g. THETA_ERROR) in DEFAULT's rows; "
        "the picture's rows get it with the picture's badge",
    )
    args = parser.parse_args()
    config = getattr(deviations, args.config)
    CONFIGS["DEFAULT"] = config
    CONFIGS["picture"] = replace(
        config,
        rise_one_in=deviations.PICTURE.rise_one_in,
        rise_window_error=deviations.PICTURE.rise_window_error,
    )
    if args.quick:
        args.partnerships, args.weeks = 1, 26
    r_ok = not args.no_r and r_ready()
    print(f"R with surveillance: {'yes' if r_ok else 'no'}")
    for name, make in generators(args.busier).items():
        if args.only and name not in args.only:
            continue
        print(f"\n== {name}")
        score(np.random.default_rng(2026), make, args, r_ok)


if __name__ == "__main__":
    main()
