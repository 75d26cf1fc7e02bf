"""Importing incidents from CSV and Excel: same rules as the form, all or nothing."""

import io

import pytest
from openpyxl import Workbook

from lagesbild.incidents.importers.tabular import ImportFormatError, read_csv, read_xlsx
from lagesbild.incidents.imports import import_incidents, parse_time
from lagesbild.incidents.models import Incident

CSV = (
    "\ufeffExternt id;Inträffade;Kategori;Allvarlighetsgrad;Longitud;Latitud;Plats;Beskrivning\n"
    "A-1;2025-03-01 21:30;klotter;1;17,905;59,435;;Klotter på väggen\n"
    "A-2;2025-03-02 08:00;Bilbrand;mycket allvarlig;;;Torget;Bil brann vid torget\n"
)


def test_reads_swedish_csv_with_semicolons_and_decimal_commas():
    rows = read_csv(CSV)
    assert rows[0]["external_id"] == "A-1"
    assert rows[0]["lon"] == "17,905"
    assert rows[1]["place"] == "Torget"


def test_reads_xlsx():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Inträffade", "Kategori", "Longitud", "Latitud"])
    sheet.append(["2025-03-01 21:30", "klotter", 17.905, 59.435])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_xlsx(buffer.getvalue()) == [
        {"occurred_at": "2025-03-01 21:30", "category": "klotter", "lon": "17.905", "lat": "59.435"}
    ]


def test_missing_columns_are_explained():
    with pytest.raises(ImportFormatError, match="saknar kolumnerna"):
        read_csv("Beskrivning\nnågot\n")


def test_import_creates_incidents_and_is_idempotent(coordinator_a):
    rows = read_csv(CSV)
    first = import_incidents(membership=coordinator_a, rows=rows)
    assert (first.created, first.errors) == (2, [])
    again = import_incidents(membership=coordinator_a, rows=rows)
    assert (again.created, again.already_imported) == (0, 2)
    fire = Incident.objects.get(external_id="A-2")
    assert (fire.source, fire.severity, fire.place.name) == ("import", 3, "Torget")


def test_one_bad_row_imports_nothing_by_default(coordinator_a):
    rows = read_csv(CSV + "A-3;2025-03-03 10:00;klotter;1;17,905;59,435;;Ring 811218-9876\n")
    result = import_incidents(membership=coordinator_a, rows=rows)
    assert result.created == 0
    assert result.errors[0][0] == 4
    assert "personnummer" in result.errors[0][1][0].lower()
    assert Incident.objects.count() == 0


def test_skip_invalid_imports_the_good_rows(coordinator_a):
    rows = read_csv(CSV + "A-3;i morgon;okänd;1;17,905;59,435;;\n")
    result = import_incidents(membership=coordinator_a, rows=rows, skip_invalid=True)
    assert result.created == 2
    assert len(result.errors) == 1
    assert Incident.objects.count() == 2


def test_phone_numbers_need_accept_warnings(coordinator_a):
    rows = read_csv(CSV.replace("Klotter på väggen", "Jour 070-123 45 67"))
    assert import_incidents(membership=coordinator_a, rows=rows).created == 0
    assert import_incidents(membership=coordinator_a, rows=rows, accept_warnings=True).created == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The police's feed: a one-digit hour and an offset.
        ("2025-01-01 0:49:20 +01:00", "2025-01-01T00:49:20+01:00"),
        ("2025-06-30 9:05 +0200", "2025-06-30T09:05:00+02:00"),
        ("2025-06-30T9:05Z", "2025-06-30T09:05:00+00:00"),
        ("2025-06-30 9:05", "2025-06-30T09:05:00"),
        ("2025-06-30 21:05:10", "2025-06-30T21:05:10"),
        ("30/06/2025 9:05", "2025-06-30T09:05:00"),
    ],
)
def test_times_with_a_one_digit_hour_are_read(text, expected):
    assert parse_time(text).isoformat() == expected


@pytest.mark.parametrize(
    "text", ["2025-01-01 24:00", "2025-01-01 9:60", "2025-02-30 9:05", "2025-01-01 9:05 +25:00"]
)
def test_impossible_times_are_not_read(text):
    assert parse_time(text) is None
