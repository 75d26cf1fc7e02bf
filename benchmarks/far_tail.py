"""The far tail of the weekly test, where BH over ~600 series looks (p near 1e-4).

    .venv/bin/python -m benchmarks.far_tail exact            # DEFAULT against the candidates
    .venv/bin/python -m benchmarks.far_tail null --only regime dense --busier 5 --partnerships 9
    .venv/bin/python -m benchmarks.far_tail null --only dense --config THETA_ERROR
    .venv/bin/python -m benchmarks.far_tail badge           # histories with a level shift
    .venv/bin/python -m benchmarks.far_tail cells --only nb --busier 20  # the excess, by mean

``exact``: negative-binomial series with a season (not the model's law), one GLM fit per
series, and for each the week test's exact false rate at level ``a``: the probability,
under the true negative binomial, of a count whose p-value is at or below ``a``, averaged
over the series and divided by ``a`` (1 is calibrated, above 1 too many flags). Printed for
DEFAULT and for ``deviations.THETA_ERROR`` (consistent levels, theta's error), each with
the fit's error taken as gamma and as lognormal, and for ``deviations.LOGNORMAL_WEEKS``
(the week's own variation lognormal). ``null``, ``cells`` and the scorecard take
``--config THETA_ERROR``, ``LOGNORMAL_WEEKS``, ``NB_FIT_ERROR`` (the fit's error with the
negative binomial's dispersion at the target) or ``BLOCK_FIT_ERROR`` (the fit's error widened
where the window's weeks move together) too.

``null``: the scorecard's processes without plants (``benchmarks.validity_scorecard``), more
partnerships than its three, each run week by week as the app runs it: partnership weeks
with any avvikelse, and for the series with a GLM of their own the share of p-values at or
below ``a`` over ``a`` for the week, the four-week sum and their combination, and which
series carried the flags.

``cells``: the nb and regime processes' cells with a GLM of their own, by their true mean
(``--busier`` for busier partnerships): the week test's exact false rate at 1e-4 over its
level, as tested and with parts of its law replaced by the truth, and the fit's error.

``badge``: 1,200 series whose level moved (x0.6 or x1.7) one to four years before the last
of twelve tested weeks and stayed there (NB size 4, mean 3 before the shift, a season):
the rising badge's share of series-weeks for DEFAULT, the same with the target week's
reference error, and the picture, against their designs.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
from scipy import stats

from analysis import aggregate, deviations, predictive
from analysis.aggregate import ALL
from benchmarks import validity_scorecard as sc

LEVELS = (1e-2, 1e-3, 1e-4, 1e-5)


def exact_size(mean: float, theta: float, n: int, seed: int, config) -> list[float]:
    """The week test's exact false rate over its level at each of ``LEVELS``."""
    rng = np.random.default_rng(seed)
    weeks = 5 * 52 + 30
    truth = mean * (1 + 0.3 * np.sin(2 * np.pi * np.arange(weeks) / 52.18))
    counts = rng.negative_binomial(1 / theta, 1 / (1 + theta * truth), size=(n, 1, weeks))
    table = aggregate.stack_series(counts, first_week=sc.SYNTH_FIRST)
    target = weeks - 1
    dev = deviations.weekly_deviations(table, target, config)
    rows = np.flatnonzero(dev.method[:n] == deviations.GLM)
    sizes = []
    for level in LEVELS:
        chance = exact_chance(dev.law(rows), config.mixing, level, 1 / theta, truth[target])
        sizes.append(float(np.mean(chance)) / level)
    return sizes


def exact_chance(law: dict, mixing: str, level: float, size, mean) -> np.ndarray:
    """For each row of ``law`` (keywords of ``analysis.predictive``), the chance under the
    true negative binomial (``size``, ``mean``) of a count whose week p-value is at or below
    ``level``."""
    y = np.arange(0, int(np.max(mean) * 10 + 60))[None, :]
    p = predictive.upper_p(y, **law, mixing=mixing, mid=True)
    first = np.where((p <= level).any(axis=1), np.argmax(p <= level, axis=1), np.inf)
    return stats.nbinom.sf(first - 1, size, size / (size + mean))


MEAN_BANDS = ((0, 1), (1, 3), (3, 10), (10, 30), (30, np.inf))


def by_mean(make, seed: int, config) -> None:
    """A negative-binomial process's cells with a GLM of their own (``make``: the scorecard's
    nb or regime), by their true mean: the week test's
    exact false rate at 1e-4 over its level, as tested and with parts of the law replaced
    by the truth or by another fit error, to see which estimate the excess comes from; and
    ``z``, log(m / true m) over the fit's own error sqrt(c) (a mean near 0 and an sd near 1
    say the error is honest). Three partnerships, every fourth of 52 weeks."""
    rng = np.random.default_rng(seed)
    datasets = [make(rng) for _ in range(3)]
    table = sc.table_of([d.counts for d in datasets], datasets[0].first_week)
    n_weeks = datasets[0].counts.shape[2]
    true_mean = np.stack([d.mean for d in datasets])
    true_size = np.stack([np.broadcast_to(d.size, d.mean.shape)[:, :, 0] for d in datasets])
    cells = (table.area != ALL) & (table.category != ALL)
    means, zs, rates = [], [], {}
    for target in range(n_weeks - 52, n_weeks, 4):
        dev = deviations.weekly_deviations(table, target, config)
        rows = np.flatnonzero(cells & (dev.method == deviations.GLM))
        group, area, category = table.group[rows], table.area[rows], table.category[rows]
        mean = true_mean[group, area, category, target]
        size = true_size[group, area, category]
        law = dev.law(rows)
        true_theta = {"theta": 1 / size[:, None], "theta_se": 0 * law["theta_se"]}
        variants = {
            "as tested": (law, config.mixing),
            "true theta": ({**law, **true_theta}, config.mixing),
            "true m, its error kept": ({**law, "mean": mean[:, None]}, config.mixing),
            "true m and theta, no error": (
                {**law, **true_theta, "mean": mean[:, None], "c": 0 * law["c"]},
                config.mixing,
            ),
            "fit error lognormal": (law, predictive.LOGNORMAL),
            "lognormal, c x 1.25": ({**law, "c": 1.25 * law["c"]}, predictive.LOGNORMAL),
        }
        for name, (variant, mixing) in variants.items():
            chance = exact_chance(variant, mixing, 1e-4, size, mean)
            rates.setdefault(name, []).append(chance / 1e-4)
        means.append(mean)
        zs.append(np.log(dev.expected[rows] / mean) / np.sqrt(dev.fit_cv2[rows]))
    mean, z = np.concatenate(means), np.concatenate(zs)
    bands = [np.ones(mean.size, bool)] + [(mean >= lo) & (mean < hi) for lo, hi in MEAN_BANDS]
    heads = "".join(f"{f'{low:g}-{high:g}':>8s}" for low, high in MEAN_BANDS)
    print(f"  {'true mean':44s}{'all':>8s}{heads}")
    print(f"  {'GLM cell-weeks':44s}" + "".join(f"{b.sum():>8,}" for b in bands))

    def row(label, values, spec):
        figures = (f"{spec(values[b]):8.2f}" if b.sum() >= 20 else f"{'–':>8s}" for b in bands)
        print(f"  {label:44s}" + "".join(figures))

    for name, chunks in rates.items():
        row(f"rate over level, {name}", np.concatenate(chunks), np.mean)
    row("z mean", z, np.mean)
    row("z sd", z, np.std)


def null_weeks(make, partnerships: int, seed: int, config) -> None:
    rng = np.random.default_rng(seed)
    flagged, p_values, methods = [], {"week": [], "four weeks": [], "combined": []}, []
    kinds = {"GLM cell": 0, "GLM cell with theta 0": 0, "pooled cell": 0, "total": 0}
    for first in range(0, partnerships, 3):
        datasets = [make(rng) for _ in range(min(3, partnerships - first))]
        table = sc.table_of([d.counts for d in datasets], datasets[0].first_week)
        n_weeks = datasets[0].counts.shape[2]
        for target in range(n_weeks - 52, n_weeks):
            dev = deviations.weekly_deviations(table, target, config)
            hit = dev.level == deviations.DEVIATION
            flagged += [hit[table.group == g].any() for g in np.unique(table.group)]
            cell = (table.area != ALL) & (table.category != ALL)
            glm_cell = hit & cell & (dev.method == deviations.GLM)
            kinds["GLM cell"] += glm_cell.sum()
            kinds["GLM cell with theta 0"] += (glm_cell & (dev.theta == 0)).sum()
            kinds["pooled cell"] += (hit & cell & (dev.method != deviations.GLM)).sum()
            kinds["total"] += (hit & ~cell).sum()
            p_values["week"].append(dev.p_windows[:, 0])
            p_values["four weeks"].append(dev.p_windows[:, -1])
            p_values["combined"].append(dev.p_series)
            methods.append(dev.method)
    flagged = np.array(flagged)
    print(
        f"  null weeks with any avvikelse {flagged.mean():.1%} ({flagged.sum()} of {flagged.size})"
    )
    print("  flags on: " + ", ".join(f"{kind} {count}" for kind, count in kinds.items()))
    glm = np.concatenate(methods) == deviations.GLM
    for name, chunks in p_values.items():
        p = np.concatenate(chunks)
        p = p[glm & np.isfinite(p)]
        ratios = "  ".join(f"{a:.0e}: {np.mean(p <= a) / a:5.2f}" for a in LEVELS[1:])
        print(f"  GLM series, {name:10s} share of p <= a over a (n={p.size:,}): {ratios}")


def badge_after_shifts(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, weeks = 1200, 6 * 52
    mean = np.full((n, weeks), 3.0) * (1 + 0.3 * np.sin(2 * np.pi * np.arange(weeks) / 52.18))
    when = rng.integers(weeks - 4 * 52, weeks - 52 - 27, n)
    factor = rng.choice([0.6, 1.7], n)
    for row in range(n):
        mean[row, when[row] :] *= factor[row]
    counts = rng.negative_binomial(4.0, 4.0 / (4.0 + mean))[:, None, :]
    table = aggregate.stack_series(counts, first_week=sc.SYNTH_FIRST)
    configs = {
        "DEFAULT": deviations.DEFAULT,
        "DEFAULT, target week's error": replace(deviations.DEFAULT, rise_window_error=False),
        "picture": deviations.PICTURE,
    }
    for name, config in configs.items():
        shown = [
            deviations.weekly_deviations(table, target, config).rising[:n]
            for target in range(weeks - 12, weeks)
        ]
        print(f"  {name:30s} badge {np.mean(shown):.2%} (design {1 / config.rise_one_in:.2%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("part", choices=("exact", "null", "badge", "cells"))
    parser.add_argument("--only", nargs="*", default=["nb", "regime", "sparse", "dense"])
    parser.add_argument("--busier", type=float, default=1.0)
    parser.add_argument("--partnerships", type=int, default=9)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--config", default="DEFAULT", help="null, cells: a configuration of analysis.deviations"
    )
    args = parser.parse_args()
    if args.part == "exact":
        configs = {
            "DEFAULT": deviations.DEFAULT,
            "DEFAULT lognormal": replace(deviations.DEFAULT, mixing=predictive.LOGNORMAL),
            "THETA_ERROR": deviations.THETA_ERROR,
            "THETA_ERROR lognormal": replace(deviations.THETA_ERROR, mixing=predictive.LOGNORMAL),
            "LOGNORMAL_WEEKS": deviations.LOGNORMAL_WEEKS,
        }
        for mean, theta, seed in ((0.6, 0.3, 4), (1.0, 0.25, 1), (5.0, 0.1, 2), (20.0, 0.1, 3)):
            for name, config in configs.items():
                sizes = exact_size(mean, theta, 3000, seed, config)
                figures = "  ".join(
                    f"{a:.0e}: {s:4.2f}" for a, s in zip(LEVELS, sizes, strict=True)
                )
                print(f"mean {mean:4.1f} theta {theta:4.2f} {name:21s} rate over level  {figures}")
        return
    if args.part == "badge":
        badge_after_shifts(args.seed)
        return
    if args.part == "cells":
        for name in ("nb", "regime"):
            if name in args.only:
                print(f"== {name} x {args.busier:g}, seed {args.seed}, {args.config}")
                make = sc.generators(args.busier)[name]
                by_mean(make, args.seed, getattr(deviations, args.config))
        return
    for name, make in sc.generators(args.busier).items():
        if name in args.only and name != "chicago":
            print(
                f"== {name} x {args.busier:g}, {args.partnerships} partnerships, seed {args.seed}"
            )
            null_weeks(make, args.partnerships, args.seed, getattr(deviations, args.config))


if __name__ == "__main__":
    main()
