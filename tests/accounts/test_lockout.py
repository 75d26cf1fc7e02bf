"""Repeated wrong passwords lock the login (the app's and the admin's) for that user name from
that address: the right password is refused too, without being checked, until the lockout
ends or a coordinator or administrator unlocks it. Every counted failure and every lockout is
in the audit trail."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.urls import reverse

from lagesbild.audit.models import Entry
from tests.factories import PASSWORD

LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")


def attempt(client: Client, username: str, password: str, url: str = LOGIN):
    return client.post(url, {"username": username, "password": password})


def lock(client: Client, username: str, url: str = LOGIN) -> None:
    """Wrong passwords up to the limit: the last one is answered with the lockout."""
    for n in range(1, settings.AXES_FAILURE_LIMIT + 1):
        expected = 429 if n == settings.AXES_FAILURE_LIMIT else 200
        assert attempt(client, username, "fel-lösenord", url).status_code == expected


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_is_refused_after_repeated_wrong_ones(client, reporter_a):
    lock(client, "reporter_a")
    response = attempt(client, "reporter_a", PASSWORD)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Inloggningen är tillfälligt spärrad" in text
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"Försök igen om {minutes} minuter" in text
    assert "samordnare" in text
    assert not logged_in(client)


def test_the_admin_login_locks_too(client, db):
    get_user_model().objects.create_superuser("chef", "", PASSWORD)
    lock(client, "chef", ADMIN_LOGIN)
    response = attempt(client, "chef", PASSWORD, ADMIN_LOGIN)
    assert response.status_code == 429
    assert "tillfälligt spärrad" in response.content.decode()
    assert not logged_in(client)


def test_a_locked_login_is_refused_without_checking_the_password(client, reporter_a, monkeypatch):
    """Checking a password is the expensive part (about 2 s of CPU in production); a locked
    login must not reach it, or guessing stays a cheap way to load the server."""
    lock(client, "reporter_a")
    checked = []
    original = AbstractBaseUser.check_password
    monkeypatch.setattr(
        AbstractBaseUser,
        "check_password",
        lambda self, raw: checked.append(raw) or original(self, raw),
    )
    for _ in range(10):
        assert attempt(client, "reporter_a", PASSWORD).status_code == 429
    assert checked == []


def test_the_lock_holds_for_the_name_from_that_address_only(reporter_a):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    lock(attacker, "reporter_a")
    assert attempt(attacker, "reporter_a", PASSWORD).status_code == 429
    colleague = Client(REMOTE_ADDR="198.51.100.7")
    assert attempt(colleague, "reporter_a", PASSWORD).status_code == 302


def test_the_lock_ends_after_the_lockout_time(client, reporter_a):
    lock(client, "reporter_a")
    with time_machine.travel(settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert attempt(client, "reporter_a", PASSWORD).status_code == 302
        assert logged_in(client)


def test_failures_and_the_lockout_are_in_the_partnerships_audit_trail(client, reporter_a):
    lock(client, "reporter_a")
    for _ in range(3):
        attempt(client, "reporter_a", PASSWORD)  # refused while locked: not written again
    trail = Entry.objects.filter(partnership=reporter_a.partnership)
    failed = trail.filter(action="login.failed")
    assert failed.count() == settings.AXES_FAILURE_LIMIT
    assert sorted(e.details["failures"] for e in failed) == list(
        range(1, settings.AXES_FAILURE_LIMIT + 1)
    )
    locked = trail.get(action="login.locked")
    assert locked.summary == "reporter_a"
    assert locked.ip_address == "127.0.0.1"
    assert locked.object_id == str(reporter_a.user.pk)


def test_failures_for_an_unknown_name_are_audited_without_a_partnership(client, db):
    attempt(client, "finns-inte", "gissning")
    entry = Entry.objects.get(action="login.failed")
    assert (entry.partnership, entry.summary, entry.object_id) == (None, "finns-inte", "")


def test_a_successful_login_is_audited(client, reporter_a):
    assert attempt(client, "reporter_a", PASSWORD).status_code == 302
    entry = Entry.objects.get(action="login")
    assert (entry.partnership, entry.actor) == (reporter_a.partnership, reporter_a.user)


def test_coordinator_unlocks_a_member(client, login, coordinator_a, reporter_a):
    lock(client, "reporter_a")
    page = login(coordinator_a).get(reverse("partnerships:member_edit", args=[reporter_a.pk]))
    assert "Lås upp inloggningen" in page.content.decode()
    response = login(coordinator_a).post(reverse("accounts:member_unlock", args=[reporter_a.pk]))
    assert response.status_code == 302
    assert attempt(client, "reporter_a", PASSWORD).status_code == 302
    entry = Entry.objects.get(action="login.unlock")
    assert (entry.actor, entry.partnership) == (coordinator_a.user, coordinator_a.partnership)


def test_another_partnerships_coordinator_cannot_unlock(client, login, coordinator_b, reporter_a):
    lock(client, "reporter_a")
    url = reverse("accounts:member_unlock", args=[reporter_a.pk])
    assert login(coordinator_b).post(url).status_code == 404
    assert attempt(client, "reporter_a", PASSWORD).status_code == 429


def test_a_coordinator_cannot_unlock_an_administrators_account(
    client, login, coordinator_a, reporter_a
):
    reporter_a.user.is_staff = True
    reporter_a.user.save()
    lock(client, "reporter_a")
    login(coordinator_a).post(reverse("accounts:member_unlock", args=[reporter_a.pk]))
    assert attempt(client, "reporter_a", PASSWORD).status_code == 429
    assert not Entry.objects.filter(action="login.unlock").exists()


def test_an_administrator_unlocks_in_the_admin(client, login, reporter_a):
    admin = get_user_model().objects.create_superuser("chef", "", PASSWORD)
    lock(client, "reporter_a")
    staff = Client()
    staff.force_login(admin)
    response = staff.post(
        reverse("admin:auth_user_changelist"),
        {"action": "unlock", "_selected_action": [reporter_a.user.pk]},
    )
    assert response.status_code == 302
    assert attempt(client, "reporter_a", PASSWORD).status_code == 302
    assert Entry.objects.filter(action="login.unlock", actor=admin).exists()


@pytest.mark.parametrize("proxies", [0, 1])
def test_behind_a_proxy_the_lock_is_per_client_address(settings, reporter_a, proxies):
    """With TRUSTED_PROXY_COUNT set, clients behind the same proxy are told apart by the
    address the proxy forwards; without it, the socket's address is all there is."""
    settings.TRUSTED_PROXY_COUNT = proxies
    via_proxy = {"REMOTE_ADDR": "10.0.0.1"}
    attacker = Client(**via_proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")
    lock(attacker, "reporter_a")
    colleague = Client(**via_proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    expected = 302 if proxies else 429
    assert attempt(colleague, "reporter_a", PASSWORD).status_code == expected
