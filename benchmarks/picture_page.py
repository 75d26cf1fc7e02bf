"""The weekly picture: background analysis time and the page's server time.

    .venv/bin/python benchmarks/picture_page.py [--db sqlite|postgres] [--incidents demo 1000000]
                                                [--years 5] [--requests 20] [--keep]
                                                [--profile]

For each case (engine x size) it loads a demo partnership with `--years` of history
(`demo` = the demo's own rate, about 3,200 incidents a year), runs the weekly analysis for
last week as the background worker would (deviations, trends, Gi*, space-time scans), then
requests the picture page, its map data and the comparison page as a logged-in coordinator
through Django's test Client, printing the median and 95th percentile server time and the
number of SQL queries. Targets (issue 5): the page under 300 ms with five years of demo
history, under 1 s at 1,000,000 incidents. The analysis itself is not a page-time figure:
it runs in the background when data change.
"""

import contextlib
import cProfile
import pstats
import statistics
import sys
import time

import web_common as bench

WARM_UP = 3
INCIDENTS_PER_YEAR = 3200  # the demo generator's rate at scale 1.0
PROFILE_LINES = 25


def prepare(db: str, incidents: int | None, years: float) -> None:
    bench.setup_django(db, incidents)
    bench.collect_static()
    slug = f"{bench.slug(incidents)}-picture"

    if bench.has_demo(db, incidents, slug):
        bench.migrate()
        print(f"Reusing the kept {db} database.")
        return
    from django.db import connections

    connections.close_all()
    bench.create_database(db, incidents)
    bench.migrate()
    from lagesbild.demo.seed import seed_demo

    scale = 1.0 if incidents is None else incidents / (INCIDENTS_PER_YEAR * years)
    started = time.perf_counter()
    result = seed_demo(
        name=f"Bild {bench.size_label(incidents)}",
        slug=slug,
        years=years,
        scale=scale,
        seed=bench.DEMO_SEED,
    )
    print(
        f"Loaded {result.incidents:,} incidents ({years} years) into {db} "
        f"in {time.perf_counter() - started:.1f} s."
    )


def measure(db: str, incidents: int | None, requests: int, profile: bool) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from lagesbild.incidents import weeks
    from lagesbild.partnerships.models import Membership
    from lagesbild.pictures import runs

    membership = (
        Membership.objects.filter(role="coordinator", partnership__slug__endswith="-picture")
        .select_related("partnership", "user")
        .first()
    )
    partnership = membership.partnership
    code = weeks.shift(weeks.week_code(timezone.now(), partnership.time_zone), -1)
    iso = weeks.iso(code)
    for label, week in (("last week", iso), ("the week before", weeks.iso(weeks.shift(code, -1)))):
        started, cpu = time.perf_counter(), bench.cpu_seconds()
        profiler = cProfile.Profile() if profile else None
        with profiler or contextlib.nullcontext():
            run = runs.run_now(partnership, week)
        print(
            f"  analysis run for {label} ({week}): {time.perf_counter() - started:.2f} s, "
            f"CPU {bench.cpu_seconds() - cpu:.2f} s "
            f"({run.status}; {run.results.get('incident_count', 0)} incidents that week)"
        )
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(PROFILE_LINES)
    client = bench.logged_in_client(get_user_model().objects.get(pk=membership.user_id))
    pages = [
        ("picture page", reverse("pictures:week", args=[iso])),
        ("picture, sorted by total", reverse("pictures:week", args=[iso]) + "?sort=total&dir=desc"),
        ("map data", reverse("pictures:map_data", args=[iso])),
        ("compare with last week", reverse("pictures:compare", args=[iso])),
    ]
    print(f"  {'page':28} {'median':>9} {'p95':>9} {'queries':>8}")
    for label, url in pages:
        for _ in range(WARM_UP):
            assert client.get(url).status_code == 200, url
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"  {label:28} {statistics.median(times):7.0f}ms {p95:7.0f}ms {len(queries):8d}")


def main() -> None:
    parser = bench.arguments("Weekly picture: analysis and page time.", ["demo", "1000000"])
    parser.add_argument("--years", type=float, default=5.0)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument(
        "--profile", action="store_true", help="print where each analysis run spends its time"
    )
    args = parser.parse_args()
    extra = ["--years", str(args.years), "--requests", str(args.requests)]
    extra += ["--profile"] if args.profile else []
    if bench.run_cases(args, extra):
        return
    print(f"== {args.db}, {bench.size_label(args.incidents)}, {args.years} years")
    prepare(args.db, args.incidents, args.years)
    measure(args.db, args.incidents, args.requests, args.profile)
    bench.finish(args)


if __name__ == "__main__":
    sys.exit(main())
