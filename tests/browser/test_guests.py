"""A guest authority's journey in a browser: the coordinator invites Försäkringskassan to two
areas and grants it incident detail of one for a stated purpose; the guest lands on its own
page, opens last week's approved picture (its two areas only) and then the granted detail.
The guest's pages, last quarter's picture included, pass axe-core's WCAG 2.1 AA checks."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from lagesbild.audit.models import Entry
from lagesbild.partnerships.models import Membership, Organisation
from tests.browser.picture.accessibility import axe_findings
from tests.browser.steps import log_in
from tests.factories import make_area, make_incident, make_member
from tests.guests.builders import approve_quarter, approve_week, days

pytestmark = pytest.mark.browser

TEXT = "Sprutor funna vid lekplatsen"


def test_guest_sees_invited_areas_and_granted_detail(open_page, coordinator_a, member_a):
    partnership = coordinator_a.partnership
    vaster = make_area(partnership, "Väster", 17.88, 59.42)
    norr = partnership.areas.get(name="Norr")
    make_incident(member_a, area=norr, description=TEXT)
    make_incident(member_a, area=vaster, occurred_at=timezone.now() - timedelta(days=7))
    picture = approve_week(partnership, coordinator_a, 1)
    quarter = approve_quarter(partnership, coordinator_a, 1)
    guest = make_member(partnership, Membership.Role.GUEST, "fk_gast", Organisation.Kind.AUTHORITY)
    Organisation.objects.filter(pk=guest.organisation_id).update(name="Försäkringskassan")

    page = open_page("desktop", bypass_csp=True)  # axe-core is injected as an inline script
    log_in(page, coordinator_a)
    page.get_by_role("navigation").get_by_role("link", name="Administrera").click()
    page.get_by_role("link", name="Visa och ändra gästmyndigheter").click()
    page.get_by_role("link", name="Bjud in en gästmyndighet").click()
    page.get_by_label("Organisation").select_option(label="Försäkringskassan")
    page.get_by_label("Norr").check()
    page.get_by_label("Söder").check()
    page.get_by_role("button", name="Spara").click()
    page.get_by_text("Försäkringskassan är inbjuden som gästmyndighet.").wait_for()
    page.get_by_role("link", name="Bevilja tillgång till händelsedetaljer").click()
    page.get_by_label("Gästmyndighet").select_option(label="Försäkringskassan")
    page.get_by_label("Norr").check()
    page.get_by_label("Syfte").fill("Gemensam satsning mot felaktiga utbetalningar")
    page.get_by_label("Från och med").fill(days(-7).isoformat())
    page.get_by_label("Till och med").fill(days(14).isoformat())
    page.get_by_role("button", name="Spara").click()
    page.get_by_text("Behörigheten är beviljad").wait_for()

    visitor = open_page("phone", bypass_csp=True)
    log_in(visitor, guest)
    visitor.get_by_role("heading", name="gästsida").wait_for()
    visitor.get_by_role("link", name=f"Vecka {picture.period}, version 1").click()
    # Waited for: read at once, the headings could be the guest page's own, still showing.
    expect(visitor.get_by_role("heading", level=2)).to_have_text(
        ["Norr", "Söder"], use_inner_text=True
    )
    visitor.get_by_role("link", name="Tillbaka till gästsidan").click()
    visitor.get_by_role("link", name="Visa händelsedetaljer").click()
    assert TEXT in visitor.locator("table").inner_text()
    assert Entry.objects.filter(action="guest.detail_read", actor=guest.user).count() == 1

    findings = [
        *axe_findings(visitor, reverse("guests:start")),
        *axe_findings(visitor, reverse("guests:picture", args=[picture.period, 1])),
        *axe_findings(visitor, reverse("guests:period", args=[quarter.period, 1])),
        *axe_findings(visitor, reverse("guests:detail")),
        *axe_findings(page, reverse("guests:manage")),
    ]
    assert findings == [], findings
