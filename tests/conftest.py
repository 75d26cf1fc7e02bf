"""Shared fixtures: the fixed cast of personas used across the suite.

- coordinator_a, reporter_a, member_a, analyst_a: members of partnership A
- member_b: a member of partnership B, who must never see A's data
- anonymous: the plain test client
"""

import pytest
from django.test import Client

from lagesbild.partnerships.models import Membership, Organisation
from tests import factories

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
