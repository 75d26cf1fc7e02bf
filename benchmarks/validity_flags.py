"""Validity of the weekly deviation flags on synthetic partnerships with planted outbreaks.

    .venv/bin/python -m benchmarks.validity_flags [--partnerships 20] [--weeks 8]
    .venv/bin/python -m benchmarks.validity_flags --incidents-per-year 20000  # a big city

Each partnership (25 areas x 20 categories, 3,000 incidents a year unless told, NB size 5,
yearly season and peaks) gets outbreaks of 1-4 weeks at 2-10 times the baseline in 2 % of its
area x category series (drawn in proportion to their incidents: outbreaks happen where
things happen), ending in the tested weeks. For each of the last ``weeks`` weeks
the flags are computed and compared with the truth. Printed, for DEFAULT and for the
R-compatible configuration:

- sensitivity: share of the planted (area x category) outbreak weeks flagged, overall and
  by the true baseline mean of the series;
- detection in the first outbreak week;
- detection at any level: the planted week flagged in its cell, its area total or its
  category total;
- false-alarm rate: flags per series-week on series (any level) without an outbreak that
  week (a total containing an outbreak counts as an outbreak series);
- realised FDR: the false share of a partnership week's flags (0 for a week without
  flags), averaged over partnership weeks, as the FDR is defined; and pooled, false flags
  over all flags.

A "flag" is level "avvikelse"; for the R-compatible configuration R's own alarm rule
(above the 95 % bound, 5 in 4 weeks) is printed too. Prints figures only.
"""

from __future__ import annotations

import argparse
import datetime as dt

import numpy as np

from analysis import aggregate, deviations, simulation, weeks

FIRST = weeks.week_index(dt.date(2018, 1, 1))
N_WEEKS = 6 * 52
SIZE_BANDS = ((0.0, 0.5), (0.5, 2.0), (2.0, np.inf))


def partnership(rng, group: int, n_weeks_tested: int, incidents_per_year: float):
    """A partnership's series table, the outbreak truth per series-week, and true means."""
    shape = simulation.Partnership(incidents_per_year=incidents_per_year)
    mean = simulation.expected_cube(rng, shape, FIRST, N_WEEKS)
    counts = simulation.draw_counts(rng, mean, shape.dispersion_size)
    n_cells = shape.n_areas * shape.n_categories
    flat = counts.reshape(n_cells, N_WEEKS)
    flat, truth = simulation.plant_outbreaks(
        rng,
        flat,
        mean.reshape(n_cells, N_WEEKS),
        n_outbreaks=n_cells // 50,
        last_week=N_WEEKS - 1 - rng.integers(0, n_weeks_tested // 2),
        weights=mean.reshape(n_cells, N_WEEKS).sum(axis=1),
    )
    cube = flat.reshape(counts.shape)
    table = aggregate.stack_series(cube, first_week=FIRST, group=group)
    truth_table = aggregate.stack_series(truth.reshape(counts.shape), first_week=FIRST)
    true_mean = aggregate.stack_series(mean, first_week=FIRST)
    planted = (table.area != aggregate.ALL) & (table.category != aggregate.ALL)
    return table, truth_table.counts > 0, true_mean.counts, planted


def _related_rows(table) -> np.ndarray:
    """For each row: itself, its area total and its category total (rows x 3)."""
    index = {(a, c): row for row, (a, c) in enumerate(zip(table.area, table.category, strict=True))}
    all_ = aggregate.ALL
    return np.array(
        [
            [index[(a, c)], index[(a, all_)], index[(all_, c)]]
            for a, c in zip(table.area, table.category, strict=True)
        ]
    )


def evaluate(tables, flag_of, n_weeks_tested: int) -> dict[str, float]:
    flagged, truth, first_week, baseline, cell, any_level = [], [], [], [], [], []
    false_share = []  # false flags / flags in each partnership week (0 without flags)
    for table, outbreak, true_mean, planted in tables:
        related = _related_rows(table)
        for target in range(N_WEEKS - n_weeks_tested, N_WEEKS):
            flags = flag_of(table, target)
            flagged.append(flags)
            any_level.append(flags[related].any(axis=1))
            false_share.append((flags & ~outbreak[:, target]).sum() / max(flags.sum(), 1))
            truth.append(outbreak[:, target])
            first_week.append(outbreak[:, target] & ~outbreak[:, target - 1] & planted)
            baseline.append(true_mean[:, target])
            cell.append(planted)
    flagged, truth, cell = np.concatenate(flagged), np.concatenate(truth), np.concatenate(cell)
    any_level = np.concatenate(any_level)
    first_week, baseline = np.concatenate(first_week), np.concatenate(baseline)
    figures = {
        "sensitivity (planted series)": flagged[truth & cell].mean(),
        "detection in the first week": flagged[first_week].mean(),
        "detection at any level": any_level[truth & cell].mean(),
        "false-alarm rate": flagged[~truth].mean(),
        "realised FDR (mean false share per week)": np.mean(false_share),
        "false flags / all flags": (flagged & ~truth).sum() / max(flagged.sum(), 1),
        "flags": flagged.sum(),
        "outbreak series-weeks": truth.sum(),
    }
    for low, high in SIZE_BANDS:
        band = truth & cell & (baseline >= low) & (baseline < high)
        share = flagged[band].mean() if band.any() else np.nan
        figures[f"sensitivity, baseline {low}-{high}/week (n={band.sum()})"] = share
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partnerships", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--incidents-per-year", type=float, default=3000.0)
    args = parser.parse_args()
    rng = np.random.default_rng(2013)
    tables = [
        partnership(rng, group, args.weeks, args.incidents_per_year)
        for group in range(args.partnerships)
    ]
    n_series = sum(table.n_series for table, *_ in tables)
    print(
        f"{args.partnerships} partnerships of {args.incidents_per_year:,.0f} incidents a year, "
        f"{n_series:,} series, last {args.weeks} weeks tested; outbreaks 1-4 weeks at "
        f"2-10x baseline in 2 % of area x category series"
    )
    configurations = {
        "DEFAULT avvikelse (BH q=0.05)": lambda table, target: (
            deviations.weekly_deviations(table, target).level == deviations.DEVIATION
        ),
        "DEFAULT avvikelse or bevaka": lambda table, target: (
            deviations.weekly_deviations(table, target).level != deviations.NONE
        ),
        "R-compatible avvikelse (BH on plug-in p)": lambda table, target: (
            deviations.weekly_deviations(table, target, deviations.R_COMPATIBLE).level
            == deviations.DEVIATION
        ),
        "R-compatible alarm (R's rule)": lambda table, target: (
            deviations.weekly_deviations(table, target, deviations.R_COMPATIBLE).alarm
        ),
    }
    for name, flag_of in configurations.items():
        figures = evaluate(tables, flag_of, args.weeks)
        print(f"\n{name}")
        for key, value in figures.items():
            text = f"{value:,}" if isinstance(value, (int, np.integer)) else f"{value:.4f}"
            print(f"  {key:44s} {text}")


if __name__ == "__main__":
    main()
