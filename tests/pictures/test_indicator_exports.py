"""Indicators in the weekly picture's exports: an "Indikatorer" sheet in the Excel file and
section in the PDF with each area's latest value, change and flag in words, for the
indicators the reader may see, as the page shows them."""

import io
import shutil
import subprocess
from datetime import date, timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.indicators import services
from lagesbild.pictures import runs
from tests.conftest import client_for
from tests.factories import make_incident
from tests.indicators.helpers import make_indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(member_a) -> int:
    code = weeks.shift(weeks.week_code(timezone.now()), -1)
    make_incident(member_a, occurred_at=weeks.bounds(code)[0] + timedelta(hours=10))
    runs.run_now(member_a.partnership, weeks.iso(code))
    return code


def _indicators(coordinator):
    norr = coordinator.partnership.areas.get(name="Norr")
    cost = make_indicator(coordinator, name="Kostnad qqExport")
    history = [100, 104, 98, 101, 99, 102, 100, 103, 97, 100, 101, 99]
    entries = [services.Entry(norr, date(2025, m, 1), v) for m, v in enumerate(history, 1)]
    entries.append(services.Entry(norr, date(2026, 1, 1), 180))
    services.save_values(membership=coordinator, indicator=cost, entries=entries)
    hidden = make_indicator(coordinator, name="Intern qqHidden", visibility="analysts")
    services.save_values(
        membership=coordinator,
        indicator=hidden,
        entries=[services.Entry(norr, date(2026, 1, 1), 5)],
    )


def _download(membership, code: int, fmt: str) -> bytes:
    response = client_for(membership).get(reverse("pictures:export", args=[weeks.iso(code), fmt]))
    assert response.status_code == 200
    return response.content


def test_the_excel_file_has_an_indicator_sheet_with_numbers(coordinator_a, member_a, week):
    _indicators(coordinator_a)
    book = openpyxl.load_workbook(io.BytesIO(_download(member_a, week, "xlsx")))
    assert book.sheetnames[-1] == "Indikatorer"
    rows = list(book["Indikatorer"].iter_rows(values_only=True))
    header = rows[0]
    cost = dict(zip(header, rows[1], strict=True))
    assert cost["Indikator"] == "Kostnad qqExport"
    assert (cost["Område"], cost["Period"], cost["Enhet"]) == ("Norr", "2026-01", "kr")
    assert (cost["Senaste värde"], cost["Förändring"]) == (180, 81)
    assert cost["Avvikelse"] == "Sämre än vanligt"
    assert "qqHidden" not in str(rows)
    assert "som de är i dag" in str(rows[-1][0])


def test_without_visible_indicators_there_is_no_sheet(coordinator_a, reporter_a, week):
    _indicators(coordinator_a)
    reporter_a.partnership.reporters_see_picture = True
    reporter_a.partnership.save()
    book = openpyxl.load_workbook(io.BytesIO(_download(reporter_a, week, "xlsx")))
    assert "Indikatorer" not in book.sheetnames


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) is missing")
def test_the_pdf_has_an_indicator_section_with_flags_in_words(
    coordinator_a, member_a, week, tmp_path
):
    _indicators(coordinator_a)
    path = tmp_path / "lagesbild.pdf"
    path.write_bytes(_download(member_a, week, "pdf"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    words = " ".join(text.split())
    assert "Indikatorer" in words and "Kostnad qqExport (kr" in words
    assert "Sämre än vanligt." in words and "+81" in words
    assert "qqHidden" not in words
