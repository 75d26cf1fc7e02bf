"""The coordinator's review journey on a desktop: accept, correct, reject and merge in the
queue, each answered in place by htmx, and the history on the detail page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lagesbild.incidents.models import Incident
from tests.factories import make_incident

pytestmark = pytest.mark.browser


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
    page.evaluate("window.sameDocument = true")  # gone if any action reloads the page
    item = {name: page.locator(f"#review-{incident.pk}") for name, incident in queue.items()}

    item["accept"].get_by_role("button", name="Godkänn").click()
    item["accept"].get_by_text(f"Händelse nr {queue['accept'].pk} godkänd.").wait_for()

    item["correct"].get_by_text("Rätta kategori, område eller plats").click()
    item["correct"].get_by_label("Kategori").select_option(label="Dumpade föremål")
    item["correct"].get_by_label("Kommentar").fill("Det var en soffa")
    item["correct"].get_by_role("button", name="Spara rättelse och godkänn").click()
    item["correct"].get_by_text("rättad och godkänd").wait_for()

    item["reject"].get_by_text("Avvisa", exact=True).click()
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
