"""Hostile import files: each is refused with a clear Swedish message or ends in the per-row
report, never in a traceback, and a refused file saves nothing. Imports decide their review
state up front, so history never fills the review queue."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from lagesbild.incidents.importers import tabular
from lagesbild.incidents.importers.tabular import ImportFormatError, open_file
from lagesbild.incidents.imports import MAX_REPORTED_ROWS, import_incidents
from lagesbild.incidents.models import Incident
from tests.incidents import hostile_files as hostile


def _import(path: Path, partnership, user, *extra) -> str:
    call_command(
        "import_incidents",
        str(path),
        "--partnership",
        partnership.slug,
        "--user",
        user.username,
        *extra,
    )


def _refusal(path: Path, membership) -> str:
    with pytest.raises(CommandError) as refused:
        _import(path, membership.partnership, membership.user)
    assert Incident.objects.count() == 0
    return str(refused.value)


def test_millions_of_rows_in_a_small_xlsx_are_refused_before_they_are_read(
    coordinator_a, tmp_path, settings
):
    """3 million rows in a few hundred KB; the sheet ends in broken XML, so a reader that got
    to the end would fail differently: the refusal proves it stopped at the limit."""
    settings.IMPORT_MAX_ROWS = 250_000
    path = hostile.many_rows(tmp_path / "rader.xlsx", 3_000_000, broken_end=True)
    assert path.stat().st_size < 1024 * 1024
    message = _refusal(path, coordinator_a)
    assert "fler än 250 000 rader" in message
    assert "IMPORT_MAX_ROWS" in message


def test_a_row_numbered_past_the_limit_is_refused(tmp_path, settings):
    """openpyxl fills the gap before a row numbered 1,000,000 with empty rows."""
    settings.IMPORT_MAX_ROWS = 100
    row = '<row r="1000000"><c t="inlineStr"><is><t>x</t></is></c></row>'
    path = hostile.write_xlsx(tmp_path / "glapp.xlsx", [row])
    with pytest.raises(ImportFormatError, match="fler än 100 rader"):
        open_file(path)


def test_the_row_limit_allows_exactly_the_limit(coordinator_a, tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 3
    path = hostile.write_xlsx(
        tmp_path / "tre.xlsx", [hostile._row(hostile.valid_row(n)) for n in (1, 2, 3)]
    )
    result = import_incidents(membership=coordinator_a, rows=open_file(path))
    assert (result.created, result.refused) == (3, 0)
    settings.IMPORT_MAX_ROWS = 2
    with pytest.raises(ImportFormatError, match="fler än 2 rader"):
        open_file(path)


def test_a_csv_with_too_many_rows_is_refused_before_any_is_imported(
    coordinator_a, tmp_path, settings
):
    settings.IMPORT_MAX_ROWS = 5
    path = hostile.csv_file(tmp_path / "rader.csv", ["Klotter"] * 6)
    assert "fler än 5 rader" in _refusal(path, coordinator_a)


def test_a_file_over_the_size_limit_is_refused_unread(coordinator_a, tmp_path, settings):
    settings.IMPORT_MAX_FILE_MB = 1
    path = hostile.csv_file(tmp_path / "stor.csv", ["x" * 1000] * 1100)
    message = _refusal(path, coordinator_a)
    assert "mer än de 1 MB" in message
    assert "IMPORT_MAX_FILE_MB" in message


def test_a_cell_that_unpacks_past_the_limit_is_refused_from_the_zip_directory(
    coordinator_a, tmp_path, settings
):
    settings.IMPORT_MAX_UNPACKED_MB = 8
    path = hostile.huge_cell(tmp_path / "cell.xlsx", 16 * 1024 * 1024)
    assert path.stat().st_size < 100 * 1024
    message = _refusal(path, coordinator_a)
    assert "packas upp till 16 MB" in message
    assert "IMPORT_MAX_UNPACKED_MB" in message


def test_a_zip_bomb_under_the_unpacked_cap_is_refused_by_its_packing(coordinator_a, tmp_path):
    """The default cap on the unpacked size is large enough for a million rows; a small file
    that unpacks a thousand times over is still refused before the cell parser sees it."""
    path = hostile.huge_cell(tmp_path / "bomb.xlsx", 64 * 1024 * 1024)
    assert path.stat().st_size < 200 * 1024
    message = _refusal(path, coordinator_a)
    assert "mer än 100 gånger sin storlek" in message


def test_the_default_limits_take_a_city_history_of_a_million_rows():
    """A million rows are about 130 MB of CSV (benchmarks/history_import.py) or an .xlsx
    unpacking to about 430 MB; the wizard takes them without raising any setting."""
    limits = tabular.Limits.from_settings()
    assert limits.rows >= 1_000_000
    assert limits.file_bytes >= 150 * tabular.MB
    assert limits.unpacked_bytes >= 500 * tabular.MB


def test_a_long_cell_refuses_its_row_only(coordinator_a, tmp_path, settings):
    settings.IMPORT_MAX_CELL_CHARS = 10_000
    path = hostile.huge_cell(tmp_path / "lang.xlsx", 128 * 1024, rows_after=2)
    result = import_incidents(membership=coordinator_a, rows=open_file(path), skip_invalid=True)
    assert result.created == 2
    assert result.errors == [
        (2, ["Kolumnen Beskrivning är 131072 tecken lång; högst 10000 tecken går att importera."])
    ]


def test_a_128_kb_csv_field_is_a_row_error_not_a_traceback(coordinator_a, tmp_path):
    """The csv module's own limit is 128 KB (131,072 characters) and raises mid-file."""
    path = hostile.csv_file(tmp_path / "falt.csv", ["Klotter", "x" * (128 * 1024 + 1), "Klotter"])
    result = import_incidents(membership=coordinator_a, rows=open_file(path), skip_invalid=True)
    assert result.created == 2
    assert [number for number, _messages in result.errors] == [3]
    assert "Beskrivning" in result.errors[0][1][0]


@pytest.mark.parametrize("column", [1, 2, 5])
def test_a_nul_byte_refuses_its_row_naming_the_column(coordinator_a, tmp_path, column):
    row = hostile.valid_row(1)
    row[column] = row[column][:2] + "\x00" + row[column][2:]
    path = tmp_path / "nul.csv"
    lines = [";".join(hostile.HEADER), ";".join(row), ";".join(hostile.valid_row(2))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused = import_incidents(membership=coordinator_a, rows=open_file(path))
    assert refused.created == 0
    assert refused.errors == [
        (2, [f"Kolumnen {hostile.HEADER[column]} innehåller ett otillåtet tecken (NUL)."])
    ]
    assert Incident.objects.count() == 0
    kept = import_incidents(membership=coordinator_a, rows=open_file(path), skip_invalid=True)
    assert kept.created == 1


@pytest.mark.parametrize(
    ("dimension", "message"),
    [("A1:F3", "skadad efter rad 2"), ("", tabular.NOT_XLSX)],
    ids=["found while importing", "found while opening"],
)
def test_a_nul_in_the_sheet_xml_is_a_clear_refusal(coordinator_a, tmp_path, dimension, message):
    """XML cannot hold a NUL character: the parser stops and the import says so (where, if
    the sheet declares its size; otherwise openpyxl reads it all when opening the file)."""
    rows = [hostile._row(hostile.valid_row(1)), "<row><c t='inlineStr'><is><t>a\x00b</t>"]
    path = hostile.write_xlsx(tmp_path / "nul.xlsx", rows, dimension=dimension)
    assert message in _refusal(path, coordinator_a)


@pytest.mark.parametrize(
    "make",
    [
        hostile.not_an_xlsx_zip,
        lambda path: path.write_bytes(b"PK\x03\x04 inte alls en zip") and path,
        lambda path: path.write_bytes(b"") and path,
    ],
    ids=["zip", "broken zip", "empty"],
)
def test_what_is_not_an_xlsx_is_said_so(coordinator_a, tmp_path, make):
    path = tmp_path / "bok.xlsx"
    path = make(path) or path
    assert tabular.NOT_XLSX in _refusal(path, coordinator_a)


def test_a_windows_1252_csv_is_read_as_such(coordinator_a, tmp_path):
    path = tmp_path / "cp1252.csv"
    lines = [";".join(hostile.HEADER), ";".join([*hostile.valid_row(1)[:-1], "Klotter på förråd"])]
    path.write_bytes("\n".join(lines).encode("cp1252"))
    result = import_incidents(membership=coordinator_a, rows=open_file(path))
    assert result.created == 1
    assert Incident.objects.get().description == "Klotter på förråd"


def test_a_csv_in_neither_utf8_nor_windows_1252_is_refused_before_any_row(coordinator_a, tmp_path):
    path = tmp_path / "binar.csv"
    lines = [
        ";".join(hostile.HEADER).encode(),
        ";".join(hostile.valid_row(1)).encode(),
        b"\x81\x8d",
    ]
    path.write_bytes(b"\n".join(lines))
    assert "UTF-8 eller Windows-1252" in _refusal(path, coordinator_a)


def test_any_other_row_failure_lands_in_the_report(coordinator_a, tmp_path):
    """A severity too large for any integer, a coordinate that is not a number."""
    path = tmp_path / "fel.csv"
    header = ";".join(["Inträffade", "Kategori", "Allvarlighetsgrad", "Longitud", "Latitud"])
    path.write_text(
        f"{header}\n2025-03-01 21:30;klotter;1e400;17,905;59,435\n"
        "2025-03-01 21:30;klotter;1;nan;inf\n2025-03-01 21:30;klotter;1;17,905;59,435\n",
        encoding="utf-8",
    )
    result = import_incidents(membership=coordinator_a, rows=open_file(path), skip_invalid=True)
    assert result.created == 1
    assert [number for number, _messages in result.errors] == [2, 3]


def test_the_report_keeps_the_first_rows_and_counts_the_rest(coordinator_a, tmp_path):
    path = hostile.csv_file(tmp_path / "fel.csv", ["\x00"] * (MAX_REPORTED_ROWS + 5))
    result = import_incidents(membership=coordinator_a, rows=open_file(path))
    assert result.refused == MAX_REPORTED_ROWS + 5
    assert len(result.errors) == MAX_REPORTED_ROWS


# --- the review state ---------------------------------------------------------------------


def test_imported_history_is_accepted_and_stays_out_of_the_review_queue(
    coordinator_a, tmp_path, login
):
    path = hostile.csv_file(tmp_path / "historik.csv", ["Klotter A", "Klotter B", "Klotter C"])
    _import(path, coordinator_a.partnership, coordinator_a.user)
    assert Incident.objects.count() == 3
    assert set(Incident.objects.values_list("status", flat=True)) == {Incident.Status.ACCEPTED}
    page = login(coordinator_a).get(reverse("incidents:review")).content.decode()
    assert "Klotter A" not in page


def test_an_import_can_ask_for_review(coordinator_a, tmp_path, login):
    path = hostile.csv_file(tmp_path / "nytt.csv", ["Klotter A", "Klotter B"])
    _import(path, coordinator_a.partnership, coordinator_a.user, "--review", "waiting")
    assert set(Incident.objects.values_list("status", flat=True)) == {Incident.Status.NEW}
    page = login(coordinator_a).get(reverse("incidents:review")).content.decode()
    assert "Klotter A" in page


def test_the_service_refuses_a_review_state_it_does_not_know(coordinator_a):
    with pytest.raises(ValueError, match="accepted or waits"):
        import_incidents(membership=coordinator_a, rows=[], review=Incident.Status.REJECTED)


def test_a_sheet_that_claims_a_million_rows_is_read_as_the_rows_it_has(coordinator_a, tmp_path):
    """Excel's <dimension> may overstate; openpyxl would pad the sheet with empty rows to it."""
    rows = [hostile._row(hostile.valid_row(n)) for n in (1, 2)]
    path = hostile.write_xlsx(tmp_path / "stor.xlsx", rows, dimension="A1:XFD1000000")
    result = import_incidents(membership=coordinator_a, rows=open_file(path))
    assert (result.rows, result.created) == (2, 2)


def test_an_import_analyses_its_weeks_in_one_job(
    coordinator_a, tmp_path, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """Not a run per week (ten years of history queued 262 runs): one background job walks
    the imported range, every week in it, in order."""
    from lagesbild.pictures import runs, tasks

    jobs, computed = [], []
    real_enqueue = tasks.execute_week_range.enqueue
    monkeypatch.setattr(
        type(tasks.execute_week_range),
        "enqueue",
        lambda task, *args: jobs.append(args) or real_enqueue(*args),
    )
    monkeypatch.setattr(runs, "request_run", lambda *args: pytest.fail("a run per week"))
    monkeypatch.setattr(runs, "run_now", lambda partnership, iso: computed.append(iso))
    settings.ANALYSIS_ON_CHANGE = True
    path = tmp_path / "veckor.csv"
    lines = [";".join(hostile.HEADER)]
    for number, day in enumerate(["2025-03-03", "2025-03-04", "2025-03-05", "2025-03-26"]):
        lines.append(f"H-{number};{day} 10:00;klotter;17,905;59,435;Klotter")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        result = import_incidents(membership=coordinator_a, rows=open_file(path))
    assert result.created == 4
    assert jobs == [(coordinator_a.partnership.pk, 202510, 202513)]
    assert computed == ["2025-W10", "2025-W11", "2025-W12", "2025-W13"]
