"""Plumbing shared by the web benchmarks (web_seed, web_pages, web_submit).

A benchmark case is one database engine and one size of demo data. Each case runs against a
throw-away database of its own: a SQLite file under var/bench/ or the PostgreSQL database
"lagesbild_bench" on 127.0.0.1:5432. Django reads DATABASE_URL once, when it starts, so a
script that runs several cases starts itself again once per case (`run_cases`).

The web_* scripts share their databases (web_seed.py --keep loads, web_pages.py reuses);
any other script that imports this module gets databases named after itself, so two
benchmarks run at the same time never drop each other's data.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
_SCRIPT = Path(sys.argv[0]).stem
OWNER = "web" if _SCRIPT.startswith("web_") else _SCRIPT
# BENCH_PG_NAME overrides the name, so people sharing one server can each run the same script.
PG_NAME = os.environ.get("BENCH_PG_NAME") or (
    "lagesbild_bench" if OWNER == "web" else f"lagesbild_bench_{OWNER}"
)
DEMO_YEARS = 2.25  # seed_demo's default period
DEMO_SEED = 2026


def parse_size(text: str) -> int | None:
    """'demo' is the demo's own scale (None); anything else a number of incidents."""
    return None if text == "demo" else int(text)


def size_label(incidents: int | None) -> str:
    return "demo scale" if incidents is None else f"{incidents:,} incidents"


def arguments(description: str, default_sizes: list[str]) -> argparse.ArgumentParser:
    """The options every web benchmark takes; scripts add their own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgres"],
        action="append",
        help="database engine (repeatable; default: SQLite, and PostgreSQL when reachable)",
    )
    parser.add_argument(
        "--incidents",
        type=parse_size,
        nargs="+",
        default=[parse_size(s) for s in default_sizes],
        help=f"sizes: numbers of incidents, or 'demo' (default: {' '.join(default_sizes)})",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the benchmark database afterwards, for the next script to reuse",
    )
    return parser


def postgres_reachable() -> bool:
    import psycopg

    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


def engines(args) -> list[str]:
    if args.db:
        return args.db
    if postgres_reachable():
        return ["sqlite", "postgres"]
    print("PostgreSQL is not reachable on 127.0.0.1:5432: SQLite only.")
    return ["sqlite"]


def run_cases(args, extra: list[str]) -> bool:
    """Run each (engine, size) case in a fresh interpreter with the script's own `extra`
    options; False when there is only one case and the caller should run it in this process
    (args.db and args.incidents then hold that case)."""
    cases = [(db, n) for db in engines(args) for n in args.incidents]
    if len(cases) == 1:
        args.db, args.incidents = cases[0]
        return False
    keep = ["--keep"] if args.keep else []
    for db, n in cases:
        size = "demo" if n is None else str(n)
        command = [sys.executable, sys.argv[0], "--db", db, "--incidents", size, *keep, *extra]
        subprocess.run(command, check=True)
    return True


def run(args, extra: list[str], run_case) -> None:
    """Run every case, each in a fresh interpreter, or the only one here; its database is
    dropped afterwards (unless --keep) also when the case fails."""
    if run_cases(args, extra):
        return
    try:
        run_case(args)
    finally:
        finish(args)


def slug(incidents: int | None) -> str:
    return "bench-demo" if incidents is None else f"bench-{incidents}"


def database_url(db: str, incidents: int | None) -> str:
    if db == "postgres":
        return f"{PG_SERVER}/{PG_NAME}"
    return f"sqlite:///{sqlite_path(incidents)}"


def sqlite_path(incidents: int | None) -> Path:
    return BENCH_DIR / f"{OWNER}-{slug(incidents)}.sqlite3"


def environment(db: str, incidents: int | None) -> dict[str, str]:
    """Settings for a benchmark process: production-like (no DEBUG, no TESTING), with its
    own var/ directory so demo passwords and the secret key stay out of the real one."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lagesbild.settings",
        "DATABASE_URL": database_url(db, incidents),
        "LAGESBILD_VAR_DIR": str(BENCH_DIR),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DEBUG": "0",
        "TESTING": "0",
        # The test Client speaks plain HTTP; with HTTPS on every page would redirect.
        "HTTPS": "false",
        "LOG_LEVEL": "WARNING",
    }


def drop_database(db: str, incidents: int | None) -> None:
    if db == "postgres":
        _postgres(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path(incidents)}{suffix}").unlink(missing_ok=True)


def create_database(db: str, incidents: int | None) -> None:
    drop_database(db, incidents)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if db == "postgres":
        _postgres(f'CREATE DATABASE "{PG_NAME}"')


def _postgres(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def setup_django(db: str, incidents: int | None) -> None:
    """Point this process at the case's database and start Django."""
    os.environ.update(environment(db, incidents))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def has_demo(db: str, incidents: int | None, partnership_slug: str | None = None) -> bool:
    """True when the case's database exists and already holds its demo partnership (by
    default the one named by `slug(incidents)`)."""
    if db == "sqlite" and not sqlite_path(incidents).exists():
        return False
    from django.db import DatabaseError

    from lagesbild.partnerships.models import Partnership

    try:
        return Partnership.objects.filter(slug=partnership_slug or slug(incidents)).exists()
    except DatabaseError:
        return False


def migrate() -> float:
    """Create the schema; seconds taken."""
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    return time.perf_counter() - started


def demo_scale(incidents: int | None) -> float:
    """The seed_demo scale that gives about `incidents` incidents over DEMO_YEARS."""
    if incidents is None:
        return 1.0
    from datetime import timedelta

    from django.utils import timezone

    from lagesbild.demo.areas import demo_areas
    from lagesbild.demo.incidents import default_episodes, expected_counts

    today = timezone.localdate()  # the same period as seed_demo's
    start, end = today - timedelta(days=round(DEMO_YEARS * 365.25)), today + timedelta(days=1)
    areas = demo_areas()
    expected = expected_counts(
        areas, start, end, seed=DEMO_SEED, episodes=default_episodes(areas, start, end)
    ).sum()
    return incidents / expected


def seed(incidents: int | None):
    """Load the case's demo partnership; (SeedResult, seconds)."""
    from lagesbild.demo.seed import seed_demo

    scale = demo_scale(incidents)
    started = time.perf_counter()
    result = seed_demo(
        name=f"Benchmark {size_label(incidents)}",
        slug=slug(incidents),
        scale=scale,
        years=DEMO_YEARS,
        seed=DEMO_SEED,
    )
    return result, time.perf_counter() - started


def collect_static() -> None:
    """Static files with their manifest, which pages need when DEBUG is off (as in make run)."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def settle() -> float:
    """On PostgreSQL, VACUUM ANALYZE after the load, as autovacuum would soon do on a server
    that has it on (this machine's has not): without statistics the planner takes the
    freshly loaded million rows for a thousand and sorts all of them on disk for one page.
    Seconds taken; SQLite is left as the app leaves it (without ANALYZE)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def prepare(db: str, incidents: int | None) -> None:
    """Make sure the case's database holds its demo partnership, reusing a kept one, and the
    static files are collected."""
    setup_django(db, incidents)
    collect_static()
    if has_demo(db, incidents):
        seconds = migrate()  # the schema may have moved on since the database was kept
        print(
            f"Reusing the kept {db} benchmark database ({size_label(incidents)}); "
            f"migrations took {seconds:.1f} s."
        )
        return
    from django.db import connections

    connections.close_all()
    create_database(db, incidents)
    migrate()
    result, seconds = seed(incidents)
    print(f"Loaded {result.incidents:,} incidents into {db} in {seconds:.1f} s.")
    if db == "postgres":
        print(f"VACUUM ANALYZE took {settle():.1f} s.")


def finish(args) -> None:
    """Drop the case's database unless asked to keep it."""
    if args.keep:
        print(f"Kept the {args.db} benchmark database ({size_label(args.incidents)}).")
        return
    from django.db import connections

    connections.close_all()
    drop_database(args.db, args.incidents)


def coordinator(incidents: int | None):
    """The coordinator account of the case's demo partnership."""
    from lagesbild.partnerships.models import Membership

    return (
        Membership.objects.filter(
            partnership__slug=slug(incidents), role=Membership.Role.COORDINATOR
        )
        .select_related("user", "partnership")
        .first()
    )


def process_cpu(pid: int) -> float:
    """CPU seconds (user and system) a process on this machine has used; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers, say)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            children.append(int(stat.parent.name))
    return children


def postgres_backends() -> list[int]:
    """Process ids of the PostgreSQL server processes connected to this case's database."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [PG_NAME]
        ).fetchall()
    return [pid for (pid,) in rows]


def cpu_seconds() -> float:
    """CPU time used so far by this process and, on PostgreSQL, by the server process behind
    Django's connection (read from /proc, so only for a server on this machine; parallel
    query workers are not included). On a shared machine wall time also counts the wait for
    a free core; CPU time says what the work itself costs."""
    from django.db import connection

    total = time.process_time()
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        total += process_cpu(connection.connection.info.backend_pid)
    return total


def milliseconds(seconds: list[float]) -> str:
    """'median … ms, p95 … ms' of a list of durations in seconds."""
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:7.1f} ms, p95 {p95 * 1000:7.1f} ms"


def logged_in_client(user):
    """A test Client logged in as `user`, past the second step of the login as well:
    coordinators and analysts must have an authenticator app, and a session that has not
    shown its code is sent to the code page."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
