"""Time the indicator deviation method (analysis/indicators.py) at the scale of a large
partnership's weekly picture: 200 areas × 5 indicators, five years of monthly history each.

    .venv/bin/python -m benchmarks.indicators [--areas 200] [--repeat 3]

Prints the best of `repeat` runs per scale (amounts, counts, survey shares) and per area
and indicator. The picture's section runs this once per area and visible indicator.
"""

import argparse
import time

import numpy as np

from analysis import indicators as method

INDICATORS = 5
YEARS = 5


def series(rng, scale: str) -> list[method.Point]:
    points = []
    for year in range(2021, 2021 + YEARS):
        for month in range(1, 13):
            if scale == method.SHARE:
                points.append(method.Point(year, month, float(rng.uniform(10, 40)), 300))
            elif scale == method.COUNT:
                points.append(method.Point(year, month, float(rng.poisson(8))))
            else:
                points.append(method.Point(year, month, float(rng.lognormal(9, 0.3))))
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    count = args.areas * INDICATORS
    for scale in (method.AMOUNT, method.COUNT, method.SHARE):
        data = [series(rng, scale) for _ in range(count)]
        best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            for points in data:
                method.assess(scale, method.MONTH, points[-1], points[:-1])
            best = min(best, time.perf_counter() - started)
        print(
            f"{scale:>6}: {count} series of {YEARS * 12} months in {best * 1000:.0f} ms "
            f"({best / count * 1e6:.0f} µs per series)"
        )


if __name__ == "__main__":
    main()
