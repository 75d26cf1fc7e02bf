"""Server time of the incident list, the weekly table and the area page, as a coordinator.

    .venv/bin/python benchmarks/web_pages.py [--db sqlite|postgres] [--incidents 100000 ...]
                                             [--requests 20] [--keep] [--sql]

Requests go through Django's test Client, so they pass the whole middleware stack, the real
views and template rendering, but no network or HTTP server. Each page is requested a few
times to warm caches, then `--requests` times; the script prints the median and 95th
percentile of the wall time, the mean CPU time a request took (this process plus, on
PostgreSQL, its server process; see web_common.cpu_seconds) and, from one more request, how
many SQL queries the page ran and how long they take when run again. --sql also prints each
page's slowest query and its plan (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on
PostgreSQL). The case's database is created and loaded unless a kept one (web_seed.py
--keep) is there; it is dropped afterwards unless --keep is given. Targets (issue 3): weekly
table under 300 ms, incident list under 200 ms at 1,000,000 incidents.
"""

import os
import sys
import time
from datetime import timedelta

import web_common as bench

WARM_UP = 3


def pages(membership) -> list[tuple[str, str]]:
    """(label, URL) of each page measured, with filters a coordinator would use."""
    from django.urls import reverse
    from django.utils import timezone

    from lagesbild.geography.models import Area
    from lagesbild.incidents import weeks
    from lagesbild.incidents.models import Category

    partnership = membership.partnership
    this_week = weeks.week_code(timezone.now(), partnership.time_zone)
    last_week = weeks.iso(weeks.shift(this_week, -1))
    year_ago = weeks.iso(weeks.shift(this_week, -52))
    today = timezone.localdate()
    month = [(today - timedelta(days=days)).isoformat() for days in (400, 370)]
    area = Area.objects.filter(partnership=partnership, parent__isnull=False).order_by("pk")[0]
    category = Category.objects.get(partnership=partnership, code="klotter")
    listing, weekly = reverse("incidents:list"), reverse("incidents:weekly")
    return [
        ("list, first page", listing),
        ("list, page 100", f"{listing}?page=100"),
        ("list, last week", f"{listing}?week={last_week}"),
        ("list, a week a year ago", f"{listing}?week={year_ago}"),
        ("list, a month by dates", f"{listing}?date_from={month[0]}&date_to={month[1]}"),
        ("list, area + category", f"{listing}?area={area.pk}&category={category.pk}"),
        ("list, sorted by category", f"{listing}?sort=category"),
        ("list, free text", f"{listing}?q=klotter"),
        ("weekly, this week", weekly),
        ("weekly, last week by category", f"{weekly}?week={last_week}&per=kategori"),
        ("areas list", reverse("pictures:areas")),
        ("area page", reverse("pictures:area", args=[area.pk])),
    ]


def timed_get(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return seconds


def queries_of(client, url: str) -> list[str]:
    """The SQL (with its parameters filled in) that one request to `url` runs, each as the
    plain SELECT behind it: on PostgreSQL, iterating a form's choices declares a server-side
    cursor ('DECLARE name ... CURSOR WITH HOLD FOR SELECT ...')."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return [
        sql.split(" FOR ", 1)[1] if sql.startswith("DECLARE") else sql
        for sql in (q["sql"] for q in captured.captured_queries)
    ]


def rerun(sql: str) -> float:
    """Seconds to run `sql` again and fetch all its rows. The Client's own capture times only
    execute(), which on SQLite leaves most of the work to the fetch."""
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql)
        if cursor.description is not None:  # a write (the session's expiry, say) has no rows
            cursor.fetchall()
        return time.perf_counter() - started


def plan(sql: str) -> list[str]:
    from django.db import connection

    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql)
        return [" ".join(str(c) for c in row) for row in cursor.fetchall()]


def measure_pages(client, pages, requests: int, *, sql: bool, width: int, each=None) -> None:
    """For each (label, url): WARM_UP requests, then `requests` timed ones; print the median
    and 95th percentile server time, the mean CPU time, the queries with their time when run
    again, and the load average; with `sql` the slowest query and its plan; `each(url)` after
    a page (a profile, say)."""
    for label, url in pages:
        for _ in range(WARM_UP):
            timed_get(client, url)
        cpu = bench.cpu_seconds()
        seconds = [timed_get(client, url) for _ in range(requests)]
        cpu = (bench.cpu_seconds() - cpu) / requests
        queries = [(rerun(query), query) for query in queries_of(client, url)]
        print(
            f"  {label:{width}} {bench.milliseconds(seconds)}, CPU {cpu * 1000:6.1f} ms; "
            f"{len(queries):2} queries ({sum(t for t, _ in queries) * 1000:6.1f} ms of SQL "
            f"when run again); load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        if sql:
            slowest, query = max(queries)
            print(f"      slowest {slowest * 1000:.1f} ms: {query[:2000]}")
            print("\n".join(f"        {line}" for line in plan(query)))
        if each:
            each(url)


def run_case(args) -> None:
    db, incidents = args.db, args.incidents
    bench.prepare(db, incidents)
    from lagesbild.incidents.models import Incident

    membership = bench.coordinator(incidents)
    count = Incident.objects.filter(partnership=membership.partnership).count()
    client = bench.logged_in_client(membership.user)
    load = os.getloadavg()[0]
    print(f"== {db}, {count:,} incidents, {args.requests} requests a page (load {load:.1f})")
    measure_pages(client, pages(membership), args.requests, sql=args.sql, width=30)


def main() -> None:
    parser = bench.arguments(__doc__.splitlines()[0], ["100000", "1000000"])
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument(
        "--sql", action="store_true", help="print each page's slowest query and its plan"
    )
    args = parser.parse_args()
    extra = ["--requests", str(args.requests), *(["--sql"] if args.sql else [])]
    bench.run(args, extra, run_case)


if __name__ == "__main__":
    sys.exit(main())
