"""The demo opens ready: set-up computes the running week's and the last two complete
weeks' pictures once."""

from datetime import timedelta

from django.utils import timezone

from lagesbild.demo.seed import compute_demo_pictures
from lagesbild.incidents import weeks
from lagesbild.pictures import runs
from tests.factories import make_incident


def test_set_up_computes_the_running_and_last_two_weeks_once(member_a):
    partnership = member_a.partnership
    for k in range(1, 4):
        make_incident(member_a, occurred_at=timezone.now() - timedelta(weeks=k))
    last = weeks.shift(weeks.week_code(timezone.now()), -1)

    first = compute_demo_pictures(partnership)
    expected = [weeks.shift(last, k) for k in (1, 0, -1)]
    assert [iso for iso, _ in first] == [weeks.iso(w) for w in expected]
    assert all(seconds is not None for _, seconds in first)
    assert not runs.is_stale(runs.latest_run(partnership, weeks.iso(last)), partnership)

    again = compute_demo_pictures(partnership)  # a second `make run` keeps them
    assert [seconds for _, seconds in again] == [None, None, None]
