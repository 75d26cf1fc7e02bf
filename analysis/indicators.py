"""Area indicators: does an indicator's latest value deviate from its own history?

An indicator is a periodic figure per area from another source than the reports (the housing
company's vandalism cost per month, a yearly safety survey). ``assess(...)`` compares one
area's latest value with earlier values of the same area and gives a ``Deviation``. The
method depends on the indicator's scale (``COUNT``, ``AMOUNT``, ``SHARE``); the comparison
values (the baseline) depend on its period kind. docs/method/indicators.md explains both in
plain language.

Baseline for counts: the same period (week number, month, quarter) in earlier years when
there are at least ``min_seasonal`` of them, so a season is compared with itself; otherwise
the ``recent`` periods just before (at least ``min_recent``), which ignores the season and
says so. Yearly counts use the years before (at least ``min_years``). Amounts always use the
``recent`` periods (at least ``min_recent``, yearly ones too): see ``_baseline``.

- ``AMOUNT`` (a cost, a rate, a mean): robust z = (x - median) / (1.4826 · MAD) of the
  baseline (Leys et al. 2013). The MAD of a few values is itself uncertain, so the limit for
  |z| depends on the number of values n: the 99th percentile of |z| for normal data with n
  earlier values (``AMOUNT_LIMITS``, simulated by ``python -m analysis.indicators``), which
  keeps the false alarms at 1 % however short the history.
- ``COUNT``: a quasi-Poisson predictive band: mean m and dispersion φ = max(1, s²/m) of the
  baseline, predictive variance φ·m·(1 + 1/n) (the mean is itself estimated from n values),
  a negative-binomial distribution with that mean and variance and two one-sided mid-p
  values; either at most ``count_alpha`` / 2 deviates.
- ``SHARE`` (a survey share in per cent with its sample size): the latest share against the
  previous comparable one (the same period a year before if there is one, else the period
  just before) with the pooled two-proportion z-test, and Newcombe's hybrid score (Wilson)
  interval for the change; p at most ``share_alpha`` deviates.

No Django here: numbers in, numbers out; the web layer turns them into words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from analysis._amount_limits import AMOUNT_LIMITS

COUNT, AMOUNT, SHARE = "count", "amount", "share"
WEEK, MONTH, QUARTER, YEAR = "week", "month", "quarter", "year"
# Baseline kinds: which earlier values the latest one was compared with.
SEASONAL, RECENT, PREVIOUS, NO_BASELINE = "seasonal", "recent", "previous", "none"
# Outcomes: the latest value is above or below its history, inside it, or cannot be judged.
ABOVE, BELOW, WITHIN, UNKNOWN = "above", "below", "within", "unknown"
MAD_TO_SD = 1.4826  # MAD · 1.4826 estimates the standard deviation of normal data
MEAN_AD_TO_SD = 1.2533  # √(π/2): mean absolute deviation → SD, when the MAD is 0


@dataclass(frozen=True)
class Point:
    """One value of one area: its period as (year, number within the year: week 1-53,
    month 1-12, quarter 1-4, or 1 for a year), the value and, for shares, the sample size."""

    year: int
    number: int
    value: float
    sample_size: int | None = None

    @property
    def key(self) -> tuple[int, int]:
        return (self.year, self.number)


@dataclass(frozen=True)
class Settings:
    """The method's knobs; ``DEFAULT`` is what the application uses."""

    min_seasonal: int = 3  # earlier years of the same period before the season is used
    seasonal_years: int = 5  # at most this many earlier years of the same period
    min_recent: int = 6  # values before the latest, when the season cannot be used
    min_years: int = 3  # earlier years, for yearly figures
    recent: tuple[tuple[str, int], ...] = ((WEEK, 26), (MONTH, 12), (QUARTER, 8), (YEAR, 10))
    count_alpha: float = 0.01  # two-sided, for counts
    share_alpha: float = 0.05  # two-sided, for survey shares
    confidence: float = 0.95  # intervals shown for shares and their change
    count_floor: float = 0.5  # an all-zero count history expects this much, not zero


DEFAULT = Settings()


@dataclass(frozen=True)
class Deviation:
    """How the latest value stands against its baseline.

    ``outcome``: ABOVE, BELOW, WITHIN or UNKNOWN (too short a history, no sample size).
    ``baseline``: SEASONAL, RECENT, PREVIOUS or NO_BASELINE; ``history`` how many values it
    had. ``expected``: the baseline's centre (median for amounts, mean for counts, the
    previous share for shares); ``low``/``high`` the band of ordinary values (amounts,
    counts) or, for shares, the interval of the change in percentage points. ``statistic``:
    robust z (amounts) or z (shares); ``p_value``: two-sided (counts and shares)."""

    outcome: str
    baseline: str
    history: int
    latest: float
    expected: float | None = None
    low: float | None = None
    high: float | None = None
    statistic: float | None = None
    p_value: float | None = None
    previous_key: tuple[int, int] | None = None


def assess(
    kind: str,
    period_kind: str,
    latest: Point,
    history: Sequence[Point],
    settings: Settings = DEFAULT,
) -> Deviation:
    """Compare ``latest`` with the area's earlier values ``history`` (any order; values at
    or after the latest period are ignored)."""
    earlier = sorted((p for p in history if p.key < latest.key), key=lambda p: p.key)
    if kind == SHARE:
        return _share(latest, earlier, settings)
    baseline, used = _baseline(kind, period_kind, latest, earlier, settings)
    values = np.array([p.value for p in used], dtype=float)
    if baseline == NO_BASELINE:
        return Deviation(UNKNOWN, NO_BASELINE, len(values), latest.value)
    if kind == COUNT:
        return _count(latest.value, values, baseline, settings)
    return _amount(latest.value, values, baseline, settings)


def _baseline(
    kind: str, period_kind: str, latest: Point, earlier: list[Point], settings: Settings
) -> tuple[str, list[Point]]:
    recent = earlier[-dict(settings.recent)[period_kind] :]
    if kind == AMOUNT:
        # Never the 3-5 values of a season: their MAD is so uncertain that only a value 15 to
        # 112 robust SDs away would be flagged (AMOUNT_LIMITS).
        return (RECENT, recent) if len(recent) >= settings.min_recent else (NO_BASELINE, recent)
    if period_kind == YEAR:
        years = earlier[-dict(settings.recent)[YEAR] :]
        return (RECENT, years) if len(years) >= settings.min_years else (NO_BASELINE, years)
    seasonal = [
        p
        for p in earlier
        if p.number == latest.number and latest.year - p.year <= settings.seasonal_years
    ]
    if len(seasonal) >= settings.min_seasonal:
        return SEASONAL, seasonal
    if len(recent) >= settings.min_recent:
        return RECENT, recent
    return NO_BASELINE, recent


def robust_scale(values: np.ndarray) -> float:
    """1.4826 · MAD, or 1.2533 · mean absolute deviation from the median when more than
    half the values are equal (the MAD is then 0 though the values vary)."""
    centre = float(np.median(values))
    deviations = np.abs(values - centre)
    mad = float(np.median(deviations))
    if mad > 0:
        return MAD_TO_SD * mad
    return MEAN_AD_TO_SD * float(np.mean(deviations))


def amount_limit(n: int) -> float:
    """The limit for |robust z| with n earlier values (two-sided 1 % for normal data); past
    the table's end, its last value (the limit falls slowly towards 2.58 there)."""
    return AMOUNT_LIMITS[min(n, max(AMOUNT_LIMITS))]


def _amount(value: float, values: np.ndarray, baseline: str, settings: Settings) -> Deviation:
    centre = float(np.median(values))
    scale = robust_scale(values)
    limit = amount_limit(len(values))
    if scale > 0:
        z = (value - centre) / scale
    else:  # every earlier value the same: any other value is outside its history
        z = 0.0 if value == centre else math.copysign(math.inf, value - centre)
    outcome = ABOVE if z >= limit else BELOW if z <= -limit else WITHIN
    return Deviation(
        outcome,
        baseline,
        len(values),
        value,
        expected=centre,
        low=centre - limit * scale,
        high=centre + limit * scale,
        statistic=z,
    )


@dataclass(frozen=True)
class NegativeBinomial:
    """The negative binomial with `size` n and success probability p (scipy's nbinom
    parameterisation), from scipy.special directly: a frozen scipy.stats distribution costs
    about 1 ms to build, which dominated the picture's section (benchmarks/indicators.py)."""

    size: float
    p: float

    def mean(self) -> float:
        return self.size * (1 - self.p) / self.p

    def var(self) -> float:
        return self.size * (1 - self.p) / self.p**2

    def cdf(self, k: float) -> float:
        return float(special.betainc(self.size, k + 1, self.p)) if k >= 0 else 0.0

    def sf(self, k: float) -> float:
        """P(X > k), from the upper incomplete beta so that small tails keep their digits."""
        return float(special.betainc(k + 1, self.size, 1 - self.p)) if k >= 0 else 1.0

    def pmf(self, k: float) -> float:
        if k < 0:
            return 0.0
        log = (
            special.gammaln(k + self.size)
            - special.gammaln(self.size)
            - special.gammaln(k + 1)
            + self.size * math.log(self.p)
            + k * math.log1p(-self.p)
        )
        return math.exp(log)

    def ppf(self, q: float) -> float:
        """The smallest k with P(X <= k) >= q."""
        k = max(0.0, math.ceil(float(special.nbdtrik(q, self.size, self.p))) - 1)
        while self.cdf(k) < q:
            k += 1
        while k > 0 and self.cdf(k - 1) >= q:
            k -= 1
        return k


def count_predictive(values: np.ndarray, floor: float) -> NegativeBinomial:
    """The distribution of the next count given earlier counts: mean m, variance
    φ·m·(1 + 1/n) with φ = max(1, sample variance / m), negative binomial (m ≥ ``floor``)."""
    n = len(values)
    mean = max(float(np.mean(values)), floor)
    variance = float(np.var(values, ddof=1)) if n > 1 else mean
    phi = max(1.0, variance / mean)
    predictive_variance = phi * mean * (1 + 1 / n)
    # NB with mean m and variance v: size = m² / (v - m), p = m / v.
    size = mean**2 / (predictive_variance - mean)
    return NegativeBinomial(size, mean / predictive_variance)


def _count(value: float, values: np.ndarray, baseline: str, settings: Settings) -> Deviation:
    distribution = count_predictive(values, settings.count_floor)
    x = round(value)
    upper = distribution.sf(x) + 0.5 * distribution.pmf(x)  # mid-P(X >= x)
    lower = distribution.cdf(x) - 0.5 * distribution.pmf(x)  # mid-P(X <= x)
    half = settings.count_alpha / 2
    outcome = ABOVE if upper <= half else BELOW if lower <= half else WITHIN
    return Deviation(
        outcome,
        baseline,
        len(values),
        value,
        expected=distribution.mean(),
        low=distribution.ppf(half),
        high=distribution.ppf(1 - half),
        p_value=min(1.0, 2 * min(upper, lower)),
    )


def _share(latest: Point, earlier: list[Point], settings: Settings) -> Deviation:
    same = [p for p in earlier if p.number == latest.number and p.year == latest.year - 1]
    previous = same[-1] if same else (earlier[-1] if earlier else None)
    if previous is None:
        return Deviation(UNKNOWN, NO_BASELINE, 0, latest.value)
    baseline = SEASONAL if same else PREVIOUS
    if not latest.sample_size or not previous.sample_size:
        return Deviation(
            UNKNOWN, baseline, 1, latest.value, expected=previous.value, previous_key=previous.key
        )
    x1, n1 = _successes(latest), latest.sample_size
    x2, n2 = _successes(previous), previous.sample_size
    z, p = two_proportion_test(x1, n1, x2, n2)
    low, high = newcombe_interval(x1, n1, x2, n2, settings.confidence)
    outcome = WITHIN
    if p <= settings.share_alpha:
        outcome = ABOVE if x1 / n1 > x2 / n2 else BELOW
    return Deviation(
        outcome,
        baseline,
        1,
        latest.value,
        expected=previous.value,
        low=100 * low,
        high=100 * high,
        statistic=z,
        p_value=p,
        previous_key=previous.key,
    )


def _successes(point: Point) -> int:
    """The number of respondents behind a share in per cent."""
    return round(point.value / 100 * point.sample_size)


def wilson_interval(x: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval for a proportion x/n (Wilson 1927)."""
    z = float(special.ndtri(0.5 + confidence / 2))
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_interval(
    x1: int, n1: int, x2: int, n2: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval (1998, method 10) for p1 - p2 from the two Wilson
    intervals."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, confidence)
    l2, u2 = wilson_interval(x2, n2, confidence)
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return low, high


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """The pooled two-proportion z-test: (z, two-sided p)."""
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance == 0:
        return 0.0, 1.0
    z = (x1 / n1 - x2 / n2) / math.sqrt(variance)
    return z, float(2 * special.ndtr(-abs(z)))


def simulate_amount_limits(
    sizes: range = range(3, 27), draws: int = 400_000, seed: int = 2026, alpha: float = 0.01
) -> dict[int, float]:
    """The (1 - alpha) quantile of |x - median| / (1.4826 · MAD) where x and the n earlier
    values are independent standard normal draws, for each n in `sizes` (each n with its own
    random stream, so a part of the table can be checked on its own)."""
    limits = {}
    for n in sizes:
        sample = np.random.default_rng([seed, n]).standard_normal((draws, n + 1))
        history, latest = sample[:, :n], sample[:, n]
        centre = np.median(history, axis=1)
        mad = np.median(np.abs(history - centre[:, None]), axis=1)
        z = np.abs(latest - centre) / (MAD_TO_SD * mad)
        limits[n] = round(float(np.quantile(z, 1 - alpha)), 2)
    return limits


if __name__ == "__main__":
    import pathlib
    import time

    began = time.perf_counter()
    table = simulate_amount_limits()
    lines = "".join(f"    {n}: {limit},\n" for n, limit in table.items())
    pathlib.Path(__file__).with_name("_amount_limits.py").write_text(
        '"""Limits for |robust z| of amounts by number of earlier values, generated by\n'
        '``python -m analysis.indicators`` (do not edit): the 99th percentile for normal data."""'
        f"\n\nAMOUNT_LIMITS = {{\n{lines}}}\n"
    )
    print(f"simulated in {time.perf_counter() - began:.1f} s")
