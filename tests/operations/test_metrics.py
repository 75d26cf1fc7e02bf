"""/metrics: Prometheus figures for the operator's scraper only, summed over gunicorn's
worker processes."""

import http.client
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from lagesbild.operations.models import WorkerHeartbeat
from lagesbild.pictures.models import AnalysisRun
from tests.factories import make_partnership

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "a-long-random-scrape-token"


def scrape(client, **headers) -> dict:
    """{(name, labels as sorted tuple): value} of one scrape with the token."""
    response = client.get("/metrics", headers={"authorization": f"Bearer {TOKEN}", **headers})
    assert response.status_code == 200, response.content[:300]
    return parse(response.content.decode())


def parse(text: str) -> dict:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_off_when_neither_a_token_nor_addresses_are_set(client):
    assert client.get("/metrics").status_code == 404


@override_settings(METRICS_TOKEN=TOKEN)
@pytest.mark.django_db
def test_metrics_need_the_bearer_token(client):
    assert client.get("/metrics").status_code == 403
    wrong = {"authorization": "Bearer not-the-token"}
    assert client.get("/metrics", headers=wrong).status_code == 403
    right = client.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200
    assert right["Content-Type"].startswith("text/plain")
    assert b"lagesbild_database_up 1.0" in right.content


@override_settings(METRICS_ALLOWED_IPS=[ipaddress.ip_network("10.20.0.0/16")])
@pytest.mark.django_db
def test_metrics_are_open_to_the_allowed_addresses_only(client):
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.21.3.4").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


@override_settings(
    METRICS_ALLOWED_IPS=[ipaddress.ip_network("10.20.0.0/16")], TRUSTED_PROXY_COUNT=1
)
@pytest.mark.django_db
def test_behind_a_proxy_the_forwarded_client_address_counts(client):
    # The proxy (10.20.0.1, itself in the allowed range) forwards an outside client: refused,
    # and a forged header in front of the proxy's own entry changes nothing.
    outside = {"REMOTE_ADDR": "10.20.0.1", "HTTP_X_FORWARDED_FOR": "10.20.9.9, 203.0.113.7"}
    assert client.get("/metrics", **outside).status_code == 403
    inside = {"REMOTE_ADDR": "10.20.0.1", "HTTP_X_FORWARDED_FOR": "10.20.9.9"}
    assert client.get("/metrics", **inside).status_code == 200


@override_settings(METRICS_TOKEN=TOKEN)
@pytest.mark.django_db
def test_requests_are_counted_by_view_and_status_and_timed(client):
    before = scrape(client)
    client.get("/healthz")
    client.get("/healthz")
    client.get("/finns-inte/")
    client.generic("BREW", "/healthz")
    after = scrape(client)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("lagesbild_http_requests_total", view="healthz", method="GET", status="200") == 2
    assert delta("lagesbild_http_requests_total", view="unmatched", method="GET", status="404") == 1
    assert delta("lagesbild_http_request_duration_seconds_count", view="healthz", method="GET") == 2
    # A method made up by the client is not a label of its own.
    assert delta("lagesbild_http_requests_total", view="healthz", method="other", status="405") == 1
    assert not any("BREW" in str(key) for key in after)
    # The path itself is never a label: ids in paths would make a series per incident.
    assert not any("finns-inte" in str(key) for key in after)


@override_settings(METRICS_TOKEN=TOKEN)
@pytest.mark.django_db
def test_queue_heartbeat_and_run_durations_come_from_the_database(client):
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="w1", host="h", pid=1, started_at=now, seen_at=now - timedelta(seconds=30)
    )
    partnership = make_partnership("Mätningar")

    def run(status, seconds=None):
        started = now - timedelta(minutes=5) if seconds is not None else None
        AnalysisRun.objects.create(
            partnership=partnership,
            period_kind="week",
            period="2026-W10",
            status=status,
            started_at=started,
            finished_at=started + timedelta(seconds=seconds) if seconds is not None else None,
        )

    run("queued")
    run("running")
    run("done", seconds=3)
    run("done", seconds=40)
    run("failed", seconds=0.2)

    samples = scrape(client)
    assert 30 <= value(samples, "lagesbild_worker_heartbeat_age_seconds") < 90
    assert value(samples, "lagesbild_workers_live") == 1
    assert value(samples, "lagesbild_analysis_runs", state="queued") == 1
    assert value(samples, "lagesbild_analysis_runs", state="running") == 1
    duration = "lagesbild_analysis_run_duration_seconds"
    assert value(samples, f"{duration}_bucket", status="done", le="2.5") == 0
    assert value(samples, f"{duration}_bucket", status="done", le="5.0") == 1
    assert value(samples, f"{duration}_bucket", status="done", le="60.0") == 2
    assert value(samples, f"{duration}_bucket", status="done", le="+Inf") == 2
    assert value(samples, f"{duration}_count", status="done") == 2
    assert value(samples, f"{duration}_sum", status="done") == pytest.approx(43)
    assert value(samples, f"{duration}_bucket", status="failed", le="0.5") == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str, headers=None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Connection": "close", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.slow
def test_under_gunicorn_the_counts_of_all_worker_processes_are_added_up(tmp_path):
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    port = _free_port()
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "lagesbild.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LAGESBILD_VAR_DIR": str(tmp_path),
        "TESTING": "1",
        "METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "lagesbild.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "3"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                _get(port, "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("gunicorn did not start")
                time.sleep(0.2)
        sent = 1
        # New connections until at least two worker processes have answered some.
        while len(list(metrics_dir.glob("counter_*.db"))) < 2 or sent < 30:
            _get(port, "/healthz")
            sent += 1
            assert sent < 1000, "only one gunicorn worker ever answered"
        status, body = _get(port, "/metrics", {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        samples = parse(body.decode())
        counted = value(
            samples, "lagesbild_http_requests_total", view="healthz", method="GET", status="200"
        )
        assert counted == sent
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
