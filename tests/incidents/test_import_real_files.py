"""The history import wizard with real public files from ../shared/data (issue 11): cities
abroad are refused as outside Sweden in the dry run, summarised by reason and with nothing
written; Swedish police notices are imported into the areas they fall in, once."""

import csv
import gzip
import itertools
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lagesbild.audit.models import Entry
from lagesbild.incidents.models import ImportJob, Incident
from tests import factories
from tests.incidents.helpers import run_import
from tests.shared_data import SHARED

OUTSIDE_SWEDEN = "Positionen ligger utanför Sverige"
SLICE = 5000  # rows of a large file, as a user would try a first slice


def _needs(folder: str):
    return pytest.mark.skipif(
        SHARED is None or not (SHARED / folder).is_dir(),
        reason=f"the shared public data set {folder} is absent",
    )


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def partnership_a(db):
    # The demo's kind of partnership, its southern area around the point the police give
    # for events in Sollentuna (59.43911, 17.94148).
    return factories.make_partnership("EST Sollentuna", lon=17.935, lat=59.435)


def _upload(client, path: Path, name: str | None = None, source: str = "Registret"):
    with path.open("rb") as handle:
        file = SimpleUploadedFile(name or path.name, handle.read())
    return client.post(
        reverse("incidents:import_start"),
        {"file": file, "source": source, "review": "accepted"},
    )


def _started(client, path: Path, **kwargs) -> ImportJob:
    response = _upload(client, path, **kwargs)
    assert response.status_code == 302, response.content.decode()
    return ImportJob.objects.latest("id")


def _dry_run(client, job, capture, columns: dict, categories: dict[str, str]) -> ImportJob:
    """Columns, then the file's category values by checklist code (unnamed: none), which
    runs the dry run on commit."""
    response = client.post(reverse("incidents:import_columns", args=[job.pk]), columns)
    assert response.status_code == 302, response.content.decode()
    form = client.get(reverse("incidents:import_categories", args=[job.pk])).context["form"]
    codes = dict(job.partnership.categories.values_list("code", "pk"))
    data = {
        f"v{index}": codes.get(categories.get(value, ""), "")
        for index, (value, _count) in enumerate(form.values)
    }
    with capture(execute=True):
        response = client.post(reverse("incidents:import_categories", args=[job.pk]), data)
    assert response.status_code == 302, response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED, job.error
    return job


def _head(source, path: Path, lines: int) -> Path:
    """The header and the first `lines` rows of a text file."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.writelines(itertools.islice(source, lines + 1))
    return path


def _assert_refused_abroad(client, job, rows: int) -> None:
    """Every row refused as outside Sweden, said once with a count and a few examples; the
    page does not list the rows; nothing is written and no import ran."""
    assert (job.checked["rows"], job.checked["refused"], job.checked["created"]) == (rows, rows, 0)
    assert job.checked["reasons"] == [[OUTSIDE_SWEDEN, rows, [2, 3, 4, 5, 6]]]
    page = client.get(reverse("incidents:import_job", args=[job.pk])).content.decode()
    assert page.count(OUTSIDE_SWEDEN) == 1
    assert f">{rows}<" in page and "2, 3, 4, 5, 6" in page
    assert "ligger inte i Sverige" not in page  # the per-row message is in the download only
    assert Incident.objects.count() == 0
    assert not job.result and job.status == ImportJob.Status.CHECKED
    assert not Entry.objects.filter(action="incident.import").exists()


@_needs("chicago-aggravated-assaults")
def test_chicago_assaults_are_refused_as_outside_sweden_in_one_line(
    coordinator_a, login, django_capture_on_commit_callbacks, tmp_path
):
    gz = SHARED / "chicago-aggravated-assaults" / "chicago_aggravated_assaults.csv.gz"
    with gzip.open(gz, "rt", encoding="utf-8") as source:
        path = _head(source, tmp_path / "chicago.csv", SLICE)
    client = login(coordinator_a)
    job = _started(client, path)
    assert job.headers == ["date", "loc_cat", "longitude", "latitude", "district"]
    columns = {"occurred_at": "date", "category": "loc_cat", "lon": "longitude", "lat": "latitude"}
    categories = _every_value(client, job, columns, "vald")
    assert len(categories) == 13  # the column mapping accepted the file's own columns
    job = _dry_run(client, job, django_capture_on_commit_callbacks, columns, categories)
    _assert_refused_abroad(client, job, SLICE)
    errors = client.get(reverse("incidents:import_errors", args=[job.pk]))
    lines = b"".join(errors.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == SLICE + 1  # the download holds every row, with its position
    assert lines[1] == f"2;{OUTSIDE_SWEDEN};Positionen 41.79220, -87.62770 ligger inte i Sverige."


def _every_value(client, job, columns, code) -> dict[str, str]:
    """Every category value of the file meaning one checklist code (after the columns)."""
    client.post(reverse("incidents:import_columns", args=[job.pk]), columns)
    form = client.get(reverse("incidents:import_categories", args=[job.pk])).context["form"]
    return {value: code for value, _count in form.values}


@_needs("vancouver-crime-2020")
def test_vancouver_metres_and_split_dates_are_refused_by_reason(
    coordinator_a, login, django_capture_on_commit_callbacks
):
    # The whole file. X/Y are UTM zone 10 metres and the date is spread over YEAR..MINUTE:
    # the nearest a user gets is the year as the time and X/Y as the position, which is
    # checked first. 3,750 offences against a person are published at 0, 0 and one row
    # has no position at all.
    path = SHARED / "vancouver-crime-2020" / "crimedata_csv_AllNeighbourhoods_2020.csv"
    with path.open(encoding="utf-8") as handle:
        blank = [n for n, row in enumerate(csv.DictReader(handle), start=2) if not row["X"]]
    assert len(blank) == 1
    client = login(coordinator_a)
    job = _started(client, path)
    columns = {"occurred_at": "YEAR", "category": "TYPE", "lon": "X", "lat": "Y"}
    categories = _every_value(client, job, columns, "stold")
    job = _dry_run(client, job, django_capture_on_commit_callbacks, columns, categories)
    assert (job.checked["rows"], job.checked["refused"]) == (37_512, 37_512)
    assert job.checked["reasons"] == [
        [OUTSIDE_SWEDEN, 37_511, [2, 3, 4, 5, 6]],
        ["Varken koordinater eller plats", 1, blank],
    ]
    page = client.get(reverse("incidents:import_job", args=[job.pk])).content.decode()
    assert page.count(OUTSIDE_SWEDEN) == 1 and "ligger inte i Sverige" not in page
    assert Incident.objects.count() == 0 and not job.result


@_needs("uk-police-asb-2022")
@pytest.mark.parametrize("name", ["lancashire_asb.tab", "lancashire_asb.csv"])
def test_a_tab_separated_police_uk_file_is_read_column_by_column(coordinator_a, login, name):
    # police.uk's extract as published (.tab) and renamed .csv: either way the tabs separate
    # its five columns, and the mapping step offers them.
    real = SHARED / "uk-police-asb-2022" / "lancashire_asb.tab"
    job = _started(login(coordinator_a), real, name=name)
    assert job.headers == ["month", "longitude", "latitude", "location", "lsoa_code"]
    assert Incident.objects.count() == 0


@_needs("uk-police-asb-2022")
def test_police_uk_months_in_england_are_refused_as_outside_sweden(
    coordinator_a, login, django_capture_on_commit_callbacks, tmp_path
):
    # Saved again with commas, as Excel would. No column says what happened (police.uk's
    # crime_type is not in this extract): the street as the category has too many values,
    # so the user adds police.uk's own type, the same on every row.
    real = SHARED / "uk-police-asb-2022" / "lancashire_asb.tab"
    path = tmp_path / "lancashire_asb.csv"
    with real.open(encoding="utf-8") as source, path.open("w", encoding="utf-8") as out:
        rows = csv.reader(source, delimiter="\t")
        header = next(rows)
        writer = csv.writer(out)
        writer.writerow([*header, "crime_type"])
        for row in itertools.islice(rows, SLICE):
            writer.writerow([*row, "Anti-social behaviour"])
    client = login(coordinator_a)
    job = _started(client, path)
    columns = {"occurred_at": "month", "lon": "longitude", "lat": "latitude"}
    streets = {**columns, "category": "location"}
    client.post(reverse("incidents:import_columns", args=[job.pk]), streets)
    page = client.get(reverse("incidents:import_categories", args=[job.pk]), follow=True)
    assert "Kategorikolumnen har fler än 300 olika värden" in page.content.decode()

    columns["category"] = "crime_type"
    job = _dry_run(
        client,
        job,
        django_capture_on_commit_callbacks,
        columns,
        {"Anti-social behaviour": "storande-grupper"},
    )
    _assert_refused_abroad(client, job, SLICE)


SOLLENTUNA_AND_NEIGHBOURS = {"Sollentuna", "Järfälla", "Danderyd", "Upplands Väsby"}
POLICE_TYPES = {
    "Misshandel": "vald",
    "Misshandel, grov": "vald",
    "Bråk": "brak-ordningsstorning",
    "Skottlossning": "skottlossning",
    "Stöld": "stold",
    "Fylleri/LOB": "berusning",
}


def _police_file(path: Path) -> tuple[Path, list[dict]]:
    """The police's 2025 notices for Sollentuna and its neighbours as a coordinator's CSV:
    semicolons, the time as the API writes it ('2025-01-01 0:49:20 +01:00', a one-digit
    hour and an offset), the GPS point split in two."""
    events = {}
    with (SHARED / "polisen-events" / "events_2025.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            event = json.loads(line)
            if event["location"]["name"] in SOLLENTUNA_AND_NEIGHBOURS:
                events[event["id"]] = event
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["Händelse-id", "Tidpunkt", "Typ", "Kommun", "Latitud", "Longitud"])
        for event in events.values():
            lat, lon = event["location"]["gps"].split(",")
            where = event["location"]["name"]
            writer.writerow([event["id"], event["datetime"], event["type"], where, lat, lon])
    return path, list(events.values())


@_needs("polisen-events")
def test_police_notices_in_sollentuna_are_imported_once_and_the_rest_refused(
    coordinator_a, login, django_capture_on_commit_callbacks, tmp_path
):
    path, events = _police_file(tmp_path / "polisen_2025.csv")
    mapped = [e for e in events if e["type"] in POLICE_TYPES]
    inside = [e for e in mapped if e["location"]["name"] == "Sollentuna"]
    assert len(inside) >= 5 and len(mapped) > len(inside)  # the data holds both kinds
    columns = {"external_id": "Händelse-id", "occurred_at": "Tidpunkt", "category": "Typ"}
    columns |= {"lat": "Latitud", "lon": "Longitud"}
    client = login(coordinator_a)
    job = _dry_run(
        client,
        _started(client, path, source="Polisens händelser"),
        django_capture_on_commit_callbacks,
        columns,
        POLICE_TYPES,
    )
    reasons = {reason: count for reason, count, _examples in job.checked["reasons"]}
    assert reasons == {
        "Kategorin finns inte i checklistan": len(events) - len(mapped),
        "Positionen ligger utanför samverkans områden": len(mapped) - len(inside),
    }
    assert job.checked["created"] == len(inside)
    assert Incident.objects.count() == 0

    run_import(client, job, django_capture_on_commit_callbacks, skip_invalid="on")
    assert job.status == ImportJob.Status.DONE, job.error
    assert (job.result["created"], job.result["refused"]) == (
        len(inside),
        len(events) - len(inside),
    )
    stored = Incident.objects.filter(partnership=coordinator_a.partnership)
    assert sorted(stored.values_list("external_id", flat=True)) == sorted(
        str(e["id"]) for e in inside
    )
    assert set(stored.values_list("area__name", flat=True)) == {"Söder"}
    fight = next(e for e in inside if e["type"] == "Misshandel")
    assert stored.get(external_id=str(fight["id"])).category.code == "vald"

    again = _dry_run(
        client,
        _started(client, path, source="Polisens händelser"),
        django_capture_on_commit_callbacks,
        columns,
        POLICE_TYPES,
    )
    assert (again.checked["created"], again.checked["already_imported"]) == (0, len(inside))
    # Nothing new and the rest refused: no import is offered, and none runs.
    response = run_import(client, again, django_capture_on_commit_callbacks, skip_invalid="on")
    assert response.status_code == 400
    assert "Inget kan importeras" in response.content.decode()
    assert (again.status, again.result) == (ImportJob.Status.CHECKED, {})
    assert stored.count() == len(inside)


def test_the_issues_sollentuna_point_in_sweref_99_tm_lands_in_its_area(
    coordinator_a, login, django_capture_on_commit_callbacks, tmp_path
):
    # The repro as reported: the police's Sollentuna point in SWEREF 99 TM metres, once
    # refused as outside Sweden. The columns step guesses the system from the values.
    path = tmp_path / "kommunens-export.csv"
    path.write_text("Datum;Kategori;Longitud;Latitud\n2025-03-01 10:00;klotter;666803;6592637\n")
    client = login(coordinator_a)
    job = _started(client, path)
    page = client.get(reverse("incidents:import_columns", args=[job.pk]))
    system = page.context["form"].initial["coordinate_system"]
    assert system == "EPSG:3006"
    columns = {"occurred_at": "Datum", "category": "Kategori", "lon": "Longitud", "lat": "Latitud"}
    job = _dry_run(
        client,
        job,
        django_capture_on_commit_callbacks,
        {**columns, "coordinate_system": system},
        {"klotter": "klotter"},
    )
    assert (job.checked["created"], job.checked["refused"]) == (1, 0)
    run_import(client, job, django_capture_on_commit_callbacks)
    incident = Incident.objects.get()
    assert incident.area.name == "Söder"
    assert (round(incident.lat, 4), round(incident.lon, 4)) == (59.4391, 17.9415)
