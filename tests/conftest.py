"""Shared fixtures: the fixed cast of personas used across the suite.

- coordinator_a, reporter_a, member_a, analyst_a: members of partnership A
- member_b: a member of partnership B, who must never see A's data
- anonymous: the plain test client

`Client.force_login` stands for the whole login, password and second factor: a coordinator,
analyst or administrator logged in that way has a verified authenticator app in the session
(see `verify_second_factor`). Tests about logging in itself use the login form.
"""

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, settings

from lagesbild.accounts.policy import is_privileged
from lagesbild.geography import geometry
from lagesbild.partnerships.models import Membership, Organisation
from tests import factories

# Timings belong in benchmarks/, not in pass/fail tests: a loaded machine (CI, two databases
# in a row) must not fail a property test because drawing its examples was slow.
settings.register_profile("lagesbild", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("lagesbild")


@pytest.fixture(autouse=True)
def _fresh_area_index():
    """Each test starts without cached area outlines. The cache is keyed by partnership id
    and geography version, and a rolled-back test's partnership id is handed out again (with
    version 0) in the next test, which would otherwise find the earlier outlines."""
    geometry._cache.clear()


def verify_second_factor(client: Client, user) -> None:
    """Mark the client's session as verified by the user's app (made if needed), as the
    code page would, for users who must have or already have one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        if not is_privileged(user):
            return
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


_login_without_second_factor = Client._login


def _login_with_second_factor(self, user, backend=None):
    _login_without_second_factor(self, user, backend)
    verify_second_factor(self, user)


# Patched once for the whole run, so sessions made in module-scoped fixtures (the isolation
# walk) and in the browser tests' cookies are verified too.
Client._login = _login_with_second_factor

Role = Membership.Role


@pytest.fixture
def partnership_a(db):
    return factories.make_partnership("Samverkan A")


@pytest.fixture
def partnership_b(db):
    return factories.make_partnership("Samverkan B", lon=18.10, lat=59.30)


@pytest.fixture
def coordinator_a(partnership_a):
    return factories.make_member(partnership_a, Role.COORDINATOR, "coord_a")


@pytest.fixture
def analyst_a(partnership_a):
    return factories.make_member(partnership_a, Role.ANALYST, "analyst_a")


@pytest.fixture
def member_a(partnership_a):
    return factories.make_member(
        partnership_a, Role.MEMBER, "member_a", kind=Organisation.Kind.POLICE
    )


@pytest.fixture
def reporter_a(partnership_a):
    return factories.make_member(
        partnership_a, Role.REPORTER, "reporter_a", kind=Organisation.Kind.HOUSING
    )


@pytest.fixture
def member_b(partnership_b):
    return factories.make_member(partnership_b, Role.MEMBER, "member_b")


@pytest.fixture
def coordinator_b(partnership_b):
    return factories.make_member(partnership_b, Role.COORDINATOR, "coord_b")


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


@pytest.fixture
def login():
    return client_for
