"""Error pages when things outside the request go wrong: the database away."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Runs in a fresh process whose DATABASE_URL points at nothing: every request that needs the
# database meets a real connection failure, not a mock.
PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
client.cookies["sessionid"] = "x" * 32  # a session to look up: the database is needed
out = {}
for path in ("/", "/handelser/", "/lagesbild/", "/finns-inte/"):
    r = client.get(path)
    out[path] = [r.status_code, r.get("Retry-After"), r["Content-Type"], r.content.decode()]
r = Client(raise_request_exception=False).get(
    "/api/v1/incidents", headers={"authorization": "Bearer abc"}
)
out["api"] = [r.status_code, r.get("Retry-After"), r["Content-Type"], r.content.decode()]
print(json.dumps(out))
"""


@pytest.mark.parametrize(
    "url",
    ["postgres://postgres@127.0.0.1:1/unreachable", "sqlite:////nonexistent/dir/db.sqlite3"],
    ids=["postgresql", "sqlite"],
)
def test_an_unreachable_database_answers_503_with_retry_after(url, tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "lagesbild.settings",
        "DATABASE_URL": url,
        "LAGESBILD_VAR_DIR": str(tmp_path),
        "TESTING": "1",
        "ALLOWED_HOSTS": "testserver",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answers = json.loads(done.stdout.splitlines()[-1])
    for path, (status, retry_after, content_type, body) in answers.items():
        assert status == 503, (path, body[:300])
        assert retry_after == "30", path
        if path == "api":
            assert content_type == "application/json"
            assert "otillgänglig" in json.loads(body)["errors"]["__all__"][0]
        else:
            assert content_type.startswith("text/html")
            assert "Lägesbild är tillfälligt otillgänglig" in body
