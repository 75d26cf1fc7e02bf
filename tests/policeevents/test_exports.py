"""The police's notice list as CSV and Excel: the list's filters, labelled as the police's
notices, the partnership's wall clock, streamed, audited; a refused filter gives no file."""

import csv
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lagesbild.audit.models import Entry
from lagesbild.policeevents import services
from tests.incidents.helpers import assert_too_many_for_excel
from tests.policeevents.conftest import EVENTS, read

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(sollentuna):
    services.import_records(read(EVENTS))
    return sollentuna


def download(client, fmt: str, **filters):
    response = client.get(reverse("policeevents:export", args=[fmt]), filters)
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def table(body: bytes) -> list[dict]:
    lines = list(csv.reader(io.StringIO(body.decode().lstrip("\ufeff")), delimiter=";"))
    return [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


def test_csv_holds_the_filtered_notices_in_the_partnerships_time(login, member_a, imported):
    response, body = download(login(member_a), "csv", event_type="Trafikbrott")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="polisens-notiser-')
    assert body.startswith("\ufeff".encode())
    rows = {int(r["Polisens id"]): r for r in table(body)}
    assert set(rows) == {413318, 581682}
    tureberg = rows[413318]
    assert (tureberg["Typ"], tureberg["Område"]) == ("Trafikbrott", "Tureberg")
    assert tureberg["Placering"] == "Område efter ortnamn"
    assert tureberg["Länk"].startswith("https://polisen.se/aktuellt/handelser/")
    assert rows[581682]["Placering"] == "Kommunnivå" and rows[581682]["Område"] == ""
    occurred = imported.police_events.get(event_id=413318).occurred_at
    local = occurred.astimezone(ZoneInfo("Europe/Stockholm")).strftime("%Y-%m-%d %H:%M")
    assert tureberg["Inträffade"] == local
    assert tureberg["Latitud"].count(",") == 1


def test_excel_has_the_police_sheet_with_real_times(login, member_a, imported):
    response = login(member_a).get(
        reverse("policeevents:export", args=["xlsx"]), {"area": "kommun"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="polisens-notiser-')
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["Polisens notiser"]
    header, *rows = list(sheet.values)
    assert header[:2] == ("Polisens id", "Inträffade")
    assert {row[0] for row in rows} == {410712, 447706, 581682}
    assert all(row[1].year >= 2023 for row in rows)  # a date cell, not text


def test_every_download_is_audited_with_its_filters(login, member_a, imported):
    download(login(member_a), "csv", week="2023-W12")
    entry = Entry.objects.get(action="policeevents.export")
    assert entry.details["format"] == "csv"
    assert entry.details["filters"] == {"week": "2023-W12"}
    assert entry.details["rows"] == 1


def test_a_refused_filter_gives_the_list_with_its_message_and_no_file(login, member_a, imported):
    response = login(member_a).get(reverse("policeevents:export", args=["csv"]), {"week": "x"})
    assert response.status_code == 400
    assert "Ange veckan som 2026-W47." in response.content.decode()
    assert not Entry.objects.filter(action="policeevents.export").exists()


def test_unknown_formats_and_reporters_get_no_file(login, member_a, reporter_a, imported):
    assert login(member_a).get(reverse("policeevents:export", args=["pdf"])).status_code == 404
    assert login(reporter_a).get(reverse("policeevents:export", args=["csv"])).status_code == 403


def test_the_list_links_its_files_with_its_filters(login, member_a, imported):
    body = login(member_a).get(reverse("policeevents:list"), {"week": "2023-W12"}).content
    assert reverse("policeevents:export", args=["csv"]) + "?week=2023-W12" in body.decode()


def test_a_selection_larger_than_an_excel_sheet_is_refused_as_for_incidents(
    login, member_a, imported, monkeypatch
):
    client = login(member_a)
    assert_too_many_for_excel(client, "policeevents", "policeevents.export", "area=kommun", 3)
    monkeypatch.setattr("lagesbild.incidents.exports.XLSX_MAX_ROWS", 2)
    xlsx = reverse("policeevents:export", args=["xlsx"])
    assert client.get(xlsx, {"event_type": "Trafikbrott"}).status_code == 200  # two rows
