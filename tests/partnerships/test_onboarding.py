"""Onboarding without a terminal: an administrator creates a partnership and invites its first
coordinator; the coordinator accepts the link and does the rest on the partnership's pages."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lagesbild.accounts.invitations import accept_invitation, open_invitation
from lagesbild.accounts.models import Invitation
from lagesbild.audit.models import Entry
from lagesbild.demo.seed import seed_demo
from lagesbild.incidents.checklist import DEFAULT_CHECKLIST
from lagesbild.incidents.models import Category
from lagesbild.partnerships.models import Membership, Organisation, Partnership
from lagesbild.partnerships.onboarding import Invitee, set_up_partnership
from lagesbild.partnerships.services import Checklist, create_partnership
from tests.factories import make_incident

User = get_user_model()
DEFAULT_CATEGORIES = sum(len(g.items) for g in DEFAULT_CHECKLIST)
PASSWORD = "Ett-bra-losenord-42"


@pytest.fixture
def admin_user(db):
    return User.objects.create_user("inst-admin", password=PASSWORD, is_staff=True)


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def _form(**changes) -> dict:
    data = {
        "name": "EST Järfälla",
        "municipality_code": "0123",
        "time_zone": "Europe/Stockholm",
        "checklist": "default",
        "organisation_name": "Kommunen – trygghet",
        "organisation_kind": "kommun",
        "first_name": "Kim",
        "last_name": "Samordnare",
        "email": "kim@example.org",
    }
    return {**data, **changes}


def _link_token(response) -> str:
    match = re.search(r"/konto/inbjudan/([\w-]+)/", response.content.decode())
    assert match, "the page shows the invitation link"
    return match.group(1)


# --- the services -------------------------------------------------------------------------------


def _create(**changes):
    args = {
        "actor": None,
        "name": "EST Järfälla",
        "municipality_code": "0123",
        "time_zone": "Europe/Stockholm",
        "checklist": Checklist.DEFAULT,
        "organisation_name": "Kommunen",
    }
    return create_partnership(**{**args, **changes})


def test_a_new_partnership_gets_its_organisation_and_the_default_checklist(db):
    partnership = _create()
    assert partnership.slug == "est-jarfalla"
    assert list(partnership.organisations.values_list("name", flat=True)) == ["Kommunen"]
    categories = Category.objects.filter(partnership=partnership)
    assert categories.filter(parent=None).count() == len(DEFAULT_CHECKLIST)
    assert categories.exclude(parent=None).count() == DEFAULT_CATEGORIES
    assert Entry.objects.filter(partnership=partnership, action="partnership.create").exists()


def test_an_empty_checklist_is_empty_and_slugs_are_numbered(db):
    _create(name="EST Järfälla")
    second = _create(name="EST  Järfälla!", checklist=Checklist.EMPTY)
    assert second.slug == "est-jarfalla-2"
    assert not Category.objects.filter(partnership=second).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"municipality_code": "9999"}, "municipality_code"),
        ({"municipality_code": "163"}, "municipality_code"),
        ({"time_zone": "Europe/Sollentuna"}, "time_zone"),
        ({"checklist": "all"}, "checklist"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(db, changes, field):
    with pytest.raises(ValidationError) as caught:
        _create(**changes)
    assert field in caught.value.message_dict
    assert not Partnership.objects.exists()
    assert not Organisation.objects.exists()


def test_a_taken_name_is_refused_whatever_its_case(db):
    _create()
    with pytest.raises(ValidationError):
        _create(name="est järfälla")
    assert Partnership.objects.count() == 1


def test_a_partnership_for_no_single_municipality_has_a_blank_code(db):
    assert _create(municipality_code="").municipality_code == ""


def test_an_invitation_works_once_and_makes_a_coordinator(db):
    done = set_up_partnership(
        actor=None,
        name="EST Järfälla",
        municipality_code="0123",
        time_zone="Europe/Stockholm",
        checklist=Checklist.DEFAULT,
        organisation_name="Kommunen",
        organisation_kind=Organisation.Kind.MUNICIPALITY,
        coordinator=Invitee("Kim", "Samordnare", "kim@example.org"),
    )
    assert done.invitation.token_hash != done.token  # only the hash is kept
    user = accept_invitation(token=done.token, username="kim", password=PASSWORD)
    member = Membership.objects.get(user=user)
    assert (member.partnership, member.role) == (done.partnership, Membership.Role.COORDINATOR)
    assert (user.first_name, user.email) == ("Kim", "kim@example.org")
    assert user.check_password(PASSWORD)
    assert open_invitation(done.token) is None
    with pytest.raises(ValidationError):
        accept_invitation(token=done.token, username="kim2", password=PASSWORD)
    assert User.objects.filter(username="kim2").count() == 0


def test_a_refused_invitation_leaves_no_partnership(db):
    with pytest.raises(ValidationError):
        set_up_partnership(
            actor=None,
            name="EST Järfälla",
            municipality_code="0123",
            time_zone="Europe/Stockholm",
            checklist=Checklist.DEFAULT,
            organisation_name="Kommunen",
            organisation_kind=Organisation.Kind.MUNICIPALITY,
            coordinator=Invitee("Kim", "Samordnare", "not an address"),
        )
    assert not Partnership.objects.exists()
    assert not Category.objects.exists()


# --- the administrator's pages ------------------------------------------------------------------


def test_only_the_installations_administrator_creates_partnerships(db, coordinator_a):
    assert Client().get(reverse("partnerships:create")).status_code == 302
    coordinator = Client()
    coordinator.force_login(coordinator_a.user)
    assert coordinator.get(reverse("partnerships:create")).status_code == 403
    assert coordinator.post(reverse("partnerships:create"), _form()).status_code == 403
    assert not Partnership.objects.filter(name="EST Järfälla").exists()


def test_the_administrator_creates_a_partnership_and_the_coordinator_takes_over(admin_client):
    page = admin_client.get(reverse("partnerships:create"))
    assert page.status_code == 200
    assert "0163 Sollentuna" in page.content.decode()
    response = admin_client.post(reverse("partnerships:create"), _form())
    assert response.status_code == 201
    token = _link_token(response)
    partnership = Partnership.objects.get(name="EST Järfälla")
    assert partnership.municipality_code == "0123"

    invitee = Client()
    page = invitee.get(reverse("accounts:invitation", args=[token]))
    assert page.status_code == 200
    assert "EST Järfälla" in page.content.decode()
    mismatch = {"username": "kim", "password": PASSWORD, "password_again": "annat-losenord-1"}
    response = invitee.post(reverse("accounts:invitation", args=[token]), mismatch)
    assert response.status_code == 400
    assert not User.objects.filter(username="kim").exists()
    good = {**mismatch, "password_again": PASSWORD}
    response = invitee.post(reverse("accounts:invitation", args=[token]), good)
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert Membership.objects.get(user__username="kim").role == Membership.Role.COORDINATOR
    again = invitee.get(reverse("accounts:invitation", args=[token]))
    assert again.status_code == 410


def test_the_first_coordinators_link_is_emailed_too(admin_client, mailoutbox):
    """The administrator's invitation goes out by e-mail as a coordinator's does (pytest-django's
    locmem backend stands for a configured mail server); the page says so and keeps the link."""
    response = admin_client.post(reverse("partnerships:create"), _form())
    token = _link_token(response)
    (mail,) = mailoutbox
    assert mail.to == ["kim@example.org"] and "EST Järfälla" in mail.subject
    assert f"/konto/inbjudan/{token}/" in mail.body
    assert "Länken är skickad med e-post till kim@example.org." in response.content.decode()
    partnership = Partnership.objects.get(name="EST Järfälla")
    again = admin_client.post(
        reverse("partnerships:invite_coordinator", args=[partnership.pk]),
        {"first_name": "Alex", "last_name": "Andra", "email": "alex@example.org"},
    )
    assert again.status_code == 201, again.content.decode()[:500]
    assert [m.to for m in mailoutbox] == [["kim@example.org"], ["alex@example.org"]]


def test_a_bad_municipality_code_is_shown_on_the_form_and_saves_nothing(admin_client):
    response = admin_client.post(reverse("partnerships:create"), _form(municipality_code="9999"))
    assert response.status_code == 400
    assert "Välj en kommun ur listan" in response.content.decode()
    assert not Partnership.objects.exists()


def test_an_expired_link_no_longer_works(admin_client, settings):
    settings.INVITATION_DAYS = 7
    token = _link_token(admin_client.post(reverse("partnerships:create"), _form()))
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = Client().post(
            reverse("accounts:invitation", args=[token]),
            {"username": "kim", "password": PASSWORD, "password_again": PASSWORD},
        )
    assert response.status_code == 410
    assert not User.objects.filter(username="kim").exists()


def test_an_unknown_link_gets_the_same_answer(db):
    assert Client().get(reverse("accounts:invitation", args=["x" * 43])).status_code == 410


def test_a_new_invitation_for_an_existing_partnership(admin_client):
    admin_client.post(reverse("partnerships:create"), _form())
    partnership = Partnership.objects.get()
    url = reverse("partnerships:invite_coordinator", args=[partnership.pk])
    response = admin_client.post(
        url, {"first_name": "Alex", "last_name": "Andra", "email": "alex@example.org"}
    )
    assert response.status_code == 201
    assert Invitation.objects.filter(partnership=partnership).count() == 2
    page = admin_client.get(url).content.decode()
    assert "alex@example.org" in page and "Väntar" in page


# --- the coordinator does the rest ------------------------------------------------------------


@pytest.fixture
def new_coordinator(db):
    partnership = _create(checklist=Checklist.EMPTY)
    user = User.objects.create_user("kim", password=PASSWORD)
    member = Membership.objects.create(
        user=user,
        partnership=partnership,
        organisation=partnership.organisations.get(),
        role=Membership.Role.COORDINATOR,
    )
    client = Client()
    client.force_login(user)
    return member, client


def test_a_coordinator_builds_a_checklist_from_nothing(new_coordinator):
    member, client = new_coordinator
    page = client.get(reverse("partnerships:category_list")).content.decode()
    assert "Checklistan är tom" in page
    response = client.post(reverse("partnerships:group_create"), {"name": "Trafik", "weight": 2})
    assert response.status_code == 302
    group = Category.objects.get(partnership=member.partnership, parent=None)
    response = client.post(
        reverse("partnerships:category_create"),
        {"group": group.pk, "name": "Buskörning", "weight": 2},
    )
    assert response.status_code == 302
    assert group.children.get().name == "Buskörning"
    # A second group of the same name would be indistinguishable.
    response = client.post(reverse("partnerships:group_create"), {"name": "trafik", "weight": 1})
    assert response.status_code == 400


def test_the_default_checklist_goes_in_once(new_coordinator):
    member, client = new_coordinator
    client.post(reverse("partnerships:checklist_install"))
    assert Category.objects.filter(partnership=member.partnership).exclude(parent=None).count() == (
        DEFAULT_CATEGORIES
    )
    client.post(reverse("partnerships:checklist_install"))
    assert Category.objects.filter(partnership=member.partnership).exclude(parent=None).count() == (
        DEFAULT_CATEGORIES
    )


def _settings(time_zone: str) -> dict:
    return {
        "time_zone": time_zone,
        "assessment_scale": "1 Lugnt\n2 Oroligt",
        "periodic_kind": "quarter",
        "suppress_below": "0",
    }


def test_the_time_zone_is_set_on_the_settings_page_until_there_are_incidents(new_coordinator):
    member, client = new_coordinator
    response = client.post(reverse("partnerships:settings"), _settings("Europe/Helsinki"))
    assert response.status_code == 302
    member.partnership.refresh_from_db()
    assert member.partnership.time_zone == "Europe/Helsinki"
    response = client.post(reverse("partnerships:settings"), _settings("Mars/Olympus"))
    assert response.status_code == 400


def test_the_time_zone_stays_once_incidents_have_weeks(partnership_a, coordinator_a):
    make_incident(coordinator_a)
    client = Client()
    client.force_login(coordinator_a.user)
    response = client.post(reverse("partnerships:settings"), _settings("America/Chicago"))
    assert response.status_code == 400
    assert "Tidszonen kan bara ändras" in response.content.decode()
    partnership_a.refresh_from_db()
    assert partnership_a.time_zone == "Europe/Stockholm"


# --- the demo is one such partnership ------------------------------------------------------------


def test_the_demo_is_made_through_the_same_service(db):
    result = seed_demo(years=0.05, scale=0.2, with_accounts=False)
    partnership = result.partnership
    assert partnership.municipality_code == "0163"
    assert Entry.objects.filter(partnership=partnership, action="partnership.create").exists()
    assert Entry.objects.filter(partnership=partnership, action="checklist.install").exists()
    assert partnership.organisations.count() == 6  # five partners and a guest authority
    assert Category.objects.filter(partnership=partnership).exclude(parent=None).count() == (
        DEFAULT_CATEGORIES
    )
    assert result.incidents > 0
