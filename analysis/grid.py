"""A regular SWEREF 99 TM grid and distance-band neighbour lists.

Points are metres in SWEREF 99 TM (EPSG:3006). The grid origin is snapped to a multiple of the
cell size, so the same place falls in the same cell whatever the data's extent: cell ids stay
comparable from one week's picture to the next.

Neighbour lists are compressed sparse rows (CSR): the neighbours of unit ``i`` are
``indices[indptr[i]:indptr[i + 1]]``, self included, sorted by distance. They serve both the
hot-spot statistic (Gi* counts a unit as its own neighbour) and the space-time scan (whose
circles grow one neighbour at a time).
"""

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

DEFAULT_CELL = 200.0

# Distances closer than this (metres) count as equal (one ring around a centre), whatever
# rounding the coordinates went through.
TIE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Neighbours:
    """Neighbour lists in CSR form; ``distances`` is None for neighbours without a distance
    (for example areas that share a border)."""

    indptr: np.ndarray
    indices: np.ndarray
    distances: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    @property
    def cardinalities(self) -> np.ndarray:
        """Number of neighbours of each unit, self included."""
        return np.diff(self.indptr)


@dataclass(frozen=True)
class Grid:
    """A rectangle of square cells; cell ``row * nx + col`` has its lower-left corner at
    ``(x0 + col * cell, y0 + row * cell)``."""

    x0: float
    y0: float
    cell: float
    nx: int
    ny: int

    @classmethod
    def covering(cls, x, y, cell: float = DEFAULT_CELL, margin: float = 0.0) -> "Grid":
        """The smallest grid with origin on a multiple of ``cell`` that holds every point,
        widened by ``margin`` metres on each side (so hot spots at the edge have neighbours)."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        if x.size == 0:
            raise ValueError("a grid needs at least one point")
        x0 = np.floor((x.min() - margin) / cell) * cell
        y0 = np.floor((y.min() - margin) / cell) * cell
        nx = int(np.floor((x.max() + margin - x0) / cell)) + 1
        ny = int(np.floor((y.max() + margin - y0) / cell)) + 1
        return cls(float(x0), float(y0), float(cell), nx, ny)

    @property
    def size(self) -> int:
        return self.nx * self.ny

    def cell_of(self, x, y) -> np.ndarray:
        """Flat cell index of each point, -1 for points outside the grid."""
        col = np.floor((np.asarray(x, dtype=float) - self.x0) / self.cell).astype(np.int64)
        row = np.floor((np.asarray(y, dtype=float) - self.y0) / self.cell).astype(np.int64)
        inside = (col >= 0) & (col < self.nx) & (row >= 0) & (row < self.ny)
        return np.where(inside, row * self.nx + col, -1)

    def counts(self, x, y, weights=None) -> np.ndarray:
        """Number (or summed ``weights``, e.g. severity) of points per cell, zeros included;
        points outside the grid are left out."""
        cells = self.cell_of(x, y)
        inside = cells >= 0
        w = None if weights is None else np.asarray(weights, dtype=float)[inside]
        return np.bincount(cells[inside], weights=w, minlength=self.size).astype(
            np.int64 if weights is None else float
        )

    def centres(self, cells=None) -> np.ndarray:
        """(k, 2) array of cell-centre coordinates, for all cells or the given flat indices."""
        cells = np.arange(self.size) if cells is None else np.asarray(cells, dtype=np.int64)
        row, col = np.divmod(cells, self.nx)
        return np.column_stack(
            [self.x0 + (col + 0.5) * self.cell, self.y0 + (row + 0.5) * self.cell]
        )


def distance_band(xy, radius: float) -> Neighbours:
    """Every unit within ``radius`` metres of each unit (self included, at distance 0),
    sorted by distance, with the distances."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    n = len(xy)
    pairs = cKDTree(xy).query_pairs(radius + TIE_TOLERANCE, output_type="ndarray")
    rows = np.concatenate([np.arange(n), pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([np.arange(n), pairs[:, 1], pairs[:, 0]])
    dist = np.hypot(xy[cols, 0] - xy[rows, 0], xy[cols, 1] - xy[rows, 1])
    # lexsort sorts by its last key first: row, then distance, then index for a stable order.
    order = np.lexsort((cols, dist, rows))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return Neighbours(indptr, cols[order].astype(np.int64), dist[order])


def neighbours_from_pairs(n: int, first, second) -> Neighbours:
    """Binary neighbour lists, self included, from pairs of adjacent units (e.g. areas that
    share a border); each pair may be given once or in both orders."""
    first = np.asarray(first, dtype=np.int64)
    second = np.asarray(second, dtype=np.int64)
    rows = np.concatenate([np.arange(n), first, second])
    cols = np.concatenate([np.arange(n), second, first])
    # unique keys come out sorted by row, then column: CSR order with duplicates removed
    rows, cols = np.divmod(np.unique(rows * n + cols), n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return Neighbours(indptr, cols)
