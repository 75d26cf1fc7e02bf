"""Redaction: a coordinator removes a passage or a whole field from an incident. Afterwards
the original is nowhere in the database, the approved picture's export and the API show the
marker, the audit trail says who, when, which field and why, and bad input changes nothing."""

import io

import openpyxl
import pytest
from django.urls import reverse

from lagesbild.audit.models import Entry
from lagesbild.dataprotection import redaction
from lagesbild.dataprotection.models import Redaction
from lagesbild.incidents import services as incidents
from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident
from lagesbild.pictures.models import Picture
from tests.dataprotection.conftest import DESCRIPTION, NAME, NUMBER
from tests.dataprotection.whole_database import places_holding

MARKER = redaction.MARKER


def redact(client, incident, **form):
    return client.post(reverse("dataprotection:redact", args=[incident.pk]), form)


def test_the_copies_exist_before_redaction(handled):
    """The scenario is worth testing: the number is in the incident, its history and the
    audit trail (so a redaction of the incident's field alone would not be enough)."""
    tables = {table for table, _column, _rows in places_holding(NUMBER)}
    assert {"incidents_incident", "incidents_incidentchange", "audit_entry"} <= tables


def test_a_redacted_passage_is_nowhere_in_the_database(login, coordinator_a, handled):
    incident = handled["incident"]
    client = login(coordinator_a)
    client.get(reverse("incidents:detail", args=[incident.pk]))  # a read is audited too

    response = redact(
        client, incident, field="description", passage=NUMBER, reason="Möjligt personnummer"
    )

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.description == DESCRIPTION.replace(NUMBER, MARKER)
    assert places_holding(NUMBER) == []
    # The correction's reason lost only the passage.
    change = incident.changes.get(action="corrected")
    assert change.reason == f"Allvarligare än angivet; {MARKER} bör bort"
    assert change.changes == {"severity": [1, 2], "status": ["new", "accepted"]}


def test_the_redaction_is_audited_without_the_text(login, coordinator_a, handled):
    incident = handled["incident"]

    redact(login(coordinator_a), incident, field="description", passage=NUMBER, reason="Nummer")

    entry = Entry.objects.get(action="incident.redacted")
    assert (entry.actor, entry.partnership, entry.object_id) == (
        coordinator_a.user,
        coordinator_a.partnership,
        str(incident.pk),
    )
    assert entry.summary == "Nummer"
    assert entry.details == {"field": "description", "whole_field": False, "characters": 11}
    assert entry.ip_address == "127.0.0.1"
    row = Redaction.objects.get()
    assert (row.field, row.whole_field, row.characters, row.reason, row.actor) == (
        "description",
        False,
        11,
        "Nummer",
        coordinator_a.user,
    )


def test_a_whole_field_is_replaced_by_the_marker(login, coordinator_a, handled):
    incident = handled["incident"]

    redact(login(coordinator_a), incident, field="description", passage="", reason="Namn")

    incident.refresh_from_db()
    assert incident.description == MARKER
    assert places_holding(NAME) == []
    assert places_holding(DESCRIPTION) == []
    page = login(coordinator_a).get(reverse("incidents:detail", args=[incident.pk]))
    text = page.content.decode()
    assert MARKER in text and NAME not in text
    assert "hela fältet beskrivning – Namn" in text


def test_the_approved_version_keeps_its_figures_and_shows_the_redacted_text(
    login, coordinator_a, handled
):
    picture = handled["picture"]
    content_before = Picture.objects.get(pk=picture.pk).content
    incident = handled["incident"]

    redact(login(coordinator_a), incident, field="description", passage=NAME, reason="Namn")

    assert Picture.objects.get(pk=picture.pk).content == content_before
    url = reverse("pictures:export_version", args=[weeks.iso(handled["week"]), 1, "xlsx"])
    response = login(coordinator_a).get(url)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    descriptions = [
        row[-1] for row in book["Händelser"].iter_rows(min_row=2, values_only=True) if row[0]
    ]
    assert DESCRIPTION.replace(NAME, MARKER) in descriptions
    assert not any(NAME in (d or "") for d in descriptions)


def test_the_api_shows_the_redacted_text(login, coordinator_a, reporter_a, handled):
    incident = handled["incident"]
    redact(login(coordinator_a), incident, field="description", passage=NAME, reason="Namn")

    for member in (coordinator_a, reporter_a):
        body = login(member).get(f"/api/v1/incidents/{incident.pk}").json()
        assert body["description"] == DESCRIPTION.replace(NAME, MARKER)


def test_a_rejection_reason_is_redacted_with_its_copies(coordinator_a, reporter_a, monday_noon):
    from tests.dataprotection.conftest import file_report

    incident = file_report(reporter_a, monday_noon, description="Klotter")
    incidents.reject_incident(
        actor=coordinator_a.user, incident=incident, reason=f"Gäller {NAME}, inte en plats"
    )

    redaction.redact_incident_text(
        actor=coordinator_a.user, incident=incident, field="rejection_reason", reason="Namn"
    )

    incident.refresh_from_db()
    assert incident.rejection_reason == MARKER
    assert incident.description == "Klotter"
    assert places_holding(NAME) == []
    assert incident.changes.get(action="rejected").reason == MARKER


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"field": "description", "passage": "finns inte", "reason": "x"}, "passage"),
        ({"field": "description", "passage": NUMBER, "reason": ""}, "reason"),
        ({"field": "description", "passage": NUMBER, "reason": "19121212-1212"}, "reason"),
        ({"field": "description", "passage": "Vi", "reason": "Kort"}, "passage"),
        ({"field": "external_id", "passage": "", "reason": "Fel fält"}, "field"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(login, coordinator_a, handled, form, field):
    incident = handled["incident"]
    client = login(coordinator_a)
    entries = Entry.objects.count()

    response = redact(client, incident, **form)

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert Incident.objects.get(pk=incident.pk).description == DESCRIPTION
    assert Entry.objects.count() == entries
    assert not Redaction.objects.exists()


def test_only_coordinators_redact(login, analyst_a, member_a, handled):
    incident = handled["incident"]
    for member in (analyst_a, member_a):
        response = redact(login(member), incident, field="description", passage="", reason="x")
        assert response.status_code == 403
    assert Incident.objects.get(pk=incident.pk).description == DESCRIPTION


def test_a_copy_in_a_stored_picture_is_redacted_too(coordinator_a, handled):
    """Pictures hold no incident text today; should a future change copy one there, the
    redaction still reaches it, and only the string that holds the copy changes."""
    picture = handled["picture"]
    content = picture.content
    content["summary"].append(f"Citat: {DESCRIPTION}")
    Picture.objects.filter(pk=picture.pk).update(content=content)

    redaction.redact_incident_text(
        actor=coordinator_a.user,
        incident=handled["incident"],
        field="description",
        passage=NAME,
        reason="Namn",
    )

    stored = Picture.objects.get(pk=picture.pk).content
    assert stored["summary"][-1] == f"Citat: {DESCRIPTION.replace(NAME, MARKER)}"
    assert stored["summary"][:-1] == content["summary"][:-1]
    assert stored["series"] == content["series"]
    assert places_holding(NAME) == []
