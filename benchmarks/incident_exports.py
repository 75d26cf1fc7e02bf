"""Time and peak memory of the incident list's exports (CSV, XLSX, GeoJSON) of a whole demo
partnership, as a coordinator downloads the unfiltered list.

    .venv/bin/python benchmarks/incident_exports.py [--db sqlite|postgres]
                                                    [--incidents 100000 1000000 ...] [--keep]

The case's database is created and loaded with the demo at the given size unless a kept one
is there (this script's --keep). Each format then runs in a fresh interpreter of its own, so
that its peak memory is its own: the request goes through the view and the middleware with
Django's test Client, the body is read chunk by chunk and thrown away, as a slow client
would. Printed per format: rows, megabytes, wall and CPU seconds, the time to the first
chunk (a streamed format starts at once; XLSX is written whole to a temporary file first)
and the growth of the process's peak resident memory over what it held before the request.
Constant memory means that growth stays the same from 100,000 to 1,000,000 rows.
"""

import os
import subprocess
import sys
import time

import web_common as bench

FORMATS = ["csv", "geojson", "xlsx"]


def status_megabytes(field: str) -> float:
    """VmRSS (resident now) or VmHWM (the peak resident) of this process, in MB."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def reset_peak() -> None:
    """Start the peak (VmHWM) again from what is resident now (Linux 4.0 and later), so that
    the peak read afterwards is the export's, not the set-up's."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def measure(args) -> None:
    """One format, in this process: the download as a client sees it."""
    bench.setup_django(args.db, args.incidents)
    from django.urls import reverse

    from lagesbild.incidents.models import Incident

    membership = bench.coordinator(args.incidents)
    rows = Incident.objects.filter(partnership=membership.partnership).exclude(status="rejected")
    total = rows.count()
    client = bench.logged_in_client(membership.user)
    client.get(reverse("incidents:list"))  # imports, templates and the session, warm
    reset_peak()
    before = status_megabytes("VmRSS")
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(reverse("incidents:export", args=[args.format]))
    assert response.status_code == 200, response.status_code
    size, first = 0, None
    for chunk in response.streaming_content:
        if first is None:
            first = time.perf_counter() - wall
        size += len(chunk)
    response.close()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    growth = status_megabytes("VmHWM") - before
    print(
        f"  {args.format:8} {total:>10,} rows {size / 1e6:8.1f} MB  {wall:7.1f} s wall "
        f"{cpu:7.1f} s CPU  first chunk {first:6.2f} s  peak memory +{growth:.1f} MB "
        f"(resident before {before:.0f} MB)",
        flush=True,
    )


def run_case(args) -> None:
    bench.prepare(args.db, args.incidents)
    load = os.getloadavg()[0]
    print(f"== {args.db}, {bench.size_label(args.incidents)} (load {load:.1f})", flush=True)
    size = "demo" if args.incidents is None else str(args.incidents)
    for fmt in FORMATS:
        command = [sys.executable, sys.argv[0], "--db", args.db, "--incidents", size]
        subprocess.run([*command, "--format", fmt], check=True)
    bench.finish(args)


def main() -> None:
    parser = bench.arguments(__doc__.splitlines()[0], ["100000", "1000000"])
    parser.add_argument("--format", choices=FORMATS, help="measure one format (internal)")
    args = parser.parse_args()
    if args.format:
        (args.db,), (args.incidents,) = args.db, args.incidents
        measure(args)
    elif not bench.run_cases(args, []):
        run_case(args)


if __name__ == "__main__":
    sys.exit(main())
