"""50 concurrent users against the app as `make run` serves it: reports, lists and pictures.

    .venv/bin/python benchmarks/load.py [--users 50] [--seconds 60] [--keep-alive 75]
                                        [--think 3] [--port 8121] [--database lb_ops]

Starts `make run` (gunicorn 3 workers x 4 threads, the task worker, --keep-alive from the
Makefile unless --keep-alive N) on its own port with HTTPS=false and its own PostgreSQL
database (made if missing; the demo is loaded into it once). Each simulated user keeps one
HTTP connection open, as a browser does, and loops: think for 0..--think seconds, then
submit a report through the API (30 %), open the incident list (30 %), the latest picture
(25 %, a redirect and the week's page) or the start page (15 %). Members' pages are read
with logged-in sessions of the demo's member account; reports are sent with the demo
reporters' API tokens (read/write).

Prints requests per second, latency p50/p95 per kind and overall, answers by status,
errors and connection resets (a request whose kept-alive connection the server closed or
reset, counted and not retried), the load average, and what /metrics counted meanwhile.
A connection reset is a request lost to the client: gunicorn's --keep-alive (default 2 s)
closes an idle connection just as a user who thought for two seconds reuses it.
"""

import argparse
import http.client
import json
import random
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import timedelta

import ops_common as ops

RESET_ERRORS = (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)


class User(threading.Thread):
    def __init__(self, number, args, cookie, sender, deadline, results):
        super().__init__(name=f"user-{number}", daemon=True)
        self.port, self.think = args.port, args.think
        self.cookie, (self.token, self.bodies) = cookie, sender
        self.deadline, self.results = deadline, results
        self.rng = random.Random(number)
        self.connection = None

    def send(self, kind, method, path, body=None, headers=None):
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body, headers or {})
            response = self.connection.getresponse()
            response.read()
            outcome = response.status
            location = response.headers.get("Location")
            if response.headers.get("Connection", "").lower() == "close":
                self.connection.close()
                self.connection = None
        except RESET_ERRORS:
            outcome, location = "reset", None
            self.connection.close()
            self.connection = None
        except (OSError, http.client.HTTPException) as exc:
            outcome, location = type(exc).__name__, None
            self.connection.close()
            self.connection = None
        self.results.append((kind, outcome, time.perf_counter() - started))
        return outcome, location

    def run(self):
        pages = {"Cookie": self.cookie}
        api = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        while True:
            time.sleep(self.rng.uniform(0, self.think))
            if time.monotonic() > self.deadline:
                break
            roll = self.rng.random()
            if roll < 0.30:
                body = dict(self.rng.choice(self.bodies), client_id=str(uuid.uuid4()))
                self.send("report", "POST", "/api/v1/incidents", json.dumps(body), api)
            elif roll < 0.60:
                self.send("list", "GET", "/handelser/", headers=pages)
            elif roll < 0.85:
                status, location = self.send("picture", "GET", "/lagesbild/", headers=pages)
                if status == 302 and location:
                    self.send("picture", "GET", location, headers=pages)
            else:
                self.send("home", "GET", "/", headers=pages)
        if self.connection is not None:
            self.connection.close()


def report_bodies(membership, rng):
    """Plausible reports the member may send: its reportable categories, the demo's places."""
    from django.utils import timezone

    from lagesbild.geography.models import Place
    from lagesbild.incidents.queries import reportable_categories

    places = list(Place.objects.filter(partnership=membership.partnership, active=True))
    codes = [c.code for c in reportable_categories(membership)]
    now = timezone.now()
    return [
        {
            "category": rng.choice(codes),
            "occurred_at": (now - timedelta(minutes=rng.randint(5, 3 * 24 * 60))).isoformat(),
            "severity": rng.randint(1, 3),
            "lon": place.lon,
            "lat": place.lat,
            "description": f"Lasttest: observerat vid {place.name}.",
        }
        for place in rng.choices(places, k=200)
    ]


def scrape(port) -> tuple[float, dict[float, float]]:
    """From /metrics: requests counted so far, and the server-side latency histogram summed
    over every view ({upper bound: cumulative count})."""
    from prometheus_client.parser import text_string_to_metric_families

    status, _, body = ops.request(port, "GET", "/metrics")
    if status != 200:
        return float("nan"), {}
    total, buckets = 0.0, defaultdict(float)
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if sample.name == "lagesbild_http_requests_total":
                total += sample.value
            elif sample.name == "lagesbild_http_request_duration_seconds_bucket":
                buckets[float(sample.labels["le"])] += sample.value
    return total, buckets


def server_percentile(before: dict, after: dict, share: float) -> str:
    """The histogram bucket holding the share-th request (server time, from /metrics)."""
    deltas = sorted((bound, after[bound] - before.get(bound, 0.0)) for bound in after)
    if not deltas or deltas[-1][1] <= 0:
        return "n/a"
    wanted = share * deltas[-1][1]
    for bound, count in deltas:
        if count >= wanted:
            return "over 30 s" if bound == float("inf") else f"under {bound * 1000:.0f} ms"
    return "n/a"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=3, help="max think time, seconds")
    parser.add_argument("--keep-alive", type=int, help="gunicorn --keep-alive (Makefile's)")
    parser.add_argument("--port", type=int, default=8121)
    parser.add_argument("--database", default="lb_ops")
    parser.add_argument("--sessions", type=int, default=10, help="member logins shared")
    args = parser.parse_args()

    var_dir = ops.ROOT / "var" / "bench-ops"
    url = ops.ensure_database(args.database)
    print(f"load before: {ops.load_average()}")
    with ops.make_run(args.port, url, var_dir, keep_alive=args.keep_alive):
        ops.setup_django(url, var_dir)
        from django.db import connections

        from lagesbild.api.models import ApiToken
        from lagesbild.incidents.models import Incident
        from lagesbild.partnerships.models import Membership

        reporters = list(
            Membership.objects.filter(
                partnership__slug="est-sollentuna", role=Membership.Role.REPORTER
            ).select_related("partnership")
        )
        partnership = reporters[0].partnership
        rng = random.Random(2026)
        senders = [
            (
                ApiToken.issue(m, "lasttest", scope=ApiToken.Scope.READ_WRITE)[1],
                report_bodies(m, rng),
            )
            for m in reporters
        ]
        incidents_before = Incident.objects.filter(partnership=partnership).count()
        connections.close_all()
        password = ops.demo_passwords(var_dir)["deltagare"]
        cookies = [ops.log_in(args.port, "deltagare", password) for _ in range(args.sessions)]
        keep_alive = args.keep_alive if args.keep_alive is not None else "Makefile's"
        print(
            f"== {args.users} users for {args.seconds:.0f} s against make run on port "
            f"{args.port} (PostgreSQL {args.database}, --keep-alive {keep_alive}, think "
            f"0..{args.think:.0f} s)"
        )
        counted_before, buckets_before = scrape(args.port)
        results = []
        deadline = time.monotonic() + args.seconds
        users = [
            User(
                i,
                args,
                cookies[i % len(cookies)],
                senders[i % len(senders)],
                deadline,
                results,
            )
            for i in range(args.users)
        ]
        started = time.perf_counter()
        for user in users:
            user.start()
        for user in users:
            user.join()
        elapsed = time.perf_counter() - started
        load = ops.load_average()
        counted, buckets_after = scrape(args.port)
        counted -= counted_before + 1  # less the scrape itself
        stored = Incident.objects.filter(partnership=partnership).count() - incidents_before
        connections.close_all()

    by_kind = defaultdict(list)
    for kind, outcome, seconds in results:
        by_kind[kind].append((outcome, seconds))
    print(f"  {len(results)} requests in {elapsed:.1f} s = {len(results) / elapsed:.1f} req/s")
    for kind, rows in sorted(by_kind.items()):
        times = [s for _, s in rows]
        print(
            f"  {kind:8} {len(rows):6} requests  p50 {ops.percentile(times, 0.5) * 1000:7.0f} ms"
            f"  p95 {ops.percentile(times, 0.95) * 1000:7.0f} ms"
        )
    times = [s for _, _, s in results]
    print(
        f"  {'all':8} {len(results):6} requests  p50 {ops.percentile(times, 0.5) * 1000:7.0f} ms"
        f"  p95 {ops.percentile(times, 0.95) * 1000:7.0f} ms"
    )
    outcomes = Counter(outcome for _, outcome, _ in results)
    resets = outcomes.get("reset", 0)
    server_errors = sum(n for o, n in outcomes.items() if isinstance(o, int) and o >= 500)
    other_errors = sum(n for o, n in outcomes.items() if isinstance(o, str) and o != "reset")
    print(f"  answers: {dict(sorted(outcomes.items(), key=str))}")
    print(
        f"  connection resets {resets} ({resets / max(1, len(results)):.2%}), server errors "
        f"{server_errors}, other client errors {other_errors}"
    )
    reports_ok = sum(1 for k, o, _ in results if k == "report" and o == 201)
    print(f"  reports answered 201: {reports_ok}, incidents stored meanwhile: {stored}")
    print(f"  /metrics counted {counted:.0f} requests meanwhile (the client saw {len(results)})")
    print(
        "  server time (Django, from /metrics): p50 "
        f"{server_percentile(buckets_before, buckets_after, 0.5)}, p95 "
        f"{server_percentile(buckets_before, buckets_after, 0.95)}; the rest of the client's "
        "time is waiting for a free gunicorn thread and the network"
    )
    print(f"load after: {load}")


if __name__ == "__main__":
    main()
