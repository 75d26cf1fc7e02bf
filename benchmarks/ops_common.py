"""Plumbing for the operations benchmarks (load.py, crash.py): the app exactly as `make run`
starts it, on a port and a PostgreSQL database of the benchmark's own, and plain HTTP.

`make run` migrates, loads the demo once (seed_demo), collects static files and starts the
task worker and gunicorn with the Makefile's options (workers, threads, --keep-alive,
PROMETHEUS_MULTIPROC_DIR). It runs in a process group of its own, ended at the end.
"""

import http.client
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f} (1/5/15 min, {os.cpu_count()} cores)"


def ensure_database(name: str) -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def environment(database_url: str, var_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lagesbild.settings",
        "DATABASE_URL": database_url,
        "LAGESBILD_VAR_DIR": str(var_dir),
        "HTTPS": "false",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
        "TESTING": "0",
    }


def setup_django(database_url: str, var_dir: Path) -> None:
    """This process reads the same database (accounts, tokens, the final counts)."""
    os.environ.update(environment(database_url, var_dir))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def request(port, method, path, body=None, headers=None, timeout=30):
    """One request on a fresh connection: (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body, headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def wait_for_health(port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"make run ended with {process.returncode}: see its log")
        try:
            if request(port, "GET", "/healthz", timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit(f"nothing answered /healthz on port {port} within {timeout:.0f} s")


@dataclass
class App:
    port: int
    make: subprocess.Popen
    env: dict
    log: Path

    def descendants(self) -> list[tuple[int, int, str]]:
        """(pid, parent pid, command line) of every process under `make run`."""
        table = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, IndexError, ValueError):
                continue
            table[int(stat.parent.name)] = (parent, cmdline)
        found, frontier = [], [self.make.pid]
        while frontier:
            pid = frontier.pop()
            for child, (parent, cmdline) in table.items():
                if parent == pid:
                    frontier.append(child)
                    if not cmdline.startswith(("/bin/sh", "sh ", "make ")):  # recipe shells
                        found.append((child, parent, cmdline))
        return found

    def gunicorn_workers(self) -> list[int]:
        processes = self.descendants()
        gunicorns = {pid for pid, _, cmd in processes if "bin/gunicorn" in cmd}
        return [pid for pid, parent, _ in processes if parent in gunicorns and pid in gunicorns]

    def task_workers(self) -> list[int]:
        return [pid for pid, _, cmd in self.descendants() if "manage.py worker" in cmd]


@contextmanager
def make_run(port: int, database_url: str, var_dir: Path, *, keep_alive: int | None = None):
    """`make run` on `port`; yields an App once /healthz answers, ends its process group."""
    var_dir.mkdir(parents=True, exist_ok=True)
    log = var_dir / f"make-run-{port}.log"
    command = ["make", "--no-print-directory", "run", f"PORT={port}"]
    if keep_alive is not None:
        command.append(f"KEEPALIVE={keep_alive}")
    command.append(f"METRICS_DIR={var_dir / f'prometheus-{port}'}")
    env = environment(database_url, var_dir)
    with log.open("w") as output:
        make = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for_health(port, make, timeout=1800)
            yield App(port, make, env, log)
        finally:
            try:
                os.killpg(make.pid, signal.SIGTERM)
                make.wait(30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(make.pid, signal.SIGKILL)
                make.wait()


def demo_passwords(var_dir: Path) -> dict[str, str]:
    return json.loads((var_dir / "demo_accounts.json").read_text())


def log_in(port: int, username: str, password: str) -> str:
    """Log in through the login form; the session's Cookie header."""
    status, headers, _ = request(port, "GET", "/konto/logga-in/")
    cookies = _cookies(headers)
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": cookies["csrftoken"]}
    )
    status, headers, _ = request(
        port,
        "POST",
        "/konto/logga-in/",
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Referer": f"http://127.0.0.1:{port}/konto/logga-in/",
        },
    )
    cookies.update(_cookies(headers))
    if status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"could not log in as {username}: {status}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _cookies(headers) -> dict[str, str]:
    found = {}
    for value in headers.get_all("Set-Cookie") or []:
        name, _, rest = value.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
