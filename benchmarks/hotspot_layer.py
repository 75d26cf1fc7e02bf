"""The picture's hot-spot layer on real cities: how many cells it marks hot per week, and
how many of those hold incidents, before (Gi* over a rectangle of 200 m cells, 500 m band,
FDR over every cell) and after (`analysis.hotspots.hot_cells`).

    .venv/bin/python -m benchmarks.hotspot_layer [weeks]

Data: ../shared/data/chicago-aggravated-assaults (2010-2019, lon/lat, projected to UTM 16N,
which keeps distances as SWEREF 99 TM does in Sweden) and vancouver-crime-2020 (UTM 10N).
Each week is pictured as the app does: the four weeks ending with it, the year before as
the study region. Prints figures, asserts nothing.
"""

import gzip
import sys
import time

import numpy as np
import pandas as pd
from pyproj import Transformer

from analysis import grid, hotspots
from benchmarks.shared_data import shared_data

DATA = shared_data()


def chicago():
    with gzip.open(
        DATA / "chicago-aggravated-assaults" / "chicago_aggravated_assaults.csv.gz"
    ) as f:
        frame = pd.read_csv(f)
    frame = frame.dropna(subset=["longitude", "latitude"])
    x, y = Transformer.from_crs(4326, 32616, always_xy=True).transform(
        frame.longitude.to_numpy(), frame.latitude.to_numpy()
    )
    return np.asarray(x), np.asarray(y), pd.to_datetime(frame.date).to_numpy()


def vancouver():
    frame = pd.read_csv(DATA / "vancouver-crime-2020" / "crimedata_csv_AllNeighbourhoods_2020.csv")
    frame = frame[(frame.X > 0) & frame.X.notna()]
    when = pd.to_datetime(
        {"year": frame.YEAR, "month": frame.MONTH, "day": frame.DAY, "hour": frame.HOUR}
    ).to_numpy()
    return frame.X.to_numpy(float), frame.Y.to_numpy(float), when


def old_layer(x, y):
    """compute.py's layer before issue 10."""
    cells = grid.Grid.covering(x, y, cell=200.0, margin=500.0)
    counts = cells.counts(x, y)
    result = hotspots.gi_star(counts, grid.distance_band(cells.centres(), 500.0))
    hot = np.flatnonzero(result.hot)
    return len(hot), int((counts[hot] > 0).sum())


def new_layer(x, y, in_window):
    result = hotspots.hot_cells(x, y, in_window)
    return len(result.cells), int((result.counts > 0).sum()), result.tested, result.region


def run(name, x, y, when, n_weeks):
    weeks = (when.astype("datetime64[D]").astype(np.int64) + 3) // 7  # Monday-based weeks
    first, last = int(weeks.min()), int(weeks.max())
    chosen = np.linspace(max(first + 8, last - 52 * 2), last - 1, n_weeks).astype(int)
    print(f"\n{name}: {len(x):,} incidents; {n_weeks} weeks, each the 4 weeks ending with it")
    print(
        f"{'week':>6} {'in window':>9} | {'old hot':>7} {'with inc.':>9} | "
        f"{'new hot':>7} {'with inc.':>9} {'tested':>6} {'region':>6} {'s':>5}"
    )
    old_totals, new_totals = [], []
    for week in chosen:
        year = (weeks > week - 52) & (weeks <= week)
        window = (weeks > week - 4) & (weeks <= week)
        ox, oy = x[window], y[window]
        old_hot, old_with = old_layer(ox, oy)
        start = time.perf_counter()
        new_hot, new_with, tested, region = new_layer(x[year], y[year], window[year])
        seconds = time.perf_counter() - start
        old_totals.append((old_hot, old_with))
        new_totals.append((new_hot, new_with))
        print(
            f"{week:>6} {int(window.sum()):>9} | {old_hot:>7} {old_with:>9} | "
            f"{new_hot:>7} {new_with:>9} {tested:>6} {region:>6} {seconds:>5.2f}"
        )
    for label, totals in (("old", old_totals), ("new", new_totals)):
        hot = np.array([t[0] for t in totals])
        share = sum(t[1] for t in totals) / max(hot.sum(), 1)
        print(
            f"{label}: hot cells per week median {int(np.median(hot))}, range {hot.min()}-"
            f"{hot.max()}; share with incidents {share:.0%}"
        )


def main():
    n_weeks = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    run("Chicago aggravated assaults", *chicago(), n_weeks)
    run("Vancouver crime 2020", *vancouver(), n_weeks)


if __name__ == "__main__":
    main()
