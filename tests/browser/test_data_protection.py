"""Data protection in headless Chromium: a coordinator redacts a passage from an incident's
description, previews and saves a retention schedule and reaches the erase page, and these
pages have no serious WCAG 2.1 AA violations."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from lagesbild.dataprotection.models import RetentionPolicy
from lagesbild.incidents.models import Incident
from tests.browser.steps import serious_axe_violations
from tests.factories import make_incident

pytestmark = pytest.mark.browser


def test_a_coordinator_redacts_a_passage(open_page, coordinator_a, reporter_a):
    incident = make_incident(reporter_a, description="Klotter, vittne Kalle Kula ringde")
    page = open_page("desktop", member=coordinator_a)
    page.goto(reverse("incidents:detail", args=[incident.pk]))

    page.get_by_role("link", name="Maskera text").click()
    page.get_by_label("Text att maskera").fill("Kalle Kula")
    page.get_by_label("Skäl").fill("Namn på en person")
    page.get_by_role("button", name="Maskera").click()

    page.wait_for_url(f"**/handelser/{incident.pk}/")
    assert "Texten är maskerad" in page.locator(".messages").text_content()
    assert "Klotter, vittne [maskerat] ringde" in page.content()
    assert "10 tecken i beskrivning – Namn på en person" in page.content()
    assert Incident.objects.get(pk=incident.pk).description == "Klotter, vittne [maskerat] ringde"


def test_a_schedule_is_previewed_then_saved(open_page, coordinator_a, reporter_a):
    page = open_page("desktop", member=coordinator_a)
    page.goto(reverse("dataprotection:retention"))

    page.get_by_label("Ta bort fritext i händelser äldre än").fill("24")
    page.get_by_role("button", name="Förhandsgranska").click()
    page.get_by_text("Fritexten tas bort i 0 händelser.").wait_for()
    assert not RetentionPolicy.objects.exists()
    page.get_by_role("button", name="Spara schemat").click()

    # The preview has the same address, so waiting for the address returned at once.
    expect(page.locator(".messages")).to_contain_text("Gallringsschemat är sparat")
    assert page.url.endswith("/dataskydd/gallring/")
    assert RetentionPolicy.objects.get().text_months == 24


def test_data_protection_pages_have_no_serious_violations(open_page, coordinator_a, reporter_a):
    incident = make_incident(reporter_a, description="Klotter på elskåpet")
    page = open_page("desktop", member=coordinator_a, bypass_csp=True)
    found = []
    for name, url in {
        "redact": reverse("dataprotection:redact", args=[incident.pk]),
        "erase": reverse("dataprotection:erase", args=[incident.pk]),
        "retention": reverse("dataprotection:retention"),
        "incident with actions": reverse("incidents:detail", args=[incident.pk]),
        "account": reverse("accounts:account"),
    }.items():
        page.goto(url)
        found += [f"{name}: {v}" for v in serious_axe_violations(page)]
    page.goto(reverse("dataprotection:retention"))
    page.get_by_label("Ta bort fritext i händelser äldre än").fill("24")
    page.get_by_role("button", name="Förhandsgranska").click()
    page.get_by_text("Förhandsgranskning").wait_for()
    found += [f"retention preview: {v}" for v in serious_axe_violations(page)]
    page.goto(reverse("dataprotection:erase", args=[incident.pk]))
    page.get_by_role("button", name="Radera händelsen").click()
    page.get_by_text("Bekräfta att händelsen ska raderas.").wait_for()
    found += [f"erase with errors: {v}" for v in serious_axe_violations(page)]
    assert not found, "\n".join(found)
