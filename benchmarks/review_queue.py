"""Server time of the review queue (/handelser/granska/) at a real partnership's volume.

    .venv/bin/python benchmarks/review_queue.py [--db sqlite|postgres] [--incidents 100000]
                                                [--waiting 5000] [--requests 20] [--keep] [--sql]

Each case loads a demo partnership of about `--incidents` incidents into a database of its
own (a SQLite file var/bench/review_queue-*.sqlite3 or the PostgreSQL database
"lagesbild_bench_review_queue"), then shapes its queue as a partnership that has fallen
behind: the `--waiting` most recently reported incidents wait for review (status new), every
other one is accepted (the demo's rejected stay rejected), one in twenty of the waiting is
flagged for personal data and one in ten came by import, and each was reported an hour to
three days after it happened. Then, as a logged-in coordinator through Django's test
Client (the whole middleware stack, views and templates, no network), it requests the queue
with each filter and sort a coordinator uses, a few times to warm up and then `--requests`
times, and prints the median and 95th percentile of the server time, the mean CPU time
(see web_common.cpu_seconds), the number of SQL queries and their time when run again.
--sql prints each page's slowest query and its plan. Target (issue 10): under 300 ms at
100,000 incidents with 5,000 waiting.
"""

import os
import sys
from datetime import timedelta

import web_common as bench
from web_pages import measure_pages


def shape_queue(partnership, waiting: int) -> None:
    """Make the `waiting` newest reports the queue; idempotent, so a kept database is
    reshaped the same way."""
    from django.db import transaction
    from django.db.models import F

    from lagesbild.incidents.models import Incident

    incidents = Incident.objects.filter(partnership=partnership)
    with transaction.atomic():
        # Reported an hour to three days after it happened, spread by the id.
        for hours, remainder in ((1, 0), (5, 1), (26, 2), (72, 3)):
            incidents.filter(id__in=_ids_with_remainder(incidents, 4, remainder)).update(
                reported_at=F("occurred_at") + timedelta(hours=hours)
            )
        incidents.exclude(status=Incident.Status.REJECTED).update(
            status=Incident.Status.ACCEPTED, personal_data_flag=False, source="demo"
        )
        newest = list(
            incidents.exclude(status=Incident.Status.REJECTED)
            .order_by("-reported_at", "-id")
            .values_list("id", flat=True)[:waiting]
        )
        incidents.filter(id__in=newest).update(status=Incident.Status.NEW)
        incidents.filter(id__in=newest[::20]).update(personal_data_flag=True)
        incidents.filter(id__in=newest[1::10]).update(source=Incident.Source.IMPORT)


def _ids_with_remainder(incidents, divisor: int, remainder: int):
    from django.db.models import F, IntegerField
    from django.db.models.functions import Mod

    return (
        incidents.annotate(r=Mod(F("id"), divisor, output_field=IntegerField()))
        .filter(r=remainder)
        .values("id")
    )


def pages(membership) -> list[tuple[str, str]]:
    """(label, URL) of each view of the queue measured."""
    from django.urls import reverse

    from lagesbild.geography.models import Area
    from lagesbild.incidents.models import Category, Incident
    from lagesbild.partnerships.models import Organisation

    partnership = membership.partnership
    queue = reverse("incidents:review")
    area = Area.objects.filter(partnership=partnership, parent__isnull=False).order_by("pk")[0]
    district = Area.objects.filter(partnership=partnership, children__isnull=False).first()
    category = Category.objects.get(partnership=partnership, code="klotter")
    group = category.parent
    organisation = Organisation.objects.filter(partnership=partnership).order_by("pk")[0]
    pages = [
        ("queue, first page", queue),
        ("queue, page 100", f"{queue}?page=100"),
        ("newest first", f"{queue}?sort=-reported"),
        ("sorted by area", f"{queue}?sort=area"),
        ("sorted by category", f"{queue}?sort=category"),
        ("one area", f"{queue}?area={area.pk}"),
        ("one organisation", f"{queue}?organisation={organisation.pk}"),
        ("one category", f"{queue}?category={category.pk}"),
        ("a category group", f"{queue}?category={group.pk}"),
        ("imported only", f"{queue}?source={Incident.Source.IMPORT}"),
        ("flagged for personal data", f"{queue}?flagged=yes"),
        ("not flagged", f"{queue}?flagged=no"),
        (
            "area + category + not flagged",
            f"{queue}?area={area.pk}&category={group.pk}&flagged=no",
        ),
    ]
    if district is not None:
        pages.insert(6, ("a district (with its areas)", f"{queue}?area={district.pk}"))
    return pages


def run_case(args) -> None:
    db, incidents = args.db, args.incidents
    bench.prepare(db, incidents)
    from lagesbild.incidents.models import Incident

    membership = bench.coordinator(incidents)
    shape_queue(membership.partnership, args.waiting)
    bench.settle()
    all_incidents = Incident.objects.filter(partnership=membership.partnership)
    count = all_incidents.count()
    waiting = all_incidents.filter(status=Incident.Status.NEW).count()
    client = bench.logged_in_client(membership.user)
    load = os.getloadavg()[0]
    print(
        f"== {db}, {count:,} incidents, {waiting:,} waiting, "
        f"{args.requests} requests a page (load {load:.1f})"
    )
    measure_pages(client, pages(membership), args.requests, sql=args.sql, width=32)


def main() -> None:
    parser = bench.arguments(__doc__.splitlines()[0], ["100000"])
    parser.add_argument("--waiting", type=int, default=5000, help="reports waiting for review")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument(
        "--sql", action="store_true", help="print each page's slowest query and its plan"
    )
    args = parser.parse_args()
    extra = [
        "--waiting",
        str(args.waiting),
        "--requests",
        str(args.requests),
        *(["--sql"] if args.sql else []),
    ]
    bench.run(args, extra, run_case)


if __name__ == "__main__":
    sys.exit(main())
