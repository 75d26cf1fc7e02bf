"""Reports submitted while gunicorn workers and the task worker are killed with kill -9.

    .venv/bin/python benchmarks/crash.py [--seconds 90] [--clients 8] [--kill-every 2]
                                         [--worker-kill-every 15] [--port 8122]
                                         [--database lb_ops]

Starts `make run` on its own port and PostgreSQL database (the demo loaded once), then for
--seconds: --clients threads POST new reports to /api/v1/incidents with the demo reporters'
read/write tokens, each with a fresh client_id, retrying the same client_id on a lost
connection or a 5xx as an app with an outbox would (up to 20 tries, 0.5 s apart). Meanwhile
one gunicorn worker is killed with SIGKILL every --kill-every seconds (gunicorn starts a new
one), and the task worker every --worker-kill-every seconds (restarted at once, as systemd's
Restart=always would).

Prints kills, reports accepted (answered 201, or 200 for a retry that found it stored),
given up, and then from the database: accepted but not stored (lost), stored more than once
(duplicated), stored though never acknowledged, and whether the analysis recovered (no run
left claiming to be active after its lease, a live worker heartbeat).
"""

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter

import ops_common as ops
from load import report_bodies


class Submitter(threading.Thread):
    def __init__(self, number, port, sender, deadline, ledger):
        super().__init__(name=f"client-{number}", daemon=True)
        self.port, (self.token, self.bodies) = port, sender
        self.deadline, self.ledger = deadline, ledger
        self.rng = random.Random(number)
        self.connection = None

    def post(self, body) -> int | str:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        try:
            self.connection.request("POST", "/api/v1/incidents", json.dumps(body), headers)
            response = self.connection.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            self.connection = None
            return type(exc).__name__

    def run(self):
        while time.monotonic() < self.deadline:
            body = dict(self.rng.choice(self.bodies), client_id=str(uuid.uuid4()))
            attempts = []
            for _ in range(20):
                outcome = self.post(body)
                attempts.append(outcome)
                if outcome in (200, 201) or (isinstance(outcome, int) and outcome < 500):
                    break
                time.sleep(0.5)
            self.ledger.append((body["client_id"], attempts))


def start_task_worker(env) -> subprocess.Popen:
    command = ["nice", "-n", "19", sys.executable, "manage.py", "worker", "--interval", "2"]
    return subprocess.Popen(
        [*command, "--no-startup-delay"],
        cwd=ops.ROOT,
        env={**env, "OPENBLAS_NUM_THREADS": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--kill-every", type=float, default=2)
    parser.add_argument("--worker-kill-every", type=float, default=15)
    parser.add_argument("--port", type=int, default=8122)
    parser.add_argument("--database", default="lb_ops")
    args = parser.parse_args()

    var_dir = ops.ROOT / "var" / "bench-ops"
    url = ops.ensure_database(args.database)
    print(f"load before: {ops.load_average()}")
    restarted: list[subprocess.Popen] = []
    with ops.make_run(args.port, url, var_dir) as app:
        ops.setup_django(url, var_dir)
        from django.db import connections
        from django.db.models import Count
        from django.utils import timezone

        from lagesbild.api.models import ApiToken
        from lagesbild.incidents.models import Incident
        from lagesbild.partnerships.models import Membership
        from lagesbild.pictures.models import AnalysisRun

        reporters = list(
            Membership.objects.filter(
                partnership__slug="est-sollentuna", role=Membership.Role.REPORTER
            ).select_related("partnership")
        )
        partnership = reporters[0].partnership
        rng = random.Random(7)
        senders = [
            (
                ApiToken.issue(m, "krocktest", scope=ApiToken.Scope.READ_WRITE)[1],
                report_bodies(m, rng),
            )
            for m in reporters
        ]
        connections.close_all()

        ledger: list = []
        deadline = time.monotonic() + args.seconds
        clients = [
            Submitter(i, args.port, senders[i % len(senders)], deadline, ledger)
            for i in range(args.clients)
        ]
        print(
            f"== {args.clients} clients for {args.seconds:.0f} s; kill -9 a gunicorn worker "
            f"every {args.kill_every:g} s and the task worker every {args.worker_kill_every:g} s"
        )
        for client in clients:
            client.start()
        kills = Counter()
        next_worker_kill = time.monotonic() + args.worker_kill_every
        while time.monotonic() < deadline:
            time.sleep(args.kill_every)
            workers = app.gunicorn_workers()
            if workers:
                os.kill(rng.choice(workers), signal.SIGKILL)
                kills["gunicorn worker"] += 1
            if time.monotonic() >= next_worker_kill:
                for pid in app.task_workers() + [p.pid for p in restarted if p.poll() is None]:
                    os.kill(pid, signal.SIGKILL)
                    kills["task worker"] += 1
                restarted.append(start_task_worker(app.env))
                next_worker_kill = time.monotonic() + args.worker_kill_every
        for client in clients:
            client.join()

        accepted = {cid for cid, attempts in ledger if attempts[-1] in (200, 201)}
        given_up = {cid for cid, attempts in ledger if attempts[-1] not in (200, 201)}
        retried = sum(1 for _, attempts in ledger if len(attempts) > 1)
        failures = Counter(a for _, attempts in ledger for a in attempts if a not in (200, 201))
        stored = dict(
            Incident.objects.filter(partnership=partnership, client_id__in=[*accepted, *given_up])
            .values_list("client_id")
            .annotate(n=Count("id"))
            .values_list("client_id", "n")
        )
        stored = {str(k): n for k, n in stored.items()}
        lost = [cid for cid in accepted if cid not in stored]
        duplicated = [cid for cid, n in stored.items() if n > 1]
        unacknowledged = [cid for cid in given_up if cid in stored]
        print(f"  kills: {dict(kills)}")
        print(
            f"  reports sent {len(ledger)}, accepted {len(accepted)}, given up {len(given_up)}, "
            f"retried {retried}; failed attempts {dict(failures)}"
        )
        print(
            f"  stored {sum(stored.values())}: lost {len(lost)}, duplicated {len(duplicated)}, "
            f"stored though never acknowledged {len(unacknowledged)}"
        )

        # The analysis after the crashes: with a live worker, no run may stay "active" past
        # its lease (the worker redoes those), and the queue drains.
        recovered_by = time.monotonic() + 180
        while True:
            dead = AnalysisRun.objects.filter(
                status__in=["queued", "running"], lease_expires_at__lte=timezone.now()
            ).count()
            status, _, body = ops.request(args.port, "GET", "/healthz/worker")
            if (dead == 0 and status == 200) or time.monotonic() > recovered_by:
                break
            time.sleep(2)
        print(f"  after the crashes: /healthz/worker {status} {body.decode()}")
        print(f"  runs active past their lease: {dead}")
        connections.close_all()
        load = ops.load_average()
    for process in restarted:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
    print(f"load after: {load}")


if __name__ == "__main__":
    main()
