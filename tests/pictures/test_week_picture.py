"""The weekly situation picture: figures, page, assessment, approval and frozen versions."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lagesbild.incidents import services as incident_services
from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident
from lagesbild.pictures import runs, services
from lagesbild.pictures.models import AnalysisRun, Picture
from tests.factories import make_incident, make_intervention


@pytest.fixture
def last_week():
    return weeks.shift(weeks.week_code(timezone.now()), -1)


@pytest.fixture
def history(member_a, last_week):
    """Ten weeks of incidents in Norr (2 klotter a week) and a burst of 6 in the last week."""
    partnership = member_a.partnership
    norr = partnership.areas.get(name="Norr")
    start = weeks.bounds(last_week)[0] + timedelta(hours=12)
    for k in range(1, 10):
        for _ in range(2):
            make_incident(member_a, area=norr, occurred_at=start - timedelta(weeks=k))
    burst = [make_incident(member_a, area=norr, occurred_at=start) for _ in range(6)]
    make_incident(
        member_a,
        area=partnership.areas.get(name="Söder"),
        category="bilbrand",
        severity=3,
        occurred_at=start,
    )
    return burst


def week_url(name, code, *args):
    return reverse(f"pictures:{name}", args=[weeks.iso(code), *args])


def test_run_stores_counts_that_match_the_database(member_a, history, last_week):
    run = runs.run_now(member_a.partnership, weeks.iso(last_week))
    assert run.status == AnalysisRun.Status.DONE, run.error
    content = services.assemble(member_a.partnership, last_week, run)
    norr = member_a.partnership.areas.get(name="Norr")
    graffiti = member_a.partnership.categories.get(code="grupp-skadegorelse")
    cell = content["series"][f"{norr.pk}:{graffiti.pk}"]
    assert cell["observed"] == 6
    assert cell["spark"][-3:] == [2, 2, 6]
    assert content["series"][":"]["observed"] == 7
    assert len(content["incident_ids"]) == 7
    # severity points: 6 x (klotter weight 1 x severity 1) in Norr
    assert content["area_points"][str(norr.pk)]["points"] == 6
    assert content["summary"][0].startswith("Vecka")


def test_page_shows_matrix_and_drills_down(login, member_a, history, last_week):
    runs.run_now(member_a.partnership, weeks.iso(last_week))
    response = login(member_a).get(week_url("week", last_week))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Statusmatris" in text
    assert f"?week={weeks.iso(last_week)}&amp;area=" in text
    assert "Godkänn lägesbilden" not in text  # members read, coordinators approve
    # The map legend says which cells were tested, in the PDF's words (tests/pictures/test_exports).
    assert (
        "Brännpunkt: 200 m-ruta med minst 3 händelser de senaste 4 veckorna, tätare än slumpen "
        "förklarar (Gi*, FDR 5 %)"
    ) in text


def test_page_without_results_shows_progress(login, member_a, last_week):
    make_incident(member_a, occurred_at=weeks.bounds(last_week)[0] - timedelta(weeks=3))
    response = login(member_a).get(week_url("week", last_week))
    assert response.status_code == 200
    assert "beräknas" in response.content.decode()
    assert AnalysisRun.objects.filter(status=AnalysisRun.Status.QUEUED).count() == 1


def test_reporters_see_no_picture_unless_allowed(login, reporter_a, last_week):
    client = login(reporter_a)
    assert client.get(week_url("week", last_week)).status_code == 403
    reporter_a.partnership.reporters_see_picture = True
    reporter_a.partnership.save()
    assert client.get(week_url("week", last_week)).status_code == 200


def test_assess_approve_and_frozen_version(login, coordinator_a, member_a, history, last_week):
    partnership = coordinator_a.partnership
    iso = weeks.iso(last_week)
    # All reviewed: a complete, reviewed week is approved without warnings.
    Incident.objects.filter(partnership=partnership).update(status=Incident.Status.ACCEPTED)
    runs.run_now(partnership, iso)
    client = login(coordinator_a)
    norr = partnership.areas.get(name="Norr")
    response = client.post(
        week_url("assess", last_week, norr.pk),
        {f"a{norr.pk}-level": "3", f"a{norr.pk}-comment": "Klotter vid torget"},
    )
    assert response.status_code == 302
    response = client.post(week_url("approve", last_week))
    first = Picture.objects.get()
    assert response.url == week_url("version", last_week, 1)
    assert first.content["assessments"][str(norr.pk)]["level"] == 3
    assert len(first.content["incident_ids"]) == 7

    # A later correction changes the live picture but not the approved version.
    incident_services.reject_incident(
        actor=coordinator_a.user, incident=history[0], reason="Dubbel"
    )
    runs.run_now(partnership, iso)
    version_page = client.get(week_url("version", last_week, 1))
    assert version_page.status_code == 200
    assert version_page.context["content"]["series"][":"]["observed"] == 7
    live = client.get(week_url("week", last_week))
    assert live.context["content"]["series"][":"]["observed"] == 6

    # A second approval needs a note and records what changed.
    client.post(week_url("approve", last_week))
    assert Picture.objects.count() == 1
    client.post(week_url("approve", last_week), {"change_note": "En dubblett avvisad"})
    second = Picture.objects.get(version=2)
    assert second.supersedes == first
    changes = second.content["changes_from_previous"]
    assert any("6 → 5 händelser" in line for line in changes), changes
    first.refresh_from_db()
    assert first.content["series"][":"]["observed"] == 7


def test_members_cannot_assess_or_approve(login, member_a, history, last_week):
    runs.run_now(member_a.partnership, weeks.iso(last_week))
    norr = member_a.partnership.areas.get(name="Norr")
    client = login(member_a)
    assert client.post(week_url("assess", last_week, norr.pk), {}).status_code == 403
    assert client.post(week_url("approve", last_week)).status_code == 403


def test_other_partnership_sees_nothing(login, coordinator_a, member_b, history, last_week):
    iso = weeks.iso(last_week)
    runs.run_now(coordinator_a.partnership, iso)
    services.approve_picture(
        actor=coordinator_a.user,
        partnership=coordinator_a.partnership,
        content=services.assemble(
            coordinator_a.partnership, last_week, runs.latest_run(coordinator_a.partnership, iso)
        ),
        confirmed=True,
        change_note="Granskas i efterhand",
    )
    client = login(member_b)
    assert client.get(week_url("version", last_week, 1)).status_code == 404
    page = client.get(week_url("week", last_week)).content.decode()
    assert "Samverkan A" not in page
    assert "Samverkan B" in page


def test_a_new_report_queues_and_runs_the_weeks_analysis(
    reporter_a, settings, django_capture_on_commit_callbacks
):
    import uuid

    settings.ANALYSIS_ON_CHANGE = True
    with django_capture_on_commit_callbacks(execute=True):
        incident, _ = incident_services.report_incident(
            membership=reporter_a,
            client_id=uuid.uuid4(),
            category=reporter_a.partnership.categories.get(code="klotter"),
            occurred_at=timezone.now() - timedelta(hours=1),
            severity=1,
            lon=17.905,
            lat=59.435,
        )
    run = AnalysisRun.objects.get()
    assert run.period == weeks.iso(incident.iso_week)
    assert run.status == AnalysisRun.Status.DONE, run.error
    assert not runs.is_stale(run, reporter_a.partnership)


def test_summary_lists_interventions_due(member_a, history, last_week):

    partnership = member_a.partnership
    make_intervention(
        partnership=partnership,
        title="Ny belysning",
        areas=[partnership.areas.get(name="Norr")],
        responsible=member_a.organisation,
        due_date=weeks.monday(last_week) - timedelta(days=2),
    )
    run = runs.run_now(partnership, weeks.iso(last_week))
    content = services.assemble(partnership, last_week, run)
    assert content["interventions_due"][0]["overdue"] is True
    assert any("varav 1 försenade" in s for s in content["summary"])


def test_identity_number_in_an_assessment_comment_is_refused(coordinator_a):
    from django.core.exceptions import ValidationError

    norr = coordinator_a.partnership.areas.get(name="Norr")
    with pytest.raises(ValidationError):
        services.save_assessment(
            actor=coordinator_a.user,
            partnership=coordinator_a.partnership,
            area=norr,
            iso="2026-W47",
            level=2,
            comment="Boende 811218-9876 oroliga",
        )
    assert not norr.partnership.assessments.exists()


def test_summary_uses_singular_for_one(member_a, last_week):
    start = weeks.bounds(last_week)[0] + timedelta(hours=12)
    make_incident(member_a, occurred_at=start)
    run = runs.run_now(member_a.partnership, weeks.iso(last_week))
    summary = services.assemble(member_a.partnership, last_week, run)["summary"][0]
    assert "1 händelse från 1 organisation " in summary


def test_map_without_population_colours_by_points(login, member_a, history, last_week):
    member_a.partnership.areas.update(population=None)
    runs.run_now(member_a.partnership, weeks.iso(last_week))
    client = login(member_a)
    html = client.get(week_url("week", last_week)).content.decode()
    assert "folkmängd saknas" in html
    assert "&lt; 0,0" not in html
    features = client.get(week_url("map_data", last_week)).json()["areas"]["features"]
    values = {f["properties"]["name"]: f["properties"]["value"] for f in features}
    assert values == {"Norr": 6, "Söder": 9}


def test_an_approved_version_keeps_its_outlines_after_an_import_redraws_them(
    login, coordinator_a, member_a, history, last_week, tmp_path, django_capture_on_commit_callbacks
):
    """Importing areas (merge: same code, new outline; replace: others deactivated) must not
    redraw or drop what an approved version's map showed, nor change its figures when the
    incidents then move to their new areas."""
    from lagesbild.geography import area_import

    partnership = coordinator_a.partnership
    iso = weeks.iso(last_week)
    runs.run_now(partnership, iso)
    client = login(coordinator_a)
    # The history holds unreviewed reports: the approval confirms that warning.
    client.post(
        week_url("approve", last_week), {"confirm": "on", "change_note": "Godkänd på mötet"}
    )
    norr = partnership.areas.get(name="Norr")
    before = norr.geometry
    redrawn = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": norr.code, "name": "Norr"},
                "geometry": {
                    "type": "Polygon",
                    # Norr grown over Söder, which the import deactivates: Söder's
                    # incidents move to Norr.
                    "coordinates": [
                        [
                            [17.9, 59.42],
                            [17.92, 59.42],
                            [17.92, 59.45],
                            [17.9, 59.45],
                            [17.9, 59.42],
                        ]
                    ],
                },
            }
        ],
    }
    path = tmp_path / "norr.geojson"
    path.write_text(json.dumps(redrawn))
    approved = client.get(week_url("map_data", last_week), {"version": "1"}).json()
    with django_capture_on_commit_callbacks(execute=True):
        area_import.apply_import(
            actor=coordinator_a.user,
            partnership=partnership,
            source=str(path),
            mapping=area_import.Mapping(
                layer="norr",
                name_column="name",
                code_column="code",
                mode=area_import.Mode.REPLACE,
            ),
        )
    assert not Incident.objects.filter(partnership=partnership, area__active=False).exists()
    norr.refresh_from_db()
    assert norr.geometry != before
    assert not partnership.areas.get(name="Söder").active
    response = client.get(week_url("map_data", last_week), {"version": "1"})
    features = {
        f["properties"]["name"]: f["geometry"] for f in response.json()["areas"]["features"]
    }
    assert set(features) == {"Norr", "Söder"}
    assert features["Norr"] == before
    assert response.json() == approved
