"""The import of the police's event notices: the demo file that `make run` loads, the same
file again (nothing changed), and optionally a whole year of the feed. Prints figures.

    .venv/bin/python benchmarks/police_events.py [--db sqlite|postgres]
        [--year /work/shared/data/polisen-events/events_2025.jsonl]

A fresh database (a temporary SQLite file, or the PostgreSQL database
`lb_police_bench`, emptied first) with one partnership per municipality that the year's
file is imported for: Sollentuna for the demo file, and with --year the 26 municipalities of
Stockholm county as well, each with two areas and the default checklist. Wall and CPU seconds
of this process, and SQL queries.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import ops_common

# The 26 municipalities of Stockholm county (the feed's busiest county).
STOCKHOLM_COUNTY = [
    "0114", "0115", "0117", "0120", "0123", "0125", "0126", "0127", "0128", "0136", "0138",
    "0139", "0140", "0160", "0162", "0163", "0180", "0181", "0182", "0183", "0184", "0186",
    "0187", "0188", "0191", "0192",
]  # fmt: skip


def timed(label: str, function, *args):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    wall, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        result = function(*args)
    print(
        f"  {label:40} {time.perf_counter() - wall:6.2f} s wall "
        f"{time.process_time() - cpu:6.2f} s CPU {len(queries):6d} queries"
    )
    return result


def partnership(code: str):
    from lagesbild.geography.models import Area
    from lagesbild.incidents.category_services import install_default_checklist
    from lagesbild.partnerships.models import Partnership

    made = Partnership.objects.create(
        name=f"Bench {code}", slug=f"bench-{code}", municipality_code=code
    )
    for k, name in enumerate(["Tureberg", "Centrum"]):
        lon, lat = 17.90 + k * 0.02, 59.42
        ring = [
            [lon, lat],
            [lon + 0.02, lat],
            [lon + 0.02, lat + 0.02],
            [lon, lat + 0.02],
            [lon, lat],
        ]
        Area.objects.create(
            partnership=made,
            name=name,
            code=name,
            geometry={"type": "Polygon", "coordinates": [ring]},
            min_lon=lon,
            min_lat=lat,
            max_lon=lon + 0.02,
            max_lat=lat + 0.02,
        )
    install_default_checklist(actor=None, partnership=made)
    return made


def outcome(result) -> str:
    return (
        f"    {result.received:,} records: {result.created:,} new, {result.updated:,} updated, "
        f"{result.unchanged:,} unchanged, {result.elsewhere:,} elsewhere"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--year", type=Path)
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="bench-police-"))
    if args.db == "postgres":
        url = ops_common.ensure_database("lb_police_bench")
    else:
        url = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    ops_common.setup_django(url, var_dir)
    from django.core.management import call_command

    call_command("flush", verbosity=0, interactive=False)
    call_command("migrate", verbosity=0, interactive=False)
    from lagesbild.policeevents import demo, feed, services

    print(f"== {args.db}; load {ops_common.load_average()}")
    partnership("0163")
    print(outcome(timed("demo file, first import", demo.load_demo_events)))
    print(outcome(timed("demo file again (nothing new)", demo.load_demo_events)))
    if args.year:
        for code in STOCKHOLM_COUNTY:
            if code != "0163":
                partnership(code)
        records = timed("read the year's file", feed.read_file, args.year)
        print(outcome(timed("year, 26 partnerships", services.import_records, records)))
        print(outcome(timed("year again (nothing new)", services.import_records, records)))


if __name__ == "__main__":
    sys.exit(main())
