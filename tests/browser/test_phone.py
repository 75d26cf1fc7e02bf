"""A coordinator's Tuesday on a 390 × 844 phone and on a laptop: no page wider than the
screen even with a 310-character word in the text people typed, the intervention's status
control on screen, the menu folded behind an accessible button (and open without
JavaScript), every scroll box reached and scrolled by keyboard, and axe with no serious or
critical finding in either viewport.

axe is injected as an inline script, which the Content Security Policy would block, so the
axe journeys open their pages with the policy bypassed (the others keep it)."""

from datetime import date

import pytest
from django.urls import reverse

from lagesbild.incidents import weeks
from lagesbild.interventions.models import Intervention, Meeting
from lagesbild.pictures import periods, runs
from tests.browser.picture import history
from tests.browser.steps import serious_axe_violations, tab_to
from tests.factories import make_incident, make_intervention

pytestmark = pytest.mark.browser

# One "word" of 310 characters, as a pasted link or a key held down gives.
LONG_WORD = "Klotter" + "x" * 296 + "slutet"


@pytest.fixture
def tuesday(coordinator_a, member_a, reporter_a):
    """A week with a computed picture, a waiting report and an intervention whose texts hold
    the long word, and a meeting: every page of the coordinator's Tuesday has content."""
    partnership = coordinator_a.partnership
    week = history.last_week(partnership)
    history.build_burst(member_a, week)
    norr = partnership.areas.get(name="Norr")
    long_report = make_incident(reporter_a, area=norr, description=LONG_WORD)
    intervention = make_intervention(
        partnership=partnership,
        title="Belysning " + LONG_WORD[:180],  # a title holds at most 200 characters
        description=LONG_WORD,
        areas=[norr],
        responsible=member_a.organisation,
        due_date=date.today(),
    )
    meeting = Meeting.objects.create(
        partnership=partnership,
        held_on=date.today(),
        period=weeks.iso(week),
        title="Tisdagsmöte",
        created_by=coordinator_a.user,
    )
    # Computed again after the reports above, so the picture is current and does not poll.
    runs.run_now(partnership, weeks.iso(week))
    quarter = periods.Period.containing("quarter", weeks.monday(week))
    return {
        "report": long_report,
        "intervention": intervention,
        "pages": {
            "start": reverse("home"),
            "review queue": reverse("incidents:review"),
            "incident": reverse("incidents:detail", args=[long_report.pk]),
            "incident list": reverse("incidents:list"),
            "weekly table": reverse("incidents:weekly"),
            "interventions": reverse("interventions:list"),
            "meetings": reverse("interventions:meetings"),
            "meeting": reverse("interventions:meeting", args=[meeting.pk]),
            "weekly picture": reverse("pictures:week", args=[weeks.iso(week)]),
            "periodic picture": reverse("pictures:period", args=[str(quarter)]),
            "audit log": reverse("audit:trail"),
            "administration": reverse("partnerships:manage"),
            "areas": reverse("partnerships:area_list"),
            "places": reverse("partnerships:place_list"),
            "categories": reverse("partnerships:category_list"),
            "organisations": reverse("partnerships:organisation_list"),
            "members": reverse("partnerships:member_list"),
            "account": reverse("accounts:account"),
        },
        # More of the coordinator's pages, walked for their width only.
        "also": {
            "comparison": reverse("pictures:compare", args=[weeks.iso(week)]),
            "approved pictures": reverse("pictures:archive"),
            "yearly picture": reverse("pictures:periodic_latest", args=["ar"]),
            "map": reverse("incidents:map"),
            "report": reverse("incidents:report"),
            "projector": reverse("interventions:projector", args=[meeting.pk]),
            "my interventions": reverse("interventions:mine"),
            "evaluated interventions": reverse("interventions:overview"),
            "intervention": reverse("interventions:detail", args=[intervention.pk]),
            "evaluation": reverse("interventions:evaluation", args=[intervention.pk]),
        },
    }


PHONE_WIDTH = 390


def page_width(page) -> int:
    """The document's width. (A phone browser widens its layout viewport to a page wider
    than the screen, so the screen's width is the measure, not window.innerWidth.)"""
    return page.evaluate("document.documentElement.scrollWidth")


def test_no_page_is_wider_than_the_phone(open_page, coordinator_a, tuesday):
    page = open_page("phone", member=coordinator_a)
    too_wide = []
    for name, url in {**tuesday["pages"], **tuesday["also"]}.items():
        page.goto(url)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        width = page_width(page)
        if width > PHONE_WIDTH:
            too_wide.append(f"{name} ({url}): {width} px on a {PHONE_WIDTH} px screen")
    assert not too_wide, "\n".join(too_wide)

    page.goto(tuesday["pages"]["incident"])
    assert page.get_by_text(LONG_WORD[:40], exact=False).is_visible()


def test_the_status_control_of_an_intervention_is_on_the_phone_screen(
    open_page, coordinator_a, tuesday
):
    page = open_page("phone", member=coordinator_a)
    page.goto(tuesday["pages"]["interventions"])
    row = page.locator(f"#insats-{tuesday['intervention'].pk}")
    status = row.get_by_label("Status")
    save = row.get_by_role("button", name="Spara")
    for control in (status, save):
        control.scroll_into_view_if_needed()
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH, box
    status.select_option(label="Pågår")
    save.click()
    # The answer is the same list again: wait for its message, not for the load state, which
    # the list being left already has (the database could be read before the save).
    page.get_by_text(f"Status för {tuesday['intervention'].title} är uppdaterad.").wait_for()
    tuesday["intervention"].refresh_from_db()
    assert tuesday["intervention"].status == Intervention.Status.ONGOING


def test_the_menu_folds_on_a_phone(open_page, coordinator_a, tuesday):
    page = open_page("phone", member=coordinator_a)
    page.goto(tuesday["pages"]["start"])
    toggle = page.get_by_role("button", name="Meny")
    review = page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Granska")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not review.is_visible()
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 100, header  # one row, not a third of the screen

    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    review.wait_for()
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.textContent.trim()") == "Meny"

    toggle.click()
    review.click()
    page.wait_for_url("**/handelser/granska/")


def test_the_menu_stays_open_without_javascript_and_on_a_laptop(open_page, coordinator_a, tuesday):
    for device, options in (("phone", {"java_script_enabled": False}), ("desktop", {})):
        page = open_page(device, member=coordinator_a, **options)
        page.goto(tuesday["pages"]["start"])
        assert not page.get_by_role("button", name="Meny").is_visible(), device
        menu = page.get_by_role("navigation", name="Huvudmeny")
        assert menu.get_by_role("link", name="Granska").is_visible(), device


# Links, buttons and disclosures a reader passes before the weekly picture's summary.
CONTROLS_BEFORE_SUMMARY = """() => {
    const summary = document.getElementById("summary-h");
    return [...document.querySelectorAll("main a[href], main button, main summary")].filter(
        c => c.checkVisibility() && c.compareDocumentPosition(summary)
            & Node.DOCUMENT_POSITION_FOLLOWING
    ).map(c => c.textContent.trim() || c.getAttribute("title"));
}"""


def test_the_weekly_picture_starts_with_its_summary(open_page, coordinator_a, tuesday):
    """At most three controls before the summary (previous and next week by the heading, one
    folded menu) and the summary's first sentence on the first screen of a phone; the other
    views and the exports behind that menu, which opens by keyboard."""
    page = open_page("phone", member=coordinator_a)
    page.goto(tuesday["pages"]["weekly picture"])
    controls = page.evaluate(CONTROLS_BEFORE_SUMMARY)
    assert len(controls) <= 3, controls
    first_sentence = page.locator(".summary li").first
    assert first_sentence.bounding_box()["y"] < 844, first_sentence.bounding_box()

    menu = page.locator("details.picture-menu")
    excel = menu.get_by_role("link", name="Excel")
    compare = menu.get_by_role("link", name="Jämför med föregående vecka")
    assert not excel.is_visible() and not compare.is_visible()
    menu.get_by_text("Fler vyer och export").focus()
    page.keyboard.press("Enter")
    assert excel.is_visible() and compare.is_visible()
    compare.click()
    page.wait_for_url("**/jamfor/")


def test_the_review_filters_fold_on_a_phone(open_page, coordinator_a, tuesday):
    """On a phone the queue comes first and the filters sit behind "Filter", which says how
    many are in use and is open while any is; a laptop shows them open, and so does a phone
    without JavaScript once a filter is chosen."""
    page = open_page("phone", member=coordinator_a)
    page.goto(tuesday["pages"]["review queue"])
    toggle = page.locator("#review-filters > summary")
    area = page.get_by_label("Område", exact=True)
    assert toggle.inner_text() == "Filter" and not area.is_visible()
    assert page.locator(".review-item").first.bounding_box()["y"] < 844
    toggle.focus()
    page.keyboard.press("Enter")
    area.select_option(value=str(tuesday["report"].area_id))
    page.get_by_role("button", name="Visa", exact=True).click()
    page.wait_for_url("**area=*")
    assert toggle.inner_text() == "Filter (1 aktivt)" and area.is_visible()

    no_script = open_page("phone", member=coordinator_a, java_script_enabled=False)
    no_script.goto(page.url)
    assert no_script.get_by_label("Område", exact=True).is_visible()
    desktop = open_page("desktop", member=coordinator_a)
    desktop.goto(tuesday["pages"]["review queue"])
    assert desktop.get_by_label("Område", exact=True).is_visible()


def test_every_scroll_box_is_reached_and_scrolled_by_keyboard(open_page, coordinator_a, tuesday):
    page = open_page("phone", member=coordinator_a, has_touch=False, is_mobile=False)
    checked = []
    for name, url in tuesday["pages"].items():
        page.goto(url)
        page.get_by_role("button", name="Meny").click()  # so Tab passes through the menu too
        boxes = page.locator(".table-wrap")
        for i in range(boxes.count()):
            box = boxes.nth(i)
            assert box.get_attribute("tabindex") == "0", f"{name}: box {i}"
            assert box.get_attribute("role") == "region", f"{name}: box {i}"
            label = box.evaluate(
                "b => b.getAttribute('aria-label') || "
                "document.getElementById(b.getAttribute('aria-labelledby')).textContent"
            )
            assert label.strip(), f"{name}: box {i} has no name"
            box.evaluate(f"b => b.setAttribute('data-probe', '{i}')")
            page.locator("body").focus()
            page.evaluate("window.scrollTo(0, 0)")
            tab_to(page, f'[data-probe="{i}"]', limit=400)
            wider = box.evaluate("b => b.scrollWidth > b.clientWidth")
            if wider:
                scrolled = box.evaluate("b => b.scrollLeft")
                for _ in range(20):  # the arrow keys scroll smoothly, a frame at a time
                    page.keyboard.press("ArrowRight")
                    scrolled = box.evaluate("b => b.scrollLeft")
                    if scrolled > 0:
                        break
                assert scrolled > 0, f"{name}: box {i} does not scroll with the arrow keys"
            checked.append((name, i, wider))
    assert any(wider for _, _, wider in checked), "no table overflowed a phone: nothing scrolled"
    assert {name for name, _, _ in checked} >= {
        "incident list",
        "weekly table",
        "interventions",
        "weekly picture",
        "periodic picture",
        "audit log",
    }


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_no_serious_accessibility_findings(open_page, coordinator_a, tuesday, device):
    page = open_page(device, member=coordinator_a, bypass_csp=True)
    findings = []
    for name, url in tuesday["pages"].items():
        page.goto(url)
        if page.locator(".map").count():
            page.locator(".map.leaflet-container").first.wait_for()
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        findings += [f"{name}: {finding}" for finding in serious_axe_violations(page)]
        if device == "phone":
            page.get_by_role("button", name="Meny").click()
            findings += [f"{name}, menu open: {f}" for f in serious_axe_violations(page)]
    assert not findings, "\n".join(findings)


def test_the_administrator_lands_on_their_work(open_page, live_server, db):
    """The demo's `admin` account, member of no partnership: the start page leads to the
    installation's work, its menu holds no page it may not open, axe finds nothing serious."""
    from django.contrib.auth import get_user_model

    from tests.browser.conftest import session_cookie
    from tests.factories import PASSWORD

    admin = get_user_model().objects.create_superuser("admin", "", PASSWORD)
    for device in ("phone", "desktop"):
        page = open_page(device, bypass_csp=True)
        page.context.add_cookies([session_cookie(admin, live_server.url)])
        page.goto("/")
        page.get_by_role("heading", name="Installationen", exact=True).wait_for()
        assert page.get_by_text("Du saknar behörighet").count() == 0
        assert page.get_by_role("link", name="Skapa en samverkan").is_visible()
        if device == "phone":
            page.get_by_role("button", name="Meny").click()
        menu = page.get_by_role("navigation", name="Huvudmeny")
        assert menu.get_by_role("link", name="Rapportera").count() == 0
        assert menu.get_by_role("link", name="Administrationsgränssnittet").is_visible()
        assert not serious_axe_violations(page), device
