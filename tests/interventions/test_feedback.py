"""Feedback to reporters: what became of each of their own reports, never others' detail."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident
from lagesbild.pictures.models import Picture
from tests.factories import make_incident, make_intervention


def test_reporter_sees_review_picture_and_intervention_of_own_report(
    login, reporter_a, member_a, coordinator_a
):
    partnership = reporter_a.partnership
    norr = partnership.areas.get(name="Norr")
    occurred = timezone.now() - timedelta(days=9)
    own = make_incident(
        reporter_a, area=norr, occurred_at=occurred, status=Incident.Status.ACCEPTED
    )
    iso = weeks.iso(own.iso_week)
    Picture.objects.create(
        partnership=partnership,
        period_kind="week",
        period=iso,
        approved_by=coordinator_a.user,
        content={"period": iso, "incident_ids": [own.pk]},
    )
    intervention = make_intervention(
        partnership=partnership,
        title="Klottersanering vid torget",
        areas=[norr],
        responsible=member_a.organisation,
        start_date=timezone.localdate(),
        due_date=timezone.localdate() + timedelta(days=14),
    )
    intervention.categories.set([own.category])
    client = login(reporter_a)
    listing = client.get(reverse("incidents:list")).content.decode()
    assert "Granskad" in listing
    assert f"Räknad i lägesbilden för {iso}" in listing
    assert "Insats: Klottersanering vid torget (Planerad)" in listing
    detail = client.get(reverse("incidents:detail", args=[own.pk])).content.decode()
    assert "Vad hände med rapporten" in detail and "Klottersanering vid torget" in detail


def test_new_report_outside_the_picture_and_unrelated_interventions(login, reporter_a, member_a):
    partnership = reporter_a.partnership
    own = make_incident(reporter_a, area=partnership.areas.get(name="Norr"))
    make_intervention(
        partnership=partnership,
        title="Belysning i Söder",
        areas=[partnership.areas.get(name="Söder")],
        responsible=member_a.organisation,
        start_date=timezone.localdate(),
        due_date=timezone.localdate(),
    )
    page = login(reporter_a).get(reverse("incidents:detail", args=[own.pk])).content.decode()
    assert "Inte granskad ännu" in page
    assert "Veckans lägesbild är inte godkänd ännu" in page
    assert "Belysning i Söder" not in page


def test_others_reports_get_no_outcome(login, member_a, coordinator_a):
    others = make_incident(member_a, status=Incident.Status.ACCEPTED)
    page = login(coordinator_a).get(reverse("incidents:detail", args=[others.pk]))
    assert "Vad hände med rapporten" not in page.content.decode()
