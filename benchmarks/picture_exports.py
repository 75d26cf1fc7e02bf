"""Time the exports of the weekly picture (PDF, Excel, GeoJSON, GeoPackage) for a demo
partnership, as a coordinator exports last week's draft.

    .venv/bin/python benchmarks/picture_exports.py [--db sqlite|postgres] [--incidents demo ...]
                                                   [--repeats 5] [--keep]

The case's database is created and loaded with the demo (seed_demo, the `make run` demo at
the default size) unless a kept one is there (this script's --keep). Last week's analysis run
is computed once; its time is printed for context only, since it runs in the background and
never in an export. Then each format is built once cold (printed as "first in the process":
imports and font loading included) and `--repeats` times warm, from the content dict as the
download view does it: assemble + build, with the scoped reads of outlines and incidents, but
not the audit row or HTTP. Besides wall time the script prints the CPU time of its own
process: on a shared machine the difference is time spent waiting for a core.

Target (issue 5): the PDF in under 3 s for the demo partnership.
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


def run_case(args) -> None:
    db, incidents = args.db, args.incidents
    bench.prepare(db, incidents)
    from django.utils import timezone

    from lagesbild.incidents import weeks
    from lagesbild.incidents.models import Incident
    from lagesbild.pictures import runs, services
    from lagesbild.pictures.exports.edition import Edition
    from lagesbild.pictures.exports.formats import FORMATS

    membership = bench.coordinator(incidents)
    partnership = membership.partnership
    code = weeks.shift(weeks.week_code(timezone.now(), partnership.time_zone), -1)
    iso = weeks.iso(code)
    total = Incident.objects.filter(partnership=partnership).count()
    load = os.getloadavg()[0]
    print(f"== {db}, {total:,} incidents, week {iso}, {args.repeats} repeats (load {load:.1f})")
    wall, cpu, run = timed(lambda: runs.run_now(partnership, iso))
    content = services.assemble(partnership, code, run)
    print(
        f"  analysis run (background, for context): {wall:.2f} s wall, {cpu:.2f} s CPU; "
        f"{len(content['areas'])} areas, {len(content['groups'])} groups, "
        f"{len(content['incident_ids'])} incidents counted, "
        f"{len(content['hotspots']['cells'])} hot-spot cells, {len(content['clusters'])} clusters"
    )
    for fmt, chosen in FORMATS.items():

        def export(chosen=chosen):
            edition = Edition(services.assemble(partnership, code, run), membership)
            return chosen.build(edition)

        first = timed(export)[0]  # the process's first: imports, fonts, cold queries
        results = [timed(export) for _ in range(args.repeats)]
        walls = [r[0] for r in results]
        cpus = [r[1] for r in results]
        size = len(results[-1][2]) / 1000
        print(
            f"  {fmt:15} median {statistics.median(walls):6.3f} s wall "
            f"(max {max(walls):6.3f}), median {statistics.median(cpus):6.3f} s CPU, "
            f"{size:8.1f} kB; first in the process {first:6.3f} s",
            flush=True,
        )
    bench.finish(args)


def main() -> None:
    parser = bench.arguments(__doc__.splitlines()[0], ["demo"])
    parser.add_argument("--repeats", type=int, default=5, help="timed builds per format")
    args = parser.parse_args()
    if not bench.run_cases(args, ["--repeats", str(args.repeats)]):
        run_case(args)


if __name__ == "__main__":
    sys.exit(main())
