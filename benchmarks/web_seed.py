"""Time creating the schema and generating and loading the demo data, at several sizes.

    .venv/bin/python benchmarks/web_seed.py [--db sqlite|postgres] [--incidents demo 100000 ...]
                                            [--keep]

Each case starts from an empty database (a SQLite file under var/bench/ or the PostgreSQL
database "lagesbild_bench"), runs the migrations, then seed_demo() as `make run` does, on
PostgreSQL then VACUUM ANALYZE as autovacuum would (see web_common.settle), then the pure
generator alone for the split between generating and loading. The database is dropped
afterwards unless --keep is given (web_pages.py then reuses it). Besides wall time the script
prints the CPU time of its own process: on a shared machine the difference is time spent
waiting for a core (and, on PostgreSQL, the server's work, which is not counted here).
"""

import sys
import time
from datetime import timedelta

import web_common as bench


def database_megabytes(db: str, incidents: int | None) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        if db == "sqlite":
            # The load is one transaction, still in the write-ahead log: fold it in first.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return bench.sqlite_path(incidents).stat().st_size / 1e6
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0] / 1e6


def generation_seconds(incidents: int | None) -> tuple[float, int]:
    """The generator alone, with seed_demo's arguments (its area and place caches warm)."""
    from django.utils import timezone

    from lagesbild.demo.areas import demo_areas
    from lagesbild.demo.incidents import generate_incidents
    from lagesbild.demo.places import demo_places

    today = timezone.localdate()
    start = today - timedelta(days=round(bench.DEMO_YEARS * 365.25))
    started = time.perf_counter()
    data = generate_incidents(
        demo_areas(),
        demo_places(),
        start,
        today + timedelta(days=1),
        seed=bench.DEMO_SEED,
        scale=bench.demo_scale(incidents),
    )
    return time.perf_counter() - started, len(data)


def run_case(args) -> None:
    db, incidents = args.db, args.incidents
    bench.create_database(db, incidents)
    bench.setup_django(db, incidents)
    migrate = bench.migrate()
    cpu = time.process_time()
    result, seeded = bench.seed(incidents)
    cpu = time.process_time() - cpu
    vacuum = bench.settle()
    generate, generated = generation_seconds(incidents)
    size = database_megabytes(db, incidents)
    print(
        f"{db:8} {bench.size_label(incidents):>20}: migrate {migrate:6.1f} s, "
        f"seed_demo {seeded:7.1f} s ({cpu:.1f} s CPU here) for {result.incidents:>9,} incidents "
        f"({result.incidents / seeded:,.0f}/s; of which generating {generated:,} "
        f"takes {generate:.2f} s)"
        + (f", VACUUM ANALYZE {vacuum:.1f} s" if db == "postgres" else "")
        + f", database {size:,.0f} MB",
        flush=True,
    )


def main() -> None:
    parser = bench.arguments(__doc__.splitlines()[0], ["demo", "100000", "1000000"])
    args = parser.parse_args()
    bench.run(args, [], run_case)


if __name__ == "__main__":
    sys.exit(main())
