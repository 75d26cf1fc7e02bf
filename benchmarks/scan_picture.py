"""The weekly picture's eleven space-time scans at 1,000,000 incidents, without a database.

    .venv/bin/python benchmarks/scan_picture.py [--threads 1] [--early-stop none]

A picture over five years of 1,000,000 incidents scans the last year's 200,000: all
categories and each of the ten category groups, on the 200 m grid, 1,000 m and 28 days, 999
replicates, as `pictures/compute._clusters` does. This script draws that year from the demo
generator (its scale for 1,000,000 incidents in five years) and times the scans alone: per
scan the incidents, grid cells, replicates run, wall and CPU seconds, and the machine's load
average. The kernels are compiled (or read from numba's cache) before the clock starts.
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagesbild.settings")
os.environ.setdefault("TESTING", "1")

import django  # noqa: E402

django.setup()

import numba  # noqa: E402
import numpy as np  # noqa: E402

from analysis import grid, scan  # noqa: E402
from lagesbild.demo import incidents as demo  # noqa: E402
from lagesbild.demo.areas import demo_areas  # noqa: E402
from lagesbild.demo.places import demo_places  # noqa: E402
from lagesbild.geography.geometry import to_sweref  # noqa: E402
from lagesbild.pictures import compute  # noqa: E402

SCALE = 1_000_000 / (3200 * 5)  # picture_page.py's scale for 1,000,000 incidents in 5 years
START, END = date(2025, 11, 24), date(2026, 11, 30)  # a year ending on a Sunday
SEED = 2026


def year_of_incidents():
    """Coordinates (SWEREF 99 TM), dates and category-group index of a year's incidents."""
    found = demo.generate_incidents(demo_areas(), demo_places(), START, END, seed=SEED, scale=SCALE)
    x, y = to_sweref(found.lon, found.lat)
    return x, y, found.local_time.astype("datetime64[D]"), demo._group_index()[found.category]


def scan_one(x, y, days, end, early_stop):
    """One scan as the picture runs it; (result, grid cells)."""
    cells = grid.Grid.covering(x, y, cell=compute.HOTSPOT_CELL)
    used, location = np.unique(cells.cell_of(x, y), return_inverse=True)
    result = scan.space_time_scan(
        cells.centres(used),
        location,
        days,
        end=end,
        max_radius=compute.SCAN_RADIUS,
        max_days=compute.SCAN_DAYS,
        replications=compute.SCAN_REPLICATIONS,
        seed=compute.SCAN_SEED,
        max_clusters=3,
        early_stop=early_stop,
    )
    return result, len(used)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=numba.get_num_threads())
    parser.add_argument("--early-stop", default=str(scan.DEFAULT_EARLY_STOP))
    args = parser.parse_args()
    early_stop = None if args.early_stop == "none" else int(args.early_stop)
    numba.set_num_threads(args.threads)
    x, y, days, group = year_of_incidents()
    end = np.datetime64(END, "D") - 1
    scan_one(x[:200], y[:200], days[:200], end, early_stop)  # compile or load the kernels
    print(
        f"{len(x):,} incidents in {START}..{end}, {args.threads} thread(s), early stop {early_stop}"
    )
    print(f"load average before: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    scans = [("all", np.ones(len(x), dtype=bool))] + [(str(g), group == g) for g in range(10)]
    wall, cpu = time.perf_counter(), time.process_time()
    for label, mask in scans:
        started, cpu_started = time.perf_counter(), time.process_time()
        result, n_cells = scan_one(x[mask], y[mask], days[mask], end, early_stop)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        p = result.clusters[0].p_value if result.clusters else float("nan")
        print(
            f"  {label:>4}: {mask.sum():7,} incidents, {n_cells:5,} cells, "
            f"{result.replications:4d} replicates, p {p:.3f}, "
            f"{seconds:6.2f} s, CPU {cpu_seconds:6.2f} s"
        )
    print(
        f"eleven scans: {time.perf_counter() - wall:.2f} s, CPU {time.process_time() - cpu:.2f} s; "
        f"load average after: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
    )


if __name__ == "__main__":
    main()
