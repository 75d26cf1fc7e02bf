"""The security settings an operator relies on: no answer with incident data is cached, HTTPS
is the default outside DEBUG (with the proxy's header honoured), no map view goes to a tile
server unless the operator names one, and the documented production settings pass
`manage.py check --deploy` with no warning."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from lagesbild.accounts.client_ip import client_ip
from lagesbild.api.models import ApiToken
from tests.factories import make_incident

ROOT = Path(settings.BASE_DIR)
PRODUCTION_ENV = ROOT / "deploy" / "production.env"


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_pages_and_api_answers_are_not_cached(login, member_a):
    incident = make_incident(member_a, description="Klotter på muren")
    client = login(member_a)
    for url in (
        reverse("home"),
        reverse("incidents:list"),
        reverse("incidents:detail", args=[incident.pk]),
        "/api/v1/incidents",
        f"/api/v1/incidents/{incident.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url
    _token, raw = ApiToken.issue(member_a, "läsare")
    api = Client(headers={"authorization": f"Bearer {raw}"}).get("/api/v1/incidents")
    assert no_store(api)
    assert no_store(Client().get(reverse("login")))


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_keep_their_caching(db):
    response = Client().get(settings.STATIC_URL + "css/app.css")
    assert response.status_code == 200
    assert not no_store(response)


def _settings_in_subprocess(tmp_path, env: dict, names: list[str]) -> dict:
    """Settings as a fresh process computes them from `env` alone (no TESTING)."""
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}))"
    )
    base = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "lagesbild.settings",
        "LAGESBILD_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


SECURITY = [
    "HTTPS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
]


def test_https_is_the_default_outside_debug(tmp_path):
    on = _settings_in_subprocess(tmp_path, {}, SECURITY)
    assert on["SESSION_COOKIE_SECURE"] and on["CSRF_COOKIE_SECURE"] and on["SECURE_SSL_REDIRECT"]
    assert on["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert on["SECURE_PROXY_SSL_HEADER"] is None


@pytest.mark.parametrize("env", [{"HTTPS": "false"}, {"DEBUG": "true"}])
def test_plain_http_for_make_run_and_debug(tmp_path, env):
    off = _settings_in_subprocess(tmp_path, env, SECURITY)
    assert not (off["SESSION_COOKIE_SECURE"] or off["SECURE_SSL_REDIRECT"])
    assert off["SECURE_HSTS_SECONDS"] == 0


def test_the_make_run_target_serves_plain_http():
    # The recipe's command lines, continuation lines joined: the one that starts gunicorn.
    makefile = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    (gunicorn,) = [line for line in makefile.splitlines() if "$(BIN)/gunicorn" in line]
    assert "HTTPS=$${HTTPS:-false}" in gunicorn.split("$(BIN)/gunicorn")[0]


def test_the_proxys_header_is_honoured(tmp_path):
    behind = _settings_in_subprocess(
        tmp_path, {"SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"}, SECURITY
    )
    assert behind["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def _img_src(policy: dict) -> list[str]:
    return policy["DIRECTIVES"]["img-src"]


def test_no_base_map_and_no_tile_origin_unless_the_operator_names_one(tmp_path):
    names = ["MAP_TILE_URL", "CONTENT_SECURITY_POLICY"]
    default = _settings_in_subprocess(tmp_path, {}, names)
    assert default["MAP_TILE_URL"] == ""
    assert _img_src(default["CONTENT_SECURITY_POLICY"]) == ["'self'", "data:"]
    # The operator's choice opens the policy to that one origin, so the check above is not
    # passing because no origin is ever added.
    osm = {"MAP_TILE_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png"}
    chosen = _settings_in_subprocess(tmp_path, osm, names)
    assert _img_src(chosen["CONTENT_SECURITY_POLICY"]) == [
        "'self'",
        "data:",
        "https://tile.openstreetmap.org",
    ]


@pytest.mark.skipif("MAP_TILE_URL" in os.environ, reason="a tile server is set for this run")
def test_a_map_page_without_a_base_map_renders_and_allows_no_tile_origin(login, member_a):
    response = login(member_a).get(reverse("incidents:map"))
    assert response.status_code == 200
    directives = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    assert "img-src 'self' data:" in directives
    config = re.search(
        r'<script id="map-config" type="application/json">(.*?)</script>', response.text
    )
    assert json.loads(config.group(1))["tiles"] == ""


def _production_env() -> dict:
    lines = PRODUCTION_ENV.read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def test_the_documented_production_settings_pass_the_deploy_check(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("k" * 10 + "8Xw2!pQz#R5vT9&mL3$jH7@nB4^cF6*gD1%sY0(eU_aZo-iW+" * 2)
    env = {
        **_production_env(),
        "SECRET_KEY_FILE": str(secret),
        "PATH": os.environ["PATH"],
        "LAGESBILD_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the left entry is the client's own claim
        (2, "203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),  # fewer entries than proxies: not trusted
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_the_client_address_behind_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
