"""Browsing on a desktop: the weekly table's numbers lead to the same incidents in the list,
and the map draws areas and incidents without a tile server."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lagesbild.incidents import weeks
from tests.browser.steps import painted_pixels, screenshot_for_docs
from tests.factories import make_incident

pytestmark = pytest.mark.browser


@pytest.fixture
def this_week(reporter_a) -> None:
    """Last week (the one the weekly table opens on): three graffiti reports in Norr (and a
    rejected one, which does not count) and a car fire in Söder; the week before one graffiti
    report in Norr."""
    partnership = reporter_a.partnership
    norr, soder = (partnership.areas.get(name=name) for name in ("Norr", "Söder"))
    last = weeks.shift(weeks.week_code(timezone.now(), partnership.time_zone), -1)
    week_start, _ = weeks.bounds(last, partnership.time_zone)
    moment = week_start + timedelta(days=2, hours=12)
    for _ in range(3):
        make_incident(reporter_a, category="klotter", area=norr, occurred_at=moment)
    make_incident(reporter_a, category="klotter", area=norr, occurred_at=moment, status="rejected")
    make_incident(reporter_a, category="bilbrand", area=soder, occurred_at=moment)
    make_incident(
        reporter_a, category="klotter", area=norr, occurred_at=week_start - timedelta(days=2)
    )


def test_weekly_table_cell_leads_to_its_incidents(open_page, member_a, this_week):
    # Wide enough for every column of the table, as on the screen at a weekly meeting.
    page = open_page("desktop", member=member_a, viewport={"width": 1680, "height": 720})
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name="Veckotabell").click()
    table = page.locator("table.weekly")
    # The header texts are read at once, not waited for: wait until the new page shows them.
    expect(table.get_by_role("columnheader", name="Skadegörelse")).to_be_visible()
    columns = table.locator("thead th").all_inner_texts()
    norr = table.locator("tbody tr", has=page.get_by_role("rowheader", name="Norr"))
    cell = norr.locator("th, td").nth(columns.index("Skadegörelse"))
    assert cell.get_by_role("link").inner_text() == "3"
    assert "fv +2" in cell.inner_text().replace("\xa0", " ")
    totals = table.locator("tfoot th, tfoot td")
    assert totals.nth(columns.index("Totalt")).get_by_role("link").inner_text() == "4"
    screenshot_for_docs(page, "weekly-table")

    cell.get_by_role("link", name="3 händelser, visa dem").click()
    page.get_by_text("3 händelser", exact=True).wait_for()
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(3)  # the rows follow that text in the page: wait for them too
    assert set(rows.locator("td:nth-child(3)").all_inner_texts()) == {"Klotter"}
    assert set(rows.locator("td:nth-child(4)").all_inner_texts()) == {"Norr"}


def test_map_draws_areas_and_incidents_without_tiles(open_page, member_a, this_week):
    page = open_page("desktop", member=member_a)
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name="Karta").click()
    page.get_by_text("5 händelser på kartan.").wait_for()  # the rejected one is not drawn
    assert painted_pixels(page, "#incidents-map") > 0
    assert page.locator("#incidents-map .leaflet-tile").count() == 0
