"""The JSON API at /api/v1/ as an integration uses it: bearer tokens and sessions, idempotent
reporting, Swedish 422 messages, filters, auditing, the weekly table and the OpenAPI document."""

import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lagesbild.api.models import ApiToken
from lagesbild.audit.models import Entry
from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident
from lagesbild.partnerships.models import Membership
from tests.api.helpers import API, bearer
from tests.factories import make_incident, make_member

# Larger than any id a database can hold: must be refused, not crash the query.
HUGE = "99999999999999999999999"


def post_json(client: Client, path: str, body: dict):
    return client.post(API + path, json.dumps(body), content_type="application/json")


def report_body(**overrides) -> dict:
    body = {
        "client_id": str(uuid.uuid4()),
        "category": "klotter",
        "occurred_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "severity": 2,
        "lon": 17.905,
        "lat": 59.435,
        "description": "Klotter på busskuren",
    }
    body.update(overrides)
    return body


def week_moment(code: int, day: int = 2):
    """Noon on a day of an ISO week, so week arithmetic never straddles a boundary."""
    return weeks.bounds(code)[0] + timedelta(days=day, hours=12)


# --- reporting ---------------------------------------------------------------------------------


def test_token_reports_an_incident_as_its_membership(reporter_a):
    response = post_json(bearer(reporter_a), "/incidents", report_body())
    assert response.status_code == 201
    data = response.json()
    incident = Incident.objects.get()
    assert data["id"] == incident.pk
    assert data["area_name"] == "Norr"
    assert data["category"] == "klotter"
    assert incident.reporter == reporter_a.user
    assert incident.organisation == reporter_a.organisation
    assert incident.source == Incident.Source.API
    assert Entry.objects.filter(action="incident.created", object_id=str(incident.pk)).exists()


def test_session_reports_an_incident(login, reporter_a):
    response = post_json(login(reporter_a), "/incidents", report_body())
    assert response.status_code == 201
    assert Incident.objects.get().reporter == reporter_a.user


def test_session_post_without_csrf_token_is_refused(reporter_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reporter_a.user)
    response = post_json(client, "/incidents", report_body())
    assert response.status_code == 403
    assert not Incident.objects.exists()


def test_retry_with_the_same_client_id_returns_the_first_incident(reporter_a):
    client = bearer(reporter_a)
    body = report_body()
    first = post_json(client, "/incidents", body)
    retry = post_json(client, "/incidents", body)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"]
    assert Incident.objects.count() == 1


def test_a_reused_client_id_does_not_reveal_someone_elses_incident(reporter_a):
    """Idempotency must not become a way to read another reporter's incident by its id."""
    body = report_body(description="Krossad ruta vid entrén")
    post_json(bearer(reporter_a), "/incidents", body)
    other = make_member(reporter_a.partnership, Membership.Role.REPORTER, "reporter_2")
    response = post_json(bearer(other), "/incidents", {**body, "description": ""})
    assert response.status_code == 422
    assert "client_id" in response.json()["errors"]
    assert "Krossad" not in response.content.decode()
    assert Incident.objects.count() == 1


BAD_INPUT = {
    "unknown category": ({"category": "finns-inte"}, "category", "Okänd kategori"),
    "a group, not a category": ({"category": "grupp-skadegorelse"}, "category", "grupp"),
    "unknown place": ({"lon": None, "lat": None, "place": 10**6}, "place", "Okänd plats"),
    "point outside every area": (
        {"lon": 17.2, "lat": 59.9},
        "location",
        "utanför samverkans områden",
    ),
    "time in the future": (
        {"occurred_at": (timezone.now() + timedelta(days=1)).isoformat()},
        "occurred_at",
        "framtiden",
    ),
    "identity number in the text": (
        {"description": "Mannen med personnummer 811218-9876 stod vid porten"},
        "description",
        "personnummer",
    ),
    "phone number not confirmed": (
        {"description": "Ring vakten på 070-123 45 67"},
        "description",
        "telefonnummer",
    ),
}


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUT.values(), ids=BAD_INPUT)
def test_bad_input_gives_422_with_a_swedish_message_and_saves_nothing(
    reporter_a, overrides, field, message
):
    response = post_json(bearer(reporter_a), "/incidents", report_body(**overrides))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert message in " ".join(errors[field]), errors
    assert not Incident.objects.exists()
    assert not Entry.objects.filter(action="incident.created").exists()


def test_confirmed_phone_number_is_saved(reporter_a):
    body = report_body(description="Ring vakten på 070-123 45 67", confirm_warnings=True)
    assert post_json(bearer(reporter_a), "/incidents", body).status_code == 201


# --- reading -----------------------------------------------------------------------------------


LISTED_WEEK_AGO = 2  # the listed incidents' week, counted back from this week


def listed_week() -> int:
    return weeks.shift(weeks.week_code(timezone.now()), -LISTED_WEEK_AGO)


@pytest.fixture
def listed(coordinator_a, reporter_a):
    """Incidents of A in two weeks, two areas and two categories, one rejected."""
    week = listed_week()
    soder = coordinator_a.partnership.areas.get(name="Söder")
    return {
        "klotter_norr": make_incident(
            reporter_a, occurred_at=week_moment(week), description="Klotter på skolan"
        ),
        "brand_soder": make_incident(
            coordinator_a,
            category="brand-soprum",
            area=soder,
            occurred_at=week_moment(week, 3),
        ),
        "rejected": make_incident(
            coordinator_a,
            occurred_at=week_moment(week, 4),
            status=Incident.Status.REJECTED,
        ),
        "later": make_incident(coordinator_a, occurred_at=week_moment(weeks.shift(week, 1))),
    }


def ids(response) -> set[int]:
    """The incident ids of one page of the list."""
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_list_filters(coordinator_a, listed):
    client = bearer(coordinator_a)
    a = coordinator_a.partnership
    week = weeks.iso(listed_week())
    in_week = {listed[k].pk for k in ("klotter_norr", "brand_soder", "rejected")}
    assert ids(client.get(f"{API}/incidents", {"week": week, "status": "all"})) == in_week
    # Without a status, the rejected incident is left out.
    assert ids(client.get(f"{API}/incidents", {"week": week})) == in_week - {listed["rejected"].pk}
    assert ids(client.get(f"{API}/incidents", {"area": a.areas.get(name="Söder").pk})) == {
        listed["brand_soder"].pk
    }
    brand = a.categories.get(code="grupp-brand").pk
    assert ids(client.get(f"{API}/incidents", {"category": brand})) == {listed["brand_soder"].pk}
    assert ids(client.get(f"{API}/incidents", {"status": "rejected"})) == {listed["rejected"].pk}
    assert ids(client.get(f"{API}/incidents", {"q": "skolan"})) == {listed["klotter_norr"].pk}
    assert ids(client.get(f"{API}/incidents", {"week": "vecka 3"})) == set()


def test_list_pages_with_count_limit_and_offset(coordinator_a, listed):
    client = bearer(coordinator_a)
    first = client.get(f"{API}/incidents", {"limit": 3, "status": "all"})
    rest = client.get(f"{API}/incidents", {"limit": 3, "offset": 3, "status": "all"})
    assert first.json()["count"] == rest.json()["count"] == 4
    assert (len(ids(first)), len(ids(rest))) == (3, 1)
    assert ids(first) | ids(rest) == {i.pk for i in listed.values()}


def test_reporter_lists_only_own_incidents(reporter_a, listed):
    assert ids(bearer(reporter_a).get(f"{API}/incidents")) == {listed["klotter_norr"].pk}


@pytest.mark.parametrize("param", ["area", "category", "offset"])
def test_out_of_range_numbers_are_refused_not_crashed(coordinator_a, param):
    response = bearer(coordinator_a).get(f"{API}/incidents", {param: HUGE})
    assert response.status_code == 422


def test_detail_is_audited_with_who_and_from_where(coordinator_a, listed):
    incident = listed["klotter_norr"]
    client = bearer(coordinator_a)
    response = client.get(f"{API}/incidents/{incident.pk}", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response.json()["description"] == "Klotter på skolan"
    entry = Entry.objects.get(action="incident.view")
    assert entry.actor == coordinator_a.user
    assert entry.partnership == coordinator_a.partnership
    assert entry.object_id == str(incident.pk)
    assert entry.ip_address == "10.1.2.3"
    assert entry.details == {"via": "api"}


def test_another_partnerships_incident_is_404(member_b, coordinator_b, listed):
    incident = listed["klotter_norr"]
    for client in (bearer(member_b), bearer(coordinator_b)):
        response = client.get(f"{API}/incidents/{incident.pk}")
        assert response.status_code == 404
        assert "skolan" not in response.content.decode()
    assert not Entry.objects.filter(action="incident.view").exists()


def test_reporter_cannot_open_another_reporters_incident(reporter_a, listed):
    response = bearer(reporter_a).get(f"{API}/incidents/{listed['brand_soder'].pk}")
    assert response.status_code == 404


# --- the weekly table --------------------------------------------------------------------------


def _weekly_fixture(member):
    """Counts in week W, W-1 and W-5 in both areas, so count, change and mean all differ."""
    partnership = member.partnership
    soder = partnership.areas.get(name="Söder")
    week = weeks.shift(weeks.week_code(timezone.now()), -1)
    for offset, n in ((0, 3), (-1, 1), (-5, 2)):
        moment = week_moment(weeks.shift(week, offset))
        for _ in range(n):
            make_incident(member, occurred_at=moment, severity=2)
        make_incident(member, category="brand-soprum", area=soder, occurred_at=moment)
    make_incident(member, occurred_at=week_moment(week), status=Incident.Status.REJECTED)
    return week


def _html_cells(table) -> dict:
    cells = {}
    for row in table.rows:
        for cell in [*row.cells, row.total]:
            cells[(row.area.pk, cell.column_id)] = cell
    for cell in [*table.totals, table.grand]:
        cells[(None, cell.column_id)] = cell
    return {key: (c.count, c.previous, round(c.mean8, 3), c.points) for key, c in cells.items()}


def _api_cells(data: dict) -> dict:
    return {
        (c["area"], c["category"]): (
            c["count"],
            c["previous_week"],
            c["mean_previous_8_weeks"],
            c["points"],
        )
        for c in data["cells"]
    }


@pytest.mark.parametrize(("api_by", "html_per"), [("group", "grupp"), ("category", "kategori")])
def test_weekly_endpoint_equals_the_html_weekly_table(login, member_a, api_by, html_per):
    week = _weekly_fixture(member_a)
    html = login(member_a).get(
        reverse("incidents:weekly"), {"week": weeks.iso(week), "per": html_per}
    )
    assert html.status_code == 200
    api = bearer(member_a).get(f"{API}/incidents/weekly/{weeks.iso(week)}", {"by": api_by})
    assert api.status_code == 200
    assert api.json()["week"] == weeks.iso(week)
    expected = _html_cells(html.context["table"])
    assert _api_cells(api.json()) == expected
    # Not a comparison of two empty tables: the grand total counts 3 + 1 incidents this week.
    grand = api.json()["cells"][-1]
    assert (grand["area"], grand["category"]) == (None, None)
    assert (grand["count"], grand["previous_week"]) == (4, 2)
    # The first report came in W-5: the mean is over the five weeks reported, not eight.
    assert grand["mean_previous_8_weeks"] == pytest.approx((2 + 3) / 5)
    assert api.json()["in_progress"] is False


def test_weekly_cells_name_only_the_callers_areas(member_b, member_a):
    week = _weekly_fixture(member_a)
    data = bearer(member_b).get(f"{API}/incidents/weekly/{weeks.iso(week)}").json()
    own_areas = set(member_b.partnership.areas.values_list("pk", flat=True))
    assert {c["area"] for c in data["cells"]} - {None} <= own_areas
    assert all(c["count"] == 0 for c in data["cells"])


def test_weekly_with_a_bad_week_is_422(member_a):
    response = bearer(member_a).get(f"{API}/incidents/weekly/2026-W60")
    assert response.status_code == 422
    assert response.json()["errors"]["week"] == ["Ange veckan som 2026-W47."]


def test_reporter_cannot_read_the_weekly_table(reporter_a):
    response = bearer(reporter_a).get(f"{API}/incidents/weekly/2026-W10")
    assert response.status_code == 403
    assert response.json()["detail"] == "Din roll ger inte tillgång till detta."


# --- who may call at all -----------------------------------------------------------------------


def _refused(client: Client) -> int:
    return client.get(f"{API}/incidents").status_code


def test_anonymous_and_unknown_tokens_get_401(db):
    assert _refused(Client()) == 401
    assert _refused(Client(headers={"authorization": "Bearer lb_not-a-token"})) == 401


def test_revoked_token_gets_401(reporter_a):
    token, raw = ApiToken.issue(reporter_a, "test")
    token.revoked = True
    token.save()
    assert _refused(Client(headers={"authorization": f"Bearer {raw}"})) == 401


def test_token_of_an_inactive_membership_gets_401(reporter_a):
    client = bearer(reporter_a)
    reporter_a.active = False
    reporter_a.save()
    assert _refused(client) == 401


def test_token_of_an_inactive_organisation_gets_401(reporter_a):
    """The same rule as for logging in: a deactivated organisation's members lose access."""
    client = bearer(reporter_a)
    reporter_a.organisation.active = False
    reporter_a.organisation.save()
    assert _refused(client) == 401


def test_token_records_its_last_use(reporter_a):
    token, raw = ApiToken.issue(reporter_a, "test")
    Client(headers={"authorization": f"Bearer {raw}"}).get(f"{API}/categories")
    token.refresh_from_db()
    assert token.last_used_at is not None


# --- reference data and the description --------------------------------------------------------


def test_reference_data_is_the_callers_partnership(reporter_a, member_b):
    client = bearer(reporter_a)
    categories = client.get(f"{API}/categories").json()
    assert "klotter" in {c["code"] for c in categories}
    assert not any(c["code"].startswith("grupp-") for c in categories)
    areas = client.get(f"{API}/areas").json()
    own = set(reporter_a.partnership.areas.values_list("pk", flat=True))
    assert {f["id"] for f in areas["features"]} == own
    places = client.get(f"{API}/places").json()
    assert [p["name"] for p in places] == ["Torget"]
    assert {p["area"] for p in places} <= own


def test_openapi_document_lists_the_endpoints(reporter_a):
    response = bearer(reporter_a, scope=ApiToken.Scope.READ).get(f"{API}/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        f"{API}/incidents": {"get", "post"},
        f"{API}/incidents/{{incident_id}}": {"get"},
        f"{API}/incidents/weekly/{{week}}": {"get"},
        f"{API}/categories": {"get"},
        f"{API}/areas": {"get"},
        f"{API}/places": {"get"},
    }
    for path, methods in expected.items():
        assert path in paths, sorted(paths)
        assert methods <= set(paths[path]), path
    schemes = response.json()["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} >= {"http", "apiKey"}


def test_weekly_endpoint_marks_the_running_week_and_refuses_weeks_to_come(member_a):
    this_week = weeks.week_code(timezone.now())
    make_incident(member_a, occurred_at=timezone.now() - timedelta(weeks=2))
    running = bearer(member_a).get(f"{API}/incidents/weekly/{weeks.iso(this_week)}")
    assert running.status_code == 200
    assert running.json()["in_progress"] is True and 1 <= running.json()["days"] <= 7
    last = bearer(member_a).get(f"{API}/incidents/weekly/{weeks.iso(weeks.shift(this_week, -1))}")
    assert (last.json()["in_progress"], last.json()["days"]) == (False, 7)
    future = bearer(member_a).get(f"{API}/incidents/weekly/{weeks.iso(weeks.shift(this_week, 1))}")
    assert future.status_code == 422
    assert future.json()["errors"]["week"] == ["Veckan har inte börjat än."]
