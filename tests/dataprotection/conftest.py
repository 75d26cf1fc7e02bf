"""A report that should never have said what it says, filed and handled the way the issue
found it: a reporter confirmed the warning on a number shaped like an identity number, the
coordinator accepted and corrected it with a reason quoting the number, and the week's
picture was computed and approved with the report in it."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from lagesbild.incidents import services as incidents
from lagesbild.incidents import weeks
from lagesbild.pictures import runs
from lagesbild.pictures import services as pictures

NUMBER = "850101-1234"
NAME = "Kalle Kula"
DESCRIPTION = f"Vittne {NUMBER} såg {NAME} vid busskuren."


@pytest.fixture
def last_week():
    return weeks.shift(weeks.week_code(timezone.now()), -1)


@pytest.fixture
def monday_noon(last_week):
    return weeks.bounds(last_week)[0] + timedelta(hours=12)


def file_report(membership, occurred_at, description=DESCRIPTION, category=None):
    partnership = membership.partnership
    norr = partnership.areas.get(name="Norr")
    incident, _created = incidents.report_incident(
        membership=membership,
        client_id=uuid.uuid4(),
        category=category or partnership.categories.get(code="klotter"),
        occurred_at=occurred_at,
        severity=1,
        lon=norr.min_lon + 0.004,
        lat=norr.min_lat + 0.003,
        description=description,
        confirmed_warnings=True,
    )
    return incident


@pytest.fixture
def handled(reporter_a, coordinator_a, monday_noon, last_week):
    """The report, accepted and corrected, in last week's approved picture."""
    incident = file_report(reporter_a, monday_noon)
    file_report(reporter_a, monday_noon, description="Klotter på muren")
    incidents.correct_incident(
        actor=coordinator_a.user,
        incident=incident,
        severity=2,
        reason=f"Allvarligare än angivet; {NUMBER} bör bort",
    )
    run = runs.run_now(coordinator_a.partnership, weeks.iso(last_week))
    content = pictures.assemble(coordinator_a.partnership, last_week, run)
    # The second report is still unreviewed, so the approval confirms that warning.
    picture = pictures.approve_picture(
        actor=coordinator_a.user,
        partnership=coordinator_a.partnership,
        content=content,
        confirmed=True,
        change_note="Godkänd med en ogranskad rapport",
    )
    return {"incident": incident, "picture": picture, "week": last_week}
