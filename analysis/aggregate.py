"""Incidents to weekly counts: the area x category x week cube and its roll-ups.

Incidents come in as parallel arrays (week or timestamp, area index, category index and,
optionally, a severity weight). The cube has a zero, not a missing value, for every week with
no incidents, so every series is a complete weekly count series on the week-index axis of
``analysis.weeks``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.weeks import week_index

ALL = -1  # area or category index of a series that sums over all areas or categories


def count_cube(
    weeks: np.ndarray,
    areas: np.ndarray,
    categories: np.ndarray,
    *,
    n_areas: int,
    n_categories: int,
    first_week: int,
    n_weeks: int,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Count incidents into an ``(n_areas, n_categories, n_weeks)`` cube.

    ``weeks`` holds week indices (integers) or ``datetime64`` timestamps in local time.
    Column ``j`` of the cube is week ``first_week + j``; incidents outside those weeks are left
    out, so a caller can pass all incidents and ask for a window. With ``weights`` (e.g.
    severity weights) the cube holds weighted sums (float); without, integer counts.
    """
    week = np.asarray(weeks)
    if np.issubdtype(week.dtype, np.datetime64):
        week = week_index(week)
    column = week.astype(np.int64) - first_week
    area = np.asarray(areas, dtype=np.int64)
    category = np.asarray(categories, dtype=np.int64)
    _check_index(area, n_areas, "area")
    _check_index(category, n_categories, "category")
    inside = (column >= 0) & (column < n_weeks)
    flat = (area[inside] * n_categories + category[inside]) * n_weeks + column[inside]
    size = n_areas * n_categories * n_weeks
    if weights is None:
        counts = np.bincount(flat, minlength=size)
    else:
        counts = np.bincount(flat, weights=np.asarray(weights, float)[inside], minlength=size)
    return counts.reshape(n_areas, n_categories, n_weeks)


def _check_index(index: np.ndarray, n: int, name: str) -> None:
    if index.size and (index.min() < 0 or index.max() >= n):
        raise ValueError(f"{name} index outside 0..{n - 1}")


def roll_up(values: np.ndarray, parent: np.ndarray, n_parents: int, axis: int = 0) -> np.ndarray:
    """Sum the entries along ``axis`` into their parents (e.g. areas into districts).

    ``parent[i]`` is the parent index of entry ``i`` along ``axis``; the result has
    ``n_parents`` entries along that axis.
    """
    parent = np.asarray(parent, dtype=np.int64)
    _check_index(parent, n_parents, "parent")
    moved = np.moveaxis(np.asarray(values), axis, 0)
    summed = np.zeros((n_parents, *moved.shape[1:]), dtype=moved.dtype)
    np.add.at(summed, parent, moved)
    return np.moveaxis(summed, 0, axis)


def rates_per_1000(counts: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Counts per 1,000 inhabitants; NaN where the population is unknown (NaN) or not positive.

    ``population`` is broadcast against ``counts`` from the left, so a population per area
    (shape ``(n_areas,)``) works with a cube of shape ``(n_areas, ...)``.
    """
    counts = np.asarray(counts, dtype=float)
    population = np.asarray(population, dtype=float)
    population = population.reshape(population.shape + (1,) * (counts.ndim - population.ndim))
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = 1000.0 * counts / population
    return np.where(population > 0, rate, np.nan)


@dataclass(frozen=True)
class SeriesTable:
    """Weekly series stacked one per row, with what each row sums over.

    ``counts[s, j]`` is the count of series ``s`` in week ``first_week + j``. ``area[s]`` and
    ``category[s]`` are indices, or ``ALL`` (-1) for a series summed over all of them, so the
    partnership total has both ``ALL``. ``group[s]`` says which partnership (or other family
    of series that share a weekly false-discovery control) the row belongs to. ``start[s]``
    is the first column in which the series was observed (a later start for an area or
    category added later); weeks before it are not zeros but unknown.
    """

    counts: np.ndarray
    area: np.ndarray
    category: np.ndarray
    group: np.ndarray
    start: np.ndarray
    first_week: int

    @property
    def n_series(self) -> int:
        return self.counts.shape[0]

    @property
    def n_weeks(self) -> int:
        return self.counts.shape[1]


def stack_series(cube: np.ndarray, *, first_week: int, group: int = 0) -> SeriesTable:
    """All series of one partnership's cube: area x category, area totals, category totals
    and the partnership total, in that order."""
    n_areas, n_categories, n_weeks = cube.shape
    rows = [
        cube.reshape(n_areas * n_categories, n_weeks),
        cube.sum(axis=1),
        cube.sum(axis=0),
        cube.sum(axis=(0, 1))[None, :],
    ]
    areas, categories = np.meshgrid(np.arange(n_areas), np.arange(n_categories), indexing="ij")
    area = np.concatenate([areas.ravel(), np.arange(n_areas), np.full(n_categories + 1, ALL)])
    category = np.concatenate(
        [categories.ravel(), np.full(n_areas, ALL), np.arange(n_categories), [ALL]]
    )
    counts = np.concatenate(rows)
    return SeriesTable(
        counts=counts,
        area=area,
        category=category,
        group=np.full(len(area), group),
        start=np.zeros(len(area), dtype=np.int64),
        first_week=first_week,
    )


def concat_series(tables: Sequence[SeriesTable]) -> SeriesTable:
    """Stack the series of several partnerships (same weeks) into one table for one call."""
    first = {table.first_week for table in tables}
    if len(first) != 1 or len({table.n_weeks for table in tables}) != 1:
        raise ValueError("tables must cover the same weeks")
    return SeriesTable(
        counts=np.concatenate([table.counts for table in tables]),
        area=np.concatenate([table.area for table in tables]),
        category=np.concatenate([table.category for table in tables]),
        group=np.concatenate([table.group for table in tables]),
        start=np.concatenate([table.start for table in tables]),
        first_week=first.pop(),
    )
