"""Builders shared by the guest tests and the guest's browser journey."""

from datetime import timedelta

from django.utils import timezone

from lagesbild.guests import services as guests
from lagesbild.guests.models import DetailGrant, GuestOrganisation
from lagesbild.incidents import weeks
from lagesbild.pictures import periodic, periods, runs
from lagesbild.pictures import services as pictures
from lagesbild.pictures.models import PeriodKind

# An incident's text in Norr, the area a detail grant shows.
NORR_TEXT = "Sprutor funna vid lekplatsen i Norr"


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


def grant_norr(coordinator, guest, **changes) -> DetailGrant:
    """A detail grant of Norr to the guest's organisation, from two weeks ago to two weeks
    ahead unless `changes` say otherwise."""
    fields = {
        "areas": list(guest.partnership.areas.filter(name="Norr")),
        "purpose": "Gemensam satsning mot bidragsbrott",
        "starts": days(-14),
        "ends": days(14),
    }
    return guests.grant_detail(
        actor=coordinator.user,
        guest=GuestOrganisation.objects.get(organisation=guest.organisation),
        **{**fields, **changes},
    )


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
