"""A coordinator's week in time, in a browser: the picture and the weekly table open on the
last complete week; the running week is marked as such, with counts so far and no expected
counts, flags or green changes, and no link past it; a week to come answers in words; and
approving the running week, with reports still unreviewed, asks for a confirmation and a
note, which the approved version shows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident
from lagesbild.pictures import runs
from lagesbild.pictures.models import Picture
from tests.browser.picture import history
from tests.browser.picture.history import build_burst
from tests.browser.steps import log_in, serious_axe_violations
from tests.factories import make_incident

pytestmark = pytest.mark.browser

SO_FAR = 4  # reports of the running week, none reviewed yet


@pytest.fixture
def running_week(member_a) -> int:
    """Last week's history and burst, and four unreviewed reports so far this week; both
    weeks computed."""
    partnership = member_a.partnership
    last = history.last_week(partnership)
    build_burst(member_a, last)
    norr = partnership.areas.get(name="Norr")
    for _ in range(SO_FAR):
        make_incident(
            member_a,
            area=norr,
            occurred_at=timezone.now() - timedelta(minutes=2),
            status=Incident.Status.NEW,
        )
    this_week = weeks.shift(last, 1)
    runs.run_now(partnership, weeks.iso(this_week))
    runs.run_now(partnership, weeks.iso(last))
    return this_week


def test_the_running_week_is_marked_and_never_passed(open_page, coordinator_a, running_week):
    last = weeks.shift(running_week, -1)
    page = open_page("desktop")
    log_in(page, coordinator_a)
    page.get_by_role("navigation").get_by_role("link", name="Lägesbild").click()
    page.wait_for_url(f"**/lagesbild/vecka/{weeks.iso(last)}/")
    assert page.locator(".in-progress-note").count() == 0
    assert "förv." in page.locator("table.matrix").inner_text()

    page.get_by_role("link", name="Nästa vecka").click()
    page.wait_for_url(f"**/lagesbild/vecka/{weeks.iso(running_week)}/")
    note = page.get_by_role("note").filter(has_text="Pågående vecka")
    assert "Siffrorna gäller hittills" in note.inner_text()
    assert "– pågående vecka" in page.title()
    summary = page.get_by_role("region", name="Sammanfattning").locator("li").first
    assert summary.inner_text().startswith(f"Vecka {running_week % 100} pågår")
    matrix = page.locator("table.matrix").inner_text()
    assert "förv." not in matrix and "Avvikelse" not in matrix and "Ökar" not in matrix
    assert page.get_by_role("link", name="Nästa vecka").count() == 0
    legend = page.get_by_label("Teckenförklaring").inner_text()
    assert "pågående vecka, hittills" in legend

    page.goto(f"/lagesbild/vecka/{weeks.iso(weeks.shift(running_week, 1))}/")
    page.get_by_role("heading", name=f"Vecka {weeks.iso(weeks.shift(running_week, 1))}").wait_for()
    assert "har inte börjat" in page.locator("main").inner_text()
    page.get_by_role("link", name="Till den senaste hela veckan").click()
    page.wait_for_url(f"**/lagesbild/vecka/{weeks.iso(last)}/")

    page.get_by_role("navigation").get_by_role("link", name="Veckotabell").click()
    assert page.get_by_label("Vecka", exact=True).input_value() == weeks.iso(last)
    assert page.locator(".in-progress-note").count() == 0
    page.get_by_role("link", name="Nästa vecka").click()
    page.get_by_role("note").filter(has_text="Pågående vecka").wait_for()
    table = page.locator("table.weekly")
    assert "hittills" in table.inner_text()
    assert table.locator(".change-down, .change-up").count() == 0  # no green "−32"
    assert page.get_by_role("link", name="Nästa vecka").count() == 0


def test_approving_the_running_week_asks_for_confirmation_and_a_note(
    open_page, coordinator_a, running_week
):
    iso = weeks.iso(running_week)
    page = open_page("desktop")
    log_in(page, coordinator_a)
    page.goto(f"/lagesbild/vecka/{iso}/")
    approval = page.get_by_role("region", name="Godkänn")
    warnings = approval.get_by_role("alert").inner_text()
    assert f"Vecka {running_week % 100} är inte slut" in warnings
    assert f"{SO_FAR} rapporter i siffrorna är inte granskade än" in warnings
    summary = page.get_by_role("region", name="Sammanfattning").inner_text()
    assert f"{SO_FAR} rapporter väntar på granskning; de räknas med i siffrorna." in summary

    # Without the confirmation and the note the browser keeps the form on the page.
    approval.get_by_role("button", name="Godkänn lägesbilden").click()
    assert page.url.endswith(f"/lagesbild/vecka/{iso}/")
    assert not Picture.objects.exists()

    approval.get_by_label("Jag har läst varningarna och godkänner ändå").check()
    approval.get_by_label("Varför godkänns bilden ändå?").fill("Mötet på tisdag behöver bilden")
    approval.get_by_role("button", name="Godkänn lägesbilden").click()
    page.wait_for_url(f"**/lagesbild/vecka/{iso}/version/1/")
    note = page.get_by_role("note").filter(has_text="Godkänd version 1").inner_text()
    assert "Godkänd trots:" in note and "Mötet på tisdag behöver bilden" in note
    picture = Picture.objects.get()
    assert picture.content["in_progress"] is True
    assert picture.content["approval_note"] == "Mötet på tisdag behöver bilden"


def test_the_running_week_with_its_warnings_passes_axe(open_page, coordinator_a, running_week):
    page = open_page("desktop", member=coordinator_a, bypass_csp=True)
    page.goto(f"/lagesbild/vecka/{weeks.iso(running_week)}/")
    page.get_by_role("alert").filter(has_text="Innan du godkänner").wait_for()
    found = serious_axe_violations(page)
    page.goto(f"/handelser/vecka/?week={weeks.iso(running_week)}")
    found += serious_axe_violations(page)
    page.goto(f"/lagesbild/vecka/{weeks.iso(weeks.shift(running_week, 2))}/")
    found += serious_axe_violations(page)
    assert not found, "\n".join(found)
