"""A Försäkringskassan guest of partnership A invited to Norr and Söder, a third area
(Väster) it is not invited to, and approved pictures of last week and of the running week."""

import pytest

from lagesbild.guests.models import GuestOrganisation
from lagesbild.partnerships.models import Membership, Organisation
from tests.factories import make_area, make_member
from tests.guests.builders import approve_week

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


@pytest.fixture
def last_week(partnership_a, coordinator_a):
    return approve_week(partnership_a, coordinator_a, 1)


@pytest.fixture
def this_week(partnership_a, coordinator_a):
    return approve_week(partnership_a, coordinator_a, 0)
