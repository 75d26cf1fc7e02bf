"""Coordinators set their partnership's policy for the pictures in the app."""

from django.urls import reverse

from lagesbild.audit.models import Entry

URL = "partnerships:settings"


def test_coordinator_changes_scale_and_policy(login, coordinator_a):
    client = login(coordinator_a)
    assert client.get(reverse(URL)).status_code == 200
    response = client.post(
        reverse(URL),
        {
            "assessment_scale": "1 Lugnt\n2 Oroligt\n3 Allvarligt",
            "reporters_see_picture": "on",
            "periodic_kind": "tertial",
            "suppress_below": "3",
            "coverage_start": "2024-03-01",
        },
    )
    assert response.status_code == 302
    partnership = coordinator_a.partnership
    partnership.refresh_from_db()
    assert [e["name"] for e in partnership.assessment_scale] == ["Lugnt", "Oroligt", "Allvarligt"]
    assert (
        partnership.reporters_see_picture,
        partnership.periodic_kind,
        partnership.suppress_below,
    ) == (True, "tertial", 3)
    entry = Entry.objects.get(action="partnership.settings")
    assert entry.partnership == partnership
    assert entry.details["changes"]["periodic_kind"] == ["quarter", "tertial"]
    assert partnership.coverage_start.isoformat() == "2024-03-01"
    assert entry.details["changes"]["coverage_start"] == [None, "2024-03-01"]


def test_a_coverage_start_outside_the_calendar_is_refused(login, coordinator_a):
    response = login(coordinator_a).post(
        reverse(URL),
        {
            "assessment_scale": "1 Lugnt\n2 Oroligt",
            "periodic_kind": "quarter",
            "suppress_below": "0",
            "coverage_start": "1899-01-01",
        },
    )
    assert response.status_code == 400
    assert "Ange ett datum mellan år 2000 och 2100" in response.content.decode()
    coordinator_a.partnership.refresh_from_db()
    assert coordinator_a.partnership.coverage_start is None


def test_bad_scale_is_refused_and_nothing_changes(login, coordinator_a):
    client = login(coordinator_a)
    response = client.post(
        reverse(URL),
        {"assessment_scale": "Lugnt\n2", "periodic_kind": "quarter", "suppress_below": "0"},
    )
    assert response.status_code == 400
    assert (
        "En nivå per rad" in response.content.decode()
        or "nivå per rad" in response.content.decode()
    )
    coordinator_a.partnership.refresh_from_db()
    assert len(coordinator_a.partnership.assessment_scale) == 4


def test_descending_levels_are_refused(login, coordinator_a):
    response = login(coordinator_a).post(
        reverse(URL),
        {
            "assessment_scale": "2 Oroligt\n1 Lugnt",
            "periodic_kind": "quarter",
            "suppress_below": "0",
        },
    )
    assert response.status_code == 400


def test_members_may_not_change_settings(login, member_a):
    assert login(member_a).post(reverse(URL), {}).status_code == 403
