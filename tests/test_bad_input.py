"""Inputs that once answered 500: each must now be a clear 4xx that changes nothing.

The fuzz tests in `test_fuzz.py` look for this class of bug in every parameter; these pin the
instances found by hand, so each one is named and stays fixed.
"""

import json
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lagesbild.incidents.models import Incident
from lagesbild.pictures.models import AnalysisRun
from tests.factories import make_incident

API = "/api/v1"
NUL = "a\x00b"


def _report_form(partnership, **overrides) -> dict:
    norr = partnership.areas.get(name="Norr")
    body = {
        "client_id": str(uuid.uuid4()),
        "category": partnership.categories.get(code="klotter").pk,
        "lon": norr.min_lon + 0.003,
        "lat": norr.min_lat + 0.003,
        "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "severity": "1",
        "description": "Klotter på busskuren",
    }
    return {**body, **overrides}


def _report_json(partnership, **overrides) -> dict:
    norr = partnership.areas.get(name="Norr")
    body = {
        "client_id": str(uuid.uuid4()),
        "category": "klotter",
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "lon": norr.min_lon + 0.003,
        "lat": norr.min_lat + 0.003,
        "description": "Klotter på busskuren",
    }
    return {**body, **overrides}


def _post_json(client, path, body):
    return client.post(API + path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("param", ["q", "status", "week"])
def test_nul_byte_in_an_api_filter_is_422(login, coordinator_a, param):
    response = login(coordinator_a).get(f"{API}/incidents", {param: NUL})
    assert response.status_code == 422, response.content[:300]


@pytest.mark.parametrize("param", ["q", "status", "week"])
def test_nul_byte_in_a_list_filter_is_400(login, coordinator_a, param):
    response = login(coordinator_a).get(reverse("incidents:list"), {param: NUL})
    assert response.status_code == 400, response.content[:300]


@pytest.mark.parametrize("field", ["description", "external_id", "category"])
def test_nul_byte_in_a_reported_field_is_422_and_saves_nothing(login, reporter_a, field):
    body = _report_json(reporter_a.partnership, **{field: NUL})
    response = _post_json(login(reporter_a), "/incidents", body)
    assert response.status_code == 422, response.content[:300]
    assert field in response.json()["errors"]
    assert not Incident.objects.exists()


def test_nul_byte_in_the_report_form_is_refused_and_saves_nothing(login, reporter_a):
    body = _report_form(reporter_a.partnership, description=NUL)
    response = login(reporter_a).post(reverse("incidents:report"), body)
    assert response.status_code in (200, 400)
    assert not Incident.objects.exists()


def test_nul_byte_in_the_audit_trails_action_filter_is_400(login, coordinator_a):
    response = login(coordinator_a).get(reverse("audit:trail"), {"action": NUL})
    assert response.status_code == 400


@pytest.mark.parametrize("param", ["date_to", "date_from"])
def test_the_last_representable_date_is_a_clear_refusal(login, coordinator_a, param):
    client = login(coordinator_a)
    assert client.get(reverse("incidents:list"), {param: "9999-12-31"}).status_code == 400
    assert client.get(f"{API}/incidents", {param: "9999-12-31"}).status_code == 422


@pytest.mark.parametrize("iso", ["0001-W01", "0001-W02", "9999-W52"])
def test_a_week_outside_the_calendar_we_keep_is_404_and_queues_nothing(login, member_a, iso):
    client = login(member_a)
    for name in ("pictures:week", "pictures:status", "pictures:compare"):
        assert client.get(reverse(name, args=[iso])).status_code == 404, name
    assert client.get(f"{API}/incidents/weekly/{iso}").status_code == 422
    assert not AnalysisRun.objects.exists()


@pytest.mark.parametrize("period", ["0001-Q1", "9999-Q4", "0001-T1", "9999"])
def test_a_period_outside_the_calendar_we_keep_is_404(login, member_a, period):
    response = login(member_a).get(reverse("pictures:period", args=[period]))
    assert response.status_code == 404


def test_a_repeated_external_id_returns_the_existing_incident_to_its_reporter(login, reporter_a):
    client = login(reporter_a)
    first = _post_json(client, "/incidents", _report_json(reporter_a.partnership, external_id="X1"))
    assert first.status_code == 201
    again = _post_json(client, "/incidents", _report_json(reporter_a.partnership, external_id="X1"))
    assert again.status_code == 200, again.content[:300]
    assert again.json()["id"] == first.json()["id"]
    assert Incident.objects.count() == 1


def test_someone_elses_external_id_is_a_409_that_reveals_nothing(login, reporter_a, member_a):
    secret = "Hemlig text om trapphuset"
    mine = make_incident(member_a, description=secret)
    Incident.objects.filter(pk=mine.pk).update(external_id="X2", source=Incident.Source.API)
    body = _report_json(reporter_a.partnership, external_id="X2")
    response = _post_json(login(reporter_a), "/incidents", body)
    assert response.status_code == 409, response.content[:300]
    assert "external_id" in response.json()["errors"]
    assert secret not in response.content.decode()
    assert Incident.objects.count() == 1


def test_a_lost_race_on_a_client_id_is_refused_to_another_reporter(
    reporter_a, member_a, monkeypatch
):
    """Two requests share a client id: the loser of the insert finds the winner's incident and
    must not hand it to a caller who did not file it."""
    from django.core.exceptions import ValidationError

    from lagesbild.incidents import services

    client_id = uuid.uuid4()
    theirs = make_incident(member_a, description="Andras text")
    Incident.objects.filter(pk=theirs.pk).update(client_id=client_id)
    norr = reporter_a.partnership.areas.get(name="Norr")
    original = Incident.objects.filter

    def filter_missing_the_winner(*args, **kwargs):
        # The first look-up runs before the winner commits: it sees nothing.
        if kwargs.get("client_id") == client_id and not filter_missing_the_winner.called:
            filter_missing_the_winner.called = True
            return original(pk=-1)
        return original(*args, **kwargs)

    filter_missing_the_winner.called = False
    monkeypatch.setattr(Incident.objects, "filter", filter_missing_the_winner)
    with pytest.raises(ValidationError) as exc:
        services.report_incident(
            membership=reporter_a,
            client_id=client_id,
            category=reporter_a.partnership.categories.get(code="klotter"),
            occurred_at=timezone.now() - timedelta(hours=1),
            severity=1,
            lon=norr.min_lon + 0.003,
            lat=norr.min_lat + 0.003,
        )
    assert "client_id" in exc.value.message_dict


@pytest.mark.parametrize("next_url", ["0", "incidents:list", "händelser", "//evil.example/"])
def test_a_next_that_is_not_a_path_sends_the_verified_user_home(login, coordinator_a, next_url):
    """Found by tests/test_fuzz.py: `next=0` after the code page was a 500 (redirect() took
    "0" for a view name)."""
    response = login(coordinator_a).get(reverse("accounts:verify"), {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"
