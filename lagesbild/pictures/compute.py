"""The heavy part of a weekly picture: deviations, trends, hot spots and space-time clusters.

`compute_week()` assembles the partnership's incidents (`inputs`), calls the pure `analysis`
package and returns plain JSON-ready results, which `runs.py` stores on an AnalysisRun. The
picture page and the snapshot read those stored results; nothing here runs in a request.
"""

from dataclasses import replace
from datetime import timedelta

import numpy as np

from analysis import aggregate, farrington, grid, hotspots, scan
from analysis import weeks as aweeks
from analysis.aggregate import ALL
from analysis.deviations import LEVEL_NAMES, METHOD_NAMES, PICTURE, weekly_deviations
from lagesbild.geography.geometry import to_wgs84
from lagesbild.incidents import coverage, weeks
from lagesbild.indicators import population
from lagesbild.pictures.inputs import (
    IncidentArrays,
    Layout,
    code_of,
    count_cubes,
    load_incidents,
    week_index,
)

# The analysis configuration of the picture (the rising badge rarer than in DEFAULT).
PICTURE_CONFIG = PICTURE
SPARK_WEEKS = 12
TREND_WEEKS = 52
HOTSPOT_CELL = 200.0  # metres
HOTSPOT_WEEKS = 4  # Gi* on the last four weeks: one week is too few points for a grid
REGION_WEEKS = 52  # the hot-spot study region: cells with an incident in the last year
SCAN_RADIUS = 1000.0
SCAN_DAYS = 28
SCAN_REPLICATIONS = 999
SCAN_SEED = 4711
# Incidents are loaded one by one only for the spatial methods: the hot-spot region's year
# and the scan's 365 days ending on the week's Sunday, which reach into a 53rd week.
POINT_WEEKS = REGION_WEEKS + 1


def history_start(target_week: int) -> int:
    """The first week (index) to load: what the baseline of the earliest week in the trend
    chart needs, so that every tested week is fitted on all the years the method uses."""
    return farrington.first_week_needed(target_week - TREND_WEEKS + 1, PICTURE_CONFIG.baseline)


def _number(value) -> float | None:
    """A JSON-safe float (NaN becomes None), rounded for storage."""
    value = float(value)
    return None if np.isnan(value) else round(value, 4)


def compute_week(partnership, code: int, now=None) -> dict:
    """All stored figures of the weekly picture for ISO week `code` (YYYYWW).

    Weeks before the partnership's coverage start are unknown, not zeros: the baseline,
    the comparisons and the charts leave them out. A week still in progress gets its counts
    so far but no expected count, normal range, flag or rising badge: those compare whole
    weeks and wait until the week is over (the run is redone then)."""
    state = coverage.week_state(partnership, code, now)
    covered_from = coverage.first_week(partnership)
    layout = Layout.for_partnership(partnership)
    first_week = history_start(week_index(code))
    n_weeks = week_index(code) - first_week + 1
    target = n_weeks - 1
    cubes = count_cubes(partnership, layout, first_week, n_weeks)
    table = aggregate.stack_series(cubes.counts, first_week=first_week)
    # Weeks before the partnership's coverage start are unknown, not zeros.
    observed_from = (
        max(week_index(covered_from) - first_week, 0) if covered_from is not None else target + 1
    )
    table = replace(table, start=np.full(table.n_series, observed_from))
    deviations = weekly_deviations(table, target, PICTURE_CONFIG)
    rising = _rising_evidence(table, deviations, target, observed_from)
    data = load_incidents(partnership, layout, code_of(week_index(code) - POINT_WEEKS + 1), code)
    people = population.for_year(partnership, layout.areas, code // 100)
    results = {
        "week": weeks.iso(code),
        "complete": state.complete,
        "days": state.days,
        "covered_from": weeks.iso(covered_from) if covered_from is not None else None,
        "areas": [
            {
                "id": a.pk,
                "name": a.name,
                "population": people[a.pk].people,
                "population_year": people[a.pk].year,
            }
            for a in layout.areas
        ],
        "groups": [{"id": g.pk, "name": g.name} for g in layout.groups],
        "series": _series(layout, table, deviations, target, observed_from, rising),
        "area_points": _area_points(cubes.points, layout, people, target, observed_from),
        "trends": _trends(table, target, observed_from),
        "hotspots": _hotspots(data, week_index(code)),
        "clusters": _clusters(data, layout, code, partnership.time_zone),
        "incident_count": int(cubes.counts[:, :, target].sum()),
    }
    if not state.complete:
        _withhold_comparisons(results)
    return results


# What a running week does not get until it is over: every figure that compares its count
# with a whole week's.
WITHHELD = {
    "expected": None,
    "normal_low": None,
    "normal_high": None,
    "threshold": None,
    "p": None,
    "p_4w": None,
    "p_series": None,
    "p_adjusted": None,
    "level": "",
    "rising": False,
    "rising_since": None,
    "rising_observed": None,
    "rising_expected": None,
}


def _withhold_comparisons(results: dict) -> None:
    """A running week's count so far would show as a dip in the sparkline and the trend
    charts (a half week drawn among whole ones): the lines end with the last whole week."""
    for s in results["series"]:
        s.update(WITHHELD)
        s["spark"] = s["spark"][:-1]
    for point in results["area_points"]:
        point["mean8"] = None
    for trend in results["trends"].values():
        for key in ("observed", "expected", "low", "high"):
            if trend[key]:
                trend[key][-1] = None


def _rising_evidence(table, dev, target: int, observed_from: int) -> dict[int, tuple]:
    """For each series with a rising badge: its count and its expected count summed over
    the weeks since the rise began (at most the last 12), each week's expectation as the
    picture computed it for that week. The badge is shown with these figures, and only
    where the count is above what was expected."""
    flagged = np.flatnonzero(dev.rising)
    if not len(flagged):
        return {}
    # rising_since is a week index (analysis.weeks); the table's columns start at first_week.
    since = dev.rising_since[flagged] - table.first_week
    first = np.maximum(since, max(target - SPARK_WEEKS + 1, observed_from))
    sub = replace(
        table,
        counts=table.counts[flagged],
        area=table.area[flagged],
        category=table.category[flagged],
        group=table.group[flagged],
        start=table.start[flagged],
    )
    expected = np.zeros(len(flagged))
    for column in range(int(first.min()), target + 1):
        week_dev = weekly_deviations(sub, column, PICTURE_CONFIG)
        use = column >= first
        expected[use] += np.nan_to_num(week_dev.expected[use], nan=np.inf)
    out = {}
    for k, s in enumerate(flagged):
        observed = int(table.counts[s, int(first[k]) : target + 1].sum())
        out[int(s)] = (
            _iso_of_index(table.first_week + int(first[k])),
            observed,
            _number(expected[k]) if np.isfinite(expected[k]) else None,
        )
    return out


def _series(layout: Layout, table, dev, target: int, observed_from: int, rising) -> list[dict]:
    series = []
    last_year = target - 52
    spark_from = max(target - SPARK_WEEKS + 1, observed_from, 0)
    for s in range(table.n_series):
        area = table.area[s]
        column = table.category[s]
        since, rising_observed, rising_expected = rising.get(s, (None, None, None))
        # A badge the picture cannot explain is not shown: it needs more reports since the
        # rise began than were expected.
        explained = rising_expected is not None and rising_observed > rising_expected
        series.append(
            {
                "area": layout.areas[area].pk if area != ALL else None,
                "group": layout.groups[column].pk if column != ALL else None,
                "observed": int(dev.observed[s]),
                "observed_4w": int(dev.observed_4w[s]),
                "expected": _number(dev.expected[s]),
                "normal_low": _number(dev.normal_low[s]),
                "normal_high": _number(dev.normal_high[s]),
                "threshold": _number(dev.threshold[s]),
                "p": _number(dev.p_value[s]),
                "p_4w": _number(dev.p_windows[s, dev.windows.index(4)])
                if 4 in dev.windows
                else None,
                "p_series": _number(dev.p_series[s]),
                "p_adjusted": _number(dev.p_adjusted[s]),
                "method": METHOD_NAMES[int(dev.method[s])],
                "level": LEVEL_NAMES[int(dev.level[s])],
                "rising": bool(dev.rising[s]) and explained,
                "rising_since": since if explained else None,
                "rising_observed": rising_observed if explained else None,
                "rising_expected": rising_expected if explained else None,
                "spark": [int(v) for v in table.counts[s, spark_from : target + 1]],
                "last_year": int(table.counts[s, last_year])
                if last_year >= observed_from
                else None,
            }
        )
    return series


def _iso_of_index(index: int) -> str:
    year, week = aweeks.iso_week(int(index))
    return f"{year}-W{week:02d}"


def _area_points(points, layout: Layout, people: dict, target: int, observed_from: int) -> list:
    """Severity points per area this week, the mean of the eight weeks before (of those the
    partnership covers; none: no mean), and per 1,000 inhabitants where the population is
    known (`people`: the week's year's, `indicators.population`)."""
    week = points[:, :, target].sum(axis=1)
    first = max(target - 8, observed_from, 0)
    before = (
        points[:, :, first:target].sum(axis=(1, 2)) / (target - first)
        if target > first
        else np.full(len(layout.areas), np.nan)
    )
    result = []
    for i, area in enumerate(layout.areas):
        inhabitants = people[area.pk].people
        per_1000 = 1000 * week[i] / inhabitants if inhabitants else None
        result.append(
            {
                "area": area.pk,
                "points": _number(week[i]),
                "mean8": _number(before[i]),
                "per_1000": _number(per_1000) if per_1000 is not None else None,
            }
        )
    return result


def _trends(table, target: int, observed_from: int) -> dict:
    """For the area totals, group totals and the total: the last year's counts with the
    expected count and 80 % normal range each week had (tested as if it were that week).
    Weeks before the coverage start are left out (None), not drawn as zeros."""
    totals = np.flatnonzero((table.area == ALL) | (table.category == ALL))
    sub = replace(
        table,
        counts=table.counts[totals],
        area=table.area[totals],
        category=table.category[totals],
        group=table.group[totals],
        start=table.start[totals],
    )
    first = max(target - TREND_WEEKS + 1, 0)
    expected = np.full((len(totals), target - first + 1), np.nan)
    low = expected.copy()
    high = expected.copy()
    for j, column in enumerate(range(first, target + 1)):
        dev = weekly_deviations(sub, column, PICTURE_CONFIG)
        expected[:, j], low[:, j], high[:, j] = dev.expected, dev.normal_low, dev.normal_high

    def known(row, columns):
        return [int(row[j]) if j >= observed_from else None for j in columns]

    out = {}
    for k, s in enumerate(totals):
        key = f"{int(table.area[s])}:{int(table.category[s])}"
        out[key] = {
            "first_week": _iso_of_index(table.first_week + first),
            "observed": known(table.counts[s], range(first, target + 1)),
            "expected": [_number(v) for v in expected[k]],
            "low": [_number(v) for v in low[k]],
            "high": [_number(v) for v in high[k]],
            "last_year": known(table.counts[s], range(max(first - 52, 0), target - 51))
            if target - 52 >= 0
            else [],
        }
    return out


def _hotspots(data: IncidentArrays, week: int) -> dict:
    """Hot cells of the last four weeks on a 200 m grid (`analysis.hotspots.hot_cells`):
    the study region is the cells with an incident in the last year, only cells holding at
    least three of the four weeks' incidents are tested (one-sided Gi*, 300 m neighbourhood,
    FDR over the tested cells), and only those found hot are drawn."""
    year = (data.week > week - REGION_WEEKS) & (data.week <= week)
    recent = (data.week > week - HOTSPOT_WEEKS) & (data.week <= week)
    empty = {
        "cells": [],
        "cell": HOTSPOT_CELL,
        "band": hotspots.LAYER_BAND,
        "weeks": HOTSPOT_WEEKS,
        "min_count": hotspots.LAYER_MIN_COUNT,
        "incidents": int(recent.sum()),
        "tested": 0,
    }
    if recent.sum() < 10:
        return empty
    found = hotspots.hot_cells(data.x[year], data.y[year], recent[year], cell=HOTSPOT_CELL)
    centres = found.grid.centres(found.cells)
    lon, lat = to_wgs84(centres[:, 0], centres[:, 1])
    half = HOTSPOT_CELL / 2
    corners = [
        to_wgs84(centres[:, 0] + dx, centres[:, 1] + dy)
        for dx, dy in ((-half, -half), (half, half))
    ]
    return {
        **empty,
        "tested": found.tested,
        "cells": [
            {
                "lon": _number(lon[i]),
                "lat": _number(lat[i]),
                "bounds": [
                    [_number(corners[0][1][i]), _number(corners[0][0][i])],
                    [_number(corners[1][1][i]), _number(corners[1][0][i])],
                ],
                "z": _number(found.z[i]),
                "p_adjusted": _number(found.p_adjusted[i]),
                "count": int(found.counts[i]),
            }
            for i in range(len(found.cells))
        ],
    }


def _clusters(data: IncidentArrays, layout: Layout, code: int, time_zone: str) -> list[dict]:
    """Space-time permutation scan clusters ending on the week's Sunday, for all categories
    and for each category group, over the last 365 days on the 200 m grid."""
    end = np.datetime64(weeks.monday(code) + timedelta(days=6), "D")
    in_year = (data.day <= end) & (data.day > end - 365)
    if in_year.sum() < 10:
        return []
    found = []
    groups = [(None, in_year)] + [
        (g.pk, in_year & (data.column == j)) for j, g in enumerate(layout.groups)
    ]
    for group_id, mask in groups:
        if mask.sum() < 10:
            continue
        found.extend(_scan_one(data.x[mask], data.y[mask], data.day[mask], end, group_id))
    return found


def _scan_one(x, y, days, end, group_id) -> list[dict]:
    cells = grid.Grid.covering(x, y, cell=HOTSPOT_CELL)
    cell = cells.cell_of(x, y)
    used, location = np.unique(cell, return_inverse=True)
    xy = cells.centres(used)
    result = scan.space_time_scan(
        xy,
        location,
        days,
        end=end,
        max_radius=SCAN_RADIUS,
        max_days=SCAN_DAYS,
        replications=SCAN_REPLICATIONS,
        seed=SCAN_SEED,
        max_clusters=3,
    )
    out = []
    for c in result.clusters:
        if c.p_value > 0.05:
            continue
        lon, lat = to_wgs84(xy[c.centre, 0], xy[c.centre, 1])
        out.append(
            {
                "group": group_id,
                "lon": _number(lon),
                "lat": _number(lat),
                "radius": round(max(c.radius, HOTSPOT_CELL / 2), 1),
                "start": str(c.start),
                "end": str(c.end),
                "days": c.days,
                "observed": c.observed,
                "expected": _number(c.expected),
                "p": _number(c.p_value),
                "recurrence_years": _number(c.recurrence_interval_days / 365),
            }
        )
    return out
