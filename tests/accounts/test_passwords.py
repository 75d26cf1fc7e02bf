"""Passwords built on what an attacker tries first here (the partnership's and the
municipality's names, a season and a year) are refused; a passphrase of one's own passes."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from lagesbild.geography.models import Area
from lagesbild.partnerships import services
from lagesbild.partnerships.models import Membership
from tests.factories import make_area, make_member, make_partnership

Role = Membership.Role

REFUSED = [
    "Sommar2026",
    "sommar2026!",
    "Vintern-2025",
    "Hösten2024#",
    "Sollentuna2026",
    "EST-Sollentuna-1",
    "Rotebro2026!!",
    "Lösenord123!",
    "Password2026!",
    "Bostadsbolaget99",
    "Januari.2027",
]
ACCEPTED = [
    "norrsken blåbär kaffekopp",
    "Kx9!mQ2#vL7@pZ4",
    "Sollentuna har fina cykelvägar",
]


@pytest.fixture
def sollentuna(db):
    partnership = make_partnership("EST Sollentuna")
    municipality = make_area(partnership, "Sollentuna kommun", 17.8, 59.4)
    municipality.kind = Area.Kind.MUNICIPALITY
    municipality.save()
    make_area(partnership, "Rotebro", 17.9, 59.5, parent=municipality)
    partnership.organisations.create(name="Bostadsbolaget", kind="bostadsbolag")
    return partnership


@pytest.mark.parametrize("password", REFUSED)
def test_guessable_passwords_are_refused(sollentuna, password):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert any("lätt att gissa" in m for m in refused.value.messages)


@pytest.mark.parametrize("password", ACCEPTED)
def test_own_passphrases_pass(sollentuna, password):
    validate_password(password)


def test_a_coordinator_creating_an_account_gets_the_reason(sollentuna):
    coordinator = make_member(sollentuna, Role.COORDINATOR, "samordnare").user
    organisation = sollentuna.organisations.get(name="Bostadsbolaget")
    new_user = services.NewUser("Ny", "Person", "ny@example.org", "Sommar2026!")
    with pytest.raises(ValidationError) as refused:
        services.add_member(
            actor=coordinator,
            partnership=sollentuna,
            username="ny_person",
            organisation=organisation,
            role="reporter",
            new_user=new_user,
        )
    assert "lätt att gissa" in " ".join(refused.value.message_dict["password"])
