"""Incident submissions per second through the real HTTP stack (gunicorn as `make run` starts it).

    .venv/bin/python benchmarks/web_submit.py [--db sqlite|postgres] [--incidents demo]
                                              [--requests 2000] [--threads 8] [--no-worker]
                                              [--worker-nice 10] [--keep]

Loads the demo partnership (at `--incidents` size) into the case's benchmark database, starts
what `make run` serves: gunicorn (lagesbild.wsgi, 3 workers, 4 threads) on a free 127.0.0.1
port and, unless --no-worker, the task worker (`manage.py worker`) that recomputes a week's
picture after its incidents change (--worker-nice N runs it at a lower CPU priority, which
`make run` does not). It then POSTs incidents
to /api/v1/incidents with a reporter's API token from a pool of `--threads` client threads,
each keeping its connection open. Three rounds:

- new:     `--requests` incidents, each with a fresh client_id (expect 201);
- retries: a quarter of those client ids again, each sent twice (expect 200, nothing new);
- races:   a quarter as many fresh client ids, each queued twice back to back so two threads
           send it at about the same time (expect one 201 and one 200 per id).

Prints requests/s, latency p50/p95 and unexpected answers per round, then checks that the
partnership gained exactly one row per distinct client id. Only 127.0.0.1 is contacted; each
round stops after `--max-seconds`; the server processes are stopped at the end. Target
(issue 3): over 100 submissions per second.
"""

import http.client
import json
import os
import queue
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import web_common as bench

ENDPOINT = "/api/v1/incidents"


@dataclass
class Answer:
    client_id: str
    status: int | None  # None: the connection failed
    seconds: float


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see its log")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/v1/openapi.json")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer on port {port} within {timeout:.0f} s")


@contextmanager
def running(name: str, command: list[str], db: str, incidents: int | None):
    """A server process of this case, logging to var/bench/<name>.log; stopped on exit."""
    with (bench.BENCH_DIR / f"{name}.log").open("w") as log:
        process = subprocess.Popen(
            command,
            cwd=bench.ROOT,
            env=bench.environment(db, incidents),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class Served:
    port: int
    gunicorn_pid: int
    worker_pid: int | None


@contextmanager
def server(db: str, incidents: int | None, *, worker: bool, worker_nice: int):
    """What `make run` serves: gunicorn with its options on a free local port and, with
    `worker`, the background task worker beside it (at `worker_nice`)."""
    port = free_port()
    bin_dir = Path(sys.executable).parent
    gunicorn = [
        *(str(bin_dir / "gunicorn"), "lagesbild.wsgi", "--bind", f"127.0.0.1:{port}"),
        *("--workers", "3", "--threads", "4", "--access-logfile", "-", "--graceful-timeout", "5"),
    ]
    db_worker = [
        *("nice", "-n", str(worker_nice), sys.executable, "manage.py", "worker"),
        *("--interval", "2", "--no-startup-delay"),
    ]
    with ExitStack() as stack:
        task_worker = (
            stack.enter_context(running("db_worker", db_worker, db, incidents)) if worker else None
        )
        web = stack.enter_context(running("gunicorn", gunicorn, db, incidents))
        wait_until_serving(port, web)
        yield Served(port, web.pid, task_worker.pid if task_worker else None)


def cpu_snapshot(served: Served, db: str) -> dict[str, dict[int, float]]:
    """CPU seconds used so far by each server process: gunicorn's master and workers, the
    task worker (`nice` execs it under the same pid), PostgreSQL's processes for the
    benchmark database, and this client."""
    groups = {
        "gunicorn": [served.gunicorn_pid, *bench.child_pids(served.gunicorn_pid)],
        "PostgreSQL": bench.postgres_backends() if db == "postgres" else [],
        "task worker": [served.worker_pid] if served.worker_pid else [],
    }
    snapshot = {
        name: {pid: bench.process_cpu(pid) for pid in pids} for name, pids in groups.items()
    }
    snapshot["client"] = {os.getpid(): time.process_time()}
    return snapshot


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    """Seconds per group between two snapshots (a process that started in between counts
    from zero; one that ended in between is lost, which persistent connections make rare)."""
    return {
        name: sum(cpu - before[name].get(pid, 0.0) for pid, cpu in pids.items())
        for name, pids in after.items()
    }


def warm_up(port: int, token: str, threads: int) -> None:
    """A few reads from every client thread, so each server worker has loaded the app."""

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(4):
            connection.request("GET", "/api/v1/categories", headers=auth(token))
            connection.getresponse().read()
        connection.close()

    in_threads(client, threads)


def in_threads(target, count: int) -> float:
    """Run `target` in `count` threads at once; seconds until the last one finished."""
    pool = [threading.Thread(target=target) for _ in range(count)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.perf_counter() - started


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def send_all(port: int, token: str, bodies: list[dict], threads: int, max_seconds: float):
    """POST every body from `threads` threads, each with its own kept-alive connection;
    (answers, wall seconds). Stops taking new work after `max_seconds`."""
    work = queue.SimpleQueue()
    for body in bodies:
        work.put(body)
    answers: list[Answer] = []
    headers = auth(token)
    deadline = time.monotonic() + max_seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            try:
                body = work.get_nowait()
            except queue.Empty:
                break
            started = time.perf_counter()
            try:
                connection.request("POST", ENDPOINT, json.dumps(body), headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()  # reconnects on the next request
                status = None
            answers.append(Answer(body["client_id"], status, time.perf_counter() - started))
        connection.close()

    seconds = in_threads(client, threads)
    return answers, seconds


def bodies_for(client_ids: list[str], places, codes: list[str], rng: random.Random) -> list[dict]:
    """One plausible report per client id: a place's point, a recent time, no personal data."""
    from django.utils import timezone

    now = timezone.now()
    bodies = []
    for client_id in client_ids:
        place = rng.choice(places)
        bodies.append(
            {
                "client_id": client_id,
                "category": rng.choice(codes),
                "occurred_at": (now - timedelta(minutes=rng.randint(5, 7 * 24 * 60))).isoformat(),
                "severity": rng.randint(1, 3),
                "lon": place.lon,
                "lat": place.lat,
                "description": f"Benchmark: observerat vid {place.name}.",
            }
        )
    return bodies


def summarise(label: str, answers: list[Answer], seconds: float, expected) -> None:
    """One line per round; `expected(answers_of_one_id)` says whether an id's answers are right."""
    by_id: dict[str, list[int | None]] = {}
    for answer in answers:
        by_id.setdefault(answer.client_id, []).append(answer.status)
    wrong = sum(not expected(statuses) for statuses in by_id.values())
    statuses = dict(sorted(Counter(a.status for a in answers).items(), key=str))
    latency = bench.milliseconds([a.seconds for a in answers])
    print(
        f"  {label:8} {len(answers):5} requests in {seconds:5.1f} s = "
        f"{len(answers) / seconds:6.1f}/s, latency {latency}, answers {statuses}, "
        f"client ids answered wrongly: {wrong}",
        flush=True,
    )


def worker_label(args) -> str:
    if not args.worker:
        return ""
    return " and the task worker" + (f" at nice {args.worker_nice}" if args.worker_nice else "")


def run_case(args) -> None:
    db, incidents = args.db, args.incidents
    bench.prepare(db, incidents)
    from django.db import connections

    from lagesbild.api.models import ApiToken
    from lagesbild.geography.models import Place
    from lagesbild.incidents.models import Incident
    from lagesbild.incidents.queries import reportable_categories
    from lagesbild.partnerships.models import Membership

    reporter = (
        Membership.objects.filter(partnership__slug=bench.slug(incidents), role="reporter")
        .select_related("user", "partnership", "organisation")
        .first()
    )
    partnership = reporter.partnership
    _token, raw_token = ApiToken.issue(reporter, "benchmark")
    places = list(Place.objects.filter(partnership=partnership, active=True))
    codes = [c.code for c in reportable_categories(reporter)]
    api_rows = Incident.objects.filter(partnership=partnership, source=Incident.Source.API)
    rows_before = api_rows.count()
    connections.close_all()  # the server's processes own the database now

    rng = random.Random(2026)
    # Random ids, not seeded ones: a kept database may already hold a seeded run's ids.
    new_ids = [str(uuid.uuid4()) for _ in range(args.requests)]
    race_ids = [str(uuid.uuid4()) for _ in range(args.requests // 4)]
    retry_ids = new_ids[: args.requests // 4]
    rounds = [
        ("new", bodies_for(new_ids, places, codes, rng), lambda s: s == [201]),
        (
            "retries",
            bodies_for(rng.sample(retry_ids * 2, 2 * len(retry_ids)), places, codes, rng),
            lambda s: s == [200, 200],
        ),
        (
            "races",
            bodies_for([i for i in race_ids for _ in (0, 1)], places, codes, rng),
            lambda s: sorted(s) == [200, 201],
        ),
    ]
    load = os.getloadavg()[0]
    print(
        f"== {db}, {partnership.incidents.count():,} incidents before, gunicorn 3 workers x "
        f"4 threads{worker_label(args)}, {args.threads} client threads (load {load:.1f})"
    )
    with server(db, incidents, worker=args.worker, worker_nice=args.worker_nice) as served:
        warm_up(served.port, raw_token, args.threads)
        for label, bodies, expected in rounds:
            cpu_before = cpu_snapshot(served, db)
            answers, seconds = send_all(
                served.port, raw_token, bodies, args.threads, args.max_seconds
            )
            used = cpu_used(cpu_before, cpu_snapshot(served, db))
            summarise(label, answers, seconds, expected)
            print(
                "           CPU a request: "
                + ", ".join(
                    f"{name} {cpu / len(answers) * 1000:.1f} ms" for name, cpu in used.items()
                )
            )
    added = api_rows.count() - rows_before
    distinct = len(new_ids) + len(race_ids)
    verdict = "as expected" if added == distinct else "MISMATCH"
    print(f"  rows added {added}, distinct client ids {distinct}: {verdict}")


def main() -> None:
    parser = bench.arguments(__doc__.splitlines()[0], ["demo"])
    parser.add_argument("--requests", type=int, default=2000, help="new incidents to submit")
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument(
        "--no-worker",
        dest="worker",
        action="store_false",
        help="serve without the background task worker that make run starts beside gunicorn",
    )
    parser.add_argument(
        "--worker-nice", type=int, default=0, help="CPU niceness of the task worker (default 0)"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=180, help="stop a round after this long"
    )
    args = parser.parse_args()
    extra = [
        *("--requests", str(args.requests)),
        *("--threads", str(args.threads)),
        *("--max-seconds", str(args.max_seconds)),
        *([] if args.worker else ["--no-worker"]),
        *("--worker-nice", str(args.worker_nice)),
    ]
    bench.run(args, extra, run_case)


if __name__ == "__main__":
    sys.exit(main())
