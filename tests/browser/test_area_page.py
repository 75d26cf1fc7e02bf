"""The area page and the indicator map layer in a browser: a member goes from the picture's
matrix to an area's page, which has no serious accessibility findings and fits a phone; on
the picture map an indicator layer is switched on and its legend (unit, period, deviating
areas, the link to the table) appears, with no script error or blocked style."""

import pytest
from django.urls import reverse
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.indicators import periods
from lagesbild.indicators.models import Indicator, IndicatorValue
from tests.browser.picture.accessibility import axe_findings
from tests.browser.picture.history import build_burst, last_week
from tests.browser.steps import tab_to

pytestmark = pytest.mark.browser


def _cost(partnership, week: int) -> Indicator:
    """A monthly cost; Norr's latest month is far above its usual, Söder's is not."""
    indicator = Indicator.objects.create(
        partnership=partnership,
        name="Kostnad för skadegörelse",
        unit="kr",
        period="month",
        scale="amount",
        source="Bostadsbolaget",
    )
    latest = periods.shift("month", periods.start("month", weeks.monday(week)), -1)
    for name, usual in (("Norr", 12_000), ("Söder", 8_000)):
        area = partnership.areas.get(name=name)
        for k in range(13):
            jump = 3 if name == "Norr" and k == 0 else 1
            IndicatorValue.objects.create(
                indicator=indicator,
                area=area,
                period_kind="month",
                period_start=periods.shift("month", latest, -k),
                value=usual * jump + (k % 3 - 1) * 500,
                entered_at=timezone.now(),
            )
    return indicator


def test_from_the_picture_to_an_area_page_and_the_indicator_layer(
    open_page, coordinator_a, member_a
):
    partnership = coordinator_a.partnership
    week = last_week(partnership)
    build_burst(member_a, week)
    _cost(partnership, week)
    norr = partnership.areas.get(name="Norr")

    page = open_page("desktop", member=member_a)
    page.goto(reverse("pictures:week", args=[weeks.iso(week)]))
    page.locator(".leaflet-control-layers").first.wait_for()
    # By keyboard: from the map, Tab reaches the labelled group of indicator layers and an
    # arrow key chooses one.
    layers = page.get_by_role("radiogroup", name="Indikatorlager")
    assert layers.get_by_label("Inget indikatorlager").is_checked()
    page.locator("#picture-map").focus()
    tab_to(page, ".leaflet-control-layers-base input:checked")
    page.keyboard.press("ArrowDown")
    assert layers.get_by_label("Indikator: Kostnad för skadegörelse").is_checked()
    legend = page.locator("#indicator-legend")
    legend.get_by_text("Kostnad för skadegörelse, senaste värde per område (kr)").wait_for()
    assert "Streckad röd kant" in legend.inner_text()
    # Every area's value and class in words, not by colour alone.
    legend.get_by_text("Områdenas värden och klasser (2)").click()
    listed = legend.locator("details li").all_inner_texts()
    assert [line.split(":")[0] for line in listed] == ["Norr", "Söder"]
    assert "Sämre än vanligt" in listed[0] and "≥" in listed[0]
    month = periods.label(
        "month", periods.shift("month", periods.start("month", weeks.monday(week)), -1)
    )
    assert month in legend.inner_text()
    legend.get_by_role("link", name="Samma siffror som tabell under Indikatorer").click()
    page.get_by_label("Inget indikatorlager").check()
    assert legend.is_hidden()

    page.locator("table.matrix").get_by_role("link", name="Norr", exact=True).click()
    page.get_by_role("heading", name="Norr", level=1).wait_for()
    indicators = page.locator("#indikatorer")
    assert "Sämre än vanligt" in indicators.inner_text()
    area_url = reverse("pictures:area", args=[norr.pk])
    assert page.url.endswith(area_url)

    checked = open_page("desktop", member=member_a, bypass_csp=True)
    findings = axe_findings(checked, area_url) + axe_findings(checked, reverse("pictures:areas"))
    assert findings == []

    phone = open_page("phone", member=member_a)
    phone.goto(area_url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
