"""From a flag to an honest verdict, in a browser: the coordinator decides an intervention in
the meeting from the week's deviation, the responsible organisation logs what it did and
closes it, its evaluation page gives the verdict with its interval, and the coordinator ends
on the year's deepened picture: writes the group's reflection and downloads its PDF."""

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.interventions.models import Intervention
from tests.browser.picture.accessibility import axe_findings
from tests.browser.picture.history import build_burst, last_week
from tests.browser.steps import log_in, screenshot_for_docs
from tests.interventions.evaluation_data import fill, grid_areas, simulate

pytestmark = pytest.mark.browser

BEFORE, AFTER = 26, 30


def _history(member):
    """Six areas far from Norr and Söder with graffiti at six a week for 26 weeks before a
    start 30 weeks ago and 30 weeks after it; the first area's halves after the start."""
    partnership = member.partnership
    start = weeks.shift(weeks.week_of_date(timezone.localdate()), -AFTER)
    codes = [weeks.shift(start, k) for k in range(-BEFORE, AFTER)]
    graffiti = partnership.categories.get(code="klotter")
    areas = grid_areas(partnership, 6)
    for area, row in zip(areas, simulate(6, BEFORE, AFTER, effect=0.5), strict=True):
        fill(member, area, codes, row, graffiti)
    return areas[0], weeks.monday(start)


def test_a_flag_becomes_an_intervention_with_a_log_and_a_verdict(
    open_page, coordinator_a, member_a
):
    week = last_week(coordinator_a.partnership)
    build_burst(member_a, week)
    area, start = _history(member_a)

    page = open_page("desktop")
    log_in(page, coordinator_a)
    page.get_by_role("navigation").get_by_role("link", name="Möten").click()
    page.get_by_label("Lägesbild för vecka").fill(weeks.iso(week))
    page.get_by_role("button", name="Skapa möte med dagordning").click()
    page.get_by_role("heading", name=f"Veckomöte om {weeks.iso(week)}").wait_for()
    page.get_by_role("textbox", name="Beslut", exact=True).fill("Sanera klottret.")
    page.get_by_label("Beslutet är en insats").check()
    page.get_by_label("Insats", exact=True).fill("Klottersanering")
    page.get_by_label("Typ av insats").select_option(label="Städning/sanering")
    page.get_by_label("Utgår från punkt på dagordningen").select_option(index=1)
    page.get_by_label("Områden", exact=True).select_option(label=area.name)
    page.get_by_label("Kategorier").select_option(label="Klotter")
    page.get_by_label("Ansvarig organisation").select_option(label=member_a.organisation.name)
    page.get_by_label("Startdatum").fill(start.isoformat())
    page.get_by_label("Klart senast").fill((timezone.localdate() + timedelta(7)).isoformat())
    page.get_by_role("button", name="Protokollför beslut").click()
    page.get_by_text("Beslutet är protokollfört.").wait_for()
    intervention = Intervention.objects.get()
    assert intervention.origin["kind"] == "deviation", intervention.origin

    member = open_page("desktop")
    log_in(member, member_a)
    member.get_by_role("navigation").get_by_role("link", name="Insatser").click()
    member.get_by_role("link", name="Mina insatser").click()
    member.wait_for_url("**/insatser/mina/")  # the list left links to it too
    member.get_by_role("link", name="Klottersanering").click()
    assert "Skadegörelse i Norr" in member.locator("dl.facts").inner_text()
    member.get_by_label("Vad gjordes").fill("Sanerade 40 m² vid stationen")
    member.get_by_label("Omfattning").fill("40 m²")
    member.get_by_role("button", name="Spara anteckning").click()
    member.get_by_text("Anteckningen är sparad.").wait_for()
    assert "Sanerade 40 m² vid stationen" in member.locator("ol.log").inner_text()
    member.get_by_label("Status").select_option(label="Genomförd")
    # Closing queues the evaluation; with the tests' immediate task backend it is computed
    # as the closing commits, which on a loaded machine takes longer than a click usually may.
    member.get_by_role("button", name="Spara status").click(timeout=90_000)
    member.get_by_text("Status för Klottersanering är uppdaterad.").wait_for(timeout=90_000)
    member.get_by_role("link", name="Utvärdering").first.click()
    member.get_by_role("heading", name="Slutsats").wait_for(timeout=90_000)
    verdict = member.locator(".verdict").inner_text()
    assert verdict.startswith("Insatsen följdes av en minskning"), verdict
    assert "95 % KI" in verdict
    assert "Fryst version 1" in member.locator("main").inner_text()
    screenshot_for_docs(member, "intervention-evaluation")

    # The year's deepened picture, input to the municipality's plan: the intervention with
    # its outcome, the group's reflection, and the PDF with both.
    year = timezone.localdate().year
    page.get_by_role("navigation").get_by_role("link", name="Insatser").click()
    page.get_by_role("link", name="Utvärderade insatser").click()
    page.get_by_role("link", name=f"Fördjupad lägesbild {year}").click()
    page.get_by_role("heading", name=f"Fördjupad lägesbild {year}", level=1).wait_for()
    row = page.locator("section", has=page.locator("#y3")).locator("tr", has_text="Klottersanering")
    assert "Minskning" in row.inner_text(), row.inner_text()  # the outcome, not a header
    direction = "Fortsätt sanera klotter inom ett dygn vid stationen."
    page.get_by_label("Gruppens reflektion: Inriktning för kommande år").fill(direction)
    page.locator("#reflektion-inriktning").get_by_role("button", name="Spara reflektion").click()
    page.get_by_text("Reflektionen är sparad som version 1.").wait_for()
    assert direction in page.locator("#reflektion-inriktning").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF", exact=True).click()
    pdf = download.value.path()
    assert download.value.suggested_filename == f"fordjupad-lagesbild-{year}.pdf"
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
        ).stdout
        assert "6. Inriktning för kommande år" in text and direction in text, text
        assert "Klottersanering" in text

    # A session cookie, not a second login: the authenticator code of the first login may
    # still be the current one, and a code is refused the second time.
    checked = open_page("desktop", member=coordinator_a, bypass_csp=True)
    findings = [
        *axe_findings(checked, f"/insatser/{intervention.pk}/"),
        *axe_findings(checked, f"/insatser/{intervention.pk}/utvardering/"),
        *axe_findings(checked, "/insatser/mina/"),
        *axe_findings(checked, "/insatser/utvarderingar/"),
        *axe_findings(checked, "/insatser/typer/"),
        *axe_findings(checked, f"/insatser/ar/{year}/"),
    ]
    assert checked.url.endswith(f"/insatser/ar/{year}/"), checked.url  # the pages, not a login
    assert not findings, "\n".join(findings)
