"""Time an intervention's evaluation (computed when it is closed, in the request) and the
yearly deepened picture's page data, PDF and Excel, for the demo partnership.

    .venv/bin/python benchmarks/intervention_evaluation.py [--db sqlite|postgres]
                                                          [--incidents demo ...]
                                                          [--repeats 5] [--keep]

The case's database is created and loaded with the demo (seed_demo, the `make run` demo at
the default size) unless a kept one is there (this script's --keep). For every demo
intervention the evaluation (`evaluation.evaluate`: comparison proposal, weekly counts,
difference-in-differences, event study, WDQ) is computed once cold and `--repeats` times
warm; for the year of the newest demo intervention the yearly picture's data, PDF and Excel
are built the same way. Wall and CPU time of this process are printed: on a shared machine
the difference is time spent waiting for a core.

Decides (issue 12) whether closing an intervention may compute its evaluation in the
request or needs the background queue.
"""

import os
import statistics
import sys
import time

import web_common as bench


def timed(work) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds, result) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def report(label: str, work, repeats: int) -> object:
    first = timed(work)[0]
    results = [timed(work) for _ in range(repeats)]
    walls, cpus = [r[0] for r in results], [r[1] for r in results]
    print(
        f"  {label:42} median {statistics.median(walls):6.3f} s wall "
        f"(max {max(walls):6.3f}), median {statistics.median(cpus):6.3f} s CPU; "
        f"first {first:6.3f} s",
        flush=True,
    )
    return results[-1][2]


def run_case(args) -> None:
    bench.prepare(args.db, args.incidents)
    from lagesbild.interventions import evaluation, queries
    from lagesbild.interventions.yearly import yearly_picture
    from lagesbild.interventions.yearly_excel import build as build_excel
    from lagesbild.interventions.yearly_pdf import build as build_pdf

    membership = bench.coordinator(args.incidents)
    items = list(queries.interventions(membership).order_by("start_date", "id"))
    load = os.getloadavg()[0]
    print(f"== {args.db}, {len(items)} interventions, {args.repeats} repeats (load {load:.1f})")
    for item in items:
        result = report(
            f"evaluate {item.title[:30]}", lambda item=item: evaluation.evaluate(item), args.repeats
        )
        print(f"    verdict {result['verdict']}, {len(result['comparison'])} comparison areas")
    year = max((i.start_date for i in items if i.start_date), default=None)
    if year is not None:
        data = report(
            f"yearly picture data {year.year}",
            lambda: yearly_picture(membership, year.year),
            args.repeats,
        )
        report("yearly PDF (data excluded)", lambda: build_pdf(data), args.repeats)
        report("yearly Excel (data excluded)", lambda: build_excel(data), args.repeats)
    bench.finish(args)


def main() -> None:
    parser = bench.arguments(__doc__.splitlines()[0], ["demo"])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per measurement")
    args = parser.parse_args()
    if not bench.run_cases(args, ["--repeats", str(args.repeats)]):
        run_case(args)


if __name__ == "__main__":
    sys.exit(main())
