"""A rejected report leaves the default list, the map and the API's list; coordinators find it
with an explicit status filter, and of the others only its reporter may still open it."""

import pytest
from django.urls import reverse

from lagesbild.incidents.models import Incident
from tests.api.helpers import bearer
from tests.factories import make_incident

REJECTED = "qqRejected ett namn som aldrig skulle ha skrivits"


@pytest.fixture
def rejected(member_a):
    return make_incident(
        member_a,
        description=REJECTED,
        status=Incident.Status.REJECTED,
        rejection_reason="Handlar om en person",
    )


@pytest.fixture
def kept(member_a):
    return make_incident(member_a, description="Klotter på muren")


def test_the_default_list_leaves_rejected_reports_out(login, coordinator_a, rejected, kept):
    html = login(coordinator_a).get(reverse("incidents:list")).content.decode()

    assert reverse("incidents:detail", args=[kept.pk]) in html
    assert reverse("incidents:detail", args=[rejected.pk]) not in html


@pytest.mark.parametrize("status", ["rejected", "all"])
def test_coordinators_find_rejected_reports_by_status(login, coordinator_a, rejected, status):
    html = login(coordinator_a).get(reverse("incidents:list"), {"status": status}).content

    assert reverse("incidents:detail", args=[rejected.pk]).encode() in html


def test_the_map_leaves_rejected_reports_out(login, coordinator_a, rejected, kept):
    points = login(coordinator_a).get(reverse("incidents:map_points")).json()["points"]

    assert [point[0] for point in points] == [kept.pk]


def test_the_api_list_leaves_rejected_reports_out_unless_asked(coordinator_a, rejected, kept):
    client = bearer(coordinator_a)

    default = client.get("/api/v1/incidents").json()
    asked = client.get("/api/v1/incidents", {"status": "rejected"}).json()

    assert [i["id"] for i in default["results"]] == [kept.pk]
    assert [i["id"] for i in asked["results"]] == [rejected.pk]


def test_members_and_analysts_no_longer_see_a_rejected_report(login, member_a, analyst_a, rejected):
    # member_a reported it: the reporter still sees what became of the report.
    assert login(member_a).get(reverse("incidents:detail", args=[rejected.pk])).status_code == 200
    detail = reverse("incidents:detail", args=[rejected.pk])
    assert login(analyst_a).get(detail).status_code == 404
    listed = login(analyst_a).get(reverse("incidents:list"), {"status": "rejected"}).content
    assert REJECTED.encode() not in listed and detail.encode() not in listed
