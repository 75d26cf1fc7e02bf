"""The Tuesday meeting in a browser: the coordinator creates it from the week's picture, reads
the agenda, records a decision that creates an intervention and shows the agenda on the
projector; a member of the responsible organisation then reports the intervention done."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.interventions.models import Intervention
from tests.browser.picture.history import build_burst, last_week
from tests.browser.steps import log_in, screenshot_for_docs

pytestmark = pytest.mark.browser


def test_meeting_decides_an_intervention_that_its_organisation_completes(
    open_page, coordinator_a, member_a
):
    week = last_week(coordinator_a.partnership)
    build_burst(member_a, week)
    due = timezone.localdate() + timedelta(days=14)
    page = open_page("desktop")
    log_in(page, coordinator_a)
    page.get_by_role("navigation").get_by_role("link", name="Möten").click()
    page.get_by_label("Lägesbild för vecka").fill(weeks.iso(week))
    page.get_by_role("button", name="Skapa möte med dagordning").click()
    page.get_by_role("heading", name=f"Veckomöte om {weeks.iso(week)}").wait_for()
    agenda = page.locator(".agenda").inner_text()
    assert "▲ Avvikelse Skadegörelse i Norr: 10 händelser" in agenda, agenda

    decision = "Klottret vid torget saneras inom två veckor."
    page.get_by_role("textbox", name="Beslut", exact=True).fill(decision)
    page.get_by_label("Beslutet är en insats").check()
    page.get_by_label("Insats", exact=True).fill("Sanera klotter vid torget")
    page.get_by_label("Område", exact=True).select_option(label="Norr")
    page.get_by_label("Kategorier").select_option(label="Klotter")
    page.get_by_label("Ansvarig organisation").select_option(label=member_a.organisation.name)
    page.get_by_label("Klart senast").fill(due.isoformat())
    page.get_by_role("button", name="Protokollför beslut").click()
    page.get_by_text("Beslutet är protokollfört.").wait_for()
    decisions = page.get_by_role("region", name="Beslut").inner_text()
    assert "insats: Sanera klotter vid torget (Planerad" in decisions, decisions
    intervention = Intervention.objects.get()
    assert (intervention.area.name, intervention.responsible, intervention.due_date) == (
        "Norr",
        member_a.organisation,
        due,
    )
    assert [c.code for c in intervention.categories.all()] == ["klotter"]

    page.get_by_role("link", name="Visa på projektor").click()
    page.locator("body.projector").wait_for()
    assert "Skadegörelse i Norr" in page.locator(".agenda").inner_text()
    page.get_by_text(decision).wait_for()
    screenshot_for_docs(page, "meeting-projector")

    member = open_page("desktop")
    log_in(member, member_a)
    member.get_by_role("navigation").get_by_role("link", name="Insatser").click()
    row = member.locator(f"#insats-{intervention.pk}")
    row.get_by_label("Status").select_option(label="Genomförd")
    row.get_by_role("button", name="Spara").click()
    member.get_by_text("Status för Sanera klotter vid torget är uppdaterad.").wait_for()
    intervention.refresh_from_db()
    assert intervention.status == Intervention.Status.DONE
