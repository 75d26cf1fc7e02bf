"""Hostile import files against the import's limits: time and peak memory of each. Prints figures.

    .venv/bin/python -m benchmarks.import_limits [--rows 3000000] [--cell-mb 1024]

The files of the security test (issue 8), made on the spot in a temporary folder: an .xlsx of
a few hundred KB holding 3 million rows (measured before the limits: past 400 s and 1.26 GB),
an .xlsx of about 1 MB with a 1 GiB cell (2.5 GB), one of 512 MB (under the unpacked cap, refused
by its packing ratio), a 128 KB cell, a NUL byte in a CSV and in
the sheet XML, a zip that is not a workbook. Each file is read with the limits in settings
(IMPORT_MAX_*, from the environment) exactly as `manage.py import_incidents` reads it, each in a
child process of its own so its peak memory (ru_maxrss) is its own. Rows that get through are
only read, not imported: the import of a valid row is the same as before.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagesbild.settings")


def _read(path: str, queue) -> None:
    import django

    django.setup()
    from lagesbild.incidents.importers.tabular import ImportFormatError, open_file

    started = time.perf_counter()
    rows, outcome = 0, "read (each row then checked by the import)"
    try:
        for _number, _row in open_file(Path(path)):
            rows += 1
    except ImportFormatError as exc:
        outcome = f"refused: {exc}"
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((seconds, peak_mb, rows, outcome))


def measure(path: Path) -> tuple[float, float, int, str]:
    context = get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_read, args=(str(path), queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--cell-mb", type=int, default=1024)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.incidents import hostile_files as hostile

    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        files = {}
        started = time.perf_counter()
        files[f"{args.rows:,} rows (xlsx)"] = hostile.many_rows(base / "rows.xlsx", args.rows)
        files[f"{args.cell_mb} MB cell (xlsx)"] = hostile.huge_cell(
            base / "cell.xlsx", args.cell_mb * 1024 * 1024
        )
        # Under the unpacked cap (IMPORT_MAX_UNPACKED_MB, 1000 by default): refused by its
        # packing ratio instead.
        files["512 MB cell (xlsx)"] = hostile.huge_cell(base / "bomb.xlsx", 512 * 1024 * 1024)
        files["128 KB cell + 1,000 rows (xlsx)"] = hostile.huge_cell(
            base / "kb.xlsx", 128 * 1024, rows_after=1000
        )
        files["128 KB field + 1,000 rows (csv)"] = hostile.csv_file(
            base / "field.csv", ["x" * 128 * 1024] + ["Klotter"] * 1000
        )
        files["NUL byte (csv)"] = hostile.csv_file(base / "nul.csv", ["a\x00b", "Klotter"])
        files["NUL in the sheet XML (xlsx)"] = hostile.write_xlsx(
            base / "nul.xlsx", ["<row><c t='inlineStr'><is><t>a\x00b</t></is></c></row>"]
        )
        files["zip that is not an xlsx"] = hostile.not_an_xlsx_zip(base / "zip.xlsx")
        print(f"files made in {time.perf_counter() - started:.1f} s")
        print(f"{'file':34} {'size':>10} {'seconds':>8} {'peak MB':>8} {'rows':>7}  outcome")
        for name, path in files.items():
            seconds, peak_mb, rows, outcome = measure(path)
            size = path.stat().st_size
            size_text = f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 2**20:.1f} MB"
            print(f"{name:34} {size_text:>10} {seconds:8.2f} {peak_mb:8.0f} {rows:7}  {outcome}")


if __name__ == "__main__":
    main()
