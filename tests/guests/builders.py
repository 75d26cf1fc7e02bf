"""Builders shared by the guest tests and the guest's browser journey."""

from datetime import timedelta

from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.pictures import runs
from lagesbild.pictures import services as pictures


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
