"""The weekly meeting: agenda from the picture, minutes, decisions that create interventions,
and progress on interventions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lagesbild.audit.models import Entry
from lagesbild.incidents import weeks
from lagesbild.interventions.models import Intervention, Meeting
from lagesbild.partnerships.models import Organisation
from lagesbild.pictures.models import AnalysisRun
from tests.factories import make_intervention


def create_meeting(client, iso):
    return client.post(
        reverse("interventions:meeting_create"),
        {"held_on": timezone.localdate().isoformat(), "week": iso},
    )


def test_agenda_lists_deviations_and_overdue_interventions(
    login, coordinator_a, week_with_deviation
):
    partnership = coordinator_a.partnership
    make_intervention(
        partnership=partnership,
        title="Belysning vid torget",
        areas=[partnership.areas.get(name="Söder")],
        responsible=coordinator_a.organisation,
        due_date=timezone.localdate() - timedelta(days=3),
    )
    client = login(coordinator_a)
    response = create_meeting(client, week_with_deviation)
    meeting = Meeting.objects.get()
    assert response.url == reverse("interventions:meeting", args=[meeting.pk])
    kinds = [item["kind"] for item in meeting.agenda]
    assert "deviation" in kinds and "overdue" in kinds
    page = client.get(response.url).content.decode()
    assert "Belysning vid torget" in page
    assert client.get(reverse("interventions:projector", args=[meeting.pk])).status_code == 200


def test_decision_creates_intervention_and_is_audited(login, coordinator_a, week_with_deviation):
    partnership = coordinator_a.partnership
    client = login(coordinator_a)
    create_meeting(client, week_with_deviation)
    meeting = Meeting.objects.get()
    norr = partnership.areas.get(name="Norr")
    response = client.post(
        reverse("interventions:decision", args=[meeting.pk]),
        {
            "text": "Sanera klottret och öka tillsynen",
            "create_intervention": "on",
            "title": "Klottersanering Norr",
            "areas": [norr.pk],
            "categories": [partnership.categories.get(code="klotter").pk],
            "responsible": coordinator_a.organisation.pk,
            "due_date": (timezone.localdate() + timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 302
    intervention = Intervention.objects.get()
    assert (intervention.title, list(intervention.areas.all()), intervention.decision.meeting) == (
        "Klottersanering Norr",
        [norr],
        meeting,
    )
    assert Entry.objects.filter(action="intervention.create").exists()
    assert Entry.objects.filter(action="meeting.decision").exists()


def test_decision_with_missing_intervention_fields_saves_nothing(
    login, coordinator_a, week_with_deviation
):
    client = login(coordinator_a)
    create_meeting(client, week_with_deviation)
    meeting = Meeting.objects.get()
    response = client.post(
        reverse("interventions:decision", args=[meeting.pk]),
        {"text": "Något", "create_intervention": "on"},
    )
    assert response.status_code == 400
    assert "Fyll i detta för att skapa en insats." in response.content.decode()
    assert not Intervention.objects.exists()
    assert not meeting.decisions.exists()


def test_minutes_and_closing(login, coordinator_a, week_with_deviation):
    client = login(coordinator_a)
    create_meeting(client, week_with_deviation)
    meeting = Meeting.objects.get()
    client.post(
        reverse("interventions:minutes", args=[meeting.pk]),
        {"minutes": "Gick igenom läget.", "attendees": "Kommunen, polisen", "closed": "on"},
    )
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.closed) == ("Gick igenom läget.", True)
    response = client.post(
        reverse("interventions:decision", args=[meeting.pk]), {"text": "För sent"}
    )
    assert response.status_code == 400


def test_responsible_organisation_reports_progress(login, coordinator_a, member_a):
    partnership = coordinator_a.partnership
    intervention = make_intervention(
        partnership=partnership,
        title="Trygghetsvandring",
        areas=[partnership.areas.first()],
        responsible=member_a.organisation,
        due_date=timezone.localdate(),
    )
    other = make_intervention(
        partnership=partnership,
        title="Annat",
        areas=[partnership.areas.first()],
        responsible=Organisation.objects.create(
            partnership=partnership, name="Skolan", kind="skola"
        ),
        due_date=timezone.localdate(),
    )
    client = login(member_a)
    client.post(
        reverse("interventions:status", args=[intervention.pk]),
        {f"s{intervention.pk}-status": "done"},
    )
    intervention.refresh_from_db()
    assert intervention.status == "done"
    response = client.post(
        reverse("interventions:status", args=[other.pk]), {f"s{other.pk}-status": "done"}
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.status == "planned"


def test_members_read_but_do_not_create_meetings(login, member_a, member_b):
    assert login(member_a).get(reverse("interventions:meetings")).status_code == 200
    response = login(member_a).post(reverse("interventions:meeting_create"), {})
    assert response.status_code == 403
    meeting = Meeting.objects.create(
        partnership=member_a.partnership, held_on=timezone.localdate(), period="2026-W47", title="M"
    )
    assert (
        login(member_b).get(reverse("interventions:meeting", args=[meeting.pk])).status_code == 404
    )


def test_identity_numbers_are_refused_in_minutes_and_decisions(login, coordinator_a):
    meeting = Meeting.objects.create(
        partnership=coordinator_a.partnership,
        held_on=timezone.localdate(),
        period="2026-W47",
        title="M",
    )
    client = login(coordinator_a)
    # 811218-9876 is made up; its check digit passes the Luhn rule.
    response = client.post(
        reverse("interventions:minutes", args=[meeting.pk]),
        {"minutes": "Boende 811218-9876 hörde av sig"},
    )
    assert response.status_code == 400
    assert "personnummer" in response.content.decode().lower()
    response = client.post(
        reverse("interventions:decision", args=[meeting.pk]), {"text": "Kontakta 811218-9876"}
    )
    assert response.status_code == 400
    meeting.refresh_from_db()
    assert meeting.minutes == "" and not meeting.decisions.exists()


FUTURE_WEEK = "har inte börjat ännu"


def test_a_meeting_about_a_week_not_begun_is_refused(coordinator_a):
    """The service: a week to come has no figures, so no meeting is created about it; the
    week in progress and the weeks before may be chosen."""
    from django.core.exceptions import ValidationError

    from lagesbild.interventions import services

    partnership = coordinator_a.partnership
    current = weeks.week_code(timezone.now())
    meeting = {"actor": coordinator_a.user, "partnership": partnership, "agenda": []}
    with pytest.raises(ValidationError) as refused:
        services.create_meeting(
            **meeting, iso=weeks.iso(weeks.shift(current, 1)), held_on=timezone.localdate()
        )
    assert FUTURE_WEEK in refused.value.message_dict["week"][0]
    assert not Meeting.objects.exists()
    assert not Entry.objects.filter(action="meeting.create").exists()
    for code in (current, weeks.shift(current, -1)):
        services.create_meeting(**meeting, iso=weeks.iso(code), held_on=timezone.localdate())
    assert Meeting.objects.count() == 2


def test_the_meeting_form_refuses_a_week_not_begun_and_changes_nothing(login, coordinator_a):
    next_week = weeks.iso(weeks.shift(weeks.week_code(timezone.now()), 1))
    response = create_meeting(login(coordinator_a), next_week)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"Vecka {next_week} har inte börjat ännu." in page
    assert not Meeting.objects.exists()
    assert not AnalysisRun.objects.filter(period=next_week).exists()  # no run queued either
