"""Incident histories for the situation-picture journeys, built like the picture's own tests:
a steady background of graffiti in Norr for some weeks and a burst in the week under test,
then the week's analysis computed in this process (runs.run_now)."""

from datetime import timedelta

from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident
from lagesbild.pictures import runs
from tests.factories import make_incident

BACKGROUND_WEEKS = 9
BURST = 10


def last_week(partnership) -> int:
    """The week a Tuesday meeting looks at: the one before this."""
    return weeks.shift(weeks.week_code(timezone.now(), partnership.time_zone), -1)


def build_burst(member, week: int, *, burst_status=Incident.Status.ACCEPTED) -> list[Incident]:
    """Two graffiti reports a week in Norr for nine weeks before `week`, ten in `week` and one
    car fire in Söder; the week's analysis is computed. Returns the ten of the burst.

    The background is accepted so that the review queue holds only what a test leaves new."""
    partnership = member.partnership
    norr, soder = (partnership.areas.get(name=name) for name in ("Norr", "Söder"))
    start = weeks.bounds(week, partnership.time_zone)[0] + timedelta(hours=12)
    for k in range(1, BACKGROUND_WEEKS + 1):
        for _ in range(2):
            make_incident(
                member,
                area=norr,
                occurred_at=start - timedelta(weeks=k),
                status=Incident.Status.ACCEPTED,
            )
    burst = [
        make_incident(member, area=norr, occurred_at=start, status=burst_status)
        for _ in range(BURST)
    ]
    make_incident(
        member,
        area=soder,
        category="bilbrand",
        severity=3,
        occurred_at=start,
        status=Incident.Status.ACCEPTED,
    )
    runs.run_now(partnership, weeks.iso(week))
    return burst
