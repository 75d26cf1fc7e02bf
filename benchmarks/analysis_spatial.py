"""Speed and validity of the spatial half of ``analysis``: Gi*, the space-time scan, Knox.

    .venv/bin/python -m benchmarks.analysis_spatial            # speed, then validity
    .venv/bin/python -m benchmarks.analysis_spatial speed      # Gi*, scan stress case, Knox
    .venv/bin/python -m benchmarks.analysis_spatial validity   # planted clusters, type I error

Prints figures, asserts nothing. All data are synthetic and seeded. Each timing is the best
of a few runs after a warm-up; the numba JIT compile is timed on its own, without the cache.
"""

import os
import platform
import resource
import sys
import time
import warnings

import numba
import numpy as np

from analysis import hotspots, knox, scan
from analysis.grid import Grid, distance_band

SEED = 20261125


def best_time(function, repeat=3):
    """Fastest of ``repeat`` runs, in seconds, and the last result."""
    fastest = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest, result


def on_threads(threads, function, repeat=3):
    """Best wall time of ``function`` with numba limited to ``threads`` threads, the CPU time
    this process spent per run (it shows whether the cores were really ours on a shared
    machine), and the last result."""
    before = numba.get_num_threads()
    numba.set_num_threads(threads)
    cpu_before = time.process_time()
    try:
        wall, result = best_time(function, repeat)
    finally:
        numba.set_num_threads(before)
    return wall, (time.process_time() - cpu_before) / repeat, result


def threads_line(one, two):
    """'1 thread ... 2 threads ...' with wall and CPU seconds and the speed-up."""
    return (
        f"1 thread {one[0]:.3g} s (CPU {one[1]:.3g} s), 2 threads {two[0]:.3g} s "
        f"(CPU {two[1]:.3g} s): speed-up {one[0] / two[0]:.2f}x"
    )


def compile_time(kernel, *arguments):
    """Seconds to JIT-compile a fresh, uncached copy of ``kernel`` for these arguments."""
    options = {k: v for k, v in kernel.targetoptions.items() if k in ("parallel", "fastmath")}
    fresh = numba.njit(**options)(kernel.py_func)
    start = time.perf_counter()
    fresh.compile(tuple(numba.typeof(a) for a in arguments))
    return time.perf_counter() - start


def machine():
    """What the figures were measured on, including how busy the machine was."""
    print(
        f"{platform.machine()}, {os.cpu_count()} cores, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}; python {platform.python_version()}, "
        f"numpy {np.__version__}, numba {numba.__version__}"
    )


# --- Gi* --------------------------------------------------------------------------------------


def gi_star_speed():
    print("\n== Gi* on 50,000 grid cells (250 x 200 cells of 200 m), 500 m band, 999 permutations")
    grid = Grid(674_000.0, 6_580_000.0, 200.0, 250, 200)
    rng = np.random.default_rng(SEED)
    counts = rng.poisson(rng.lognormal(0.0, 1.0, grid.size)).astype(float)
    seconds, neighbours = best_time(
        lambda: distance_band(grid.centres(), hotspots.DEFAULT_BAND), repeat=1
    )
    k = neighbours.cardinalities.mean()
    print(f"neighbour lists: {seconds:.3f} s, mean {k:.1f} neighbours with self")

    others = neighbours.cardinalities - 1
    sites = np.arange(grid.size)
    keys = np.zeros(999, dtype=np.uint64)
    warm = compile_time(hotspots._conditional_counts, counts, others, counts, sites, keys, 2, 1e-9)
    print(f"numba compile of the permutation kernel (uncached): {warm:.2f} s")
    hotspots.gi_star(counts, neighbours, permutations=9, seed=1)  # load the cached kernel

    analytical, _ = best_time(lambda: hotspots.gi_star(counts, neighbours))
    print(f"analytical z + BH FDR: {analytical:.3f} s")

    def run():
        return hotspots.gi_star(counts, neighbours, permutations=999, seed=1)

    one = on_threads(1, run)
    two = on_threads(2, run)
    result = two[2]
    gathers = grid.size * 999 * (k - 1)
    print(
        f"999 permutations, all cells: {threads_line(one, two)}; "
        f"{gathers / two[0] / 1e9:.1f} x 10^9 neighbour values/s equivalent"
    )
    print(f"hot cells {result.hot.sum()}, cold cells {result.cold.sum()} (BH q = 0.05)")
    esda_comparison(counts, neighbours, two[0])


def esda_comparison(counts, neighbours, ours):
    import esda
    import libpysal
    from scipy import sparse

    n = neighbours.n
    rows = np.repeat(np.arange(n), neighbours.cardinalities)
    others = rows != neighbours.indices
    matrix = sparse.csr_matrix(
        (np.ones(others.sum()), (rows[others], neighbours.indices[others])), shape=(n, n)
    )
    start = time.perf_counter()
    w = libpysal.weights.WSP(matrix).to_W(silence_warnings=True)
    weights = time.perf_counter() - start
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        small = Grid(0.0, 0.0, 200.0, 10, 10)
        esda.G_Local(
            np.arange(100.0),
            libpysal.weights.DistanceBand(small.centres(), 500, silence_warnings=True),
            transform="B",
            star=True,
            permutations=9,
            n_jobs=1,
            seed=1,
        )  # esda's own JIT warm-up

        def reference():
            return esda.G_Local(
                counts, w, transform="B", star=True, permutations=999, n_jobs=1, seed=1
            )

        seconds, result = best_time(reference, repeat=1)
    ours_z = hotspots.gi_star(counts, neighbours).z
    print(
        f"esda G_Local(star=True, 999 permutations, n_jobs=1) on the same input: {seconds:.2f} s "
        f"(+ {weights:.2f} s to build its weights) -> ours is {seconds / ours:.0f}x faster; "
        f"max |z difference| {np.abs(result.Zs - ours_z).max():.1e}"
    )


# --- space-time scan --------------------------------------------------------------------------


def stress_data(n=1_000_000, nx=100, ny=50, cell=250.0, days=365, planted=150, seed=SEED):
    """``n`` incidents on ``nx * ny`` locations over ``days`` days, with log-normal location
    intensities, a weekday rhythm and ``planted`` extra incidents within 500 m in the last
    7 days."""
    rng = np.random.default_rng(seed)
    xy = Grid(0.0, 0.0, cell, nx, ny).centres()
    intensity = rng.lognormal(0.0, 1.0, len(xy))
    location = rng.choice(len(xy), n - planted, p=intensity / intensity.sum())
    weekday = np.array([1.0, 1.0, 1.0, 1.1, 1.3, 1.5, 1.2])
    day_weight = weekday[np.arange(days) % 7]
    day = rng.choice(days, n - planted, p=day_weight / day_weight.sum())
    centre = np.array([nx * cell / 2, ny * cell / 2])
    near = np.flatnonzero(np.hypot(*(xy - centre).T) <= 500.0)
    location = np.concatenate([location, rng.choice(near, planted)])
    day = np.concatenate([day, days - 1 - rng.integers(0, 7, planted)])
    return xy, location, day, near


def cylinders_per_replicate(xy, max_radius=1000.0, max_days=28):
    """Circles (distinct radii around every centre) times windows: one scan's cylinders."""
    neighbours = distance_band(xy, max_radius)
    steps = np.diff(neighbours.distances) > 1e-6
    row_ends = neighbours.indptr[1:] - 1
    steps[row_ends[:-1]] = True
    return (steps.sum() + 1) * max_days, neighbours.cardinalities.mean()


def scan_speed():
    print("\n== Space-time permutation scan: 1,000,000 incidents, 5,000 locations, 365 days,")
    print("   windows 1-28 days, radius 1 km, 999 replications (no early stop)")
    xy, location, day, planted = stress_data()
    cylinders, k = cylinders_per_replicate(xy)
    steps = len(xy) * k * 28
    print(
        f"{cylinders:,} distinct cylinders per scan (circles x windows); {steps / 1e6:.1f} M "
        f"location-window steps (mean {k:.1f} locations within 1 km x 28)"
    )
    print(f"numba compile (uncached): {scan_compile_time(xy, location, day):.2f} s")
    scan.space_time_scan(xy, location[:5000], day[:5000], replications=9, seed=1)  # cache load

    def observed_only():
        return scan.space_time_scan(xy, location, day, replications=0)

    observed, _ = best_time(observed_only, repeat=2)
    print(f"observed scan alone (set-up + one pass): {observed:.2f} s")

    def run():
        return scan.space_time_scan(xy, location, day, seed=1, early_stop=None)

    one = on_threads(1, run, repeat=1)
    two = on_threads(2, run, repeat=2)
    primary = two[2].clusters[0]
    print(f"total: {threads_line(one, two)}")
    print(
        f"on 2 threads {cylinders * 1000 / two[0] / 1e6:.0f} M distinct cylinder evaluations/s, "
        f"{steps * 1000 / two[0] / 1e9:.2f} x 10^9 location-window steps/s"
    )
    hit = np.isin(primary.locations, planted).any()
    print(
        f"most likely cluster: {primary.observed} observed vs {primary.expected:.1f} expected, "
        f"{primary.days} days, radius {primary.radius:.0f} m, LLR {primary.llr:.1f}, "
        f"p = {primary.p_value:.3f}, on the planted cluster: {hit}"
    )
    early, quiet = best_time(
        lambda: scan.space_time_scan(xy, location[:-150], day[:-150], seed=1), repeat=1
    )
    print(
        f"same data without the planted cluster, with early stopping: {early:.1f} s, "
        f"{quiet.replications} replications, p = {quiet.clusters[0].p_value:.2f}"
    )


def scan_compile_time(xy, location, day):
    """JIT time of both scan kernels, uncached, for the stress case's types."""
    window = np.zeros((len(xy), 28), dtype=np.int32)
    neighbours = distance_band(xy[:10], 1000.0)
    cylinders = scan._cylinder_arguments(
        neighbours, np.ones(10, dtype=np.int64), np.ones(28, dtype=np.int64), 5.0, 3
    )
    best = (np.zeros(10), np.zeros(10, dtype=np.int64), np.zeros(10, dtype=np.int64))
    offsets = np.zeros(3, dtype=np.int64)
    keys = np.zeros(1, dtype=np.uint64)
    return compile_time(scan._best_cylinders, window, *cylinders, True, *best) + compile_time(
        scan._replicate_maxima, location, offsets, keys, 1, *cylinders
    )


# --- Knox -------------------------------------------------------------------------------------


def knox_speed():
    print("\n== Knox: 10,000 incidents over 10 x 10 km and a year, bands to 500 m and 28 days")
    rng = np.random.default_rng(SEED)
    x, y = rng.uniform(0, 10_000, (2, 10_000))
    days = rng.integers(0, 365, 10_000)
    knox.knox(x[:100], y[:100], days[:100], permutations=9, seed=1)
    seconds, table = best_time(lambda: knox.knox(x, y, days, seed=1), repeat=2)
    print(f"999 permutations: {seconds:.2f} s ({table.observed[:-1].sum():,} near pairs)")

    from pointpats import Knox

    n = 1_000
    ours, _ = best_time(lambda: knox.knox(x[:n], y[:n], days[:n], permutations=99, seed=1))
    reference, _ = best_time(
        lambda: Knox(np.column_stack([x[:n], y[:n]]), days[:n, None], 500, 28, 99), repeat=1
    )
    print(
        f"1,000 incidents, 99 permutations: ours {ours:.3f} s (whole table), pointpats Knox "
        f"{reference:.2f} s (one 2 x 2 table) -> {reference / ours:.0f}x"
    )


# --- validity ---------------------------------------------------------------------------------


def municipality(rng, n=3_000, nx=20, ny=20, cell=250.0, days=365):
    """A year of a municipality's incidents on 400 places over 5 x 5 km."""
    xy = Grid(0.0, 0.0, cell, nx, ny).centres()
    intensity = rng.lognormal(0.0, 1.0, len(xy))
    location = rng.choice(len(xy), n, p=intensity / intensity.sum())
    return xy, location, rng.integers(0, days, n)


def municipality_stages():
    print(
        "\n== One municipality, spatial stages: 15,000 incidents over 5 years on 1,600 places "
        "(10 x 10 km), the last year for the scan and Knox, 999 replications each"
    )
    rng = np.random.default_rng(SEED)
    xy, location, day = municipality(rng, n=15_000, nx=40, ny=40, days=5 * 365)
    x, y = (xy[location] + rng.uniform(-125, 125, (len(location), 2))).T
    last_year = day >= day.max() - 364

    def hot_spots():
        grid = Grid.covering(x, y, margin=hotspots.DEFAULT_BAND)
        neighbours = distance_band(grid.centres(), hotspots.DEFAULT_BAND)
        return hotspots.gi_star(
            grid.counts(x[last_year], y[last_year]), neighbours, permutations=999, seed=1
        )

    def space_time():
        return scan.space_time_scan(xy, location, day, seed=1, early_stop=None)

    def near_repeats():
        return knox.knox(x[last_year], y[last_year], day[last_year], seed=1)

    total = 0.0
    for name, stage in (
        ("Gi* (grid, 999 permutations)", hot_spots),
        ("space-time scan (999 replications)", space_time),
        ("Knox (999 permutations)", near_repeats),
    ):
        seconds, _ = best_time(stage, repeat=2)
        total += seconds
        print(f"{name}: {seconds:.2f} s")
    print(f"spatial stages together: {total:.2f} s")
    scan_against_brute_force(xy, location, day)


def scan_against_brute_force(xy, location, day):
    """One observed scan against the tests' brute-force reference (every circle and window by
    the textbook formula, vectorised numpy) on the same input."""
    from tests.analysis.brute_force_scan import brute_force

    keep = day >= day.max() - 364
    settings = {"max_radius": 1000.0, "max_days": 28, "min_cases": 3, "max_share": 0.5}
    ours, result = best_time(
        lambda: scan.space_time_scan(xy, location, day, replications=0, **settings)
    )
    reference, (llr, _, _) = best_time(
        lambda: brute_force(xy, location[keep], day[keep], day.max(), **settings), repeat=1
    )
    print(
        f"one observed scan: ours {ours * 1000:.0f} ms (with set-up), brute force "
        f"{reference:.1f} s -> {reference / ours:.0f}x; same LLR: "
        f"{np.isclose(result.clusters[0].llr, llr, rtol=1e-10)}"
    )


def scan_validity(datasets=100, planted_sizes=(4, 6, 10)):
    print(
        f"\n== Scan validity: {datasets} data sets per row, 3,000 incidents a year on 400 places "
        "(5 x 5 km), 999 replications with early stopping, alpha = 0.05"
    )
    rng = np.random.default_rng(SEED)
    start = time.perf_counter()
    significant = 0
    for i in range(datasets):
        xy, location, day = municipality(rng)
        result = scan.space_time_scan(xy, location, day, seed=i)
        significant += bool(result.clusters) and result.clusters[0].p_value <= 0.05
    print(
        f"null data: type I error {significant / datasets:.3f} "
        f"(nominal 0.05; 95 % range for 100 sets 0.01-0.09) [{time.perf_counter() - start:.0f} s]"
    )
    for size in planted_sizes:
        start = time.perf_counter()
        found = 0
        for i in range(datasets):
            xy, location, day = municipality(rng)
            centre = rng.integers(len(xy))
            near = np.flatnonzero(np.hypot(*(xy - xy[centre]).T) <= 300.0)
            location = np.concatenate([location, rng.choice(near, size)])
            day = np.concatenate([day, 364 - rng.integers(0, 7, size)])
            result = scan.space_time_scan(xy, location, day, seed=i)
            primary = result.clusters[0]
            found += primary.p_value <= 0.05 and np.isin(primary.locations, near).any()
        print(
            f"planted {size} extra incidents within 300 m over the last 7 days: found in "
            f"{found / datasets:.2f} of data sets [{time.perf_counter() - start:.0f} s]"
        )


def main(parts):
    machine()
    if "speed" in parts:
        gi_star_speed()
        scan_speed()
        knox_speed()
        municipality_stages()
    if "validity" in parts:
        scan_validity()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main(sys.argv[1:] or ["speed", "validity"])
