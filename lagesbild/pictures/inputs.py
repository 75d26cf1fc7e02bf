"""Assemble a partnership's incidents into the arrays the `analysis` package takes.

Rows of the picture are the leaf areas, columns the category groups (top-level categories);
an incident in a category inside a group counts in its group. Weeks are converted from the
stored ISO week (YYYYWW) to `analysis.weeks`' integer axis.
"""

from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Sum

from analysis import aggregate
from analysis import weeks as aweeks
from lagesbild.geography.geometry import to_sweref
from lagesbild.geography.models import Area
from lagesbild.incidents import weeks
from lagesbild.incidents.models import Category, Incident
from lagesbild.incidents.queries import COUNTED


@dataclass
class Layout:
    """Which area is row i and which category group is column j of the picture."""

    areas: list[Area]
    groups: list[Category]
    area_row: dict[int, int]  # area id -> row (incidents in the root or a gap: no row)
    group_column: dict[int, int]  # category id (leaf or group) -> column
    leaf_categories: list[Category]  # the categories incidents are reported on

    @classmethod
    def for_partnership(cls, partnership) -> "Layout":
        areas = list(
            Area.objects.filter(partnership=partnership, active=True)
            .exclude(children__active=True)
            .distinct()
            .order_by("name")
        )
        categories = list(Category.objects.filter(partnership=partnership))
        groups = sorted(
            (c for c in categories if c.parent_id is None and c.active),
            key=lambda c: (c.sort_order, c.name),
        )
        column = {g.pk: j for j, g in enumerate(groups)}
        group_column = {
            c.pk: column[c.parent_id or c.pk] for c in categories if (c.parent_id or c.pk) in column
        }
        parents = {c.parent_id for c in categories if c.parent_id}
        leaves = sorted(
            (c for c in categories if c.pk not in parents and c.pk in group_column),
            key=lambda c: (c.sort_order, c.name),
        )
        return cls(areas, groups, {a.pk: i for i, a in enumerate(areas)}, group_column, leaves)


@dataclass
class IncidentArrays:
    """Counted incidents as columns; rows outside the layout are dropped."""

    ids: np.ndarray
    week: np.ndarray  # analysis week index
    day: np.ndarray  # datetime64[D], local date
    row: np.ndarray
    column: np.ndarray
    points: np.ndarray  # category weight x severity
    x: np.ndarray  # SWEREF 99 TM
    y: np.ndarray


def week_index(code: int) -> int:
    return aweeks.from_iso(code // 100, code % 100)


@dataclass
class Cubes:
    """Counted incidents as area x group x week cubes (week j is first_week + j)."""

    counts: np.ndarray  # incidents (int)
    points: np.ndarray  # category weight x severity (float)


def count_cubes(partnership, layout: Layout, first_week: int, n_weeks: int) -> Cubes:
    """Count the cubes in the database, one GROUP BY over (week, area, category): five years
    of history are a few thousand groups rather than every incident carried into Python."""
    last_code = code_of(first_week + n_weeks - 1)
    groups = list(
        Incident.objects.filter(
            partnership=partnership,
            status__in=COUNTED,
            iso_week__gte=code_of(first_week),
            iso_week__lte=last_code,
        )
        .order_by()
        .values("iso_week", "area_id", "category_id", "category__weight")
        .annotate(n=Count("id"), severity=Sum("severity"))
        .values_list("iso_week", "area_id", "category_id", "category__weight", "n", "severity")
    )
    if groups:
        columns = map(np.asarray, zip(*groups, strict=True))
        codes, area_ids, category_ids, weight, n, severity = columns
    else:
        codes = area_ids = category_ids = weight = n = severity = np.empty(0, dtype=np.int64)
    row = np.array([layout.area_row.get(a, -1) for a in area_ids], dtype=np.int64)
    column = np.array([layout.group_column.get(c, -1) for c in category_ids], dtype=np.int64)
    keep = (row >= 0) & (column >= 0)
    week = _week_indices(codes)[keep]
    shape = {
        "n_areas": len(layout.areas),
        "n_categories": len(layout.groups),
        "first_week": first_week,
        "n_weeks": n_weeks,
    }
    counts = aggregate.count_cube(week, row[keep], column[keep], weights=n[keep], **shape)
    points = aggregate.count_cube(
        week, row[keep], column[keep], weights=(severity * weight)[keep], **shape
    )
    return Cubes(counts.astype(np.int64), points)


def code_of(index: int) -> int:
    """The ISO week code (YYYYWW) of an analysis week index."""
    year, week = aweeks.iso_week(index)
    return year * 100 + week


def _week_indices(codes: np.ndarray) -> np.ndarray:
    """Analysis week indices of stored ISO week codes (YYYYWW), converting each distinct
    code once."""
    unique, inverse = np.unique(np.asarray(codes, dtype=np.int64), return_inverse=True)
    return np.array([week_index(int(c)) for c in unique], dtype=np.int64)[inverse]


def load_incidents(partnership, layout: Layout, first_code: int, last_code: int) -> IncidentArrays:
    """Counted incidents with ISO week in [first_code, last_code]."""
    rows = list(
        Incident.objects.filter(
            partnership=partnership,
            status__in=COUNTED,
            iso_week__gte=first_code,
            iso_week__lte=last_code,
        ).values_list(
            "id",
            "iso_week",
            "occurred_at",
            "area_id",
            "category_id",
            "severity",
            "category__weight",
            "lon",
            "lat",
        )
    )
    if not rows:
        empty = np.empty(0, dtype=np.int64)
        return IncidentArrays(
            empty,
            empty,
            np.empty(0, "datetime64[D]"),
            empty,
            empty,
            empty,
            np.empty(0),
            np.empty(0),
        )
    ids, codes, occurred, area_ids, category_ids, severity, weight, lon, lat = zip(
        *rows, strict=True
    )
    row = np.array([layout.area_row.get(a, -1) for a in area_ids])
    column = np.array([layout.group_column.get(c, -1) for c in category_ids])
    keep = (row >= 0) & (column >= 0)
    week = _week_indices(codes)
    tz = partnership.time_zone
    days = np.array([weeks.local_date(t, tz) for t in occurred], dtype="datetime64[D]")
    x, y = to_sweref(np.asarray(lon), np.asarray(lat))
    return IncidentArrays(
        ids=np.asarray(ids)[keep],
        week=week[keep],
        day=days[keep],
        row=row[keep],
        column=column[keep],
        points=(np.asarray(severity) * np.asarray(weight))[keep],
        x=np.asarray(x)[keep],
        y=np.asarray(y)[keep],
    )
