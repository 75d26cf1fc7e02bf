"""Member and organisation writes: what they change, what they refuse, what they record."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from lagesbild.audit.models import Entry
from lagesbild.partnerships import services
from lagesbild.partnerships.models import Membership, Organisation

Role = Membership.Role
PASSWORD = "Lagom-langt-losen-42"


def new_user(**overrides):
    details = {"first_name": "Test", "last_name": "Testsson", "email": "t@example.org"}
    return services.NewUser(**{**details, "password": PASSWORD, **overrides})


def add(coordinator, **overrides):
    organisation = coordinator.organisation
    arguments = {
        "actor": coordinator.user,
        "partnership": coordinator.partnership,
        "username": "ny_rapportor",
        "organisation": organisation,
        "role": Role.REPORTER,
        "new_user": new_user(),
    }
    return services.add_member(**{**arguments, **overrides})


def test_add_member_creates_user_who_can_log_in_and_records_it(coordinator_a):
    member = add(coordinator_a)
    assert member.user.check_password(PASSWORD)
    assert (member.user.first_name, member.user.email) == ("Test", "t@example.org")
    assert member.partnership == coordinator_a.partnership and member.role == Role.REPORTER
    entry = Entry.objects.get(action="membership.create")
    assert entry.actor == coordinator_a.user and entry.object_id == str(member.pk)
    assert PASSWORD not in str(entry.details) + entry.summary


def test_add_member_attaches_an_existing_account(coordinator_a, member_b):
    member = add(coordinator_a, username="member_b", new_user=None, role=Role.ANALYST)
    assert member.user == member_b.user
    assert member_b.user.memberships.count() == 2


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"new_user": None, "username": "finns_inte"}, "username"),
        ({"username": "coord_a"}, "username"),  # taken by an existing account
        ({"new_user": new_user(password="123")}, "password"),
        ({"new_user": new_user(email="inte-en-adress")}, "email"),
        ({"role": "chef"}, "role"),
    ],
)
def test_add_member_refuses_bad_input_and_saves_nothing(coordinator_a, overrides, field):
    users_before = get_user_model().objects.count()
    with pytest.raises(ValidationError) as caught:
        add(coordinator_a, **overrides)
    assert field in caught.value.message_dict
    assert get_user_model().objects.count() == users_before
    assert Membership.objects.count() == 1
    assert not Entry.objects.exists()


def test_add_member_refuses_someone_already_in_the_partnership(coordinator_a, reporter_a):
    with pytest.raises(ValidationError, match="redan medlem"):
        add(coordinator_a, username="reporter_a", new_user=None)


def test_add_member_refuses_another_partnerships_or_an_inactive_organisation(
    coordinator_a, member_b
):
    with pytest.raises(ValidationError) as caught:
        add(coordinator_a, organisation=member_b.organisation)
    assert "organisation" in caught.value.message_dict
    closed = Organisation.objects.create(
        partnership=coordinator_a.partnership, name="Nedlagd", kind="foretag", active=False
    )
    with pytest.raises(ValidationError):
        add(coordinator_a, organisation=closed)
    assert not get_user_model().objects.filter(username="ny_rapportor").exists()


def test_change_member_changes_role_and_organisation_and_records_what_changed(
    coordinator_a, reporter_a
):
    services.change_member(
        actor=coordinator_a.user,
        member=reporter_a,
        organisation=coordinator_a.organisation,
        role=Role.ANALYST,
        active=True,
    )
    reporter_a.refresh_from_db()
    assert (reporter_a.role, reporter_a.organisation) == (Role.ANALYST, coordinator_a.organisation)
    entry = Entry.objects.get(action="membership.update")
    assert entry.details["changes"]["role"] == [Role.REPORTER, Role.ANALYST]
    assert "active" not in entry.details["changes"]


def test_change_member_can_deactivate_another_member(coordinator_a, reporter_a):
    services.change_member(
        actor=coordinator_a.user,
        member=reporter_a,
        organisation=reporter_a.organisation,
        role=reporter_a.role,
        active=False,
    )
    reporter_a.refresh_from_db()
    assert not reporter_a.active


@pytest.mark.parametrize(
    "role, active, field",
    [(Role.ANALYST, True, "role"), (Role.COORDINATOR, False, "active")],
)
def test_coordinator_cannot_demote_or_deactivate_themselves(coordinator_a, role, active, field):
    with pytest.raises(ValidationError) as caught:
        services.change_member(
            actor=coordinator_a.user,
            member=coordinator_a,
            organisation=coordinator_a.organisation,
            role=role,
            active=active,
        )
    assert "samordnare" in caught.value.message_dict[field][0]
    coordinator_a.refresh_from_db()
    assert coordinator_a.role == Role.COORDINATOR and coordinator_a.active


def test_save_organisation_creates_renames_and_deactivates(coordinator_a):
    actor, partnership = coordinator_a.user, coordinator_a.partnership
    made = services.save_organisation(
        actor=actor, partnership=partnership, name="Fältgruppen", kind="kommun"
    )
    services.save_organisation(
        actor=actor,
        partnership=partnership,
        organisation=made,
        name="Fältassistenterna",
        kind="kommun",
        active=False,
    )
    made.refresh_from_db()
    assert (made.name, made.active) == ("Fältassistenterna", False)
    actions = list(Entry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["organisation.create", "organisation.update"]


def test_save_organisation_refuses_a_taken_name_or_an_unknown_kind(coordinator_a):
    actor, partnership = coordinator_a.user, coordinator_a.partnership
    taken = coordinator_a.organisation.name.upper()
    with pytest.raises(ValidationError) as caught:
        services.save_organisation(actor=actor, partnership=partnership, name=taken, kind="kommun")
    assert "name" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.save_organisation(actor=actor, partnership=partnership, name="X", kind="sekt")
    assert "kind" in caught.value.message_dict
    assert Organisation.objects.count() == 1


def test_coordinator_cannot_deactivate_their_own_organisation(coordinator_a):
    organisation = coordinator_a.organisation
    with pytest.raises(ValidationError, match="egen organisation"):
        services.save_organisation(
            actor=coordinator_a.user,
            partnership=coordinator_a.partnership,
            organisation=organisation,
            name=organisation.name,
            kind=organisation.kind,
            active=False,
        )
    organisation.refresh_from_db()
    assert organisation.active
