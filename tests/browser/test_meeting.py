"""The Tuesday meeting in a browser: the coordinator creates it from the week's picture, reads
the agenda, records a decision that creates an intervention and shows the agenda on the
projector; a member of the responsible organisation then reports the intervention done."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.interventions import services
from lagesbild.interventions.models import Intervention, Meeting
from lagesbild.pictures import runs
from lagesbild.pictures import services as pictures
from tests.browser.picture.accessibility import axe_findings
from tests.browser.picture.history import BURST, build_burst, last_week
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
    assert f"▲ Avvikelse Skadegörelse i Norr: {BURST} händelser" in agenda, agenda

    decision = "Klottret vid torget saneras inom två veckor."
    page.get_by_role("textbox", name="Beslut", exact=True).fill(decision)
    page.get_by_label("Beslutet är en insats").check()
    page.get_by_label("Insats", exact=True).fill("Sanera klotter vid torget")
    page.get_by_label("Områden", exact=True).select_option(label="Norr")
    page.get_by_label("Kategorier").select_option(label="Klotter")
    page.get_by_label("Ansvarig organisation").select_option(label=member_a.organisation.name)
    page.get_by_label("Klart senast").fill(due.isoformat())
    page.get_by_role("button", name="Protokollför beslut").click()
    page.get_by_text("Beslutet är protokollfört.").wait_for()
    decisions = page.get_by_role("region", name="Beslut").inner_text()
    assert "insats: Sanera klotter vid torget (Planerad" in decisions, decisions
    intervention = Intervention.objects.get()
    assert (intervention.area_names, intervention.responsible, intervention.due_date) == (
        "Norr",
        member_a.organisation,
        due,
    )
    assert [c.code for c in intervention.categories.all()] == ["klotter"]

    page.get_by_role("link", name="Visa på projektor").click()
    page.locator("body.projector").wait_for()
    assert "Skadegörelse i Norr" in page.locator(".agenda").inner_text()
    page.get_by_text(decision).wait_for()
    page.wait_for_load_state()  # the projector's stylesheet applied before its sizes are read
    heading, item = (
        float(page.locator(selector).first.evaluate("e => getComputedStyle(e).fontSize")[:-2])
        for selector in ("h2", ".agenda li")
    )
    assert heading > item, "a heading on the wall must stand out from the items under it"
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


def test_meeting_pages_have_no_serious_accessibility_violations(open_page, coordinator_a, member_a):
    meeting = hold_meeting(coordinator_a, member_a)
    # axe is injected as an inline script, which the Content Security Policy would block.
    page = open_page("desktop", bypass_csp=True)
    log_in(page, coordinator_a)
    findings = [
        *axe_findings(page, "/moten/"),
        *axe_findings(page, f"/moten/{meeting.pk}/"),
        *axe_findings(page, f"/moten/{meeting.pk}/projektor/"),
        *axe_findings(page, "/insatser/"),
    ]
    assert not findings, "\n".join(findings)


def hold_meeting(coordinator, member) -> Meeting:
    """Last week's meeting with its agenda and one decided intervention for `member`'s
    organisation, written through the services."""
    partnership = coordinator.partnership
    week = last_week(partnership)
    build_burst(member, week)
    iso = weeks.iso(week)
    content = pictures.assemble(partnership, week, runs.latest_run(partnership, iso))
    today = timezone.localdate()
    meeting = services.create_meeting(
        actor=coordinator.user,
        partnership=partnership,
        iso=iso,
        held_on=today,
        agenda=services.build_agenda(partnership, iso, content, None, today),
    )
    services.add_decision(
        actor=coordinator.user,
        meeting=meeting,
        text="Klottret vid torget saneras.",
        intervention={
            "title": "Sanera klotter vid torget",
            "areas": [partnership.areas.get(name="Norr")],
            "responsible": member.organisation,
            "due_date": today + timedelta(days=14),
        },
    )
    assert meeting.agenda, "the burst should put a deviation on the agenda"
    return meeting
