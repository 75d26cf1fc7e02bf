"""The coordinator's review journey on a desktop: accept, correct, reject and merge in the
queue, each answered in place by htmx, and the history on the detail page; the same by
keyboard shortcuts; and accepting the unproblematic reports of a page together."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lagesbild.incidents.models import Incident
from tests.factories import make_incident

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect


@pytest.fixture
def queue(reporter_a) -> dict[str, Incident]:
    """New incidents, one for each review action; 'duplicate' repeats 'original'."""
    norr, soder = (reporter_a.partnership.areas.get(name=n) for n in ("Norr", "Söder"))
    an_hour_ago = timezone.now() - timedelta(hours=1)
    return {
        "accept": make_incident(reporter_a, category="klotter", area=norr),
        "correct": make_incident(reporter_a, category="nedskrapning", area=soder),
        "reject": make_incident(reporter_a, category="bilbrand", area=norr),
        "original": make_incident(
            reporter_a, category="brand-soprum", area=soder, occurred_at=an_hour_ago
        ),
        "duplicate": make_incident(reporter_a, category="brand-soprum", area=soder),
    }


def test_review_queue(open_page, coordinator_a, queue):
    page = open_page("desktop", member=coordinator_a)
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name="Granska").click()
    page.get_by_text("5 nya händelser väntar.").wait_for()
    # The text is there before the scripts have run; a click before htmx has bound the forms
    # would post them the old way and reload the page (it timed out once under load).
    page.wait_for_load_state("load")
    page.evaluate("window.sameDocument = true")  # gone if any action reloads the page
    item = {name: page.locator(f"#review-{incident.pk}") for name, incident in queue.items()}

    item["accept"].get_by_role("button", name="Godkänn").click()
    item["accept"].get_by_text(f"Händelse nr {queue['accept'].pk} godkänd.").wait_for()

    item["correct"].get_by_text("Rätta kategori, område eller plats").click()
    item["correct"].get_by_label("Kategori").select_option(label="Dumpade föremål")
    item["correct"].get_by_label("Kommentar").fill("Det var en soffa")
    item["correct"].get_by_role("button", name="Spara rättelse och godkänn").click()
    item["correct"].get_by_text("rättad och godkänd").wait_for()

    item["reject"].locator("summary", has_text="Avvisa").click()
    item["reject"].get_by_label("Skäl").fill("Övningsrapport")
    item["reject"].get_by_role("button", name="Avvisa händelsen").click()
    item["reject"].get_by_text("avvisad").wait_for()

    item["original"].get_by_role("checkbox", name=f"nr {queue['duplicate'].pk}").check()
    item["original"].get_by_role("button", name="Slå samman").click()
    item["original"].get_by_text("Dubbletter sammanslagna med").wait_for()

    assert page.evaluate("window.sameDocument") is True
    status = {name: Incident.objects.get(pk=i.pk) for name, i in queue.items()}
    assert status["accept"].status == Incident.Status.ACCEPTED
    assert status["correct"].status == Incident.Status.ACCEPTED
    assert status["correct"].category.code == "dumpade-foremal"
    assert (status["reject"].status, status["reject"].rejection_reason) == (
        Incident.Status.REJECTED,
        "Övningsrapport",
    )
    assert status["duplicate"].merged_into_id == queue["original"].pk

    page.goto(f"/handelser/{queue['correct'].pk}/")
    history = page.locator(".timeline")
    assert "Rättad" in history.inner_text()
    assert "Nedskräpning → Dumpade föremål" in history.inner_text()
    assert "Det var en soffa" in history.inner_text()
    page.goto(f"/handelser/{queue['original'].pk}/")
    page.get_by_role("heading", name="Sammanslagna dubbletter").wait_for()
    page.get_by_role("link", name=f"nr {queue['duplicate'].pk}").wait_for()
    assert "Tog upp en dubblett" in page.locator(".timeline").inner_text()


def test_review_by_keyboard(open_page, coordinator_a, reporter_a):
    """J/K move between reports, G accepts and goes on to the next, A opens the rejection
    with its reason field focused; the keys are listed on the page and can be switched off."""
    norr, soder = (reporter_a.partnership.areas.get(name=n) for n in ("Norr", "Söder"))
    first = make_incident(reporter_a, category="klotter", area=norr)
    second = make_incident(reporter_a, category="bilbrand", area=soder)
    third = make_incident(reporter_a, category="nedskrapning", area=norr)
    page = open_page("desktop", member=coordinator_a)
    page.goto("/handelser/granska/")
    legend = page.locator("#review-shortcuts")
    assert "G godkänn" in legend.inner_text()
    accept = page.locator(f"#review-{first.pk}").get_by_role("button", name="Godkänn")
    assert accept.get_attribute("aria-keyshortcuts") == "G"

    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"review-{first.pk}"
    page.keyboard.press("g")
    page.get_by_text(f"Händelse nr {first.pk} godkänd.").wait_for()
    expect(page.locator(f"#review-{second.pk}")).to_be_focused()

    page.keyboard.press("a")
    reason = page.locator(f"#review-{second.pk}").get_by_label("Skäl")
    assert page.evaluate("document.activeElement.name") == reason.get_attribute("name")
    page.keyboard.type("Övning")  # typed into the field: no shortcut fires
    page.keyboard.press("Enter")
    page.get_by_text(f"Händelse nr {second.pk} avvisad.").wait_for()
    expect(page.locator(f"#review-{third.pk}")).to_be_focused()

    legend.get_by_label("Använd kortkommandon").uncheck()
    third_accept = page.locator(f"#review-{third.pk}").get_by_role("button", name="Godkänn")
    assert third_accept.get_attribute("aria-keyshortcuts") is None
    page.locator(f"#review-{third.pk}").focus()
    page.keyboard.press("g")
    page.wait_for_load_state("networkidle")  # an accept would have been sent by now
    assert third_accept.is_visible()
    assert Incident.objects.get(pk=third.pk).status == Incident.Status.NEW
    assert Incident.objects.get(pk=first.pk).status == Incident.Status.ACCEPTED
    assert Incident.objects.get(pk=second.pk).rejection_reason == "Övning"


def test_accept_the_unproblematic_together(open_page, coordinator_a, reporter_a):
    norr, soder = (reporter_a.partnership.areas.get(name=n) for n in ("Norr", "Söder"))
    plain = [
        make_incident(reporter_a, category="klotter", area=norr),
        make_incident(reporter_a, category="bilbrand", area=soder),
    ]
    flagged = make_incident(reporter_a, category="nedskrapning", area=norr, personal_data_flag=True)
    page = open_page("desktop", member=coordinator_a)
    page.goto("/handelser/granska/?sort=-reported")
    assert page.locator(f"#review-{flagged.pk} .bulk-choice").count() == 0
    page.get_by_role("button", name="Markera alla oproblematiska på sidan").click()
    page.get_by_role("button", name="Godkänn markerade").click()
    page.get_by_text("2 händelser godkända.").wait_for()
    assert page.url.endswith("/handelser/granska/?sort=-reported")
    page.get_by_text("1 ny händelse väntar.").wait_for()
    statuses = {i.pk: Incident.objects.get(pk=i.pk).status for i in [*plain, flagged]}
    assert statuses == {
        plain[0].pk: Incident.Status.ACCEPTED,
        plain[1].pk: Incident.Status.ACCEPTED,
        flagged.pk: Incident.Status.NEW,
    }
