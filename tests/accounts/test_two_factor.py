"""Two-factor login: coordinators, analysts and administrators must set up an authenticator
app at their next login and type its code at every login after; everyone else may. Recovery
codes stand in for a lost phone, once each; a coordinator resets a member who lost both."""

import re
from base64 import b32encode
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lagesbild.audit.models import Entry
from tests.factories import PASSWORD, app_code, make_app

LOGIN = reverse("login")
VERIFY = reverse("accounts:verify")
ENROL = reverse("accounts:enrol")
HOME = reverse("home")


def password_login(username: str, next_url: str = "") -> Client:
    """A client past the password step only (as a person at the login page)."""
    client = Client()
    response = client.post(LOGIN, {"username": username, "password": PASSWORD, "next": next_url})
    assert response.status_code == 302
    return client


def code_from_enrol_page(client: Client) -> str:
    """Read the key off the set-up page as a person types it into their app, and compute
    the code the app would show."""
    page = client.get(ENROL).content.decode()
    assert re.search(r'<img src="data:image/svg\+xml', page)
    device = TOTPDevice.objects.get(confirmed=False)
    shown = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1)
    assert shown.replace(" ", "") == b32encode(device.bin_key).decode()
    return app_code(device)


@pytest.mark.parametrize("role_fixture", ["coordinator_a", "analyst_a"])
def test_a_privileged_member_must_set_up_an_app_before_anything_else(db, request, role_fixture):
    # db named here: pytest-django orders tests by the fixtures they name, and the member
    # comes by getfixturevalue
    member = request.getfixturevalue(role_fixture)
    client = password_login(member.user.username)
    for url in (HOME, reverse("incidents:list"), reverse("audit:trail")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(ENROL)
    page = client.get(ENROL)
    assert "Din roll ger tillgång till alla rapporter" in page.content.decode()
    assert (
        client.get(reverse("incidents:list"), follow=True).redirect_chain[-1][0].startswith(ENROL)
    )


def test_setting_up_the_app_shows_recovery_codes_and_opens_the_pages(coordinator_a):
    client = password_login("coord_a")
    wrong = client.post(ENROL, {"code": "000000"})
    assert wrong.status_code == 400
    assert "Koden stämmer inte" in wrong.content.decode()
    response = client.post(ENROL, {"code": code_from_enrol_page(client), "next": HOME})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.values_list("token", flat=True))
    assert client.get(HOME).status_code == 200
    assert TOTPDevice.objects.get(user=coordinator_a.user).confirmed
    assert Entry.objects.filter(action="two_factor.enrol", actor=coordinator_a.user).exists()


def test_with_an_app_every_login_asks_for_its_code(coordinator_a):
    app = make_app(coordinator_a.user)
    wanted = reverse("incidents:review")
    client = password_login("coord_a", next_url=wanted)
    response = client.get(wanted)
    assert response["Location"] == f"{VERIFY}?{urlencode({'next': wanted})}"
    assert client.post(VERIFY, {"code": "123456", "next": wanted}).status_code == 400
    assert Entry.objects.filter(action="login.code_failed").count() == 1
    # Past the slow-down after a wrong code.
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=True):
        response = client.post(VERIFY, {"code": app_code(app), "next": wanted})
    assert response.status_code == 302
    assert response["Location"] == wanted
    assert client.get(wanted).status_code == 200


def test_codes_slow_down_after_a_wrong_one(coordinator_a):
    app = make_app(coordinator_a.user)
    client = password_login("coord_a")
    client.post(VERIFY, {"code": "000000"})
    response = client.post(VERIFY, {"code": app_code(app)})
    assert response.status_code == 400
    assert "Vänta" in response.content.decode()


def test_a_code_is_accepted_once(coordinator_a):
    app = make_app(coordinator_a.user)
    code = app_code(app)
    assert password_login("coord_a").post(VERIFY, {"code": code}).status_code == 302
    assert password_login("coord_a").post(VERIFY, {"code": code}).status_code == 400


def test_a_recovery_code_works_once_instead_of_the_app(coordinator_a):
    make_app(coordinator_a.user)
    client = Client()
    client.force_login(coordinator_a.user)
    page = client.post(reverse("accounts:recovery_codes")).content.decode()
    code = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)[0]
    spaced = f" {code[:4].upper()}-{code[4:]} "
    assert password_login("coord_a").post(VERIFY, {"code": spaced}).status_code == 302
    assert StaticToken.objects.count() == 9
    entry = Entry.objects.get(action="login.recovery_code")
    assert entry.details["left"] == 9
    assert password_login("coord_a").post(VERIFY, {"code": code}).status_code == 400


def test_a_reporter_is_offered_two_factors_but_not_forced(reporter_a):
    client = password_login("reporter_a")
    assert client.get(HOME).status_code == 200
    account = client.get(reverse("accounts:account")).content.decode()
    assert "Aktivera tvåstegsverifiering" in account
    client.post(ENROL, {"code": code_from_enrol_page(client)})
    # From now on the reporter's logins ask for the code too.
    later = password_login("reporter_a")
    assert later.get(HOME)["Location"].startswith(VERIFY)


def test_a_reporter_may_switch_it_off_a_coordinator_may_not(login, reporter_a, coordinator_a):
    make_app(reporter_a.user)
    login(reporter_a).post(reverse("accounts:remove_second_factor"))
    assert not TOTPDevice.objects.filter(user=reporter_a.user).exists()
    response = login(coordinator_a).post(reverse("accounts:remove_second_factor"), follow=True)
    assert "Din roll kräver tvåstegsverifiering" in response.content.decode()
    assert TOTPDevice.objects.filter(user=coordinator_a.user).exists()


def test_replacing_the_app_needs_the_old_one_first(coordinator_a):
    """A stolen password alone must not let anyone swap in their own app."""
    make_app(coordinator_a.user)
    client = password_login("coord_a")
    response = client.get(ENROL)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert client.post(ENROL, {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=coordinator_a.user).count() == 1


def test_the_api_refuses_a_session_that_owes_its_code(coordinator_a):
    make_app(coordinator_a.user)
    client = password_login("coord_a")
    assert client.get("/api/v1/incidents").status_code == 401


def test_the_admin_asks_for_the_code_too(db):
    admin = get_user_model().objects.create_superuser("chef", "", PASSWORD)
    client = Client()
    response = client.post(reverse("admin:login"), {"username": "chef", "password": PASSWORD})
    assert response.status_code == 302
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(ENROL)
    client.post(ENROL, {"code": code_from_enrol_page(client)})
    assert client.get(reverse("admin:index")).status_code == 200
    assert TOTPDevice.objects.get(user=admin).confirmed


def test_a_coordinator_resets_a_member_who_lost_the_phone(login, coordinator_a, analyst_a):
    make_app(analyst_a.user)
    url = reverse("accounts:member_reset_second_factor", args=[analyst_a.pk])
    page = login(coordinator_a).get(reverse("partnerships:member_edit", args=[analyst_a.pk]))
    assert "Nollställ tvåstegsverifiering" in page.content.decode()
    assert login(coordinator_a).post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=analyst_a.user).exists()
    entry = Entry.objects.get(action="two_factor.reset")
    assert (entry.actor, entry.partnership) == (coordinator_a.user, coordinator_a.partnership)
    # The analyst sets up a new app at the next login.
    assert password_login("analyst_a").get(HOME)["Location"].startswith(ENROL)


def test_only_the_members_own_coordinator_resets(login, coordinator_b, member_a):
    make_app(member_a.user)
    url = reverse("accounts:member_reset_second_factor", args=[member_a.pk])
    assert login(coordinator_b).post(url).status_code == 404
    assert login(member_a).post(url).status_code == 403
    assert TOTPDevice.objects.filter(user=member_a.user).exists()
