"""Every URL of the project, walked with a fixed cast of personas, is limited to the caller's
partnership and role.

The walk reads `django.urls.get_resolver()`, so a new URL pattern is tested the moment it
exists: it needs an entry in ROUTES in tests/routes.py (its minimum role, the methods it offers
and which of partnership A's objects fill its path parameters), otherwise its tests fail and say
what to add.

The cast: coordinator and reporter of A, member and coordinator of B (the coordinator, so
that B reaches A's objects on coordinator-only pages and must meet a 404 there, not only a
403), a guest of each (another authority invited to one area of its partnership) and the
anonymous. A guest gets 403 on every page that is not a guest page, and on the guest pages
only what is its own: the approved pictures of an ended week and quarter and their files,
limited to its invited area, its joint effort, decisions shared with guests, no incident
text, link or other area. Everything partnership A owns carries MARK_A in its name or text, and
the incidents that other reporters filed carry MARK_OTHER, so "B never sees A's data" is checked
on every response body as a plain substring test. Coordinator A's pages must show MARK_A, which
keeps that check from passing vacuously. After B's and the anonymous's requests, every row of A
in every model must be as before.

A second walk sends garbage (text for numbers, numbers beyond any database integer) in every
parameter: no page may answer 500.
"""

import io
import json
import re
import shutil
import subprocess
import zipfile

import pytest
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from lagesbild.incidents.models import Incident
from lagesbild.partnerships.access import Role
from lagesbild.partnerships.models import Membership
from tests.factories import make_incident, make_member, make_partnership
from tests.routes import (
    DEFAULT_PARAMS,
    MARK_A,
    QUERY_KEYS,
    ROUTES,
    SKIPPED,
    SKIPPED_INCLUDES,
    WALKED,
    Route,
    World,
    build_world,
    route_url,
    snapshot,
    walk,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The roles from least to most; written out here rather than taken from access.py, so the test
# does not agree with the code it checks by construction.
ROLE_ORDER = [Role.REPORTER, Role.MEMBER, Role.ANALYST, Role.COORDINATOR]
A_PERSONAS = ("coordinator_a", "reporter_a", "guest_a")
FOREIGN_PERSONAS = ("member_b", "coordinator_b", "guest_b")
# Where guest A may write in A (a progress note in its joint effort; switching off its own
# second factor and downloading a picture's file, which are audited): after every other
# request of guest A, A is as before.
GUEST_WRITES = {
    "guests:effort_note",
    "accounts:remove_second_factor",
    "guests:picture_export",
    "guests:period_export",
}
PERSONAS = (*A_PERSONAS, *FOREIGN_PERSONAS, "anonymous")


# Kinds that are not one of A's objects, so they do not make a route answer 404 to B.
NOT_OBJECTS = {
    "week",
    "quarter",
    "period_kind",
    "export_format",
    "periodic_format",
    "police_format",
    "year",
    "reflection_heading",
    "guest_week",
    "guest_period",
    "guest_pdf",
    "guest_xlsx",
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One world for the whole module, built inside a transaction that is rolled back at the
    end; each test runs in its own savepoint inside it (pytest-django's `db`), so what one
    test's requests write is gone before the next test starts."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


# --- the requests and what each persona must get ----------------------------------------------


def _kinds(route: str, spec: Route) -> set[str]:
    params = re.findall(r"<(?:\w+:)?(\w+)>", route)
    return {spec.params.get(p) or DEFAULT_PARAMS.get(p) for p in params}


def _send(client: Client, method: str, url: str, spec: Route, world: World):
    if method == "GET":
        return client.get(url, spec.query)
    body = spec.body(world) if spec.body else {}
    if spec.api:
        return client.post(url, json.dumps(body), content_type="application/json")
    return client.post(url, body)


def _expected(spec: Route, route: str, persona: str, method: str, world: World) -> int:
    """The status the persona must get for a method the route offers."""
    if persona == "anonymous":
        return 401 if spec.api else 302
    role = world.memberships[persona].role
    if role == Role.GUEST and spec.guest is not None:
        return spec.guest[method]
    if not _admits(spec.role, role):
        return 403
    objects = _kinds(route, spec) - NOT_OBJECTS
    if objects and persona in FOREIGN_PERSONAS:
        return 404
    if "incident" in objects and persona == "reporter_a":
        return 404  # the incident was filed by another reporter
    foreign = {"GET": spec.foreign_get, "POST": spec.foreign_post}[method]
    if persona in FOREIGN_PERSONAS and foreign:
        return foreign
    return spec.ok[method]


def _admits(route_role: str, role: str) -> bool:
    """Guest pages are for guests only, and guests get no other page; among the member roles
    a higher one may do what a lower one may."""
    if Role.GUEST in (route_role, role):
        return route_role == role
    return ROLE_ORDER.index(role) >= ROLE_ORDER.index(route_role)


def _text(response) -> str:
    """The body as text; for an Excel file the XML inside it and for a PDF its text (poppler's
    pdftotext), so their cells meet the checks. A streamed download is read whole."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.streaming:
        response.streaming_content = [content]  # to be read again
    if response.get("Content-Type") == "application/pdf":
        if shutil.which("pdftotext") is None:
            pytest.skip("pdftotext is not installed (Debian: apt-get install poppler-utils)")
        done = subprocess.run(
            ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
        )
        return done.stdout.decode()
    if response.get("Content-Type") == XLSX:
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return "".join(book.read(name).decode() for name in book.namelist())
    return content.decode()


def _check_response(response, persona: str, world: World) -> None:
    """What holds for every answer, offered method or not: no crash, nothing that is not
    the persona's to see, and nothing but a refusal for the anonymous."""
    body = _text(response)
    assert response.status_code < 500, body[:500]
    for secret in world.secrets(persona):
        assert secret not in body, _context(body, secret)
    if persona == "anonymous":
        assert response.status_code in (302, 401, 403, 405)
        if response.status_code == 302:
            assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def _context(body: str, mark: str) -> str:
    at = body.find(mark)
    return f"leaked: …{body[max(0, at - 200) : at + 200]}…"


CASES = [
    pytest.param(name, route, persona, id=f"{name}-{persona}")
    for name, route in WALKED
    for persona in PERSONAS
]


def _spec(name: str, route: str) -> Route:
    if name not in ROUTES:
        pytest.fail(f"new URL pattern {name} ({route}) is not checked: add it to ROUTES")
    return ROUTES[name]


@pytest.mark.parametrize(("name", "route", "persona"), CASES)
def test_route_is_scoped_to_partnership_and_role(name, route, persona, world, db):
    spec = _spec(name, route)
    url = route_url(name, route, spec, world)
    client = world.client(persona)
    for method in ("GET", "POST"):
        response = _send(client, method, url, spec, world)
        _check_response(response, persona, world)
        if method not in spec.methods:
            continue
        assert response.status_code == _expected(spec, route, persona, method, world), (
            f"{method} {url} as {persona}: {response.content.decode()[:300]}"
        )
        if method == "GET" and persona == _trusted(spec) and spec.shows_a:
            assert MARK_A in _text(response)
    if persona not in A_PERSONAS or (persona == "guest_a" and name not in GUEST_WRITES):
        assert snapshot(world.a) == world.state_of_a, f"{persona} changed A through {url}"


def _trusted(spec: Route) -> str:
    """Who may use the route fully: guest A on a guest page, A's coordinator elsewhere."""
    return "guest_a" if spec.role == Role.GUEST else "coordinator_a"


def test_every_route_is_known_and_every_skip_is_real():
    walked = {name for name, _ in WALKED}
    assert walked - ROUTES.keys() == set(), "URL patterns without a Route: add them to ROUTES"
    everything = list(walk())
    for prefix in SKIPPED_INCLUDES:
        assert any(route.startswith(prefix) for _, route in everything), prefix
    assert SKIPPED.keys() - {name for name, _ in everything} == set(), "stale SKIPPED entries"


# Text where a number is expected, and a number larger than any database integer.
GARBAGE = ("abc", "99999999999999999999999")


@pytest.mark.parametrize(("name", "route"), [pytest.param(n, r, id=n) for n, r in WALKED])
def test_route_survives_garbage_input(name, route, world, db):
    """Bad input never crashes a page: garbage in every query parameter and every field of the
    route's form (on a real object of A), and in every path parameter, sent by the
    coordinator, who may use every page (a guest page: by guest A)."""
    spec = _spec(name, route)
    client = world.client(_trusted(spec))
    url = route_url(name, route, spec, world)
    fields = spec.body(world) if spec.body else {}
    for value in GARBAGE:
        body = dict.fromkeys(fields, value)
        responses = (
            client.get(url, dict.fromkeys([*QUERY_KEYS, *spec.query], value)),
            client.post(url, json.dumps(body), content_type="application/json")
            if spec.api
            else client.post(url, body),
            client.get("/" + re.sub(r"<(?:\w+:)?\w+>", value, route)),
        )
        for response in responses:
            assert response.status_code < 500, f"{response.request} with {value}"


def test_switching_partnership_changes_what_the_pages_show(coordinator_a, partnership_b, login):
    """A user in two partnerships sees one at a time, chosen in the session; a partnership
    they do not belong to, or garbage, answers 404 and changes nothing."""
    Membership.objects.create(
        user=coordinator_a.user,
        partnership=partnership_b,
        organisation=make_member(partnership_b, Role.MEMBER).organisation,
        role=Role.MEMBER,
    )
    third = make_partnership("Samverkan C", lon=16.0, lat=58.0)
    client = login(coordinator_a)
    switch = reverse("partnerships:switch")
    for refused in (third.pk, "abc", "99999999999999999999999", ""):
        assert client.post(switch, {"partnership": refused}).status_code == 404
    assert client.get(reverse("partnerships:manage")).status_code == 200
    assert client.post(switch, {"partnership": partnership_b.pk}).status_code == 302
    # Now a member in B: the coordinator pages are closed, B's name is on the page.
    assert client.get(reverse("partnerships:manage")).status_code == 403
    assert partnership_b.name in client.get(reverse("home")).content.decode()
    assert client.post(switch, {"partnership": coordinator_a.partnership_id}).status_code == 302
    assert client.get(reverse("partnerships:manage")).status_code == 200


def test_restricted_incident_stays_within_its_organisation(reporter_a, member_a, login):
    """A restricted incident is for coordinators, analysts and the reporting organisation: a
    member of another organisation of the same partnership finds it on no list, map or API."""
    hidden = make_incident(
        reporter_a, visibility=Incident.Visibility.RESTRICTED, description="Begränsad uppgift"
    )
    shown = make_incident(reporter_a, description="Öppen uppgift")
    client = login(member_a)
    assert client.get(reverse("incidents:detail", args=[hidden.pk])).status_code == 404
    assert client.get(f"/api/v1/incidents/{hidden.pk}").status_code == 404
    listing = client.get(reverse("incidents:list")).content.decode()
    assert f'href="{reverse("incidents:detail", args=[shown.pk])}"' in listing
    assert f'href="{reverse("incidents:detail", args=[hidden.pk])}"' not in listing
    api_ids = {row["id"] for row in client.get("/api/v1/incidents").json()["results"]}
    assert api_ids == {shown.pk}
    points = client.get(reverse("incidents:map_points")).json()["points"]
    assert [p[0] for p in points] == [shown.pk]
