"""Logging in as a person does it, in headless Chromium: repeated wrong passwords end in the
lockout message; a coordinator sets up an authenticator app at the first login, keeps the
recovery codes and logs in with a code from the app the next time. The pages pass axe."""

from base64 import b32decode

import pytest
from django.conf import settings
from django_otp.oath import totp
from playwright.sync_api import expect

from lagesbild.accounts.policy import is_privileged
from tests.browser import steps
from tests.factories import PASSWORD, app_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit_password(page, username: str, password: str) -> None:
    """Send the login form and wait until its answer has loaded. A refused login answers at
    the form's own address, so neither the address nor the load state (which would be the
    form's, the click not waiting for the answer) tells that the answer has come."""
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Logga in").click()


def test_wrong_passwords_end_in_the_lockout_message(open_page, reporter_a):
    page = open_page("phone")
    page.goto("/konto/logga-in/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        submit_password(page, "reporter_a", "fel-lösenord")
    alert = page.get_by_role("alert")
    assert "Inloggningen är tillfälligt spärrad" in alert.text_content()
    assert "samordnare" in alert.text_content()
    submit_password(page, "reporter_a", PASSWORD)
    assert "tillfälligt spärrad" in page.get_by_role("alert").text_content()
    assert "logga-in" in page.url


def test_a_coordinator_sets_up_an_app_and_logs_in_with_its_code(open_page, coordinator_a):
    assert is_privileged(coordinator_a.user)
    page = open_page("desktop")
    page.goto("/lagesbild/")
    submit_password(page, "coord_a", PASSWORD)
    page.wait_for_url("**/tvastegsverifiering/aktivera/**")
    assert page.get_by_role("img", name="QR-kod").is_visible()
    key = page.locator("code.secret").text_content().replace(" ", "")
    code = totp(b32decode(key))
    page.get_by_label("Kod från appen").fill(f"{code:06d}")
    page.get_by_role("button", name="Aktivera").click()
    # The activation posts and loads a new page; wait for it rather than look at once.
    expect(page.get_by_role("heading", name="Dina reservkoder")).to_be_visible()
    assert page.locator(".recovery-codes li").count() == 10
    page.get_by_role("link", name="Jag har sparat koderna – fortsätt").click()
    page.wait_for_url("**/lagesbild/**")

    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/konto/logga-in/")  # logged out before the next page is asked for
    page.goto("/")
    submit_password(page, "coord_a", PASSWORD)
    page.wait_for_url("**/tvastegsverifiering/?**")
    device = coordinator_a.user.totpdevice_set.get()
    steps.enter_code(page, app_code(device, steps_ahead=1))  # the enrolment used this step's
    expect(page.get_by_role("link", name="Administrera")).to_be_visible()


def test_login_pages_have_no_serious_accessibility_violations(open_page, coordinator_a):
    page = open_page("phone", bypass_csp=True)
    page.goto("/konto/logga-in/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        submit_password(page, "nobody", "fel-lösenord")
    found = [f"lockout: {v}" for v in steps.serious_axe_violations(page)]
    page.goto("/konto/logga-in/")
    page.context.clear_cookies()
    other = open_page("phone", bypass_csp=True)
    other.goto("/konto/logga-in/")
    submit_password(other, "coord_a", PASSWORD)
    other.wait_for_url("**/aktivera/**")
    found += [f"enrol: {v}" for v in steps.serious_axe_violations(other)]
    other.goto("/konto/")
    found += [f"account: {v}" for v in steps.serious_axe_violations(other)]
    assert not found, "\n".join(found)
