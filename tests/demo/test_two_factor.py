"""The demo's coordinator, analyst and administrator log in with two factors like everyone in
those roles; a newcomer without an authenticator app gets the code from `manage.py demo_code`."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from lagesbild.demo.two_factor import current_code, enrol_demo_apps, secrets_file
from lagesbild.partnerships.models import Membership
from tests.factories import PASSWORD, make_member

Role = Membership.Role


@pytest.fixture
def demo(settings, tmp_path, partnership_a):
    settings.VAR_DIR = tmp_path
    make_member(partnership_a, Role.COORDINATOR, "samordnare")
    make_member(partnership_a, Role.REPORTER, "rapportor")
    return enrol_demo_apps(["samordnare", "rapportor"])


def test_privileged_demo_accounts_get_an_app_with_a_kept_secret(demo):
    assert set(demo) == {"samordnare"}
    assert json.loads(secrets_file().read_text()) == demo
    assert secrets_file().stat().st_mode & 0o777 == 0o600
    assert enrol_demo_apps(["samordnare", "rapportor"]) == demo  # a second run keeps it


def test_the_printed_code_logs_the_demo_coordinator_in(demo):
    client = Client()
    client.post(reverse("login"), {"username": "samordnare", "password": PASSWORD})
    out = StringIO()
    call_command("demo_code", "samordnare", stdout=out)
    code = out.getvalue().split(": ")[1].strip()
    assert code == current_code("samordnare")
    response = client.post(reverse("accounts:verify"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_no_code_is_printed_for_other_accounts(demo):
    assert current_code("rapportor") is None
    with pytest.raises(CommandError):
        call_command("demo_code", "rapportor", stdout=StringIO())
