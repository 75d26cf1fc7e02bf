"""A new approved version says how the indicators changed since the version before: worked
out for each reader when read, so a member never sees a line about an indicator for
coordinators and analysts only, and the content every member and the API read holds none."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from lagesbild.indicators import services
from lagesbild.indicators.models import Indicator, PictureIndicators
from lagesbild.pictures.models import Picture
from tests.api.helpers import API, bearer
from tests.conftest import client_for
from tests.indicators.helpers import HISTORY, enter_value, make_indicator, picture_page
from tests.pictures.helpers import pdf_text

pytestmark = pytest.mark.django_db
CHANGES = "Ändrat mot föregående version"


def _indicator(coordinator, name: str, history=HISTORY, latest: float = 180.0, **fields):
    """A monthly cost in Norr: a year of `history` in 2025, then `latest` in January 2026."""
    indicator = make_indicator(coordinator, name=name, **fields)
    norr = coordinator.partnership.areas.get(name="Norr")
    entries = [services.Entry(norr, date(2025, m, 1), v) for m, v in enumerate(history, 1)]
    services.save_values(membership=coordinator, indicator=indicator, entries=entries)
    enter_value(coordinator, indicator, latest)
    return indicator


def _approve(coordinator, week: str, note: str = "") -> None:
    data = {"change_note": note} if note else {}
    client_for(coordinator).post(reverse("pictures:approve", args=[week]), data)


def test_a_changed_value_is_listed_for_the_coordinator(coordinator_a, week):
    indicator = _indicator(coordinator_a, "Kostnad qqChanged")
    _approve(coordinator_a, week)
    enter_value(coordinator_a, indicator, 98.5)  # a correction of January's value
    _approve(coordinator_a, week, "Rättat värde")
    assert Picture.objects.filter(period=week).count() == 2

    page = picture_page(coordinator_a, "version", week, 2)
    assert CHANGES in page
    # The decimal comma as in the section's own table; the flag went back to normal.
    assert (
        "Kostnad qqChanged, Norr: 180 kr → 98,5 kr (flagga Sämre än vanligt → Som vanligt)." in page
    )
    # The first version has nothing to compare with.
    assert CHANGES not in picture_page(coordinator_a, "version", week, 1)


def test_a_new_period_and_an_unchanged_flag(coordinator_a, week):
    indicator = _indicator(coordinator_a, "Kostnad qqPeriod")
    _approve(coordinator_a, week)
    enter_value(coordinator_a, indicator, 190, date(2026, 2, 1))
    _approve(coordinator_a, week, "Februari kom in")
    assert (
        "Kostnad qqPeriod, Norr: 180 kr för 2026-01 → 190 kr för 2026-02 (sämre än vanligt)."
        in picture_page(coordinator_a, "version", week, 2)
    )


def test_a_changed_flag_alone_is_listed(coordinator_a, week):
    indicator = _indicator(coordinator_a, "Kostnad qqFlag")
    _approve(coordinator_a, week)
    # History corrected to around 180: January's unchanged 180 is now ordinary.
    norr = coordinator_a.partnership.areas.get(name="Norr")
    history = [v + 80 for v in HISTORY]
    entries = [services.Entry(norr, date(2025, m, 1), v) for m, v in enumerate(history, 1)]
    services.save_values(membership=coordinator_a, indicator=indicator, entries=entries)
    _approve(coordinator_a, week, "Historiken rättad")
    assert "Kostnad qqFlag, Norr: flagga Sämre än vanligt → Som vanligt." in picture_page(
        coordinator_a, "version", week, 2
    )


def test_members_see_lines_only_for_indicators_they_may_see(
    coordinator_a, analyst_a, member_a, week
):
    shared = _indicator(coordinator_a, "Kostnad qqShared")
    hidden = _indicator(coordinator_a, "Kostnad qqHidden", visibility="analysts")
    _approve(coordinator_a, week)
    enter_value(coordinator_a, shared, 250)
    enter_value(coordinator_a, hidden, 260)
    _approve(coordinator_a, week, "Nya värden")

    shared_line = "Kostnad qqShared, Norr: 180 kr → 250 kr (sämre än vanligt)."
    hidden_line = "Kostnad qqHidden, Norr: 180 kr → 260 kr (sämre än vanligt)."
    member_page = picture_page(member_a, "version", week, 2)
    assert shared_line in member_page and "qqHidden" not in member_page
    analyst_page = picture_page(analyst_a, "version", week, 2)
    assert shared_line in analyst_page and hidden_line in analyst_page
    # Nothing of it is frozen in the content the API hands to every member.
    api = bearer(member_a).get(f"{API}/pictures/{week}/versions/2").content.decode()
    assert "qqShared" not in api and "qqHidden" not in api
    # The version's Excel file lists them as the page does, for its reader.
    export = client_for(member_a).get(reverse("pictures:export_version", args=[week, 2, "xlsx"]))
    summary = [row[0] for row in openpyxl.load_workbook(io.BytesIO(export.content)).active.values]
    assert shared_line in summary and not any("qqHidden" in str(line) for line in summary)


def test_unchanged_indicators_give_no_line(coordinator_a, week):
    _indicator(coordinator_a, "Kostnad qqSame")
    _approve(coordinator_a, week)
    _approve(coordinator_a, week, "Bara en kommentar")
    page = picture_page(coordinator_a, "version", week, 2)
    assert "Kostnad qqSame</a>" in page  # the section shows it, as frozen
    assert "qqSame, Norr" not in page and CHANGES not in page


def test_indicators_that_came_and_went(coordinator_a, week):
    old = _indicator(coordinator_a, "Kostnad qqOld")
    _approve(coordinator_a, week)
    services.change_indicator(actor=coordinator_a.user, indicator=old, active=False)
    _indicator(coordinator_a, "Kostnad qqNew")
    _approve(coordinator_a, week, "Ny indikator")
    page = picture_page(coordinator_a, "version", week, 2)
    assert "Indikatorn Kostnad qqNew tillkom." in page
    assert "Indikatorn Kostnad qqOld föll bort." in page


def test_a_new_choice_of_police_event_types_is_listed(coordinator_a, member_a, week):
    indicator = _indicator(coordinator_a, "Kostnad qqTypes")
    # Its values stand in for counted notices; only what it counts matters here.
    counted = Indicator.objects.filter(pk=indicator.pk)
    counted.update(counted_from="police_events", police_event_types=[])
    _approve(coordinator_a, week)
    counted.update(police_event_types=["Skadegörelse"])
    _approve(coordinator_a, week, "Bara skadegörelse")
    line = "Indikatorn Kostnad qqTypes räknar andra händelsetyper: alla typer → Skadegörelse."
    assert line in picture_page(member_a, "version", week, 2)

    # A version frozen before the choice was frozen with it reads as not counted: its empty
    # list is not taken for "every type".
    first = PictureIndicators.objects.get(picture__period=week, picture__version=1)
    for section in first.sections:
        del section["counted_from"], section["police_event_types"]
    first.save()
    assert "qqTypes räknar" not in picture_page(member_a, "version", week, 2)


def test_a_periodic_version_lists_its_changes(coordinator_a, member_a):
    indicator = _indicator(coordinator_a, "Kostnad qqQuarter")
    enter_value(coordinator_a, indicator, 150, date(2026, 8, 1))
    approve = reverse("pictures:period_approve", args=["2026-Q3"])
    client_for(coordinator_a).post(approve, {"confirm": "on", "change_note": "Kvartalet"})
    enter_value(coordinator_a, indicator, 155, date(2026, 8, 1))
    client_for(coordinator_a).post(approve, {"confirm": "on", "change_note": "Rättat"})
    page = picture_page(member_a, "period_version", "2026-Q3", 2)
    assert CHANGES in page and "Kostnad qqQuarter, Norr: 150 kr → 155 kr" in page


def test_a_periodic_versions_files_list_its_changes_for_the_reader(
    coordinator_a, member_a, tmp_path
):
    shared = _indicator(coordinator_a, "Kostnad qqQuarterFile")
    hidden = _indicator(coordinator_a, "Kostnad qqQuarterHidden", visibility="analysts")
    for indicator in (shared, hidden):
        enter_value(coordinator_a, indicator, 150, date(2026, 8, 1))
    approve = reverse("pictures:period_approve", args=["2026-Q3"])
    client_for(coordinator_a).post(approve, {"confirm": "on", "change_note": "Kvartalet"})
    for indicator in (shared, hidden):
        enter_value(coordinator_a, indicator, 155, date(2026, 8, 1))
    client_for(coordinator_a).post(approve, {"confirm": "on", "change_note": "Rättat"})

    def export(membership, version: int, fmt: str) -> bytes:
        url = reverse("pictures:period_export_version", args=["2026-Q3", version, fmt])
        response = client_for(membership).get(url)
        assert response.status_code == 200
        return response.content

    def summary(membership, version: int) -> list:
        book = openpyxl.load_workbook(io.BytesIO(export(membership, version, "xlsx")))
        return [row[0] for row in book["Sammanfattning"].values]

    line = "Kostnad qqQuarterFile, Norr: 150 kr → 155 kr"
    hidden_line = "Kostnad qqQuarterHidden, Norr: 150 kr → 155 kr"
    lines = summary(member_a, 2)
    assert CHANGES in lines
    assert any(str(cell).startswith(line) for cell in lines)
    assert not any(str(cell).startswith(hidden_line) for cell in lines)
    assert any(str(cell).startswith(hidden_line) for cell in summary(coordinator_a, 2))
    assert CHANGES not in summary(member_a, 1)  # the first version has nothing to compare with

    pdf = " ".join(pdf_text(export(member_a, 2, "pdf"), tmp_path).split())
    # The PDF's fonts write the arrow as "->", as in the weekly PDF.
    assert "Kostnad qqQuarterFile, Norr: 150 kr -> 155 kr" in pdf
    assert "qqQuarterHidden" not in pdf
    first = " ".join(pdf_text(export(member_a, 1, "pdf"), tmp_path).split())
    assert "qqQuarterFile" not in first
