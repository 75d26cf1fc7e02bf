"""What a partner system does beyond reporting: walks the incident list by cursor, reviews
incidents, reads approved pictures, and follows and updates the interventions it takes part
in. Each write goes through the same service and permission as the page, and nothing of
another partnership is reachable."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from lagesbild.api.models import ApiToken
from lagesbild.audit.models import Entry
from lagesbild.incidents.models import Incident, IncidentChange
from lagesbild.interventions.models import Evaluation, Intervention, ProgressNote
from lagesbild.partnerships.access import Role
from lagesbild.pictures import services as pictures
from lagesbild.pictures.periodic import compute_period
from lagesbild.pictures.periods import Period
from tests.api.helpers import API, bearer
from tests.factories import make_incident, make_intervention, make_member


def patch_json(client, path: str, body: dict):
    return client.patch(API + path, json.dumps(body), content_type="application/json")


def post_json(client, path: str, body: dict):
    return client.post(API + path, json.dumps(body), content_type="application/json")


# --- cursor pages ------------------------------------------------------------------------


@pytest.fixture
def seven(coordinator_a):
    """Seven incidents an hour apart, two of them at the very same moment (a tie the cursor
    must break by id)."""
    now = timezone.now().replace(microsecond=0)
    moments = [now - timedelta(hours=h) for h in (1, 2, 3, 3, 4, 5, 6)]
    return [make_incident(coordinator_a, occurred_at=m) for m in moments]


def walk(client, **params) -> list[list[int]]:
    """Every page of the list by next_cursor, as lists of ids."""
    pages, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        data = client.get(f"{API}/incidents", query).json()
        pages.append([row["id"] for row in data["results"]])
        assert data["count"] == 7
        cursor = data["next_cursor"]
        if cursor is None:
            return pages


def test_cursor_pages_cover_the_list_once_in_order(coordinator_a, seven):
    pages = walk(bearer(coordinator_a), limit=2)

    assert [len(p) for p in pages] == [2, 2, 2, 1]
    newest_first = sorted(seven, key=lambda i: (i.occurred_at, i.pk), reverse=True)
    assert [pk for page in pages for pk in page] == [i.pk for i in newest_first]


def test_a_cursor_page_stays_right_while_reports_arrive(coordinator_a, seven):
    """An offset page would shift by the new report and repeat one already read."""
    client = bearer(coordinator_a)
    first = client.get(f"{API}/incidents", {"limit": 3}).json()
    make_incident(coordinator_a, occurred_at=timezone.now() - timedelta(minutes=5))

    second = client.get(f"{API}/incidents", {"limit": 3, "cursor": first["next_cursor"]}).json()

    read = [row["id"] for row in first["results"] + second["results"]]
    assert len(set(read)) == 6
    assert second["count"] == 8


@pytest.mark.parametrize("cursor", ["abc", "!!!", "MjAyNnxhYmM=", "eA==", ""])
def test_a_bad_cursor_is_422_in_swedish(coordinator_a, seven, cursor):
    response = bearer(coordinator_a).get(f"{API}/incidents", {"cursor": cursor})
    if cursor == "":
        # An empty cursor is no cursor: the first page.
        assert response.status_code in (200, 422)
        return
    assert response.status_code == 422
    assert response.json() == {"errors": {"cursor": ["Okänd cursor: börja om från första sidan."]}}


def test_cursor_and_offset_together_are_refused(coordinator_a, seven):
    client = bearer(coordinator_a)
    cursor = client.get(f"{API}/incidents", {"limit": 2}).json()["next_cursor"]
    response = client.get(f"{API}/incidents", {"cursor": cursor, "offset": 2})
    assert response.status_code == 422
    assert "cursor" in response.json()["errors"]


# --- review ------------------------------------------------------------------------------


def test_a_coordinator_accepts_and_rejects_through_the_api(coordinator_a, reporter_a):
    waiting, doubtful = make_incident(reporter_a), make_incident(reporter_a)
    client = bearer(coordinator_a)

    accepted = patch_json(client, f"/incidents/{waiting.pk}", {"status": "accepted"})
    missing_reason = patch_json(client, f"/incidents/{doubtful.pk}", {"status": "rejected"})
    rejected = patch_json(
        client, f"/incidents/{doubtful.pk}", {"status": "rejected", "reason": "Dubbelrapport"}
    )

    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
    assert missing_reason.status_code == 422
    assert missing_reason.json() == {"errors": {"reason": ["Skriv varför händelsen avvisas."]}}
    assert (rejected.status_code, rejected.json()["status"]) == (200, "rejected")
    waiting.refresh_from_db()
    doubtful.refresh_from_db()
    assert (waiting.status, doubtful.status) == ("accepted", "rejected")
    assert doubtful.rejection_reason == "Dubbelrapport"
    actions = list(IncidentChange.objects.order_by("pk").values_list("action", flat=True))
    assert actions == [IncidentChange.Action.ACCEPTED, IncidentChange.Action.REJECTED]


@pytest.mark.parametrize("body", [{"status": "merged"}, {"status": "new"}, {}])
def test_other_review_states_are_refused(coordinator_a, reporter_a, body):
    incident = make_incident(reporter_a)
    response = patch_json(bearer(coordinator_a), f"/incidents/{incident.pk}", body)
    assert response.status_code == 422
    incident.refresh_from_db()
    assert incident.status == Incident.Status.NEW


def test_only_a_coordinator_of_the_partnership_reviews(
    member_a, coordinator_a, coordinator_b, reporter_a
):
    incident = make_incident(reporter_a)
    body = {"status": "rejected", "reason": "Fel"}
    assert patch_json(bearer(member_a), f"/incidents/{incident.pk}", body).status_code == 403
    assert patch_json(bearer(coordinator_b), f"/incidents/{incident.pk}", body).status_code == 404
    read_only = bearer(coordinator_a, scope=ApiToken.Scope.READ)
    assert patch_json(read_only, f"/incidents/{incident.pk}", body).status_code == 403
    incident.refresh_from_db()
    assert incident.status == Incident.Status.NEW
    assert not IncidentChange.objects.exists()


# --- approved pictures -------------------------------------------------------------------


@pytest.fixture
def quarter_versions(coordinator_a):
    """Two approved versions of last quarter's picture."""
    partnership = coordinator_a.partnership
    period = Period.containing("quarter", timezone.localdate()).shift(-1)
    approved = []
    for note in ("", "Rättad"):
        content = compute_period(partnership, period)
        approved.append(
            pictures.approve_picture(
                actor=coordinator_a.user,
                partnership=partnership,
                content=content,
                confirmed=True,
                change_note=note or "Första",
            )
        )
    return approved


def test_approved_pictures_are_listed_with_the_current_one_marked(member_a, quarter_versions):
    first, second = quarter_versions
    rows = bearer(member_a).get(f"{API}/pictures", {"kind": "quarter"}).json()

    assert [(r["period"], r["version"], r["current"]) for r in rows] == [
        (second.period, 2, True),
        (first.period, 1, False),
    ]
    assert rows[0]["approved_by"] == "coord_a"
    assert bearer(member_a).get(f"{API}/pictures", {"kind": "week"}).json() == []


def test_a_version_is_read_as_approved(member_a, quarter_versions):
    first = quarter_versions[0]
    response = bearer(member_a).get(f"{API}/pictures/{first.period}/versions/1")

    assert response.status_code == 200
    data = response.json()
    assert data["version"] == 1 and data["current"] is False
    expected = {k: v for k, v in first.content.items() if k != "incident_ids"}
    assert data["content"] == json.loads(json.dumps(expected))


@pytest.mark.parametrize("period", ["2025-Q5", "kvartal", "2025-Q1%00", "20255"])
def test_a_period_that_names_no_picture_is_422_before_any_query(member_a, period):
    response = bearer(member_a).get(f"{API}/pictures/{period}/versions/1")
    assert response.status_code in (404, 422)
    if period != "2025-Q5":
        assert response.status_code == 422
        assert "period" in response.json()["errors"]


def test_pictures_are_for_readers_of_the_partnership_only(
    reporter_a, member_b, member_a, quarter_versions
):
    period = quarter_versions[0].period
    assert bearer(reporter_a).get(f"{API}/pictures").status_code == 403
    assert bearer(member_b).get(f"{API}/pictures").json() == []
    assert bearer(member_b).get(f"{API}/pictures/{period}/versions/1").status_code == 404
    assert bearer(member_a).get(f"{API}/pictures/{period}/versions/9").status_code == 404

    reporter_a.partnership.reporters_see_picture = True
    reporter_a.partnership.save()
    assert bearer(reporter_a).get(f"{API}/pictures/{period}/versions/2").status_code == 200


# --- interventions -----------------------------------------------------------------------


@pytest.fixture
def lighting(member_a, coordinator_a):
    """An ongoing intervention in Norr that member_a's organisation (the police) is
    responsible for."""
    partnership = member_a.partnership
    return make_intervention(
        partnership=partnership,
        title="Belysning vid torget",
        areas=[partnership.areas.get(name="Norr")],
        responsible=member_a.organisation,
        status=Intervention.Status.ONGOING,
        due_date=timezone.localdate() + timedelta(days=14),
    )


def test_the_register_lists_interventions_with_their_verdict(member_a, lighting):
    Evaluation.objects.create(
        partnership=lighting.partnership,
        intervention=lighting,
        computed_at=timezone.now(),
        verdict="minskning",
        result={},
    )
    norr = lighting.areas.get().pk
    client = bearer(member_a)

    rows = client.get(f"{API}/interventions").json()

    assert [(r["id"], r["status"], r["areas"], r["verdict"]) for r in rows] == [
        (lighting.pk, "ongoing", [norr], "minskning")
    ]
    assert rows[0]["responsible"] == member_a.organisation.name
    assert client.get(f"{API}/interventions", {"status": "done"}).json() == []
    assert len(client.get(f"{API}/interventions", {"area": norr}).json()) == 1


def test_the_responsible_organisation_moves_the_status_and_logs_progress(member_a, lighting):
    client = bearer(member_a)
    today = timezone.localdate().isoformat()

    note = post_json(
        client,
        f"/interventions/{lighting.pk}/progress",
        {"done_on": today, "text": "Två nya lyktstolpar", "amount": "2 st"},
    )
    done = patch_json(client, f"/interventions/{lighting.pk}", {"status": "done"})

    assert note.status_code == 201
    assert note.json()["progress"][0] == {
        "done_on": today,
        "text": "Två nya lyktstolpar",
        "amount": "2 st",
        "organisation": member_a.organisation.name,
    }
    assert (done.status_code, done.json()["status"]) == (200, "done")
    lighting.refresh_from_db()
    assert lighting.status == "done" and lighting.closed_at is not None
    actions = set(Entry.objects.values_list("action", flat=True))
    assert {"intervention.progress", "intervention.status"} <= actions


def test_progress_in_the_future_or_empty_is_refused_in_swedish(member_a, lighting):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = post_json(
        bearer(member_a),
        f"/interventions/{lighting.pk}/progress",
        {"done_on": tomorrow, "text": " "},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "text": ["Skriv vad som gjordes."],
        "done_on": ["Datumet kan inte ligga i framtiden."],
    }
    assert not ProgressNote.objects.exists()


def test_others_may_read_but_not_change_an_intervention(reporter_a, member_b, lighting):
    """A member of an organisation that takes no part gets 403, another partnership 404,
    a reporter 403 even to read."""
    bystander = make_member(lighting.partnership, Role.MEMBER, "bystander")
    client = bearer(bystander)
    assert client.get(f"{API}/interventions/{lighting.pk}").status_code == 200
    assert (
        patch_json(client, f"/interventions/{lighting.pk}", {"status": "done"}).status_code == 403
    )
    today = timezone.localdate().isoformat()
    progress = {"done_on": today, "text": "x"}
    assert post_json(client, f"/interventions/{lighting.pk}/progress", progress).status_code == 403
    stranger = bearer(member_b)
    assert stranger.get(f"{API}/interventions/{lighting.pk}").status_code == 404
    assert (
        patch_json(stranger, f"/interventions/{lighting.pk}", {"status": "done"}).status_code == 404
    )
    assert bearer(reporter_a).get(f"{API}/interventions").status_code == 403
    lighting.refresh_from_db()
    assert lighting.status == "ongoing"
    assert not ProgressNote.objects.exists()
