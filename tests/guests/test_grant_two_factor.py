"""A guest whose organisation holds a detail grant that holds today reads single incidents,
so it logs in with two factors like a coordinator: at its next request it sets up an app
before any page, granted detail included; without a grant (none, ended, revoked) it may
choose."""

from datetime import timedelta

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from lagesbild.accounts.policy import is_privileged
from lagesbild.guests.models import GuestOrganisation
from lagesbild.partnerships.models import Membership, Organisation
from tests.factories import PASSWORD, app_code, make_incident, make_member
from tests.guests.builders import NORR_TEXT, grant_norr

ENROL = reverse("accounts:enrol")
DETAIL = reverse("guests:detail")


def test_a_grant_makes_the_guest_set_up_an_app_before_reading_detail(
    guest, coordinator_a, member_a
):
    make_incident(member_a, description=NORR_TEXT)
    client = Client()
    login = client.post(reverse("login"), {"username": "fk_guest", "password": PASSWORD})
    assert login.status_code == 302
    assert client.get(reverse("guests:start")).status_code == 200  # no grant: no app needed

    grant_norr(coordinator_a, guest)  # while the guest is logged in
    for url in (DETAIL, reverse("guests:start")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(ENROL), url
    page = client.get(ENROL).content.decode()
    assert "Er organisation har fått tillgång till enskilda händelser" in page

    device = TOTPDevice.objects.get(user=guest.user, confirmed=False)
    assert client.post(ENROL, {"code": app_code(device), "next": DETAIL}).status_code == 200
    detail = client.get(DETAIL)
    assert detail.status_code == 200 and NORR_TEXT in detail.content.decode()
    # While the grant holds, the app cannot be switched off.
    client.post(reverse("accounts:remove_second_factor"))
    assert TOTPDevice.objects.filter(user=guest.user, confirmed=True).exists()


def test_only_a_grant_that_holds_today_asks_for_two_factors(guest, coordinator_a):
    assert not is_privileged(guest.user)
    grant = grant_norr(coordinator_a, guest, starts=timezone.localdate() + timedelta(days=3))
    assert not is_privileged(guest.user)  # not begun
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert is_privileged(guest.user)
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        assert not is_privileged(guest.user)  # ended by itself
    grant.starts = timezone.localdate()
    grant.save()
    assert is_privileged(guest.user)
    grant.revoked_at = timezone.now()
    grant.save()
    assert not is_privileged(guest.user)


def test_another_organisations_grant_asks_nothing_of_this_guest(
    guest, coordinator_a, partnership_a
):
    other = make_member(
        partnership_a, Membership.Role.GUEST, "sk_guest", kind=Organisation.Kind.COMPANY
    )
    GuestOrganisation.objects.create(
        partnership=partnership_a, organisation=other.organisation
    ).areas.set(partnership_a.areas.all())
    grant_norr(coordinator_a, guest)
    assert is_privileged(guest.user)
    assert not is_privileged(other.user)
