"""Erasure: a coordinator deletes an incident that should never have been stored, with a
reason. Afterwards the incident and its text are nowhere in the database, the erasure is in
the audit trail, later analysis no longer counts it, and the approved picture keeps its
figures."""

import pytest
from django.urls import reverse

from lagesbild.audit.models import Entry
from lagesbild.dataprotection import erasure
from lagesbild.dataprotection.models import Erasure
from lagesbild.incidents import services as incidents
from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident, IncidentChange
from lagesbild.pictures import runs
from lagesbild.pictures.models import Picture
from tests.dataprotection.conftest import NAME, NUMBER, file_report
from tests.dataprotection.whole_database import places_holding


def erase(client, incident, **form):
    return client.post(reverse("dataprotection:erase", args=[incident.pk]), form)


def test_an_erased_incident_is_gone_with_its_text(login, coordinator_a, handled):
    incident = handled["incident"]

    response = erase(
        login(coordinator_a), incident, reason="Rapport om en namngiven person", confirm="on"
    )

    assert response.status_code == 302
    assert response.url == reverse("incidents:list")
    assert not Incident.objects.filter(pk=incident.pk).exists()
    assert not IncidentChange.objects.filter(incident_id=incident.pk).exists()
    assert places_holding(NUMBER) == []
    assert places_holding(NAME) == []


def test_the_erasure_is_recorded_and_audited(login, coordinator_a, handled):
    incident = handled["incident"]
    week = weeks.iso(incident.iso_week)

    erase(login(coordinator_a), incident, reason="Namngiven person", confirm="on")

    row = Erasure.objects.get()
    assert (row.incident_number, row.iso_week, row.category, row.area) == (
        incident.pk,
        incident.iso_week,
        "Klotter",
        "Norr",
    )
    assert (row.reason, row.actor, row.partnership) == (
        "Namngiven person",
        coordinator_a.user,
        coordinator_a.partnership,
    )
    entry = Entry.objects.get(action="incident.erased")
    assert (entry.object_type, entry.object_id, entry.summary) == (
        "incident",
        str(incident.pk),
        "Namngiven person",
    )
    assert entry.details == {"week": week, "category": "Klotter", "area": "Norr"}
    # Who reported and who corrected it stays in the trail, without the text.
    earlier = Entry.objects.filter(object_id=str(incident.pk), action__startswith="incident.")
    assert {"incident.created", "incident.corrected"} <= set(
        earlier.values_list("action", flat=True)
    )
    assert earlier.get(action="incident.corrected").summary == ""


def test_later_analysis_no_longer_counts_it_but_the_approved_picture_keeps_its_figures(
    coordinator_a, handled
):
    partnership = coordinator_a.partnership
    iso = weeks.iso(handled["week"])
    picture = handled["picture"]
    before = runs.latest_run(partnership, iso).results
    frozen = Picture.objects.get(pk=picture.pk).content
    version = runs.data_version(partnership)
    incident = handled["incident"]
    # Not the newest incident, so the highest id alone would not show the change.
    assert Incident.objects.filter(partnership=partnership).latest("pk").pk > incident.pk

    erasure.erase_incident(actor=coordinator_a.user, incident=incident, reason="Fel")

    assert runs.data_version(partnership) != version
    after = runs.run_now(partnership, iso).results
    total = {s["area"] or 0: s["observed"] for s in before["series"] if s["group"] is None}
    total_after = {s["area"] or 0: s["observed"] for s in after["series"] if s["group"] is None}
    assert total_after[0] == total[0] - 1
    assert Picture.objects.get(pk=picture.pk).content == frozen
    assert frozen["series"][":"]["observed"] == total[0]


@pytest.mark.parametrize(
    ("form", "field"),
    [({"reason": "", "confirm": "on"}, "reason"), ({"reason": "Fel"}, "confirm")],
)
def test_a_reason_and_a_confirmation_are_required(login, coordinator_a, handled, form, field):
    incident = handled["incident"]

    response = erase(login(coordinator_a), incident, **form)

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert Incident.objects.filter(pk=incident.pk).exists()
    assert not Erasure.objects.exists()


def test_a_merge_target_is_erased_after_its_duplicates(
    login, coordinator_a, reporter_a, monday_noon
):
    target = file_report(reporter_a, monday_noon, description="Klotter")
    duplicate = file_report(reporter_a, monday_noon, description="Klotter igen")
    incidents.merge_incidents(actor=coordinator_a.user, target=target, duplicates=[duplicate])
    client = login(coordinator_a)

    response = erase(client, target, reason="Fel", confirm="on")

    assert response.status_code == 400
    assert f"nr {duplicate.pk}" in response.context["form"].non_field_errors()[0]
    assert Incident.objects.filter(pk=target.pk).exists()
    assert erase(client, duplicate, reason="Fel", confirm="on").status_code == 302
    assert erase(client, target, reason="Fel", confirm="on").status_code == 302
    assert Erasure.objects.count() == 2


def test_the_page_says_what_happens_to_approved_pictures(login, coordinator_a, member_a, handled):
    incident = handled["incident"]
    page = login(coordinator_a).get(reverse("dataprotection:erase", args=[incident.pk]))
    assert "Godkända lägesbilder är låsta och behåller sina siffror" in page.content.decode()
    assert erase(login(member_a), incident, reason="Fel", confirm="on").status_code == 403
    assert Incident.objects.filter(pk=incident.pk).exists()
