"""API tokens: a scope (read, or read and write) enforced on every endpoint, an expiry, and a
list where their owner and the partnership's coordinators see and revoke them. Only a hash of
a token is stored."""

import hashlib
import json
import uuid
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lagesbild.api.models import ApiToken
from lagesbild.api.urls import api
from lagesbild.audit.models import Entry
from lagesbild.incidents.models import Incident

API = "/api/v1"
READ, READ_WRITE = ApiToken.Scope.READ, ApiToken.Scope.READ_WRITE


def with_token(raw: str) -> Client:
    return Client(headers={"authorization": f"Bearer {raw}"})


def report(client: Client):
    body = {
        "client_id": str(uuid.uuid4()),
        "category": "klotter",
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "lon": 17.905,
        "lat": 59.435,
    }
    return client.post(f"{API}/incidents", json.dumps(body), content_type="application/json")


def write_operations():
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method in operations:
            if method not in ("get", "head", "options"):
                yield path, method


def test_a_read_token_reads_but_every_write_is_refused(reporter_a):
    _token, raw = ApiToken.issue(reporter_a, "läsare", scope=READ)
    client = with_token(raw)
    assert client.get(f"{API}/incidents").status_code == 200
    assert list(write_operations()), "the API has writes to refuse"
    for path, method in write_operations():
        response = getattr(client, method)(path, "{}", content_type="application/json")
        assert response.status_code == 403, path
        assert response.json() == {
            "detail": "API-nyckeln får bara läsa. Skapa en nyckel som får skriva."
        }
    assert not Incident.objects.exists()


def test_a_read_write_token_writes(reporter_a):
    _token, raw = ApiToken.issue(reporter_a, "rapportör", scope=READ_WRITE)
    assert report(with_token(raw)).status_code == 201


def test_the_refusal_matches_the_openapi_description(reporter_a):
    schema = api.get_openapi_schema()
    refused = schema["paths"][f"{API}/incidents"]["post"]["responses"]["403"]
    ref = refused["content"]["application/json"]["schema"]["$ref"]
    described = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    _token, raw = ApiToken.issue(reporter_a, "läsare", scope=READ)
    body = report(with_token(raw)).json()
    assert set(body) == set(described["properties"]) == set(described["required"])
    assert all(isinstance(body[key], str) for key in body)
    for operations in schema["paths"].values():
        for operation in operations.values():
            assert {"401", "403"} <= set(operation["responses"])


def test_an_expired_token_gets_401(reporter_a):
    token, raw = ApiToken.issue(reporter_a, "kort", expires_at=timezone.now() + timedelta(days=1))
    assert with_token(raw).get(f"{API}/categories").status_code == 200
    with time_machine.travel(token.expires_at + timedelta(seconds=1)):
        assert with_token(raw).get(f"{API}/categories").status_code == 401


def test_tokens_expire_by_default(settings, reporter_a):
    token, _raw = ApiToken.issue(reporter_a, "standard")
    expected = timezone.now() + timedelta(days=settings.API_TOKEN_DAYS)
    assert abs(token.expires_at - expected) < timedelta(minutes=1)


def test_the_owner_creates_a_token_in_the_app_and_sees_it_once(login, reporter_a):
    client = login(reporter_a)
    response = client.post(
        reverse("accounts:token_create"), {"name": "Import", "scope": READ, "days": "30"}
    )
    assert response.status_code == 201
    page = response.content.decode()
    token = ApiToken.objects.get()
    raw = page.split('<code class="secret">')[1].split("</code>")[0]
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(token.prefix)
    assert (token.scope, token.membership) == (READ, reporter_a)
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    account = client.get(reverse("accounts:account")).content.decode()
    assert raw not in account
    assert f'href="{API}/docs"' in account  # where to learn what the token can do
    assert with_token(raw).get(f"{API}/categories").status_code == 200
    assert Entry.objects.filter(action="api_token.create", summary="Import").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": "", "scope": READ, "days": "30"}, "name"), ({"name": "x", "days": "9999"}, "days")],
)
def test_bad_token_forms_create_nothing(login, reporter_a, body, field):
    response = login(reporter_a).post(reverse("accounts:token_create"), body)
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_the_owner_revokes_a_token(login, reporter_a):
    token, raw = ApiToken.issue(reporter_a, "gammal")
    client = login(reporter_a)
    assert "gammal" in client.get(reverse("accounts:account")).content.decode()
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert with_token(raw).get(f"{API}/categories").status_code == 401
    token.refresh_from_db()
    assert token.revoked and token.revoked_at is not None
    assert Entry.objects.filter(action="api_token.revoke", actor=reporter_a.user).exists()


def test_nobody_else_revokes_through_the_owners_page(login, reporter_a, member_a, coordinator_a):
    token, raw = ApiToken.issue(reporter_a, "min")
    for other in (member_a, coordinator_a):
        url = reverse("accounts:token_revoke", args=[token.pk])
        assert login(other).post(url).status_code == 404
    assert with_token(raw).get(f"{API}/categories").status_code == 200


def test_the_coordinator_lists_and_revokes_the_partnerships_tokens(
    login, coordinator_a, reporter_a, member_b
):
    token, raw = ApiToken.issue(reporter_a, "bostadsbolagets import")
    ApiToken.issue(member_b, "B:s nyckel")
    client = login(coordinator_a)
    page = client.get(reverse("accounts:partnership_tokens")).content.decode()
    assert "bostadsbolagets import" in page
    assert "B:s nyckel" not in page
    client.post(reverse("accounts:partnership_token_revoke", args=[token.pk]))
    assert with_token(raw).get(f"{API}/categories").status_code == 401


def test_only_the_partnerships_coordinator_revokes(login, coordinator_b, member_a, reporter_a):
    token, raw = ApiToken.issue(reporter_a, "nyckel")
    url = reverse("accounts:partnership_token_revoke", args=[token.pk])
    assert login(coordinator_b).post(url).status_code == 404
    assert login(member_a).post(url).status_code == 403
    assert login(member_a).get(reverse("accounts:partnership_tokens")).status_code == 403
    assert with_token(raw).get(f"{API}/categories").status_code == 200


def test_the_command_issues_a_scoped_token_with_an_expiry(reporter_a):
    out = StringIO()
    call_command(
        "create_api_token",
        partnership=reporter_a.partnership.slug,
        user="reporter_a",
        name="integration",
        scope=READ_WRITE,
        days=7,
        stdout=out,
    )
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(out.getvalue().strip().encode()).hexdigest()
    assert token.scope == READ_WRITE
    assert timedelta(days=6) < token.expires_at - timezone.now() <= timedelta(days=7)


def test_the_command_makes_read_tokens_unless_told(reporter_a):
    call_command(
        "create_api_token",
        partnership=reporter_a.partnership.slug,
        user="reporter_a",
        name="läsare",
        stdout=StringIO(),
    )
    assert ApiToken.objects.get().scope == READ


@pytest.mark.parametrize("path", [f"{API}/docs", f"{API}/openapi.json"])
def test_the_api_description_is_for_callers_only(login, reporter_a, path):
    anonymous = Client().get(path)
    assert anonymous.status_code in (302, 401)
    if anonymous.status_code == 302:
        assert anonymous["Location"].startswith(reverse("login"))
    assert login(reporter_a).get(path).status_code == 200
    _token, raw = ApiToken.issue(reporter_a, "läsare")
    assert with_token(raw).get(path).status_code == 200
