"""Accessibility: no serious or critical WCAG 2.1 A/AA violations found by axe-core on the
main pages, and the report form can be filled and sent with the keyboard alone.

axe is injected as an inline script, which the Content Security Policy would block, so its
pages are opened with the policy bypassed (the other journeys keep it and fail on blocks)."""

import pytest

from lagesbild.incidents.models import Incident
from tests.browser.steps import serious_axe_violations, tab_to
from tests.factories import make_incident

pytestmark = pytest.mark.browser

DESKTOP_PAGES = {
    "incident list": "/handelser/",
    "weekly table": "/handelser/vecka/",
    "review queue": "/handelser/granska/",
}


def violations_on(page, name: str) -> list[str]:
    """axe's serious findings on the page as it is now, with all <details> opened."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    return [f"{name}: {violation}" for violation in serious_axe_violations(page)]


def test_desktop_pages_have_no_serious_violations(open_page, coordinator_a, reporter_a):
    make_incident(reporter_a, category="klotter", description="Klotter på elskåpet")
    make_incident(reporter_a, category="klotter")  # a duplicate candidate in the queue
    page = open_page("desktop", member=coordinator_a, bypass_csp=True)
    found = []
    for name, url in DESKTOP_PAGES.items():
        page.goto(url)
        found += violations_on(page, name)
    assert not found, "\n".join(found)


def test_report_page_on_a_phone_has_no_serious_violations(open_page, reporter_a):
    page = open_page("phone", member=reporter_a, bypass_csp=True)
    page.goto("/handelser/rapportera/")
    found = violations_on(page, "report form")
    page.get_by_role("button", name="Skicka rapport").click()
    page.get_by_text("Välj en kategori.").wait_for()
    found += violations_on(page, "report form with errors")
    assert not found, "\n".join(found)


def test_report_form_with_the_keyboard_only(open_page, reporter_a):
    page = open_page("phone", member=reporter_a, has_touch=False, is_mobile=False)
    page.goto("/handelser/rapportera/")
    keyboard = page.keyboard

    tab_to(page, "#category-search")
    keyboard.type("klott")
    tab_to(page, "input[name=category]")
    keyboard.press("Space")

    tab_to(page, "#place-search")
    keyboard.type("Torg")
    page.locator(".place-choice").wait_for()
    tab_to(page, ".place-choice")
    keyboard.press("Enter")
    page.get_by_text("Torget – 59.").wait_for()

    tab_to(page, "input[name=severity]:checked")
    keyboard.press("ArrowRight")  # arrow keys move within a radio group
    tab_to(page, "#id_description")
    keyboard.type("Klotter på elskåpet")
    tab_to(page, "#submit-report")
    keyboard.press("Enter")

    page.get_by_text("Tack! Händelsen är registrerad som nr").wait_for()
    incident = Incident.objects.get()
    assert (incident.category.code, incident.place.name) == ("klotter", "Torget")
    assert incident.severity == Incident.Severity.MEDIUM
