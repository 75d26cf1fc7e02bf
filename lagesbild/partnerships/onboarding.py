"""Setting up a new partnership in the app: the administrator's one step.

The partnership, its first organisation and checklist, and the invitation of its first
coordinator are made in one transaction, so a refused invitation leaves no half-made
partnership behind. The coordinator then does the rest on the partnership's own pages.
"""

from dataclasses import dataclass

from django.db import transaction

from lagesbild.accounts.invitations import invite
from lagesbild.accounts.models import Invitation
from lagesbild.partnerships.models import Membership, Partnership
from lagesbild.partnerships.services import create_partnership


@dataclass(frozen=True)
class Invitee:
    """Who is invited as the first coordinator."""

    first_name: str
    last_name: str
    email: str


@dataclass(frozen=True)
class SetUp:
    partnership: Partnership
    invitation: Invitation
    token: str  # shown to the administrator once, to send to the invitee


@transaction.atomic
def set_up_partnership(
    *,
    actor,
    name: str,
    municipality_code: str,
    time_zone: str,
    checklist: str,
    organisation_name: str,
    organisation_kind: str,
    coordinator: Invitee,
    request=None,
) -> SetUp:
    partnership = create_partnership(
        actor=actor,
        name=name,
        municipality_code=municipality_code,
        time_zone=time_zone,
        checklist=checklist,
        organisation_name=organisation_name,
        organisation_kind=organisation_kind,
        request=request,
    )
    invitation, token = invite(
        actor=actor,
        partnership=partnership,
        organisation=partnership.organisations.get(),
        role=Membership.Role.COORDINATOR,
        first_name=coordinator.first_name,
        last_name=coordinator.last_name,
        email=coordinator.email,
        request=request,
    )
    return SetUp(partnership, invitation, token)
