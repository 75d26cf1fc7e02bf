"""Shared set-ups of the interventions tests."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.pictures import runs
from tests.factories import make_incident


@pytest.fixture
def week_with_deviation(member_a):
    """A quiet history and a burst last week, so the picture has a deviation."""
    last = weeks.shift(weeks.week_code(timezone.now()), -1)
    start = weeks.bounds(last)[0] + timedelta(hours=12)
    norr = member_a.partnership.areas.get(name="Norr")
    for k in range(1, 20):
        make_incident(member_a, area=norr, occurred_at=start - timedelta(weeks=k))
    for _ in range(9):
        make_incident(member_a, area=norr, occurred_at=start)
    runs.run_now(member_a.partnership, weeks.iso(last))
    return weeks.iso(last)
