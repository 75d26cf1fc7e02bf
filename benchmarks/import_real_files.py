"""The history import wizard's dry run of a real city's whole file: Chicago's 148,636
aggravated assaults 2010-2019 (../shared/data/chicago-aggravated-assaults), every row outside
Sweden. Prints rows, seconds, CPU, peak RSS and the reasons.

    .venv/bin/python -m benchmarks.import_real_files [--data ../shared/data]

Makes a fresh SQLite database in a temporary folder with the demo partnership, uploads the
decompressed CSV through the wizard's services (start_job, save_columns, save_categories:
every location category means violence; the last one runs a first dry run), then times the
dry run again exactly as the worker's task runs it (`import_jobs.run_check`: every row read,
checked and its refusal written to the downloadable error list), in a child process of its
own so its peak memory is the dry run's.
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.history_import import _child, _cpu, _setup
from benchmarks.shared_data import shared_data

FILE = Path("chicago-aggravated-assaults") / "chicago_aggravated_assaults.csv.gz"


def _prepare(database_url: str, folder: str, data: str, queue) -> None:
    """Child: migrate, seed the demo, decompress the file and take it through the wizard's
    steps; sends back the job's id."""
    _setup(database_url, Path(folder), 250_000)
    from django.core.files import File
    from django.core.management import call_command

    from lagesbild.demo.seed import seed_demo
    from lagesbild.incidents import import_jobs

    call_command("migrate", verbosity=0)
    partnership = seed_demo(years=0.1, scale=0.05, with_accounts=False).partnership
    membership = _coordinator(partnership)
    path = Path(folder) / "chicago_aggravated_assaults.csv"
    with gzip.open(Path(data) / FILE, "rb") as source, path.open("wb") as out:
        shutil.copyfileobj(source, out)
    with path.open("rb") as handle:
        job = import_jobs.start_job(
            membership=membership,
            upload=File(handle, name=path.name),
            source_name="Chicago",
            review="accepted",
            accept_warnings=False,
        )
    columns = {"occurred_at": "date", "category": "loc_cat", "lon": "longitude"}
    import_jobs.save_columns(actor=membership.user, job=job, columns={**columns, "lat": "latitude"})
    violence = partnership.categories.get(code="vald").pk
    mapping = {value: violence for value, _count in import_jobs.category_values(job)}
    import_jobs.save_categories(actor=membership.user, job=job, mapping=mapping)
    queue.put(job.pk)


def _coordinator(partnership):
    from django.contrib.auth import get_user_model

    from lagesbild.partnerships.models import Membership

    return Membership.objects.create(
        user=get_user_model().objects.create_user("bench-importer"),
        partnership=partnership,
        organisation=partnership.organisations.first(),
        role=Membership.Role.COORDINATOR,
    )


def _check(database_url: str, folder: str, job_id: int, queue) -> None:
    """Child: the dry run as the worker runs it; sends back its figures."""
    _setup(database_url, Path(folder), 250_000)
    from lagesbild.incidents import import_jobs
    from lagesbild.incidents.models import ImportJob

    # Checked once on saving the categories (tasks run at once here); a dry run writes
    # nothing, so asking for it again is what "Ändra kolumner eller kategorier" leads to.
    ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.CHECKING)
    started, cpu_before = time.perf_counter(), _cpu()
    job = import_jobs.run_check(job_id)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu_before
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((seconds, cpu, peak_mb, str(job.status), str(job.error), dict(job.checked)))


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(shared_data()))
    args = parser.parse_args()
    if not (Path(args.data) / FILE).is_file():
        raise SystemExit(f"{Path(args.data) / FILE} is absent: give --data")
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        job_id = _child(_prepare, database_url, folder, args.data)
        seconds, cpu, peak_mb, status, error, checked = _child(_check, database_url, folder, job_id)
        rows = checked.get("rows", 0)
        print(
            f"dry run ({status}{': ' + error if error else ''}): {rows:,} rows, "
            f"{checked.get('refused', 0):,} refused, {checked.get('created', 0):,} would be "
            f"created, in {seconds:.1f} s = {rows / seconds:,.0f} rows/s; CPU {cpu:.1f} s; "
            f"peak RSS {peak_mb:.0f} MB; load average {_load()} ({os.cpu_count()} cores)"
        )
        for reason, count, examples in checked.get("reasons", []):
            print(f"  refused {count:,}: {reason} (rows {examples})")


if __name__ == "__main__":
    main()
