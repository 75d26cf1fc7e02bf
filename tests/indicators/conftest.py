"""Fixtures shared by the indicator tests."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident
from lagesbild.pictures import runs
from tests.factories import make_incident


@pytest.fixture
def week(coordinator_a) -> str:
    """Last week, computed, with its one report reviewed (no approval warnings)."""
    code = weeks.shift(weeks.week_code(timezone.now()), -1)
    make_incident(coordinator_a, occurred_at=weeks.bounds(code)[0] + timedelta(hours=10))
    Incident.objects.update(status=Incident.Status.ACCEPTED)
    runs.run_now(coordinator_a.partnership, weeks.iso(code))
    return weeks.iso(code)
