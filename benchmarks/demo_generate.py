"""Time the demo data generator: 1 and 5 years at scale 1, and one million incidents.

    .venv/bin/python -m benchmarks.demo_generate [--repeat 3]

Prints the best of `repeat` runs for each case (the first call also builds the cached areas,
places and lookup tables; that warm-up is timed separately).
"""

import argparse
import time
from datetime import date

from lagesbild.demo.areas import demo_areas
from lagesbild.demo.incidents import expected_counts, generate_incidents
from lagesbild.demo.places import demo_places

START = date(2021, 1, 1)
MILLION = 1_000_000


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def best_of(repeat, function):
    runs = [timed(function) for _ in range(repeat)]
    return min(seconds for seconds, _ in runs), runs[-1][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    warm_up, _ = timed(lambda: (demo_areas(), demo_places()))
    print(f"areas and places (first call, cached after): {warm_up * 1000:.0f} ms")
    areas, places = demo_areas(), demo_places()

    def generate(end, scale=1.0):
        return generate_incidents(areas, places, START, end, seed=2026, scale=scale)

    for years, end in ((1, date(2022, 1, 1)), (5, date(2026, 1, 1))):
        seconds, incidents = best_of(args.repeat, lambda end=end: generate(end))
        print(f"{years} year(s) at scale 1: {len(incidents):>9,} incidents in {seconds:.3f} s")

    # The scale at which one year holds a million incidents on average.
    one_year = expected_counts(areas, START, date(2022, 1, 1), seed=2026).sum()
    scale = MILLION / one_year
    seconds, incidents = best_of(args.repeat, lambda: generate(date(2022, 1, 1), scale))
    rate = len(incidents) / seconds
    print(
        f"1 year at scale {scale:.1f}: {len(incidents):>9,} incidents in {seconds:.3f} s "
        f"({rate:,.0f} incidents/s)"
    )
    seconds, _ = timed(incidents.occurred_datetimes)
    print(f"  then occurred_datetimes() for all of them: {seconds:.3f} s")


if __name__ == "__main__":
    main()
