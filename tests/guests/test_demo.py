"""The demo's guest persona: Försäkringskassan, invited to two areas, a contributor to the
running intervention there, with its own account kept like the other demo accounts."""

import json

from lagesbild.demo.seed import accounts_file, seed_demo
from lagesbild.guests.models import GuestOrganisation
from lagesbild.interventions.models import Intervention
from lagesbild.partnerships.models import Membership


def test_demo_has_a_forsakringskassan_guest_with_two_invited_areas(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    result = seed_demo(years=0.05, scale=0.1)
    guest = Membership.objects.get(user__username="gast-fk")
    assert guest.role == Membership.Role.GUEST
    assert guest.organisation.name == "Försäkringskassan"
    invitation = GuestOrganisation.objects.get(organisation=guest.organisation)
    assert {a.name for a in invitation.areas.all()} == {"Helenelund", "Vaxmora"}
    running = Intervention.objects.get(
        partnership=result.partnership, status=Intervention.Status.ONGOING
    )
    assert guest.organisation in running.contributors.all()
    assert "gast-fk" in json.loads(accounts_file().read_text())
