"""A login ends after a spell of inactivity (sooner for coordinators, analysts and
administrators) and in any case a fixed time after it began, however busy the session."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD

HOME = reverse("home")
LOGIN = reverse("login")


def logged_in_client(client, username):
    assert client.post(LOGIN, {"username": username, "password": PASSWORD}).status_code == 302
    return client


def later(minutes: float):
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False)


def test_a_coordinator_is_logged_out_after_half_an_hour_idle(login, coordinator_a):
    client = login(coordinator_a)
    assert client.get(HOME).status_code == 200
    with later(29):
        assert client.get(HOME).status_code == 200
    with later(29 + 31):
        response = client.get(HOME, follow=True)
    assert response.redirect_chain[0][0].startswith(LOGIN)
    assert "inte varit aktiv på en stund" in response.content.decode()


def test_a_reporter_stays_logged_in_longer(client, reporter_a):
    logged_in_client(client, "reporter_a")
    with later(31):
        assert client.get(HOME).status_code == 200
    with later(31 + 8 * 60 + 1):
        assert client.get(HOME).status_code == 302


def test_the_idle_limits_are_settings(settings, client, reporter_a):
    settings.SESSION_IDLE_MINUTES = 5
    logged_in_client(client, "reporter_a")
    with later(6):
        assert client.get(HOME).status_code == 302


def test_a_busy_session_still_ends_after_its_lifetime(settings, client, reporter_a):
    logged_in_client(client, "reporter_a")
    minutes = 0
    while minutes < settings.SESSION_MAX_HOURS * 60 - 20:
        minutes += 20
        with later(minutes):
            assert client.get(HOME).status_code == 200
    with later(settings.SESSION_MAX_HOURS * 60 + 1):
        response = client.get(HOME, follow=True)
    assert "Inloggningen har gått ut" in response.content.decode()


def test_the_lifetime_is_shorter_than_djangos_two_weeks(settings):
    assert settings.SESSION_COOKIE_AGE < 14 * 24 * 3600
    assert settings.SESSION_MAX_HOURS * 3600 == settings.SESSION_COOKIE_AGE


def test_an_expired_api_session_gets_401(login, member_a):
    client = login(member_a)
    assert client.get("/api/v1/incidents").status_code == 200
    with later(9 * 60):
        assert client.get("/api/v1/incidents").status_code == 401
