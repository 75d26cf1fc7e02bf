"""Server time of the periodic pictures (quarter, tertial, year), as a logged-in coordinator.

    .venv/bin/python benchmarks/periodic_pages.py [--db sqlite|postgres] [--incidents demo 100000]
                                                  [--requests 20] [--keep] [--sql] [--profile]

Each case loads a demo partnership (`demo` = the demo's own scale, about 7,000 incidents over
2.25 years, or about `--incidents` incidents) into a database of its own (a SQLite file
var/bench/periodic_pages-*.sqlite3 or the PostgreSQL database "lagesbild_bench_periodic_pages"),
approves the last whole quarter and the last whole year as the coordinator would (the
figures are frozen with the version), then requests through Django's test Client the live
draft of the last whole year, quarter and tertial and of the quarter in progress, the two
approved versions, and the Excel files of a draft and of a version. Each page is requested a
few times to warm up and then `--requests` times; the script prints the median and 95th
percentile of the wall time, the mean CPU time a request took (this process plus, on
PostgreSQL, its server process; see web_common.cpu_seconds), the number of SQL queries and
their time when run again, and the load average of the machine (it is shared). --sql prints
each page's slowest query and its plan; --profile the ten functions with the most
cumulative time of one request per page. Target (issue 10): every page under 500 ms at demo
scale and at 100,000 incidents.
"""

import cProfile
import pstats
import sys

import web_common as bench
from web_pages import measure_pages

NOTE = "Benchmark"


def approved(membership, period) -> int:
    """The newest approved version of `period`, approving the draft first if there is none
    (so a kept database is not given a new version each run)."""
    from lagesbild.pictures import periodic, services
    from lagesbild.pictures.models import Picture

    partnership = membership.partnership
    newest = (
        Picture.objects.filter(partnership=partnership, period=str(period))
        .order_by("-version")
        .first()
    )
    if newest is not None:
        return newest.version
    return services.approve_picture(
        actor=membership.user,
        partnership=partnership,
        content=periodic.compute_period(partnership, period),
        change_note=NOTE,
        confirmed=True,
    ).version


def pages(membership) -> list[tuple[str, str]]:
    """(label, URL) of each periodic page measured."""
    from django.urls import reverse

    from lagesbild.pictures import periodic

    today = periodic.today_for(membership.partnership)
    year, quarter, tertial, running = (
        periodic.Period.containing(kind, today).shift(-1 if step else 0)
        for kind, step in (("year", 1), ("quarter", 1), ("tertial", 1), ("quarter", 0))
    )
    quarter_version, year_version = approved(membership, quarter), approved(membership, year)
    return [
        (f"year {year}, draft", reverse("pictures:period", args=[str(year)])),
        (f"quarter {quarter}, draft", reverse("pictures:period", args=[str(quarter)])),
        (f"tertial {tertial}, draft", reverse("pictures:period", args=[str(tertial)])),
        (f"quarter {running}, in progress", reverse("pictures:period", args=[str(running)])),
        (
            f"year {year}, version {year_version}",
            reverse("pictures:period_version", args=[str(year), year_version]),
        ),
        (
            f"quarter {quarter}, version {quarter_version}",
            reverse("pictures:period_version", args=[str(quarter), quarter_version]),
        ),
        (f"year {year}, Excel of draft", reverse("pictures:period_export", args=[str(year)])),
        (
            f"quarter {quarter}, Excel of v{quarter_version}",
            reverse("pictures:period_export_version", args=[str(quarter), quarter_version]),
        ),
    ]


def profile(client, url: str) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(client.get, url)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(r"pictures/|analysis/|execute_sql|render", 12)


def run_case(args) -> None:
    db, incidents = args.db, args.incidents
    bench.prepare(db, incidents)
    from lagesbild.incidents.models import Incident

    membership = bench.coordinator(incidents)
    count = Incident.objects.filter(partnership=membership.partnership).count()
    client = bench.logged_in_client(membership.user)
    print(f"== {db}, {count:,} incidents, {args.requests} requests a page")
    each = (lambda url: profile(client, url)) if args.profile else None
    measure_pages(client, pages(membership), args.requests, sql=args.sql, width=34, each=each)


def main() -> None:
    parser = bench.arguments(__doc__.splitlines()[0], ["demo", "100000"])
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument(
        "--sql", action="store_true", help="print each page's slowest query and its plan"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print a cProfile summary of one request a page"
    )
    args = parser.parse_args()
    extra = [
        "--requests",
        str(args.requests),
        *(["--sql"] if args.sql else []),
        *(["--profile"] if args.profile else []),
    ]
    bench.run(args, extra, run_case)


if __name__ == "__main__":
    sys.exit(main())
