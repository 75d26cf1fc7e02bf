"""A Försäkringskassan guest of partnership A invited to Norr and Söder, a third area
(Väster) it is not invited to, and approved pictures of last week and of the running week."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lagesbild.guests.models import GuestOrganisation
from lagesbild.incidents import weeks
from lagesbild.partnerships.models import Membership, Organisation
from lagesbild.pictures import runs
from lagesbild.pictures import services as pictures
from tests.factories import make_area, make_member

Role = Membership.Role


@pytest.fixture
def vaster(partnership_a):
    return make_area(partnership_a, "Väster", 17.88, 59.42)


@pytest.fixture
def guest(partnership_a, vaster):
    """The guest membership; its organisation is invited to Norr and Söder."""
    membership = make_member(
        partnership_a, Role.GUEST, "fk_guest", kind=Organisation.Kind.AUTHORITY
    )
    Organisation.objects.filter(pk=membership.organisation_id).update(name="Försäkringskassan")
    invitation = GuestOrganisation.objects.create(
        partnership=partnership_a, organisation=membership.organisation
    )
    invitation.areas.set(partnership_a.areas.filter(name__in=["Norr", "Söder"]))
    return membership


def approve_week(partnership, coordinator, weeks_back: int):
    """The partnership's approved picture of the week `weeks_back` weeks ago (0: this week)."""
    iso = weeks.iso(weeks.shift(weeks.week_code(timezone.now()), -weeks_back))
    run = runs.execute(runs.request_run(partnership, iso))
    content = pictures.assemble(partnership, weeks.parse(iso), run)
    return pictures.approve_picture(
        actor=coordinator.user,
        partnership=partnership,
        content=content,
        confirmed=True,
        change_note="Granskas i efterhand",
    )


@pytest.fixture
def last_week(partnership_a, coordinator_a):
    return approve_week(partnership_a, coordinator_a, 1)


@pytest.fixture
def this_week(partnership_a, coordinator_a):
    return approve_week(partnership_a, coordinator_a, 0)


def days(n: int):
    return timezone.localdate() + timedelta(days=n)
