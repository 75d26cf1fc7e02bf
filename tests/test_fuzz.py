"""Hypothesis over every page's parameters: bad input is a clear 4xx that changes nothing,
never a server error. This looks for the class of bug, where tests/test_bad_input.py pins the
instances found by hand.

Every URL pattern the isolation walk knows (tests/routes.py: the same ROUTES, the same
small world of partnerships A and B) is fuzzed, each by a Hypothesis test of its own:

- which query parameters a page reads is found out, not listed: one ordinary request is made
  while QueryDict records every key a view asks for (get, getlist, [], in), joined with the
  parameters known to the isolation walk;
- every example logs in as one of A's roles (reporter, member, analyst, coordinator), sends
  generated values (text with NUL and control characters and any unicode, numbers far beyond
  any integer column, dates in year 1 and 9999, weeks such as 0001-W01, periods such as
  9999-Q4) for any of those parameters, for any field of the route's form (the rest of the
  form stays valid, so each field is reached past the others' checks) and for any path
  parameter;
- the answer must be below 500, and a refused request (a 4xx; for a form also the form shown
  again with its errors) must leave the row count of every table as it was.

Bounded: FUZZ_EXAMPLES examples per route (default 10; FUZZ_EXAMPLES=200 for a deeper run).
"""

import json
import os
import re
import string
from contextlib import contextmanager
from datetime import date
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.http import QueryDict
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lagesbild.partnerships.access import Role
from tests.factories import make_member
from tests.routes import (
    DEFAULT_PARAMS,
    QUERY_KEYS,
    ROUTES,
    WALKED,
    Route,
    World,
    build_world,
    route_url,
)

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
ROLES = {
    "reporter_a": Role.REPORTER,
    "member_a": Role.MEMBER,
    "analyst_a": Role.ANALYST,
    "coordinator_a": Role.COORDINATOR,
}
# Refusals written down on purpose: (route, model label) -> why the row may appear.
AUDITED_REFUSALS = {
    ("accounts:verify", "audit.Entry"): "a wrong second-factor code is a failed login, audited",
    ("accounts:verify", "axes.AccessAttempt"): "a wrong code counts towards the lockout",
    ("accounts:verify", "axes.AccessFailureLog"): "a wrong code counts towards the lockout",
}


# --- values --------------------------------------------------------------------------------------

# Any character a URL or a form can carry: NUL and the other control characters included,
# surrogates left out (they cannot be encoded as UTF-8, so no client can send them).
ANY_TEXT = st.text(
    alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=["Cs"]),
    max_size=40,
)
CONTROL = st.text(alphabet=st.sampled_from("\x00\x01\x07\x08\t\n\r\x1b\x7f\u200b\u202e\ufeff"))
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, -1, 2**31, 2**63, 2**64, 10**100]),
).map(str)
FLOATS = st.floats(allow_nan=True, allow_infinity=True).map(str)
DATES = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat)
MOMENTS = st.builds(
    lambda day, hour, minute: f"{day}T{hour:02d}:{minute:02d}",
    DATES,
    st.integers(0, 99),
    st.integers(0, 99),
)
WEEKS = st.builds(
    lambda year, week, sep: f"{year:04d}{sep}{week:02d}",
    st.integers(0, 99999),
    st.integers(0, 99),
    st.sampled_from(["-W", "W", "-w", "-"]),
)
PERIODS = st.builds(
    lambda year, kind, n: f"{year:04d}-{kind}{n}" if kind else f"{year:04d}",
    st.integers(0, 99999),
    st.sampled_from(["Q", "T", "H", "M", ""]),
    st.integers(0, 13),
)
WORDS = st.sampled_from(
    ["", " ", "all", "kategori", "desc", "on", "true", "null", "[]", "{}", "-1", "0", "1e400"]
)
VALUES = st.one_of(
    ANY_TEXT, CONTROL, NUMBERS, FLOATS, DATES, MOMENTS, WEEKS, PERIODS, WORDS,
    st.builds(lambda a, b: a + b, WORDS, CONTROL),
    st.text(alphabet=string.digits, min_size=200, max_size=5000),
)  # fmt: skip


# --- what a view reads ---------------------------------------------------------------------------


@contextmanager
def recorded_reads():
    """The keys any view asks a QueryDict for while the block runs."""
    read: set[str] = set()
    names = ("__getitem__", "get", "getlist", "__contains__")
    own = {name: QueryDict.__dict__.get(name) for name in names}

    def recorder(original):
        def method(self, key, *args, **kwargs):
            if isinstance(key, str):
                read.add(key)
            return original(self, key, *args, **kwargs)

        return method

    for name in names:
        setattr(QueryDict, name, recorder(getattr(QueryDict, name)))
    try:
        yield read
    finally:
        for name, method in own.items():
            if method is None:
                delattr(QueryDict, name)
            else:
                setattr(QueryDict, name, method)


def _form(spec: Route, world: World) -> dict:
    return spec.body(world) if spec.body else {}


def _send(client: Client, method: str, url: str, spec: Route, query: dict, body: dict):
    if method == "GET":
        return client.get(url, query)
    if spec.api:
        return client.post(url, json.dumps(body), content_type="application/json")
    return client.post(url, body)


# --- rows ----------------------------------------------------------------------------------------

COUNTED = [
    model
    for config in apps.get_app_configs()
    if config.name.startswith(("lagesbild.", "django.contrib.auth", "django_otp", "axes"))
    for model in config.get_models()
]


def row_counts() -> dict[str, int]:
    """The number of rows in every table, in one query (one round trip per example)."""
    quote_name = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote_name(m._meta.db_table)})" for m in COUNTED)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    return {model._meta.label: count for model, count in zip(COUNTED, row, strict=True)}


def _changed(before: dict, after: dict, name: str) -> dict:
    return {
        label: (before[label], after[label])
        for label in before
        if before[label] != after[label] and (name, label) not in AUDITED_REFUSALS
    }


# --- the world -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """The isolation walk's world, plus a member and an analyst of A, so every role is
    fuzzed; rolled back at the end of the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        for persona, role in (("member_a", Role.MEMBER), ("analyst_a", Role.ANALYST)):
            membership = make_member(world.a, role, f"fuzz_{persona}")
            world.clients[persona] = Client()
            world.clients[persona].force_login(membership.user)
        yield world
        transaction.set_rollback(True)


def _path_params(route: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", route)


def _fuzzed_url(route: str, spec: Route, world: World, replaced: dict) -> str:
    """The route's URL on A's objects, with the path parameters in `replaced` given
    generated text instead (quoted; an empty value would change the route, so 'x')."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name in replaced:
            return quote(replaced[name], safe="") or "x"
        return str(world.fill(spec.params.get(name) or DEFAULT_PARAMS[name]))

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)


def _refused(status: int, method: str, spec: Route) -> bool:
    """A GET is refused with a 4xx; a POST with anything but its success status or a
    redirect (a form shown again with its errors answers 200)."""
    if method == "GET":
        return status >= 400
    return status != spec.ok.get("POST") and status not in (301, 302, 303)


CASES = [pytest.param(name, route, id=name) for name, route in WALKED]


@pytest.mark.parametrize(("name", "route"), CASES)
def test_no_input_makes_a_page_fail_or_a_refusal_write(name, route, fuzz_world, db):
    if name not in ROUTES:
        pytest.fail(f"new URL pattern {name} ({route}): add it to ROUTES in tests/routes.py")
    spec = ROUTES[name]
    world = fuzz_world
    url = route_url(name, route, spec, world)
    form = _form(spec, world)
    coordinator = world.client("coordinator_a")
    read: dict[str, set[str]] = {}
    for method in spec.methods:
        with recorded_reads() as keys:
            _send(coordinator, method, url, spec, dict(spec.query), dict(form))
        read[method] = keys
    query_keys = sorted({*read.get("GET", set()), *QUERY_KEYS, *spec.query})
    form_keys = sorted({*form, *(read.get("POST", set()) - set(query_keys))})
    path_keys = _path_params(route)

    requests = st.fixed_dictionaries(
        {
            "persona": st.sampled_from(sorted(ROLES)),
            "method": st.sampled_from(spec.methods),
            "query": st.dictionaries(st.sampled_from(query_keys), VALUES, max_size=4),
            "form": st.dictionaries(st.sampled_from(form_keys), VALUES, max_size=4)
            if form_keys
            else st.just({}),
            "path": st.dictionaries(st.sampled_from(path_keys), VALUES, max_size=2)
            if path_keys
            else st.just({}),
        }
    )

    counts: dict[str, dict] = {}

    @settings(
        max_examples=MAX_EXAMPLES,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(request=requests)
    def fuzz(request):
        client = world.client(request["persona"])
        method = request["method"]
        target = _fuzzed_url(route, spec, world, request["path"])
        query = {**spec.query, **request["query"]} if method == "GET" else {}
        body = {**form, **request["form"]}
        if method == "POST" and not spec.api:
            body = {k: v for k, v in body.items() if v is not None}
        before = counts.get("known") or row_counts()
        if method == "POST" and request["query"]:
            target += "?" + "&".join(
                f"{quote(k)}={quote(v, safe='')}" for k, v in request["query"].items()
            )
        response = _send(client, method, target, spec, query, body)
        described = f"{method} {target} as {request['persona']} {query or body}"
        assert response.status_code < 500, f"{described}: {response.content[:300]!r}"
        # Counted once per example: after a refusal the counts are the next one's "before".
        counts.clear()
        if _refused(response.status_code, method, spec):
            after = row_counts()
            changed = _changed(before, after, name)
            assert not changed, f"{described} was refused ({response.status_code}) but {changed}"
            counts["known"] = after

    fuzz()
