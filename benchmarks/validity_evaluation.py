"""Validity of the intervention evaluation: bias and coverage of the IRR over simulated data.

Each scenario simulates ``--runs`` interventions (200 by default) with a known incidence-rate
ratio and runs ``analysis.evaluation.difference_in_differences`` on each. It prints, per
scenario: how often an estimate was given, which count model was used, the bias of log IRR,
the coverage of the 95 % interval, its median width (upper / lower limit), the share with
p < 0.05 (power, or type I error when the true IRR is 1) and the share with a placebo p-value
of at most 0.10 (with one treated area and m comparison areas the placebo p is at least
1/(m + 1), so 0.05 is out of its reach below 19 comparison areas).

Scenarios (weekly counts for one treated and 15 comparison areas, 26 weeks before and 13
after, area means 0.5-5 a week, a seasonal wave shared by all areas):

- nb_effect: negative-binomial counts (alpha 0.3), true IRR 0.7 — the model is right;
- nb_null: the same with no effect (IRR 1) — type I error;
- ar1_null: no effect, but each area's rate wanders (AR(1), rho 0.7, sd 0.3 on the log scale),
  so weeks are correlated — a misspecified model, to show what the placebo p guards against;
- few_comparisons: IRR 0.5, only 4 comparison areas — the placebo p cannot go below 1/5.

Run (single-threaded BLAS: on a shared 2-core machine threaded BLAS on these small matrices
is many times slower, not faster):

    OPENBLAS_NUM_THREADS=1 .venv/bin/python -m benchmarks.validity_evaluation [--runs 200]
"""

import argparse
import math
import os
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from analysis.evaluation import ESTIMATE, difference_in_differences

PRE_WEEKS, POST_WEEKS = 26, 13


@dataclass(frozen=True)
class Scenario:
    name: str
    irr: float
    n_comparison: int = 15
    nb_alpha: float = 0.3
    ar1_sd: float = 0.0
    ar1_rho: float = 0.7


SCENARIOS = [
    Scenario("nb_effect", irr=0.7),
    Scenario("nb_null", irr=1.0),
    Scenario("ar1_null", irr=1.0, ar1_sd=0.3),
    Scenario("few_comparisons", irr=0.5, n_comparison=4),
]


def simulate(scenario: Scenario, rng: np.random.Generator):
    """Counts (units x weeks), treated mask, post mask for one simulated intervention."""
    n_units, n_weeks = scenario.n_comparison + 1, PRE_WEEKS + POST_WEEKS
    weeks = np.arange(n_weeks)
    level = rng.uniform(0.5, 5.0, n_units)[:, None]
    season = np.exp(0.3 * np.sin(2 * np.pi * (weeks + rng.uniform(0, 52)) / 52))[None, :]
    treated = np.arange(n_units) == 0
    post = weeks >= PRE_WEEKS
    mu = level * season * np.where(treated[:, None] & post[None, :], scenario.irr, 1.0)
    if scenario.ar1_sd:
        mu = mu * np.exp(_ar1(rng, n_units, n_weeks, scenario.ar1_rho, scenario.ar1_sd))
    size = 1 / scenario.nb_alpha
    return rng.negative_binomial(size, size / (size + mu)), treated, post


def _ar1(rng, n_units, n_weeks, rho, sd):
    """Stationary AR(1) paths with marginal sd ``sd``, centred so the mean rate is unchanged."""
    noise = rng.normal(0, sd * math.sqrt(1 - rho**2), (n_units, n_weeks))
    path = np.empty_like(noise)
    path[:, 0] = rng.normal(0, sd, n_units)
    for week in range(1, n_weeks):
        path[:, week] = rho * path[:, week - 1] + noise[:, week]
    return path - sd**2 / 2


def run(scenario: Scenario, runs: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    log_irrs, covered, widths, wald, placebo, models = [], 0, [], 0, [], Counter()
    estimates = 0
    for _ in range(runs):
        counts, treated, post = simulate(scenario, rng)
        result = difference_in_differences(counts, treated, post, seed=int(rng.integers(1 << 31)))
        if result.verdict != ESTIMATE:
            continue
        estimates += 1
        models[result.model] += 1
        log_irrs.append(math.log(result.irr) if result.irr > 0 else -np.inf)
        covered += result.ci_low <= scenario.irr <= result.ci_high
        widths.append(result.ci_high / result.ci_low if result.ci_low > 0 else np.inf)
        wald += result.p_value < 0.05
        placebo.append(result.placebo_p)
    log_irrs = np.array(log_irrs)
    finite = log_irrs[np.isfinite(log_irrs)]
    placebo = np.array(placebo)
    return {
        "estimates": estimates,
        "models": dict(models),
        "bias_log_irr": float(finite.mean() - math.log(scenario.irr)),
        "rmse_log_irr": float(np.sqrt(np.mean((finite - math.log(scenario.irr)) ** 2))),
        "median_irr": float(np.exp(np.median(log_irrs))),
        "coverage": covered / estimates,
        "median_ci_ratio": float(np.median(widths)),
        "share_p_below_05": wald / estimates,
        "share_placebo_p_at_most_10": float(np.mean(placebo <= 0.10)),
        "smallest_placebo_p_possible": 1 / (scenario.n_comparison + 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()
    print(
        f"runs per scenario: {args.runs}, seed {args.seed}, "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}"
    )
    print(f"{PRE_WEEKS} weeks before, {POST_WEEKS} after; 95 % intervals; p < 0.05\n")
    for number, scenario in enumerate(SCENARIOS):
        started = time.perf_counter()
        figures = run(scenario, args.runs, args.seed + number)
        elapsed = time.perf_counter() - started
        print(
            f"{scenario.name} (true IRR {scenario.irr}, {scenario.n_comparison} comparison "
            f"areas) — {elapsed:.0f} s, {elapsed / args.runs:.2f} s per evaluation"
        )
        for key, value in figures.items():
            print(f"  {key:26} {value:.3f}" if isinstance(value, float) else f"  {key:26} {value}")
        print()


if __name__ == "__main__":
    main()
