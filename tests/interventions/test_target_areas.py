"""An intervention targets one or more areas: the forms ask for at least one of the
partnership's active areas, and every reader of "the" area works with the set (the register
pages, the overview filter, the yearly picture's per-area table, reporters' feedback)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from lagesbild.audit.models import Entry
from lagesbild.incidents.models import Incident
from lagesbild.interventions import feedback, queries
from lagesbild.interventions.models import Intervention, Meeting
from lagesbild.interventions.yearly import yearly_picture
from tests.factories import make_area, make_incident, make_intervention

AREAS_REQUIRED = "Välj minst ett område som insatsen riktar sig mot."


def _form(partnership, organisation, areas) -> dict:
    return {
        "title": "Trygghetsvandringar",
        "areas": [a.pk for a in areas],
        "responsible": organisation.pk,
        "due_date": (timezone.localdate() + timedelta(days=14)).isoformat(),
    }


def _norr_soder(partnership):
    return [partnership.areas.get(name=n) for n in ("Norr", "Söder")]


def test_coordinator_registers_an_intervention_in_two_areas(login, coordinator_a):
    partnership = coordinator_a.partnership
    norr, soder = _norr_soder(partnership)
    client = login(coordinator_a)
    response = client.post(
        reverse("interventions:create"),
        _form(partnership, coordinator_a.organisation, [soder, norr]),
    )
    created = Intervention.objects.get()
    assert response.url == reverse("interventions:detail", args=[created.pk])
    assert set(created.areas.all()) == {norr, soder}
    assert "Norr, Söder" in client.get(response.url).content.decode()
    assert "Norr, Söder" in client.get(reverse("interventions:list")).content.decode()


def test_an_intervention_without_area_is_refused_in_swedish(login, coordinator_a):
    partnership = coordinator_a.partnership
    response = login(coordinator_a).post(
        reverse("interventions:create"), _form(partnership, coordinator_a.organisation, [])
    )
    assert response.status_code == 400
    assert AREAS_REQUIRED in response.content.decode()
    assert not Intervention.objects.exists()


def test_only_the_partnerships_active_areas_are_offered_and_accepted(
    login, coordinator_a, partnership_b
):
    partnership = coordinator_a.partnership
    norr, _soder = _norr_soder(partnership)
    closed = make_area(partnership, "Nedlagt", 17.5, 59.0)
    closed.active = False
    closed.save()
    client = login(coordinator_a)
    page = client.get(reverse("interventions:create")).content.decode()
    assert "Norr" in page and "Nedlagt" not in page
    for outside in (closed, partnership_b.areas.first()):
        response = client.post(
            reverse("interventions:create"),
            _form(partnership, coordinator_a.organisation, [norr, outside]),
        )
        assert response.status_code == 400
    assert not Intervention.objects.exists()


def test_editing_changes_the_target_areas_and_is_audited(login, coordinator_a):
    partnership = coordinator_a.partnership
    norr, soder = _norr_soder(partnership)
    intervention = make_intervention(
        partnership=partnership,
        title="Trygghetsvandringar",
        areas=[norr],
        responsible=coordinator_a.organisation,
        due_date=timezone.localdate() + timedelta(days=14),
    )
    client = login(coordinator_a)
    url = reverse("interventions:edit", args=[intervention.pk])
    page = client.get(url).content.decode()
    assert f'<option value="{norr.pk}" selected>' in page
    response = client.post(url, _form(partnership, coordinator_a.organisation, [norr, soder]))
    assert response.status_code == 302
    assert set(intervention.areas.all()) == {norr, soder}
    entry = Entry.objects.filter(action="intervention.change").get()
    assert entry.details["fields"] == ["areas"]
    response = client.post(url, _form(partnership, coordinator_a.organisation, []))
    assert response.status_code == 400 and AREAS_REQUIRED in response.content.decode()
    assert set(intervention.areas.all()) == {norr, soder}


def test_places_are_optional_and_must_lie_in_the_target_areas(login, coordinator_a):
    partnership = coordinator_a.partnership
    norr, soder = _norr_soder(partnership)
    torget = partnership.places.get(name="Torget")  # in Norr
    client = login(coordinator_a)
    data = _form(partnership, coordinator_a.organisation, [soder]) | {"places": [torget.pk]}
    response = client.post(reverse("interventions:create"), data)
    assert response.status_code == 400
    assert "Välj platser som ligger i insatsens områden." in response.content.decode()
    assert not Intervention.objects.exists()
    data["areas"] = [norr.pk, soder.pk]
    response = client.post(reverse("interventions:create"), data)
    created = Intervention.objects.get()
    assert list(created.places.all()) == [torget]
    assert "Torget" in client.get(response.url).content.decode()


def test_an_area_chosen_as_comparison_cannot_become_a_target(login, coordinator_a):
    partnership = coordinator_a.partnership
    norr, soder = _norr_soder(partnership)
    intervention = make_intervention(
        partnership=partnership,
        title="Trygghetsvandringar",
        areas=[norr],
        responsible=coordinator_a.organisation,
        due_date=timezone.localdate() + timedelta(days=14),
    )
    intervention.comparison_areas.set([soder])
    response = login(coordinator_a).post(
        reverse("interventions:edit", args=[intervention.pk]),
        _form(partnership, coordinator_a.organisation, [norr, soder]),
    )
    assert response.status_code == 400
    assert "ändra upplägget först" in response.content.decode()
    assert list(intervention.areas.all()) == [norr]


def test_a_decision_creating_an_intervention_needs_an_area(
    login, coordinator_a, week_with_deviation
):
    client = login(coordinator_a)
    client.post(
        reverse("interventions:meeting_create"),
        {"held_on": timezone.localdate().isoformat(), "week": week_with_deviation},
    )
    meeting = Meeting.objects.get()
    data = _form(coordinator_a.partnership, coordinator_a.organisation, [])
    data |= {"text": "Vandringar i båda områdena", "create_intervention": "on"}
    response = client.post(reverse("interventions:decision", args=[meeting.pk]), data)
    assert response.status_code == 400 and AREAS_REQUIRED in response.content.decode()
    data["areas"] = [a.pk for a in _norr_soder(coordinator_a.partnership)]
    response = client.post(reverse("interventions:decision", args=[meeting.pk]), data)
    assert response.status_code == 302
    assert Intervention.objects.get().area_names == "Norr, Söder"


def test_overview_filter_and_yearly_table_count_every_target_area(coordinator_a, member_a):
    partnership = coordinator_a.partnership
    norr, soder = _norr_soder(partnership)
    both = make_intervention(
        partnership=partnership,
        title="Vandringar",
        areas=[norr, soder],
        responsible=member_a.organisation,
        start_date=date(2026, 3, 2),
        end_date=date(2026, 4, 26),
        due_date=date(2026, 4, 26),
        closed_at=timezone.now(),
        status=Intervention.Status.DONE,
    )
    for area in (norr, soder):
        found = queries.closed_with_verdicts(coordinator_a, area=area)
        assert [row["item"] for row in found] == [both]
    by_area = {row["name"]: row["total"] for row in yearly_picture(coordinator_a, 2026)["by_area"]}
    assert by_area == {"Norr": 1, "Söder": 1}


def test_reporter_feedback_links_interventions_targeting_the_reports_area(reporter_a, member_a):
    partnership = reporter_a.partnership
    norr, soder = _norr_soder(partnership)
    own = make_incident(reporter_a, area=soder, status=Incident.Status.ACCEPTED)
    make_intervention(
        partnership=partnership,
        title="Vandringar i Norr och Söder",
        areas=[norr, soder],
        responsible=member_a.organisation,
        start_date=timezone.localdate() - timedelta(days=30),
        due_date=timezone.localdate(),
    )
    make_intervention(
        partnership=partnership,
        title="Belysning i Norr",
        areas=[norr],
        responsible=member_a.organisation,
        start_date=timezone.localdate() - timedelta(days=30),
        due_date=timezone.localdate(),
    )
    outcome = feedback.report_outcomes(reporter_a, [own])[own.pk]
    assert [i["title"] for i in outcome["interventions"]] == ["Vandringar i Norr och Söder"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_area_both_ways(member_a):
    partnership = member_a.partnership
    norr = partnership.areas.get(name="Norr")
    intervention = make_intervention(
        partnership=partnership,
        title="Belysning",
        areas=[norr],
        responsible=member_a.organisation,
        due_date=timezone.localdate(),
    )
    before = [("interventions", "0005_evaluation_requests")]
    executor = MigrationExecutor(connection)
    after = executor.loader.graph.leaf_nodes("interventions")
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("interventions", "Intervention")
    assert old.objects.get(pk=intervention.pk).area_id == norr.pk
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    assert list(Intervention.objects.get(pk=intervention.pk).areas.all()) == [norr]
