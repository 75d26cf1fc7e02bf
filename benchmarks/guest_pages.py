"""Server time of a guest authority's pages, as the demo's Försäkringskassan guest.

    .venv/bin/python benchmarks/guest_pages.py [--db sqlite|postgres] [--incidents demo 100000]
                                               [--requests 20] [--keep] [--sql]

Each case loads a demo partnership (`demo` = the demo's own scale, about 7,000 incidents over
2.25 years, or about `--incidents` incidents) into a database of its own, approves the last
complete week's picture as the coordinator would, and grants the guest a year's incident
detail of its invited areas (the longest grant there is). It then requests, through Django's
test Client, the guest's start page, the approved picture limited to its two areas, and the
first and last page of the granted detail (each such read writes its audit entry, as in
use). Printed as web_pages.py prints: median and 95th percentile wall time, CPU, queries and
their time when run again, the load average. No target is set by the issue; the pages should
stay in line with the member pages (under 200 ms).
"""

import sys
from datetime import timedelta

import web_common as bench
from web_pages import measure_pages

NOTE = "Benchmark"


def guest_of(partnership):
    from lagesbild.partnerships.models import Membership

    return Membership.objects.select_related("user", "partnership", "organisation").get(
        partnership=partnership, role=Membership.Role.GUEST
    )


def approved_last_week(coordinator):
    """The approved picture of the last complete week, approving it first if there is none
    (so a kept database is not given a new version each run)."""
    from lagesbild.incidents import coverage, weeks
    from lagesbild.pictures import runs, services
    from lagesbild.pictures.models import Picture

    partnership = coordinator.partnership
    iso = weeks.iso(coverage.last_complete_week(partnership))
    found = Picture.objects.filter(partnership=partnership, period=iso).order_by("-version")
    if found.exists():
        return found.first()
    run = runs.run_now(partnership, iso)
    return services.approve_picture(
        actor=coordinator.user,
        partnership=partnership,
        content=services.assemble(partnership, weeks.parse(iso), run),
        change_note=NOTE,
        confirmed=True,
    )


def year_grant(coordinator, guest) -> None:
    """A grant of the invited areas' detail over the last year, unless one holds today."""
    from django.utils import timezone

    from lagesbild.guests import queries, services
    from lagesbild.guests.models import GuestOrganisation

    if queries.active_grants(guest):
        return
    invitation = GuestOrganisation.objects.get(organisation=guest.organisation)
    today = timezone.localdate()
    services.grant_detail(
        actor=coordinator.user,
        guest=invitation,
        areas=list(invitation.areas.all()),
        purpose=NOTE,
        starts=today - timedelta(days=360),
        ends=today + timedelta(days=5),
    )


def pages(coordinator, guest) -> list[tuple[str, str]]:
    from django.urls import reverse

    from lagesbild.incidents.models import Incident
    from lagesbild.partnerships.access import scoped

    picture = approved_last_week(coordinator)
    year_grant(coordinator, guest)
    granted = scoped(Incident.objects.all(), guest).count()
    last = max(1, -(-granted // 100))
    detail = reverse("guests:detail")
    return [
        ("start page", reverse("guests:start")),
        (
            f"picture {picture.period}, 2 areas",
            reverse("guests:picture", args=[picture.period, picture.version]),
        ),
        (f"granted detail ({granted:,}), page 1", detail),
        (f"granted detail, page {last}", f"{detail}?page={last}"),
    ]


def run_case(args) -> None:
    db, incidents = args.db, args.incidents
    bench.prepare(db, incidents)
    coordinator = bench.coordinator(incidents)
    guest = guest_of(coordinator.partnership)
    client = bench.logged_in_client(guest.user)
    print(f"== {db}, {args.requests} requests a page, as {guest.user.username}")
    measure_pages(client, pages(coordinator, guest), args.requests, sql=args.sql, width=34)


def main() -> None:
    parser = bench.arguments(__doc__.splitlines()[0], ["demo"])
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument(
        "--sql", action="store_true", help="print each page's slowest query and its plan"
    )
    args = parser.parse_args()
    extra = ["--requests", str(args.requests), *(["--sql"] if args.sql else [])]
    bench.run(args, extra, run_case)


if __name__ == "__main__":
    sys.exit(main())
