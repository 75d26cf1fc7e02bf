"""The reporter's journey on a phone: choose a category, a place, a severity and send."""

import pytest

from lagesbild.incidents.models import Incident
from tests.browser.steps import log_in

pytestmark = pytest.mark.browser


def start_report(page, reporter) -> None:
    log_in(page, reporter)
    page.get_by_role("link", name="Rapportera", exact=True).click()
    page.get_by_placeholder("Sök kategori").fill("klott")
    page.get_by_role("radio", name="Klotter").check()


def finish_report(page, description="Klotter på elskåpet") -> None:
    page.get_by_role("radio", name="Allvarlig", exact=True).check()
    page.get_by_label("Kort beskrivning").fill(description)
    page.get_by_role("button", name="Skicka rapport").click()


def test_report_with_place_search(open_page, reporter_a):
    page = open_page("phone")
    start_report(page, reporter_a)
    page.get_by_label("Sök plats eller område").fill("Torg")
    page.get_by_role("button", name="Torget").click()
    finish_report(page)
    receipt = page.get_by_text("Tack! Händelsen är registrerad som nr")
    receipt.wait_for()
    incident = Incident.objects.get()
    assert f"nr {incident.pk} " in receipt.inner_text()
    assert incident.area.name == "Norr"
    assert incident.place.name == "Torget"
    assert incident.category.code == "klotter"
    assert incident.severity == Incident.Severity.MEDIUM
