"""Importing a city's incident history: rows per second and peak memory. Prints figures.

    .venv/bin/python -m benchmarks.history_import [--rows 1000000] [--database sqlite|postgres]

Makes a fresh database (SQLite in a temporary folder, or the PostgreSQL database
`lb_bench_history`, emptied first) with the demo partnership (its areas and places, little
history), writes a synthetic CSV of `--rows` rows inside the demo's areas the way a city's
export looks (semicolons, decimal commas, half the dates Swedish 24/11/2025 21:30, half ISO,
a description on every row), and imports it exactly as `manage.py import_incidents` does, in
a child process of its own so its peak memory (ru_maxrss) is the import's. On a shared,
loaded machine the wall-clock rate understates the import: its CPU time is printed too (for
PostgreSQL the server's own CPU is not in it). The target of
issue 11: 1,000,000 rows in under 500 MB and at least 2,000 rows/s on both engines.

With `--wizard` the file goes through the import wizard's steps as a coordinator's pages and
the background worker run them (`import_jobs`), each step in a child process of its own:
the upload (kept, its header read and its rows counted), the column mapping with its
preview, the category values counted for the mapping step, the dry run and the import; then
the background job that moves the incidents after an area is drawn inside one of the areas.
Each step's time and peak memory are printed.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_DATABASE = "lb_bench_history"


def _database_url(kind: str, folder: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'bench.sqlite3'}"
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"')
        db.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    return f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"


def _setup(database_url: str, folder: Path, immediate: bool = True) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "lagesbild.settings",
            "DATABASE_URL": database_url,
            "LAGESBILD_VAR_DIR": str(folder),
            "TESTING": "0",
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "ANALYSIS_ON_CHANGE": "0",
            # The wizard's steps queue the next one; the benchmark runs each in a process
            # of its own instead.
            "TASKS_IMMEDIATE": "1" if immediate else "0",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _prepare(database_url: str, folder: str, rows: int, queue) -> None:
    """Child: migrate, seed the demo, write the file; sends back the file's path."""
    _setup(database_url, Path(folder))
    from django.core.management import call_command

    from lagesbild.demo.seed import seed_demo

    call_command("migrate", verbosity=0)
    partnership = seed_demo(years=0.1, scale=0.05, with_accounts=False).partnership
    queue.put(str(_write_file(partnership, Path(folder) / "historik.csv", rows)))


def _write_file(partnership, path: Path, rows: int) -> Path:
    from lagesbild.geography.models import Area, Place
    from lagesbild.geography.services import area_index
    from lagesbild.incidents.imports import leaf_categories

    rng = random.Random(11)
    boxes = list(
        Area.objects.filter(partnership=partnership, active=True).values_list(
            "min_lon", "min_lat", "max_lon", "max_lat"
        )
    )
    index = area_index(partnership)
    points: list[tuple[float, float]] = []
    # A pool of points inside the areas (as written, to six decimals), drawn for every row.
    while len(points) < 5000:
        candidates = [
            (round(rng.uniform(b[0], b[2]), 6), round(rng.uniform(b[1], b[3]), 6))
            for b in (rng.choice(boxes) for _ in range(2000))
        ]
        found = index.locate_many([c[0] for c in candidates], [c[1] for c in candidates])
        points += [c for c, area in zip(candidates, found, strict=True) if area >= 0]
    categories = sorted(set(leaf_categories(partnership)) - {"positiv-handelse"})
    places = list(Place.objects.filter(partnership=partnership).values_list("name", flat=True))
    start = time.mktime((2020, 1, 1, 0, 0, 0, 0, 0, -1))
    span = 5 * 365 * 86400
    with path.open("w", encoding="utf-8") as out:
        out.write("Ärendenummer;Inträffade;Kategori;Allvar;Longitud;Latitud;Plats;Beskrivning\n")
        for number in range(rows):
            moment = time.localtime(start + rng.random() * span)
            when = (
                time.strftime("%d/%m/%Y %H:%M", moment)
                if number % 2
                else time.strftime("%Y-%m-%d %H:%M", moment)
            )
            lon, lat = rng.choice(points)
            place = rng.choice(places) if number % 10 == 0 else ""
            out.write(
                f"K-{number};{when};{rng.choice(categories)};{rng.randint(1, 3)};{lon:.6f}".replace(
                    ".", ","
                )
                + ";"
                + f"{lat:.6f}".replace(".", ",")
                + f";{place};Skadegörelse vid entrén, anmält av fastighetsvärden\n"
            )
    return path


def _import(database_url: str, folder: str, path: str, rows: int, queue) -> None:
    """Child: the import as the command makes it; sends back its figures."""
    _setup(database_url, Path(folder))
    from django.contrib.auth import get_user_model

    from lagesbild.incidents.importers.tabular import open_file
    from lagesbild.incidents.imports import import_incidents
    from lagesbild.partnerships.models import Membership, Partnership

    partnership = Partnership.objects.get(slug="est-sollentuna")
    user = get_user_model().objects.create_user("bench-importer")
    membership = Membership.objects.create(
        user=user,
        partnership=partnership,
        organisation=partnership.organisations.first(),
        role=Membership.Role.COORDINATOR,
    )
    started, cpu_before = time.perf_counter(), _cpu()
    result = import_incidents(membership=membership, rows=open_file(Path(path)))
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu_before
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(
        (seconds, cpu, peak_mb, result.rows, result.created, result.refused, result.summary())
    )


def _member(partnership):
    from django.contrib.auth import get_user_model

    from lagesbild.partnerships.models import Membership

    user, _created = get_user_model().objects.get_or_create(username="bench-importer")
    membership, _created = Membership.objects.select_related("partnership", "user").get_or_create(
        user=user,
        partnership=partnership,
        defaults={
            "organisation": partnership.organisations.first(),
            "role": Membership.Role.COORDINATOR,
        },
    )
    return membership


def _wizard_step(database_url: str, folder: str, path: str, rows: int, step: str, queue) -> None:
    """Child: one step of the wizard; sends back (seconds, CPU seconds, peak MB, what)."""
    _setup(database_url, Path(folder), immediate=False)
    from django.core.files import File

    from lagesbild.incidents import import_jobs
    from lagesbild.incidents.models import ImportJob
    from lagesbild.partnerships.models import Partnership

    membership = _member(Partnership.objects.get(slug="est-sollentuna"))
    job = ImportJob.objects.select_related("source", "partnership").order_by("-id").first()
    started, cpu_before = time.perf_counter(), _cpu()
    if step == "upload":
        with open(path, "rb") as handle:
            job = import_jobs.start_job(
                membership=membership,
                upload=File(handle, name="historik.csv"),
                source_name="Gamla registret",
                review="accepted",
                accept_warnings=False,
            )
        what = f"{len(job.headers)} columns, mapped: {sorted(job.source.columns)}"
    elif step == "columns + preview":
        import_jobs.save_columns(actor=membership.user, job=job, columns=job.source.columns)
        shown = import_jobs.preview(job, membership)
        what = f"{len(shown)} rows shown, {sum(1 for r in shown if r.error)} with an error"
    elif step == "category values":
        values = import_jobs.category_values(job)
        import_jobs.save_categories(actor=membership.user, job=job, mapping={})
        what = f"{len(values)} values, {sum(n for _v, n in values):,} rows"
    elif step == "dry run":
        job = import_jobs.run_check(job.pk)
        what = f"{job.status}: {job.checked.get('created', 0):,} would be created, {job.error}"
    elif step == "import":
        import_jobs.request_import(actor=membership.user, job=job, skip_invalid=False)
        job = import_jobs.run_job(job.pk)
        what = f"{job.status}: {job.result.get('created', 0):,} created, {job.error}"
    else:
        what = _relocation(membership)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu_before
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((seconds, cpu, peak_mb, what))


def _relocation(membership) -> str:
    """An area drawn inside one of the areas (a quarter of its box) and the background job
    that then moves the incidents in it; the drawing is not timed."""
    from django.db import transaction

    from lagesbild.geography import area_import
    from lagesbild.geography.models import Area
    from lagesbild.geography.services import save_area

    partnership = membership.partnership
    leaf = (
        Area.objects.filter(partnership=partnership, active=True, children__isnull=True)
        .order_by("code")
        .first()
    )
    lon, lat = (leaf.min_lon + leaf.max_lon) / 2, (leaf.min_lat + leaf.max_lat) / 2
    box = [[leaf.min_lon, leaf.min_lat], [lon, leaf.min_lat], [lon, lat], [leaf.min_lon, lat]]
    with transaction.atomic():  # the job it queues is not run here: it is timed below
        save_area(
            actor=membership.user,
            partnership=partnership,
            name="Bänkhörnet",
            code="BENCH-1",
            parent=leaf,
            geojson={"type": "Polygon", "coordinates": [[*box, box[0]]]},
        )
    started = time.perf_counter()
    moved = area_import.relocate_incidents(partnership)
    return (
        f"{moved.moved:,} incidents moved ({moved.first_week}-{moved.last_week}) in "
        f"{time.perf_counter() - started:.1f} s"
    )


WIZARD_STEPS = ("upload", "columns + preview", "category values", "dry run", "import", "relocate")


def _wizard(database_url: str, folder: str, path: str, rows: int) -> None:
    for step in WIZARD_STEPS:
        seconds, cpu, peak_mb, what = _child(_wizard_step, database_url, folder, path, rows, step)
        print(
            f"{step:18} {seconds:7.1f} s (CPU {cpu:6.1f} s) peak RSS {peak_mb:4.0f} MB; "
            f"{what}; load {os.getloadavg()[0]:.1f}"
        )


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _child(target, *args):
    context = get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    answer = queue.get()
    process.join()
    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--wizard", action="store_true", help="through the wizard's steps")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database_url = _database_url(args.database, Path(folder))
        started = time.perf_counter()
        path = _child(_prepare, database_url, folder, args.rows)
        size_mb = Path(path).stat().st_size / 1024 / 1024
        print(
            f"{args.rows:,} rows, {size_mb:.0f} MB CSV, {args.database}; "
            f"setup {time.perf_counter() - started:.0f} s; load {os.getloadavg()[0]:.1f} "
            f"({os.cpu_count()} cores)"
        )
        if args.wizard:
            _wizard(database_url, folder, path, args.rows)
            return
        seconds, cpu, peak_mb, read, created, refused, reasons = _child(
            _import, database_url, folder, path, args.rows
        )
        print(
            f"import: {read:,} rows read, {created:,} created, {refused:,} refused in "
            f"{seconds:.1f} s = {read / seconds:,.0f} rows/s; import process CPU {cpu:.1f} s "
            f"= {read / cpu:,.0f} rows per CPU second; peak RSS {peak_mb:.0f} MB; "
            f"load {os.getloadavg()[0]:.1f}"
        )
        for reason, count, examples in reasons:
            print(f"  refused {count:,}: {reason} (rows {examples})")


if __name__ == "__main__":
    main()
