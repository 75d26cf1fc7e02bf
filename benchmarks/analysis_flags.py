"""Speed of the weekly deviation flags, national and for one municipality. Prints figures.

    .venv/bin/python -m benchmarks.analysis_flags [--partnerships 290] [--sample 300]

National: partnerships x 25 areas x 20 categories (145,000 area x category series, plus
area, category and partnership totals) x 260 weeks, one call for the last week. Reported:
wall time, peak memory (ru_maxrss), series per second, numba warm-up separately, 1 and 2
threads, and beside it statsmodels fitting the same Farrington procedure one series at a
time (timed on a sample, scaled) and R's farringtonFlexible on a sample when Rscript is there.
Municipality: 30 areas x 20 categories x 5 years.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import resource
import shutil
import subprocess
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numba
import numpy as np
import scipy
import statsmodels.api as sm

from analysis import aggregate, deviations, farrington, simulation, weeks

FIRST = weeks.week_index(dt.date(2020, 1, 6))
N_WEEKS = 260
TARGET = N_WEEKS - 1
# 260 weeks hold 4 whole years before the last week plus R's margin, so R's b is 4 here.
R_COMPATIBLE = replace(deviations.R_COMPATIBLE, baseline=farrington.FarringtonConfig(years=4))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def national_table(n_partnerships: int, n_areas: int = 25, n_categories: int = 20):
    rng = np.random.default_rng(2026)
    shape = simulation.Partnership(n_areas=n_areas, n_categories=n_categories)
    tables = []
    for group in range(n_partnerships):
        mean = simulation.expected_cube(rng, shape, FIRST, N_WEEKS)
        cube = simulation.draw_counts(rng, mean, shape.dispersion_size)
        tables.append(aggregate.stack_series(cube, first_week=FIRST, group=group))
    return aggregate.concat_series(tables)


def timed(function, *args):
    """Result, wall seconds and CPU seconds (the machine may be shared: CPU shows the work)."""
    began, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - began, time.process_time() - cpu


def statsmodels_farrington(y: np.ndarray, plan: farrington.Design, years: int) -> float:
    """The same Farrington procedure with statsmodels, for one series; returns exp(eta)."""
    x_trend = np.column_stack([np.eye(plan.n_levels)[plan.level], plan.time])
    x_flat = x_trend[:, :-1]

    def fit(x):
        first = sm.GLM(y, x, family=sm.families.Poisson()).fit(scale="X2")
        mu, leverage = first.fittedvalues, first.get_hat_matrix_diag()
        s = 1.5 * (y ** (2 / 3) * mu ** (-1 / 6) - np.sqrt(mu))
        s /= np.sqrt(max(first.scale, 1.0) * (1 - leverage))
        omega = np.where(s > 2.58, s**-2.0, 1.0)
        omega *= len(y) / omega.sum()
        return sm.GLM(y, x, family=sm.families.Poisson(), var_weights=omega).fit(scale="X2")

    model = fit(x_trend)
    significant = model.pvalues[-1] < 0.05
    if not (years >= 3 and significant and np.exp(model.params[plan.target_level]) <= y.max()):
        model = fit(x_flat)
    return float(np.exp(model.params[plan.target_level]))


def statsmodels_rate(table, rows: np.ndarray) -> float:
    """Series per second for statsmodels on a sample of rows."""
    plan = farrington.design(TARGET, FIRST, R_COMPATIBLE.baseline)
    began = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for row in rows:
            # an all-zero series makes statsmodels refuse (R gives no result either)
            with contextlib.suppress(ValueError):
                statsmodels_farrington(table.counts[row, plan.columns].astype(float), plan, 4)
    return len(rows) / (time.process_time() - began)


R_SCRIPT = """
suppressMessages(library(surveillance))
args <- commandArgs(trailingOnly = TRUE)
observed <- as.matrix(read.csv(args[1], header = FALSE))
mondays <- as.Date(readLines(args[2]))
data <- sts(observed = observed, epoch = mondays, frequency = 52, epochAsDate = TRUE)
control <- list(range = nrow(observed), b = 4, w = 3, noPeriods = 10,
  pastWeeksNotIncluded = 26, weightsThreshold = 2.58, thresholdMethod = "nbPlugin",
  glmWarnings = FALSE)
began <- Sys.time()
result <- suppressWarnings(farringtonFlexible(data, control = control))
cat(as.numeric(difftime(Sys.time(), began, units = "secs")),
  sum(!is.na(result@control$mu0Vector)))
"""


def r_rate(table, rows: np.ndarray) -> tuple[float, int] | None:
    """R's farringtonFlexible on a sample (R start-up not counted): successful fits per
    second and how many of the sample R fitted (it gives NA where its GLM does not
    converge, and those failures must not pass for work done)."""
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        np.savetxt(tmp / "observed.csv", table.counts[rows].T, fmt="%d", delimiter=",")
        mondays = "\n".join(str(weeks.monday(FIRST + j)) for j in range(N_WEEKS))
        (tmp / "mondays.txt").write_text(mondays + "\n")
        (tmp / "run.R").write_text(R_SCRIPT)
        done = subprocess.run(
            ["Rscript", str(tmp / "run.R"), str(tmp / "observed.csv"), str(tmp / "mondays.txt")],
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        return None
    seconds, fitted = done.stdout.strip().split()[-2:]
    return int(fitted) / float(seconds), int(fitted)


def warm_up() -> float:
    small = national_table(1, 3, 2)
    return timed(deviations.weekly_deviations, small, TARGET)[1]


def national(args) -> None:
    table, seconds, _ = timed(national_table, args.partnerships)
    cells = int(((table.area >= 0) & (table.category >= 0)).sum())
    print(
        f"national data: {args.partnerships} partnerships, {table.n_series:,} series "
        f"({cells:,} area x category) x {N_WEEKS} weeks, generated in {seconds:.1f} s, "
        f"peak {peak_mb():,.0f} MB"
    )
    for threads in (1, 2):
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        for name, config in (("DEFAULT", deviations.DEFAULT), ("R-compatible", R_COMPATIBLE)):
            result, seconds, cpu = timed(deviations.weekly_deviations, table, TARGET, config)
            methods = np.bincount(result.method, minlength=4)
            print(
                f"  {name:12s} {threads} thread(s): {seconds:6.2f} s wall, {cpu:6.2f} s CPU, "
                f"{table.n_series / seconds:,.0f} series/s, peak {peak_mb():,.0f} MB; "
                f"GLM {methods[deviations.GLM]:,}, pooled {methods[deviations.POOLED]:,}, "
                f"deviations {(result.level == deviations.DEVIATION).sum():,}, "
                f"watch {(result.level == deviations.WATCH).sum():,}"
            )
    ours_rate = table.n_series / cpu
    rng = np.random.default_rng(0)
    sample = rng.choice(table.n_series, args.sample, replace=False)
    sm_rate = statsmodels_rate(table, sample)
    print(
        f"statsmodels, one series at a time (R-compatible procedure, {args.sample} series): "
        f"{sm_rate:,.0f} series per CPU second -> {table.n_series / sm_rate:,.0f} CPU s for "
        f"all; ours R-compatible does {ours_rate / sm_rate:,.0f}x as many per CPU second"
    )
    found = r_rate(table, sample[: args.r_sample])
    if found is None:
        print("R farringtonFlexible: Rscript or surveillance not available")
    else:
        rate, fitted = found
        share = fitted / args.r_sample
        print(
            f"R farringtonFlexible ({args.r_sample} series, {fitted} fitted, NA on the rest): "
            f"{rate:,.1f} fitted series/s (R's clock) -> {table.n_series * share / rate / 60:,.0f}"
            f" min for the {share:.0%} of all series it would fit; ours {ours_rate / rate:,.0f}x"
        )


def municipality() -> None:
    rng = np.random.default_rng(7)
    shape = simulation.Partnership(n_areas=30, n_categories=20)
    mean = simulation.expected_cube(rng, shape, FIRST, N_WEEKS)
    table = aggregate.stack_series(simulation.draw_counts(rng, mean, 5.0), first_week=FIRST)
    for name, config in (("DEFAULT", deviations.DEFAULT), ("R-compatible", R_COMPATIBLE)):
        _, seconds, cpu = timed(deviations.weekly_deviations, table, TARGET, config)
        print(
            f"municipality (30 x 20 x 5 years, {table.n_series} series) {name}: "
            f"{seconds:.3f} s wall, {cpu:.3f} s CPU"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partnerships", type=int, default=290)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--r-sample", type=int, default=40)
    args = parser.parse_args()
    print(
        f"{platform.processor() or platform.machine()}, {numba.config.NUMBA_NUM_THREADS} "
        f"threads, numpy {np.__version__}, numba {numba.__version__}, "
        f"scipy {scipy.__version__}, statsmodels {sm.__version__}"
    )
    print(f"numba warm-up (first call, JIT or cache load): {warm_up():.2f} s")
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    municipality()
    national(args)


if __name__ == "__main__":
    main()
