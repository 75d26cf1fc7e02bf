"""Near repeats: the Knox test over distance and time bands (Knox 1964), laid out as in
Ratcliffe's Near Repeat Calculator.

Every pair of incidents falls in one distance band and one time band. If incidents near each
other in space are also near each other in time more often than chance allows (a break-in
followed by more break-ins next door within days), the near bands hold more pairs than
expected. "Chance" is the same incidents with their dates shuffled: where things happen and when
things happen stay as they are, only the link between the two is broken.

Rows are distance bands: 0 m (same place), 1-100 m, 101-200 m ... (upper edges included), and
"further"; columns are time bands: 0-7 days, 8-14 days ... and "later". The expected count of
each cell is exact under the permutation null (pairs in the distance band times pairs in the
time band, over all pairs), so the observed/expected ratio carries no Monte Carlo noise; the
p-value is Monte Carlo, from permutations of the dates.
"""

from dataclasses import dataclass

import numpy as np
from numba import get_num_threads, njit, prange
from scipy.spatial import cKDTree

from analysis.montecarlo import replicate_keys, uniform_below

DEFAULT_PERMUTATIONS = 999


@dataclass(frozen=True)
class KnoxTable:
    """Pair counts by distance band (rows) and time band (columns).

    Row 0 is "same place" (0 m); row k (1..) covers distances in
    ((k-1)·distance_step, k·distance_step]; the last row is everything further. Column 0 covers
    0..time_step days, column b (1..) ((b)·time_step, (b+1)·time_step]; the last column is
    everything later. ``p_value`` is the one-sided Monte Carlo p-value of "at least as many
    pairs as observed", ``ratio`` is observed/expected (NaN where nothing is expected).
    """

    observed: np.ndarray
    expected: np.ndarray
    ratio: np.ndarray
    p_value: np.ndarray
    distance_step: float
    time_step: int
    permutations: int
    seed: int | None


def knox(
    x,
    y,
    days,
    *,
    distance_step: float = 100.0,
    distance_bands: int = 5,
    time_step: int = 7,
    time_bands: int = 4,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int | None = None,
) -> KnoxTable:
    """Knox table for incidents at ``x``, ``y`` (metres) on ``days`` (dates, or integer day
    numbers), with ``distance_bands`` bands of ``distance_step`` metres beyond "same place" and
    ``time_bands`` bands of ``time_step`` days, and Monte Carlo p-values from ``permutations``
    seeded permutations of the dates.

    Incidents are put in a canonical order first, so the answer depends only on the set of
    incidents, not on the order they come in.
    """
    x, y, days = _canonical(x, y, days)
    if len(days) < 2:
        raise ValueError("the Knox test needs at least two incidents")
    time_band_of_lag = _time_band_lookup(int(days.max() - days.min()), time_step, time_bands)
    first, second, distance_band = _near_pairs(x, y, distance_step, distance_bands)
    n_rows, n_columns = distance_bands + 2, time_bands + 1
    time_totals = np.bincount(
        time_band_of_lag, weights=_pairs_by_lag(days), minlength=n_columns
    ).astype(np.int64)

    near_shape = (n_rows - 1, n_columns)
    near = _count_near(days, first, second, distance_band, time_band_of_lag, near_shape)
    observed = _with_further_row(near, time_totals)
    all_pairs = len(days) * (len(days) - 1) // 2
    expected = np.outer(observed.sum(axis=1), time_totals) / all_pairs

    keys = replicate_keys(seed, permutations)
    n_chunks = max(1, min(permutations, get_num_threads()))
    simulated = _permuted_counts(
        days, first, second, distance_band, time_band_of_lag, near_shape, keys, n_chunks
    )
    simulated = _with_further_row(simulated, time_totals)
    at_least = (simulated >= observed).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, observed / expected, np.nan)
    return KnoxTable(
        observed=observed,
        expected=expected,
        ratio=ratio,
        p_value=(at_least + 1) / (permutations + 1),
        distance_step=float(distance_step),
        time_step=int(time_step),
        permutations=permutations,
        seed=seed,
    )


def _canonical(x, y, days):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    days = np.asarray(days).astype("datetime64[D]").astype(np.int64)
    if not (len(x) == len(y) == len(days)):
        raise ValueError("x, y and days must have the same length")
    order = np.lexsort((y, x, days))
    return x[order], y[order], days[order]


def _time_band_lookup(max_lag: int, time_step: int, time_bands: int) -> np.ndarray:
    """Time band of every lag 0..max_lag: 0..step -> 0, (step, 2·step] -> 1, ... later -> last."""
    lags = np.arange(max_lag + 1)
    band = np.maximum(np.ceil(lags / time_step).astype(np.int64) - 1, 0)
    return np.minimum(band, time_bands)


def _pairs_by_lag(days: np.ndarray) -> np.ndarray:
    """Number of pairs of incidents at each lag in days, over all pairs: this is the same for
    every permutation of the dates, so the "further" row needs no pair list."""
    per_day = np.bincount(days - days.min()).astype(np.int64)
    lagged = np.correlate(per_day, per_day, mode="full")[len(per_day) - 1 :]
    lagged[0] = (per_day * (per_day - 1) // 2).sum()
    return lagged


def _near_pairs(x, y, distance_step: float, distance_bands: int):
    """Pairs within the outermost distance band, with their band (0 = same place)."""
    reach = distance_step * distance_bands
    pairs = cKDTree(np.column_stack([x, y])).query_pairs(reach, output_type="ndarray")
    first, second = pairs[:, 0], pairs[:, 1]
    band = np.ceil(np.hypot(x[first] - x[second], y[first] - y[second]) / distance_step)
    keep = band <= distance_bands
    return first[keep], second[keep], band[keep].astype(np.int64)


def _with_further_row(near: np.ndarray, time_totals: np.ndarray) -> np.ndarray:
    """Append the "further" row: all pairs in each time band minus the near ones."""
    further = time_totals - near.sum(axis=-2)
    return np.concatenate([near, further[..., None, :]], axis=-2)


def _count_near(days, first, second, distance_band, time_band_of_lag, shape):
    time_band = time_band_of_lag[np.abs(days[first] - days[second])]
    cells = distance_band * shape[1] + time_band
    return np.bincount(cells, minlength=shape[0] * shape[1]).reshape(shape)


@njit(parallel=True, cache=True)
def _permuted_counts(days, first, second, distance_band, time_band_of_lag, shape, keys, n_chunks):
    """Near-pair tables under ``len(keys)`` permutations of the dates (one per key)."""
    n = len(days)
    n_rows, n_columns = shape
    tables = np.zeros((len(keys), n_rows, n_columns), dtype=np.int64)
    for chunk in prange(n_chunks):
        shuffled = np.empty(n, dtype=days.dtype)
        for r in range(chunk * len(keys) // n_chunks, (chunk + 1) * len(keys) // n_chunks):
            shuffled[:] = days
            for i in range(n - 1, 0, -1):
                j = uniform_below(keys[r], i, i + 1)
                shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
            for k in range(len(first)):
                lag = abs(shuffled[first[k]] - shuffled[second[k]])
                tables[r, distance_band[k], time_band_of_lag[lag]] += 1
    return tables
