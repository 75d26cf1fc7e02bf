"""Builders shared by the guest tests and the guest's browser journey."""

from datetime import timedelta

from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.pictures import periodic, periods, runs
from lagesbild.pictures import services as pictures
from lagesbild.pictures.models import PeriodKind


def approve_week(partnership, coordinator, weeks_back: int):
    """The partnership's approved picture of the week `weeks_back` weeks ago (0: this week)."""
    iso = weeks.iso(weeks.shift(weeks.week_code(timezone.now()), -weeks_back))
    run = runs.run_now(partnership, iso)
    content = pictures.assemble(partnership, weeks.parse(iso), run)
    return pictures.approve_picture(
        actor=coordinator.user,
        partnership=partnership,
        content=content,
        confirmed=True,
        change_note="Granskas i efterhand",
    )


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


def approve_quarter(partnership, coordinator, quarters_back: int):
    """The approved picture of the quarter `quarters_back` quarters ago (0: this one)."""
    today = periods.today_for(partnership)
    chosen = periods.Period.containing(PeriodKind.QUARTER, today).shift(-quarters_back)
    return pictures.approve_picture(
        actor=coordinator.user,
        partnership=partnership,
        content=periodic.compute_period(partnership, chosen),
        confirmed=True,
        change_note="Godkänd trots att perioden pågår",
    )
