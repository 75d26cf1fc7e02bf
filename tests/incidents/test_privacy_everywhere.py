"""The privacy guard where text enters: the report form, the API, imports, assessment
comments, minutes, decisions and interventions all refuse a valid identity number however it
is spelled, and none stores a number shaped like one (a wrong check digit) unconfirmed.

Where a user can confirm warnings (form, API, import) the shaped number is a warning to
confirm; where there is no confirmation step it is refused.
"""

import json
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lagesbild.api.models import ApiToken
from lagesbild.incidents.importers.tabular import read_csv
from lagesbild.incidents.imports import import_incidents
from lagesbild.incidents.models import Incident
from lagesbild.interventions import services as interventions
from lagesbild.interventions.models import Decision, Intervention, Meeting
from lagesbild.pictures import services as pictures
from lagesbild.pictures.models import Assessment
from tests.incidents.helpers import identity_number

# Made up; the first has a check digit that passes the Luhn rule, the second (the issue's
# witness) one that does not.
VALID = "19" + identity_number("121212", "121")
FULLWIDTH = "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in VALID)
SPELLINGS = {
    "fullwidth digits": FULLWIDTH,
    "zero-width space": f"{VALID[:8]}-\u200b{VALID[8:]}",
    "soft hyphen": f"{VALID[:4]}\u00ad{VALID[4:8]}-{VALID[8:]}",
    "dots": f"{VALID[:4]}.{VALID[4:6]}.{VALID[6:8]}-{VALID[8:]}",
    "spaces": f"{VALID[:4]} {VALID[4:6]} {VALID[6:8]} - {VALID[8:]}",
    "line break": f"{VALID[:8]}-{VALID[8:10]}\n{VALID[10:]}",
}
WITNESS = "Vittne 850101-1234 såg det."


def _report_form(membership, description: str, confirm: bool = False) -> dict:
    data = {
        "client_id": str(uuid.uuid4()),
        "category": membership.partnership.categories.get(code="klotter").pk,
        "lon": "17.905",
        "lat": "59.435",
        "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "severity": "1",
        "description": description,
    }
    return {**data, "confirm_warnings": "on"} if confirm else data


def _api_body(description: str, confirm: bool = False) -> str:
    return json.dumps(
        {
            "client_id": str(uuid.uuid4()),
            "category": "klotter",
            "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "lon": 17.905,
            "lat": 59.435,
            "description": description,
            "confirm_warnings": confirm,
        }
    )


def _api(membership) -> Client:
    _token, raw = ApiToken.issue(membership, "test", scope=ApiToken.Scope.READ_WRITE)
    return Client(headers={"authorization": f"Bearer {raw}"})


def _csv(description: str) -> list[dict]:
    # Quoted, so a line break stays inside the field.
    return read_csv(
        "Externt id;Inträffade;Kategori;Longitud;Latitud;Beskrivning\n"
        f'X-1;2025-03-01 21:30;klotter;17,905;59,435;"{description}"\n'
    )


@pytest.mark.parametrize("text", SPELLINGS.values(), ids=SPELLINGS)
def test_the_report_form_refuses_every_spelling_even_confirmed(login, reporter_a, text):
    client = login(reporter_a)
    form = _report_form(reporter_a, f"Lapp med {text} på", confirm=True)

    response = client.post(reverse("incidents:report"), form)

    assert response.status_code == 400
    assert "personnummer" in response.content.decode()
    assert not Incident.objects.exists()


@pytest.mark.parametrize("text", SPELLINGS.values(), ids=SPELLINGS)
def test_the_api_refuses_every_spelling_even_confirmed(reporter_a, text):
    response = _api(reporter_a).post(
        "/api/v1/incidents", _api_body(f"Lapp med {text}", True), content_type="application/json"
    )

    assert response.status_code == 422
    assert "personnummer" in " ".join(response.json()["errors"]["description"])
    assert not Incident.objects.exists()


@pytest.mark.parametrize("text", SPELLINGS.values(), ids=SPELLINGS)
def test_imports_refuse_every_spelling_even_with_warnings_accepted(coordinator_a, text):
    result = import_incidents(
        membership=coordinator_a, rows=_csv(f"Lapp med {text}"), accept_warnings=True
    )

    assert result.created == 0
    assert "personnummer" in result.errors[0][1][0]
    assert not Incident.objects.exists()


def test_the_report_form_asks_to_confirm_a_number_with_a_wrong_check_digit(login, reporter_a):
    client = login(reporter_a)

    asked = client.post(reverse("incidents:report"), _report_form(reporter_a, WITNESS))
    assert asked.status_code == 400
    assert 'name="confirm_warnings"' in asked.content.decode()
    assert "850101-****" in asked.content.decode()
    assert not Incident.objects.exists()

    client.post(reverse("incidents:report"), _report_form(reporter_a, WITNESS, confirm=True))
    assert Incident.objects.get().description == WITNESS


def test_the_api_asks_to_confirm_a_number_with_a_wrong_check_digit(reporter_a):
    client = _api(reporter_a)

    asked = client.post("/api/v1/incidents", _api_body(WITNESS), content_type="application/json")
    assert asked.status_code == 422
    assert "850101-****" in " ".join(asked.json()["errors"]["description"])
    assert not Incident.objects.exists()

    confirmed = _api_body(WITNESS, confirm=True)
    assert (
        client.post("/api/v1/incidents", confirmed, content_type="application/json").status_code
        == 201
    )


def test_imports_refuse_a_number_with_a_wrong_check_digit_unless_warnings_are_accepted(
    coordinator_a,
):
    refused = import_incidents(membership=coordinator_a, rows=_csv(WITNESS))
    assert refused.created == 0
    assert "850101-****" in refused.errors[0][1][0]

    accepted = import_incidents(membership=coordinator_a, rows=_csv(WITNESS), accept_warnings=True)
    assert accepted.created == 1


def _meeting(partnership) -> Meeting:
    return Meeting.objects.create(
        partnership=partnership, held_on=timezone.localdate(), period="2026-W47", title="M"
    )


def _assessment(coordinator, text):
    pictures.save_assessment(
        actor=coordinator.user,
        partnership=coordinator.partnership,
        area=coordinator.partnership.areas.get(name="Norr"),
        iso="2026-W47",
        level=2,
        comment=text,
    )


def _minutes(coordinator, text):
    meeting = _meeting(coordinator.partnership)
    interventions.save_minutes(
        actor=coordinator.user, meeting=meeting, minutes=text, attendees="", closed=False
    )


def _decision(coordinator, text):
    interventions.add_decision(
        actor=coordinator.user, meeting=_meeting(coordinator.partnership), text=text
    )


def _intervention(coordinator, text):
    partnership = coordinator.partnership
    interventions.create_intervention(
        actor=coordinator.user,
        partnership=partnership,
        title="Belysning",
        description=text,
        areas=[partnership.areas.get(name="Norr")],
        responsible=coordinator.organisation,
        due_date=timezone.localdate() + timedelta(days=7),
    )


WITHOUT_CONFIRMATION = {
    "assessment comment": (_assessment, lambda: Assessment.objects.filter(comment__gt="")),
    "minutes": (_minutes, lambda: Meeting.objects.filter(minutes__gt="")),
    "decision": (_decision, Decision.objects.all),
    "intervention": (_intervention, Intervention.objects.all),
}


@pytest.mark.parametrize(("save", "saved"), WITHOUT_CONFIRMATION.values(), ids=WITHOUT_CONFIRMATION)
@pytest.mark.parametrize("text", [*SPELLINGS.values(), WITNESS], ids=[*SPELLINGS, "wrong check"])
def test_text_without_a_confirmation_step_refuses_numbers_shaped_like_identity_numbers(
    coordinator_a, save, saved, text
):
    with pytest.raises(ValidationError) as raised:
        save(coordinator_a, f"Boende {text} oroliga")

    assert "personnummer" in " ".join(raised.value.messages)
    assert not saved().exists()
