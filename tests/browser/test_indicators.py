"""An indicator from definition to the weekly picture, in a browser: the coordinator defines
the housing company's monthly vandalism cost, uploads a year and a month of values from an
Excel file (preview first, nothing saved until "Importera"), and sees the latest month with
its change and flag in the week's picture, on pages without serious accessibility findings."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from lagesbild.incidents import weeks
from lagesbild.indicators import periods
from lagesbild.indicators.models import Indicator, IndicatorValue
from tests.browser.picture.accessibility import axe_findings
from tests.browser.picture.history import build_burst, last_week
from tests.browser.steps import log_in, screenshot_for_docs
from tests.indicators.helpers import at, notice

pytestmark = pytest.mark.browser


def _workbook(path, partnership, today: date) -> None:
    """Thirteen whole months for Norr and Söder; Norr's latest month is three times usual."""
    norr, soder = (partnership.areas.get(name=n) for n in ("Norr", "Söder"))
    latest = periods.shift("month", periods.start("month", today), -1)
    book = Workbook()
    sheet = book.active
    sheet.append(["Område", "Period", "Värde"])
    for k in range(12, -1, -1):
        month = periods.shift("month", latest, -k)
        wobble = (k % 3 - 1) * 500
        sheet.append([norr.code, month.strftime("%Y-%m"), 12_000 * (3 if k == 0 else 1) + wobble])
        sheet.append([soder.name, month, 8_000 + wobble])
    book.save(path)


def test_coordinator_defines_uploads_and_sees_an_indicator_in_the_picture(
    open_page, coordinator_a, member_a, tmp_path
):
    partnership = coordinator_a.partnership
    week = last_week(partnership)
    build_burst(member_a, week)

    page = open_page("desktop", bypass_csp=True)  # axe-core is injected as an inline script
    log_in(page, coordinator_a)
    page.get_by_role("navigation").get_by_role("link", name="Indikatorer").click()
    page.get_by_role("link", name="Ny indikator").click()
    page.get_by_label("Namn").fill("Kostnad för skadegörelse")
    page.get_by_label("Enhet").fill("kr")
    page.get_by_label("Period").select_option(label="Månad")
    page.get_by_label("Slag").select_option(value="amount")
    page.get_by_label("Riktning").select_option(label="Högre är sämre")
    page.get_by_label("Källa").fill("Bostadsbolaget")
    page.get_by_role("button", name="Spara").click()
    page.get_by_text("Indikatorn är skapad.").wait_for()
    indicator = Indicator.objects.get(partnership=partnership)
    form_findings = [
        *axe_findings(page, reverse("indicators:list")),
        *axe_findings(page, reverse("indicators:create")),
        *axe_findings(page, reverse("indicators:enter", args=[indicator.pk])),
    ]
    page.goto(reverse("indicators:detail", args=[indicator.pk]))

    upload = reverse("indicators:upload", args=[indicator.pk])
    page.get_by_role("link", name="Ladda upp en fil").click()
    page.wait_for_url(f"**{upload}")  # else axe_findings' goto could cross the link's page
    upload_findings = axe_findings(page, upload)
    today = weeks.monday(week)
    _workbook(tmp_path / "varden.xlsx", partnership, today)
    page.get_by_label("Fil med värden").set_input_files(str(tmp_path / "varden.xlsx"))
    page.get_by_label("Källa för värdena").fill("Bolagets ekonomisystem")
    page.get_by_role("button", name="Förhandsgranska").click()
    page.get_by_text("26 nya värden, 0 ändrade, 0 med fel.").wait_for()
    preview_findings = axe_findings(page, page.url)
    assert not IndicatorValue.objects.exists()  # the preview is a dry run
    page.get_by_role("button", name="Importera").click()
    page.get_by_text("26 nya värden, 0 ändrade och 0 oförändrade.").wait_for()
    assert set(IndicatorValue.objects.values_list("source_note", flat=True)) == {
        "Bolagets ekonomisystem"
    }
    detail_findings = axe_findings(page, reverse("indicators:detail", args=[indicator.pk]))
    screenshot_for_docs(page, "indicator")

    page.goto(reverse("pictures:week", args=[weeks.iso(week)]))
    section = page.locator("#indikatorer")
    section.get_by_role("heading", name="Kostnad för skadegörelse").wait_for()
    norr_row = section.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Norr"))
    assert "Sämre än vanligt" in norr_row.inner_text()
    assert "+23500" in norr_row.inner_text()  # 35 500 against 12 000 the month before
    picture_findings = axe_findings(page, page.url)
    findings = form_findings + upload_findings + preview_findings + detail_findings
    assert findings + picture_findings == []


def test_indicator_pages_fit_a_phone(open_page, coordinator_a, member_a):
    """Every indicator page, and the picture with its section, at 390 px: wide tables scroll
    inside their boxes, the page itself never widens."""
    partnership = coordinator_a.partnership
    week = last_week(partnership)
    build_burst(member_a, week)
    indicator = Indicator.objects.create(
        partnership=partnership,
        name="Andel som känner sig otrygga ute ensamma sent en kväll i sitt bostadsområde",
        unit="%",
        period="month",
        scale="share",
        source="Kommunens trygghetsenkät",
    )
    norr = partnership.areas.get(name="Norr")
    latest = periods.shift("month", periods.start("month", weeks.monday(week)), -1)
    for k in range(13):
        IndicatorValue.objects.create(
            indicator=indicator,
            area=norr,
            period_kind="month",
            period_start=periods.shift("month", latest, -k),
            value=20 + k % 4,
            sample_size=300,
            entered_at=timezone.now(),
        )
    pages = [
        reverse("indicators:list"),
        reverse("indicators:detail", args=[indicator.pk]),
        reverse("indicators:enter", args=[indicator.pk]),
        reverse("indicators:upload", args=[indicator.pk]),
        reverse("indicators:edit", args=[indicator.pk]),
        reverse("pictures:week", args=[weeks.iso(week)]),
    ]
    page = open_page("phone", member=coordinator_a)
    too_wide = []
    for url in pages:
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide.append(f"{url}: {width} px")
    assert too_wide == []


def test_coordinator_adds_the_police_events_indicator(open_page, coordinator_a):
    """With a municipality code the list offers the built-in police indicator; the
    coordinator adds it per month, counting only vandalism (a checkbox in a fieldset), and
    lands on its page, which says it is counted, what it counts and has no forms for values;
    later the edit page widens the choice to every type. The pages without serious
    accessibility findings."""
    partnership = coordinator_a.partnership
    partnership.municipality_code = "0163"
    partnership.save()
    notice(partnership, at(date(2026, 2, 3)))
    notice(partnership, at(date(2026, 2, 4)), kind="Trafikolycka")
    page = open_page("desktop", bypass_csp=True)  # axe-core is injected as an inline script
    log_in(page, coordinator_a)
    list_findings = axe_findings(page, reverse("indicators:list"))
    page.get_by_label("Räkna per").select_option(label="Månad")
    types = page.get_by_role("group", name="Händelsetyper som räknas")
    types.get_by_label("Skadegörelse (1)").check()
    page.get_by_role("button", name="Lägg till Polisens händelser").click()
    page.get_by_text("Indikatorn är tillagd och räknad från polisens notiser.").wait_for()
    indicator = Indicator.objects.get(partnership=partnership, counted_from="police_events")
    assert indicator.police_event_types == ["Skadegörelse"]
    assert page.get_by_role("note").filter(has_text="kan inte matas in").is_visible()
    assert page.get_by_text("Räknar: Skadegörelse").is_visible()
    assert page.get_by_role("link", name="Ladda upp en fil").count() == 0
    detail_findings = axe_findings(page, reverse("indicators:detail", args=[indicator.pk]))
    edit_findings = axe_findings(page, reverse("indicators:edit", args=[indicator.pk]))
    page.get_by_role("group", name="Händelsetyper som räknas").get_by_label(
        "Skadegörelse (1)"
    ).uncheck()
    page.get_by_role("button", name="Spara").click()
    page.get_by_text("Räknar alla händelsetyper").wait_for()
    assert list_findings + detail_findings + edit_findings == []
