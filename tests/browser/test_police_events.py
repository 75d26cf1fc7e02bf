"""The police's notices on the incident map: a layer of its own, off until asked for."""

import pytest

from lagesbild.policeevents import services
from tests.browser.steps import serious_axe_violations
from tests.policeevents.conftest import EVENTS, read, record

pytestmark = pytest.mark.browser


@pytest.fixture
def notices(partnership_a):
    partnership_a.municipality_code = "0163"
    partnership_a.save()
    services.import_records(read(EVENTS))
    services.import_records([record(410712, id=999003, summary="Bråk vid Torget.")])


def test_the_map_layer_shows_the_police_notices_apart(open_page, member_a, notices):
    page = open_page("desktop", member=member_a)
    page.goto("/handelser/karta/")
    page.get_by_text("0 händelser på kartan.").wait_for()
    assert page.locator(".police-count").count() == 0
    page.get_by_label("Visa polisens händelsenotiser", exact=False).check()
    page.get_by_text("5 polisnotiser i urvalet (räknas inte in i händelserna).").wait_for()
    counts = sorted(page.locator(".police-count").all_inner_texts())
    assert counts == ["1", "4"]  # Norr (by the place "Torget") and Sollentuna's centre
    page.get_by_label("Visa polisens händelsenotiser", exact=False).uncheck()
    page.locator(".police-count").first.wait_for(state="detached")


def test_the_police_pages_have_no_serious_accessibility_violations(
    open_page, coordinator_a, notices
):
    page = open_page("desktop", member=coordinator_a, bypass_csp=True)
    found = []
    for url in ("/polisen/", "/polisen/typer/", "/polisen/?week=x"):
        page.goto(url)
        found += [f"{url}: {v}" for v in serious_axe_violations(page)]
    page.goto("/handelser/karta/")
    page.get_by_label("Visa polisens händelsenotiser", exact=False).check()
    page.get_by_text("polisnotiser i urvalet", exact=False).wait_for()
    found += [f"map: {v}" for v in serious_axe_violations(page)]
    assert not found, "\n".join(found)


def test_the_police_pages_fit_a_phone(open_page, coordinator_a, notices):
    page = open_page("phone", member=coordinator_a)
    too_wide = []
    for url in ("/polisen/", "/polisen/typer/"):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide.append(f"{url}: {width} px")
    assert not too_wide
