"""Hot spots: Getis-Ord Gi* with false-discovery control, and a kernel density picture.

Gi* (Getis & Ord 1992; Ord & Getis 1995) asks of each unit (grid cell or area): is the sum over
it and its neighbours higher (or lower) than the same number of units picked at random would
give? Weights are binary (a distance band or shared borders) with the unit itself included.

Inference is by the analytical z-score, as ArcGIS's Hot Spot Analysis does, with
Benjamini-Hochberg control of the false discovery rate across all units. Conditional
permutations (Anselin 1995) are optional: for a handful of areas, or to check candidate cells.
Over thousands of cells they cannot reach FDR significance, since 999 permutations cannot
give a p-value below 0.001.

The kernel density surface is for display only: it shows where incidents are dense, not
whether that density is unusual.
"""

from dataclasses import dataclass, replace

import numpy as np
from numba import get_num_threads, njit, prange
from scipy import stats

from analysis.grid import Grid, Neighbours, distance_band
from analysis.montecarlo import replicate_keys, uniform_below

DEFAULT_Q = 0.05
DEFAULT_PERMUTATIONS = 999
# Distance band for grids, in metres: 2.5 cells of 200 m, i.e. 20 neighbours plus the cell itself.
DEFAULT_BAND = 500.0


@dataclass(frozen=True)
class GiStar:
    """Gi* per unit.

    ``statistic`` is G*_i (the neighbourhood's share of the total), ``z`` its analytical
    z-score, ``p`` the two-sided p-value of ``z`` and ``p_adjusted`` the Benjamini-Hochberg
    adjusted p-value over all units; ``hot``/``cold`` mark units with ``p_adjusted <= q`` and
    z above/below zero. With permutations, ``p_sim`` holds two-sided pseudo p-values (NaN for
    units not permuted) and ``p_sim_adjusted`` their BH adjustment over all units, counting
    units not permuted as p = 1.
    """

    statistic: np.ndarray
    z: np.ndarray
    p: np.ndarray
    p_adjusted: np.ndarray
    hot: np.ndarray
    cold: np.ndarray
    q: float
    p_sim: np.ndarray | None = None
    p_sim_adjusted: np.ndarray | None = None
    permutations: int = 0
    seed: int | None = None


def gi_star(
    values,
    neighbours: Neighbours,
    *,
    q: float = DEFAULT_Q,
    permutations: int = 0,
    candidates=None,
    seed: int | None = None,
) -> GiStar:
    """Gi* of ``values`` (counts or severity sums per unit) over binary ``neighbours`` that
    include each unit itself.

    With ``permutations`` > 0, also conditional-permutation p-values for the units in
    ``candidates`` (a boolean mask or indices; all units by default), seeded by ``seed``.
    """
    y = np.asarray(values, dtype=float)
    _check_neighbours(y, neighbours)
    n = len(y)
    local_sum = np.add.reduceat(y[neighbours.indices], neighbours.indptr[:-1])
    w = neighbours.cardinalities.astype(float)
    mean = y.mean()
    sd = np.sqrt(max((y * y).mean() - mean * mean, 0.0))
    denominator = sd * np.sqrt((n * w - w * w) / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(denominator > 0, (local_sum - mean * w) / denominator, 0.0)
        statistic = local_sum / y.sum() if y.sum() != 0 else np.full(n, np.nan)
    p = 2.0 * stats.norm.sf(np.abs(z))
    p_adjusted = stats.false_discovery_control(p)
    significant = p_adjusted <= q
    result = GiStar(statistic, z, p, p_adjusted, significant & (z > 0), significant & (z < 0), q)
    if permutations <= 0:
        return result
    sites = _as_indices(candidates, n)
    p_sim = np.full(n, np.nan)
    p_sim[sites] = _permutation_p(y, neighbours, local_sum - y, sites, permutations, seed)
    return replace(
        result,
        p_sim=p_sim,
        p_sim_adjusted=stats.false_discovery_control(np.nan_to_num(p_sim, nan=1.0)),
        permutations=permutations,
        seed=seed,
    )


def _check_neighbours(y: np.ndarray, neighbours: Neighbours) -> None:
    if neighbours.n != len(y):
        raise ValueError(f"{len(y)} values but neighbour lists for {neighbours.n} units")
    if len(y) < 2:
        raise ValueError("Gi* needs at least two units")
    if not np.isfinite(y).all():
        raise ValueError("values must be finite")
    rows = np.repeat(np.arange(len(y)), neighbours.cardinalities)
    has_self = np.zeros(len(y), dtype=bool)
    has_self[rows[neighbours.indices == rows]] = True
    if not has_self.all():
        raise ValueError("Gi* needs every unit among its own neighbours (self included)")


def _as_indices(candidates, n: int) -> np.ndarray:
    if candidates is None:
        return np.arange(n, dtype=np.int64)
    candidates = np.asarray(candidates)
    if candidates.dtype == bool:
        return np.flatnonzero(candidates)
    return candidates.astype(np.int64)


def _permutation_p(y, neighbours, observed_others, sites, permutations, seed) -> np.ndarray:
    """Two-sided conditional-permutation p-values: each site keeps its own value and draws
    its neighbours' values at random, without replacement, from the other units."""
    others = neighbours.cardinalities - 1
    # values are compared up to rounding: sums of the same numbers in another order
    tolerance = 1e-9 * max(1.0, float(np.abs(y).sum()))
    keys = replicate_keys(seed, permutations)
    # one chunk of permutations per thread; counts are integers, so the sum is order-free
    n_chunks = max(1, min(permutations, get_num_threads()))
    at_least, at_most = _conditional_counts(
        y, others, observed_others, sites, keys, n_chunks, tolerance
    )
    extreme = np.minimum(at_least, at_most) + 1
    return np.minimum(1.0, 2.0 * extreme / (permutations + 1))


@njit(parallel=True, cache=True)
def _conditional_counts(y, others, observed, sites, keys, n_chunks, tolerance):
    """For each site, in how many permutations the random neighbours' sum is >= and <= the
    observed one.

    Each permutation draws one random ordering of k_max + 1 units, shared by all sites. A site
    with k neighbours takes the first k; if it is itself among them, it takes the (k+1)-th
    instead. That gives every site a uniform random k-subset of the other units, and running
    sums over the shared draw make each site O(1) rather than O(k).
    """
    n = len(y)
    k_max = 0
    for s in range(len(sites)):
        k_max = max(k_max, others[sites[s]])
    at_least = np.zeros((n_chunks, len(sites)), dtype=np.int64)
    at_most = np.zeros((n_chunks, len(sites)), dtype=np.int64)
    for chunk in prange(n_chunks):
        not_drawn = k_max + 1
        position = np.full(n, not_drawn, dtype=np.int64)
        drawn = np.empty(k_max + 1, dtype=np.int64)
        running = np.zeros(k_max + 2)
        for r in range(chunk * len(keys) // n_chunks, (chunk + 1) * len(keys) // n_chunks):
            counter = 0
            for j in range(k_max + 1):
                unit = uniform_below(keys[r], counter, n)
                counter += 1
                while position[unit] != not_drawn:
                    unit = uniform_below(keys[r], counter, n)
                    counter += 1
                position[unit] = j
                drawn[j] = unit
                running[j + 1] = running[j] + y[unit]
            for s in range(len(sites)):
                i = sites[s]
                k = others[i]
                total = running[k]
                if position[i] < k:
                    total += y[drawn[k]] - y[i]
                if total >= observed[i] - tolerance:
                    at_least[chunk, s] += 1
                if total <= observed[i] + tolerance:
                    at_most[chunk, s] += 1
            for j in range(k_max + 1):
                position[drawn[j]] = not_drawn
    return at_least.sum(axis=0), at_most.sum(axis=0)


def default_bandwidth(cell: float) -> float:
    """Kernel bandwidth in metres: 1.5 cells, kept within 250-400 m.

    At least 1.5 cells so that the surface is smooth at the grid's resolution; at most 400 m so
    that it still shows places (a square, a block) rather than whole districts.
    """
    return float(np.clip(1.5 * cell, 250.0, 400.0))


def kernel_density(grid: Grid, x, y, weights=None, bandwidth: float | None = None) -> np.ndarray:
    """Quartic-kernel density at every cell centre of ``grid``, in points (or summed
    ``weights``) per km²; flat, in the grid's cell order.

    K(d) = 3 / (pi h²) * (1 - d²/h²)² for d < h, the kernel of ArcGIS's Kernel Density tool.
    """
    h = default_bandwidth(grid.cell) if bandwidth is None else float(bandwidth)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    col = np.floor((x - grid.x0) / grid.cell).astype(np.int64)
    row = np.floor((y - grid.y0) / grid.cell).astype(np.int64)
    reach = int(np.ceil(h / grid.cell))
    density = np.zeros(grid.size)
    for dr in range(-reach, reach + 1):
        for dc in range(-reach, reach + 1):
            r, c = row + dr, col + dc
            d2 = (grid.x0 + (c + 0.5) * grid.cell - x) ** 2
            d2 += (grid.y0 + (r + 0.5) * grid.cell - y) ** 2
            near = (d2 < h * h) & (r >= 0) & (r < grid.ny) & (c >= 0) & (c < grid.nx)
            kernel = (1.0 - d2[near] / (h * h)) ** 2 * w[near]
            density += np.bincount(r[near] * grid.nx + c[near], kernel, minlength=grid.size)
    return density * 3.0 / (np.pi * h * h) * 1e6


# The picture's hot-spot layer (docs/method/hotspots.md, "Hot-spot layer of the picture").
LAYER_BAND = 300.0  # metres: the cell and its eight touching cells on a 200 m grid
LAYER_MIN_COUNT = 3  # a cell must hold at least this many of the window's incidents


@dataclass(frozen=True)
class HotCells:
    """The hot cells of one window: flat indices into ``grid``, with each cell's count in
    the window, Gi* z, one-sided p adjusted over the tested cells, and how many cells made
    up the study region and were tested."""

    grid: Grid
    cells: np.ndarray
    counts: np.ndarray
    z: np.ndarray
    p_adjusted: np.ndarray
    region: int
    tested: int


def hot_cells(
    x,
    y,
    in_window,
    *,
    cell: float = 200.0,
    band: float = LAYER_BAND,
    min_count: int = LAYER_MIN_COUNT,
    q: float = DEFAULT_Q,
) -> HotCells:
    """Hot cells of the window's incidents (``in_window``) among all incidents given.

    - Study region: the cells where any of the given incidents fell (e.g. a year), so that
      lakes, railway yards and empty fields (the margin of a rectangle around a city) do not
      make every inhabited place look dense.
    - Gi* on the window's counts over the region, neighbours within ``band`` (self
      included), analytical z.
    - Tested cells and the FDR family: only cells holding at least ``min_count`` of the
      window's incidents, one-sided (hot only), Benjamini-Hochberg at ``q`` over them. A
      cell without incidents is never drawn, however busy its neighbours.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    in_window = np.asarray(in_window, dtype=bool)
    grid = Grid.covering(x, y, cell=cell)
    every = grid.cell_of(x, y)
    region = np.unique(every)
    window = np.bincount(np.searchsorted(region, every[in_window]), minlength=len(region)).astype(
        float
    )
    empty = np.empty(0)
    tested = np.flatnonzero(window >= min_count)
    if len(region) < 2 or not len(tested) or window.std() == 0:
        return HotCells(grid, empty.astype(np.int64), empty, empty, empty, len(region), 0)
    result = gi_star(window, distance_band(grid.centres(region), band), q=q)
    p_one = stats.norm.sf(result.z[tested])
    adjusted = stats.false_discovery_control(p_one)
    hot = (adjusted <= q) & (result.z[tested] > 0)
    chosen = tested[hot]
    return HotCells(
        grid,
        region[chosen],
        window[chosen],
        result.z[chosen],
        adjusted[hot],
        len(region),
        len(tested),
    )
