"""The administrator of the installation, member of no partnership, lands on a start page
that leads to their work: no refusal, no menu of pages they may not open."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import PASSWORD, make_incident


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("chef", "", PASSWORD)


def links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"#]+)"', html))


def test_the_administrator_lands_on_the_installation(client, admin, reporter_a, partnership_b):
    make_incident(reporter_a)
    client.force_login(admin)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Du saknar behörighet" not in page
    assert "Skapa en samverkan" in page
    assert reverse("partnerships:create") in page
    assert reverse("partnerships:invite_coordinator", args=[partnership_b.pk]) in page
    # Each partnership with its figures: one member and one report waiting in A, none in B.
    assert re.search(r"Samverkan A</td><td class=\"num\">1</td><td class=\"num\">1</td>", page)
    assert re.search(r"Samverkan B</td><td class=\"num\">0</td><td class=\"num\">0</td>", page)
    # Every link on the page answers the administrator (no 403 behind a menu entry).
    for url in links(page):
        if url.startswith("/") and not url.startswith("/static/"):
            assert client.get(url).status_code in (200, 302), url
    assert reverse("incidents:report") not in links(page)


def test_a_member_still_gets_the_member_start_page(login, reporter_a):
    page = login(reporter_a).get(reverse("home")).content.decode()
    assert "Rapportera en händelse" in page
    assert "Skapa en samverkan" not in page


def test_anyone_else_without_a_partnership_is_refused(client, db):
    user = get_user_model().objects.create_user("ensam", password=PASSWORD)
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 403
    client.logout()
    assert client.get(reverse("home")).status_code == 302  # to the login page
