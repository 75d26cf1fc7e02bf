"""Retention at scale: the preview, a first run over years of data, a second run with nothing
left to do, and the worker's per-heartbeat check. Prints figures.

    .venv/bin/python benchmarks/retention.py [--db sqlite|postgres] [--incidents demo 100000]
                                             [--keep]

Each case loads the demo partnership (DEMO_YEARS of history, as web_seed.py does) and one
audit entry per incident with an address, spread over the same period, then sets the schedule
"free text after 12 months, points after 6, audit addresses after 12" and times:
the preview the coordinator sees before saving, the first run (which changes most of the
history), a second run (nothing left), and `enqueue_due_runs` when today's run is claimed
(what every worker heartbeat costs). Wall and CPU seconds of this process, and SQL queries.
"""

import sys
import time

import web_common as bench


def timed(label: str, function, *args):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    wall, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        result = function(*args)
    print(
        f"  {label:44} {time.perf_counter() - wall:7.2f} s wall {time.process_time() - cpu:7.2f} s "
        f"CPU {len(queries):6d} queries"
    )
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
    for query in slowest:
        if float(query["time"]) >= 0.5:
            print(f"      {float(query['time']):6.2f} s  {query['sql'][:160]}")
    return result


def measure(incidents: int | None) -> None:
    from lagesbild.dataprotection import retention
    from lagesbild.dataprotection.retention import Schedule

    member = bench.coordinator(incidents)
    partnership = member.partnership
    entries = add_entries(partnership)
    from lagesbild.incidents.models import Incident

    total = Incident.objects.filter(partnership=partnership).count()
    print(f"  {total:,} incidents, {entries:,} audit entries with an address")
    schedule = Schedule(text_months=12, point_months=6, audit_address_months=12)
    retention.save_schedule(actor=member.user, partnership=partnership, schedule=schedule)
    preview = timed("preview", retention.preview, partnership, schedule)
    print(
        f"    would change {preview.texts_removed:,} free texts, {preview.points_coarsened:,} "
        f"points, {preview.audit_addresses_removed:,} audit addresses"
    )
    first = timed("first run", retention.run_now, partnership)
    print(
        f"    changed {first.texts_removed:,} free texts, {first.points_coarsened:,} points, "
        f"{first.audit_addresses_removed:,} audit addresses"
    )
    second = timed("second run (nothing left)", retention.run_now, partnership)
    print(
        f"    changed {second.texts_removed} free texts, {second.points_coarsened} points, "
        f"{second.audit_addresses_removed} audit addresses"
    )
    retention.enqueue_due_runs()  # claims today's scheduled run, if the hour has come
    timed("heartbeat check, today's run claimed", retention.enqueue_due_runs)


def add_entries(partnership) -> int:
    """One audit entry per incident with an address, dated at the incident's time."""
    from lagesbild.audit.models import Entry
    from lagesbild.incidents.models import Incident

    rows = Incident.objects.filter(partnership=partnership).values_list("pk", "occurred_at")
    count, batch, times = 0, [], []
    for pk, at in rows.iterator(chunk_size=5000):
        batch.append(
            Entry(
                partnership=partnership,
                action="incident.view",
                object_type="incident",
                object_id=str(pk),
                ip_address="192.0.2.10",
                user_agent="Mozilla/5.0 (benchmark)",
            )
        )
        times.append(at)
        if len(batch) == 5000:
            count += _store(batch, times)
            batch, times = [], []
    return count + _store(batch, times)


def _store(batch, times) -> int:
    """bulk_create sets `at` to now (auto_now_add); each entry then gets its incident's time."""
    from lagesbild.audit.models import Entry

    created = Entry.objects.bulk_create(batch)
    for entry, at in zip(created, times, strict=True):
        entry.at = at
    Entry.objects.bulk_update(created, ["at"], batch_size=1000)
    return len(created)


def main() -> None:
    parser = bench.arguments("Retention: preview, runs and the heartbeat check.", ["demo"])
    args = parser.parse_args()
    extra = []
    if bench.run_cases(args, extra):
        return
    print(f"== {args.db}, {bench.size_label(args.incidents)}")
    try:
        bench.prepare(args.db, args.incidents)
        measure(args.incidents)
    finally:
        bench.finish(args)


if __name__ == "__main__":
    sys.exit(main())
