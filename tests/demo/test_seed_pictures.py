"""The demo opens ready: set-up computes the running week's and the last two complete
weeks' pictures once, and approves the last complete week's for the demo guest."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from lagesbild.demo.seed import (
    approve_demo_picture,
    approve_demo_quarter,
    compute_demo_pictures,
    seed_demo,
)
from lagesbild.incidents import coverage, weeks
from lagesbild.partnerships.models import Membership
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


def test_set_up_approves_last_week_so_the_demo_guest_sees_a_picture_at_once(
    db, settings, tmp_path, client
):
    """The guest `gast-fk` sees approved pictures of ended weeks only: set-up approves the
    last complete week once, and the guest opens it with its two invited areas."""
    settings.VAR_DIR = tmp_path
    partnership = seed_demo(years=0.05, scale=0.1).partnership
    picture = approve_demo_picture(partnership)
    assert picture.period == weeks.iso(coverage.last_complete_week(partnership))
    assert approve_demo_picture(partnership) is None  # a second `make run` keeps it

    client.force_login(Membership.objects.get(user__username="gast-fk").user)
    start = client.get(reverse("guests:start")).content.decode()
    url = reverse("guests:picture", args=[picture.period, picture.version])
    assert url in start
    body = client.get(url).content.decode()
    assert "Helenelund</h2>" in body and "Vaxmora</h2>" in body
    assert body.count('<h2 id="area-') == 2


def test_set_up_approves_the_last_quarter_so_the_demo_guest_has_a_periodic_picture(
    db, settings, tmp_path, client
):
    settings.VAR_DIR = tmp_path
    partnership = seed_demo(years=0.5, scale=0.1).partnership
    quarter = approve_demo_quarter(partnership)
    assert quarter.period_kind == "quarter" and "-Q" in quarter.period
    assert approve_demo_quarter(partnership) is None  # a second `make run` keeps it

    client.force_login(Membership.objects.get(user__username="gast-fk").user)
    url = reverse("guests:period", args=[quarter.period, quarter.version])
    assert url in client.get(reverse("guests:start")).content.decode()
    body = client.get(url).content.decode()
    assert "Helenelund" in body and "Vaxmora" in body
