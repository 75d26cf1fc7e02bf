"""The history import wizard through its pages: upload, columns with a preview, categories
remembered per source, the dry run and its error list, the import by the worker's task
(progress, idempotent, atomic), and the command's summary."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from lagesbild.audit.models import Entry
from lagesbild.incidents import import_jobs, imports
from lagesbild.incidents.models import ImportJob, ImportSource, Incident
from lagesbild.operations import health
from lagesbild.pictures.models import AnalysisRun
from tests.incidents.helpers import run_import

# A city's own export: its own headers, Swedish dates, decimal commas, its own category words.
HEADER = "Ärende;Datum;Typ;Allvar;X;Y;Ställe;Text"
ROWS = [
    "K-1;24/11/2025 21:30;Klottring;1;17,905;59,435;;Klotter på förrådet",
    "K-2;25.11.2025 kl. 08.15;Bilbrand;3;;;Torget;Bil brann vid torget",
    "K-3;2025-11-26 12:00;Klottring;2;17,902;59,425;;Målat på skolgården",
]
BERLIN = "K-4;2025-11-27 10:00;Klottring;1;13,40;52,52;;Klotter"
COLUMNS = {
    "external_id": "Ärende",
    "occurred_at": "Datum",
    "category": "Typ",
    "severity": "Allvar",
    "lon": "X",
    "lat": "Y",
    "place": "Ställe",
    "description": "Text",
}


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


def _file(lines, encoding="utf-8-sig", name="historik.csv", header=HEADER) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\r\n".join([header, *lines]).encode(encoding))


def _upload(client, lines, encoding="utf-8-sig", source="Gamla registret", header=HEADER, **extra):
    file = _file(lines, encoding, header=header)
    response = client.post(
        reverse("incidents:import_start"),
        {"file": file, "source": source, "review": "accepted", **extra},
    )
    assert response.status_code == 302, response.content.decode()
    return ImportJob.objects.latest("id")


def _map(client, job, capture, categories=None, columns=COLUMNS):
    """Columns, then categories (Klottring -> klotter unless given), which queues the dry
    run; run by the immediate task backend once the page's transaction commits."""
    response = client.post(reverse("incidents:import_columns", args=[job.pk]), columns)
    assert response.status_code == 302
    page = client.get(reverse("incidents:import_categories", args=[job.pk]))
    form = page.context["form"]
    klotter = job.partnership.categories.get(code="klotter").pk
    wanted = categories or {"Klottring": klotter}
    data = {}
    for index, (value, _count) in enumerate(form.values):
        chosen = wanted.get(value, form.initial.get(f"v{index}"))
        data[f"v{index}"] = "" if chosen is None else chosen
    with capture(execute=True):
        response = client.post(reverse("incidents:import_categories", args=[job.pk]), data)
    assert response.status_code == 302
    job.refresh_from_db()
    return job


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1252"])
def test_a_city_file_goes_through_the_wizard(
    coordinator_a, login, django_capture_on_commit_callbacks, encoding
):
    client = login(coordinator_a)
    job = _upload(client, ROWS, encoding)
    page = client.get(reverse("incidents:import_columns", args=[job.pk])).content.decode()
    assert "Ställe" in page  # the file's own headers are offered
    client.post(reverse("incidents:import_columns", args=[job.pk]), {**COLUMNS, "preview": "1"})
    page = client.get(reverse("incidents:import_columns", args=[job.pk]))
    preview = page.context["preview"]
    assert [row.number for row in preview] == [2, 3, 4]
    assert preview[1].occurred_at.strftime("%Y-%m-%d %H:%M") == "2025-11-25 08:15"
    assert (preview[1].category, preview[1].area, preview[1].severity) == ("Bilbrand", "Norr", 3)
    assert "Okänd kategori: Klottring" in preview[0].error  # until the categories step

    job = _map(client, job, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.CHECKED
    assert job.checked["created"] == 3 and job.checked["refused"] == 0
    assert Incident.objects.count() == 0  # a dry run writes nothing

    run_import(client, job, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE, job.error
    stored = {i.external_id: i for i in Incident.objects.all()}
    assert set(stored) == {"K-1", "K-2", "K-3"}
    assert stored["K-1"].description == "Klotter på förrådet"
    assert (stored["K-1"].lon, stored["K-1"].category.code) == (17.905, "klotter")
    assert stored["K-2"].place.name == "Torget"
    assert stored["K-3"].severity == 2
    actions = set(Entry.objects.values_list("action", flat=True))
    assert {"incident.import_upload", "incident.import_requested", "incident.import"} <= actions


def test_categories_and_columns_are_remembered_for_the_source(
    coordinator_a, login, django_capture_on_commit_callbacks
):
    client = login(coordinator_a)
    _map(client, _upload(client, ROWS), django_capture_on_commit_callbacks)
    source = ImportSource.objects.get()
    assert (
        source.categories["klottring"]
        == coordinator_a.partnership.categories.get(code="klotter").pk
    )
    second = _upload(client, ROWS[:1])
    assert second.source == source
    form = client.get(reverse("incidents:import_columns", args=[second.pk])).context["form"]
    assert form.initial == {**COLUMNS, "coordinate_system": "EPSG:4326"}
    form = client.get(reverse("incidents:import_categories", args=[second.pk])).context["form"]
    assert form.initial == {"v0": source.categories["klottring"]}


def test_the_dry_run_names_points_outside_sweden_and_lists_every_error(
    coordinator_a, login, django_capture_on_commit_callbacks
):
    client = login(coordinator_a)
    job = _upload(client, [*ROWS, BERLIN, BERLIN.replace("K-4", "K-5"), "K-6;i morgon;Klottring"])
    job = _map(client, job, django_capture_on_commit_callbacks)
    assert job.checked["refused"] == 3
    reasons = {reason: (count, examples) for reason, count, examples in job.checked["reasons"]}
    assert reasons["Positionen ligger utanför Sverige"] == (2, [5, 6])
    page = client.get(reverse("incidents:import_job", args=[job.pk])).content.decode()
    assert "Positionen ligger utanför Sverige" in page
    response = client.get(reverse("incidents:import_errors", args=[job.pk]))
    lines = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert lines[0] == ["Rad", "Orsak", "Fel"]
    assert [line[0] for line in lines[1:]] == ["5", "6", "7"]
    assert "52.52000, 13.40000 ligger inte i Sverige" in lines[1][2]
    assert Incident.objects.count() == 0


# A municipal export in SWEREF 99 TM metres: the first row is Norr's 17.905, 59.435.
SWEREF_HEADER = "Datum;Kategori;Longitud;Latitud"
SWEREF_COLUMNS = {
    "occurred_at": "Datum",
    "category": "Kategori",
    "lon": "Longitud",
    "lat": "Latitud",
}
SWEREF_ROWS = ["2025-03-01 10:00;klotter;664755;6592089"]


def test_sweref_99_tm_metres_are_recognised_and_imported_into_the_right_area(
    coordinator_a, login, django_capture_on_commit_callbacks
):
    client = login(coordinator_a)
    job = _upload(client, SWEREF_ROWS, header=SWEREF_HEADER, source="Kommunens GIS")
    page = client.get(reverse("incidents:import_columns", args=[job.pk]))
    assert page.context["form"].initial["coordinate_system"] == "EPSG:3006"
    columns = {**SWEREF_COLUMNS, "coordinate_system": "EPSG:3006"}
    client.post(reverse("incidents:import_columns", args=[job.pk]), {**columns, "preview": "1"})
    preview = client.get(reverse("incidents:import_columns", args=[job.pk])).context["preview"]
    assert (preview[0].area, preview[0].error) == ("Norr", "")
    job = _map(client, job, django_capture_on_commit_callbacks, columns=columns)
    assert (job.checked["created"], job.checked["refused"]) == (1, 0)
    run_import(client, job, django_capture_on_commit_callbacks)
    incident = Incident.objects.get()
    assert incident.area.name == "Norr"
    assert (round(incident.lon, 4), round(incident.lat, 4)) == (17.905, 59.435)
    assert ImportSource.objects.get().coordinate_system == "EPSG:3006"  # for the next file


def test_metres_read_as_degrees_are_named_as_such_not_as_outside_sweden(
    coordinator_a, login, django_capture_on_commit_callbacks
):
    client = login(coordinator_a)
    job = _upload(client, SWEREF_ROWS, header=SWEREF_HEADER)
    columns = {**SWEREF_COLUMNS, "coordinate_system": "EPSG:4326"}
    job = _map(client, job, django_capture_on_commit_callbacks, columns=columns)
    reasons = [reason for reason, _count, _examples in job.checked["reasons"]]
    assert reasons == ["Koordinaterna ser ut som meter, inte grader"]
    lines = client.get(reverse("incidents:import_errors", args=[job.pk]))
    assert "välj SWEREF 99 TM" in b"".join(lines.streaming_content).decode("utf-8-sig")


def test_metres_from_outside_sweden_are_still_refused_as_outside_sweden(
    coordinator_a, login, django_capture_on_commit_callbacks
):
    """Vancouver in its own metric grid (UTM 10N) read as SWEREF 99 TM lands far south of
    Sweden, and a SWEREF point given to a partnership elsewhere is outside its areas."""
    client = login(coordinator_a)
    vancouver = "2020-03-01 10:00;klotter;491000;5456000"
    job = _upload(client, [vancouver, *SWEREF_ROWS], header=SWEREF_HEADER)
    columns = {**SWEREF_COLUMNS, "coordinate_system": "EPSG:3006"}
    job = _map(client, job, django_capture_on_commit_callbacks, columns=columns)
    reasons = {reason: examples for reason, _count, examples in job.checked["reasons"]}
    assert reasons == {"Positionen ligger utanför Sverige": [2]}
    assert job.checked["created"] == 1


@pytest.mark.parametrize("name", ["asb.tab", "asb.tsv", "asb.txt"])
def test_a_tab_separated_file_goes_through_the_wizard(
    coordinator_a, login, django_capture_on_commit_callbacks, name
):
    """Shaped like police.uk's anti-social behaviour list (month, longitude, latitude,
    location, LSOA code), one tab between columns, decimal points in the positions."""
    header = "month\tlongitude\tlatitude\tlocation\tlsoa_code"
    lines = [
        "2025-01-01\t17.905\t59.435\tHazelwood Close\tE01012607",
        "2025-02-01\t17.902\t59.425\tPeridot Close, the park\tE01012608",
    ]
    client = login(coordinator_a)
    job = _upload(client, lines, header=header, name=name)
    assert job.headers == ["month", "longitude", "latitude", "location", "lsoa_code"]
    columns = {
        "occurred_at": "month",
        "category": "lsoa_code",
        "lon": "longitude",
        "lat": "latitude",
    }
    klotter = job.partnership.categories.get(code="klotter").pk
    mapping = {"E01012607": klotter, "E01012608": klotter}
    job = _map(client, job, django_capture_on_commit_callbacks, mapping, columns=columns)
    assert (job.checked["created"], job.checked["refused"]) == (2, 0)


def test_a_file_that_is_not_a_list_is_refused_by_its_name(coordinator_a, login):
    response = login(coordinator_a).post(
        reverse("incidents:import_start"),
        {"file": _file(ROWS, name="historik.pdf"), "source": "Registret", "review": "accepted"},
    )
    assert response.status_code == 400
    assert ".tsv" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_unknown_coordinate_system_is_refused(coordinator_a, login):
    client = login(coordinator_a)
    job = _upload(client, SWEREF_ROWS, header=SWEREF_HEADER)
    columns = {**SWEREF_COLUMNS, "coordinate_system": "EPSG:2154"}
    response = client.post(reverse("incidents:import_columns", args=[job.pk]), columns)
    assert response.status_code == 400
    assert ImportSource.objects.get().coordinate_system == ""
    # The service refuses it too, for a caller that did not go through the form.
    with pytest.raises(ValidationError):
        import_jobs.save_columns(
            actor=coordinator_a.user, job=job, columns=SWEREF_COLUMNS, coordinate_system="EPSG:2154"
        )
    assert ImportSource.objects.get().coordinate_system == ""


def test_rows_with_errors_block_the_import_unless_skipped(
    coordinator_a, login, django_capture_on_commit_callbacks
):
    client = login(coordinator_a)
    job = _map(client, _upload(client, [*ROWS, BERLIN]), django_capture_on_commit_callbacks)
    response = run_import(client, job, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "bara importera de felfria" in response.content.decode()
    assert job.status == ImportJob.Status.CHECKED
    run_import(client, job, django_capture_on_commit_callbacks, skip_invalid="on")
    assert job.status == ImportJob.Status.DONE
    assert (job.result["created"], job.result["refused"]) == (3, 1)


def test_a_file_whose_every_row_is_refused_offers_no_import(
    coordinator_a, login, django_capture_on_commit_callbacks
):
    client = login(coordinator_a)
    job = _map(client, _upload(client, [BERLIN]), django_capture_on_commit_callbacks)
    assert (job.checked["created"], job.checked["refused"]) == (0, 1)
    page = client.get(reverse("incidents:import_job", args=[job.pk])).content.decode()
    assert "Inget kan importeras" in page
    assert "Importera</button>" not in page and "skip_invalid" not in page
    response = run_import(client, job, django_capture_on_commit_callbacks, skip_invalid="on")
    assert response.status_code == 400
    assert "Inget kan importeras" in response.content.decode()
    assert job.status == ImportJob.Status.CHECKED and not job.result


def test_importing_the_same_file_again_creates_nothing(
    coordinator_a, login, django_capture_on_commit_callbacks
):
    client = login(coordinator_a)
    for _time in range(2):
        job = _map(client, _upload(client, ROWS), django_capture_on_commit_callbacks)
        run_import(client, job, django_capture_on_commit_callbacks)
    assert (job.checked["created"], job.checked["already_imported"]) == (0, 3)
    assert (job.result["created"], job.result["already_imported"]) == (0, 3)
    assert Incident.objects.count() == 3


def test_a_row_repeated_in_a_later_batch_is_imported_once(
    coordinator_a, login, django_capture_on_commit_callbacks, monkeypatch
):
    """The dry run remembers the file's new rows; the import finds the earlier batches'
    rows in the database instead, and both count the repeat as already imported."""
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    client = login(coordinator_a)
    job = _map(client, _upload(client, [*ROWS, ROWS[0]]), django_capture_on_commit_callbacks)
    assert (job.checked["created"], job.checked["already_imported"]) == (3, 1)
    run_import(client, job, django_capture_on_commit_callbacks)
    assert (job.result["created"], job.result["already_imported"]) == (3, 1)
    assert Incident.objects.count() == 3


def test_the_same_external_id_under_two_sources_is_two_incidents(
    coordinator_a, login, django_capture_on_commit_callbacks
):
    """Uniqueness is per source: the city's K-1 and the housing company's K-1 are two
    different events, and each source's file imported again adds nothing."""
    client = login(coordinator_a)
    for source in ("Gamla registret", "Bostadsbolaget", "Gamla registret", "Bostadsbolaget"):
        job = _map(client, _upload(client, ROWS, source=source), django_capture_on_commit_callbacks)
        run_import(client, job, django_capture_on_commit_callbacks)
        assert job.status == ImportJob.Status.DONE, job.error
    assert (job.result["created"], job.result["already_imported"]) == (0, 3)
    by_source = sorted(
        Incident.objects.values_list("import_source__name", "external_id").order_by()
    )
    assert by_source == [
        (source, external_id)
        for source in ("Bostadsbolaget", "Gamla registret")
        for external_id in ("K-1", "K-2", "K-3")
    ]


def test_an_external_id_twice_in_one_source_is_refused_by_the_database(coordinator_a):
    """The database holds the rule too, whatever a later code path forgets to check."""
    from django.db import IntegrityError, transaction

    partnership = coordinator_a.partnership
    source = ImportSource.objects.create(partnership=partnership, name="Registret")
    other = ImportSource.objects.create(partnership=partnership, name="Bolaget")
    area = partnership.areas.first()
    category = partnership.categories.get(code="klotter")

    def stored(import_source):
        return Incident.objects.create(
            partnership=partnership,
            occurred_at="2025-11-24T21:30:00+01:00",
            iso_week=202548,
            category=category,
            area=area,
            lon=17.905,
            lat=59.435,
            source=Incident.Source.IMPORT,
            import_source=import_source,
            external_id="K-1",
        )

    stored(source)
    stored(other)
    with pytest.raises(IntegrityError), transaction.atomic():
        stored(source)


def test_a_failure_halfway_leaves_nothing_written(
    coordinator_a, login, django_capture_on_commit_callbacks, monkeypatch
):
    client = login(coordinator_a)
    job = _map(client, _upload(client, ROWS), django_capture_on_commit_callbacks)
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    real = Incident.objects.bulk_create
    calls = []

    def second_batch_fails(objects, **kwargs):
        calls.append(len(objects))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(objects, **kwargs)

    monkeypatch.setattr(Incident.objects, "bulk_create", second_batch_fails)
    run_import(client, job, django_capture_on_commit_callbacks)
    assert calls == [2, 1]
    assert job.status == ImportJob.Status.FAILED
    assert Incident.objects.count() == 0


def test_the_progress_line_backs_off_and_reloads_when_done(coordinator_a, login, monkeypatch):
    client = login(coordinator_a)
    job = _upload(client, ROWS)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, checked={"rows": 3})
    url = reverse("incidents:import_progress", args=[job.pk])
    first = client.get(url).content.decode()
    assert "waited=3" in first and 'max="3"' in first
    assert "waited=30" in client.get(url, {"waited": "25"}).content.decode()
    monkeypatch.setattr(health, "worker_missing", lambda: True)
    alone = client.get(url).content.decode()
    assert "waited=30" in alone and "är inte igång" in alone
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE)
    assert client.get(url)["HX-Refresh"] == "true"


def test_the_upload_page_states_the_limits(coordinator_a, login):
    page = login(coordinator_a).get(reverse("incidents:import_start")).content.decode()
    assert "högst 300 MB och ha högst 2\xa0000\xa0000 rader" in page


def test_an_unreadable_file_is_refused_at_upload(coordinator_a, login):
    response = login(coordinator_a).post(
        reverse("incidents:import_start"),
        {
            "file": SimpleUploadedFile("bok.xlsx", b"inte en excelfil"),
            "source": "Registret",
            "review": "accepted",
        },
    )
    assert response.status_code == 400
    assert "Excel" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_command_imports_into_a_named_source(coordinator_a, tmp_path, capsys):
    path = tmp_path / "register.csv"
    lines = [f"R-{n};2025-03-0{n} 10:00;klotter;17,905;59,435" for n in (1, 2)]
    path.write_text("\n".join(["Externt id;Inträffade;Kategori;Longitud;Latitud", *lines]))
    member = [
        "--partnership",
        coordinator_a.partnership.slug,
        "--user",
        coordinator_a.user.username,
    ]
    for source in ("Registret", "Registret", "Bolaget"):
        call_command("import_incidents", str(path), *member, "--source", source)
    outcomes = capsys.readouterr().out.splitlines()
    assert [line.split(",")[:2] for line in outcomes] == [
        ["2 nya händelser (godkända)", " 0 redan importerade"],
        ["0 nya händelser (godkända)", " 2 redan importerade"],
        ["2 nya händelser (godkända)", " 0 redan importerade"],
    ]
    stored = sorted(Incident.objects.values_list("import_source__name", "external_id"))
    assert stored == [
        ("Bolaget", "R-1"),
        ("Bolaget", "R-2"),
        ("Registret", "R-1"),
        ("Registret", "R-2"),
    ]


def test_the_command_takes_sweref_99_tm(coordinator_a, tmp_path, capsys):
    path = tmp_path / "gis.csv"
    path.write_text("\n".join([SWEREF_HEADER, *SWEREF_ROWS]))
    member = [
        "--partnership",
        coordinator_a.partnership.slug,
        "--user",
        coordinator_a.user.username,
    ]
    with pytest.raises(CommandError):  # read as degrees: metres, said so
        call_command("import_incidents", str(path), *member)
    assert "664755, 6592089 ser ut som meter" in capsys.readouterr().err
    call_command("import_incidents", str(path), *member, "--coordinate-system", "EPSG:3006")
    assert Incident.objects.get().area.name == "Norr"


def test_the_command_summarises_errors_by_reason(coordinator_a, tmp_path, capsys):
    path = tmp_path / "fel.csv"
    header = "Externt id;Inträffade;Kategori;Longitud;Latitud"
    lines = [f"F-{n};2025-03-0{n} 10:00;okänd;17,905;59,435" for n in range(1, 8)]
    path.write_text("\n".join([header, *lines, "F-8;2025-03-08 10:00;klotter;13,4;52,5"]))
    with pytest.raises(CommandError, match="Inget importerades"):
        call_command(
            "import_incidents",
            str(path),
            "--partnership",
            coordinator_a.partnership.slug,
            "--user",
            coordinator_a.user.username,
        )
    errors = capsys.readouterr().err.splitlines()
    assert errors[:2] == [
        "7 rader: Kategorin finns inte i checklistan (t.ex. rad 2, 3, 4, 5, 6)",
        "1 rader: Positionen ligger utanför Sverige (t.ex. rad 9)",
    ]
    assert len(errors) == 3  # and the first error in full, never a line per row


def test_run_analysis_takes_a_range_of_weeks(coordinator_a, capsys):
    call_command(
        "run_analysis",
        "--partnership",
        coordinator_a.partnership.slug,
        "--from",
        "2025-W52",
        "--to",
        "2026-W02",
    )
    periods = list(AnalysisRun.objects.order_by("id").values_list("period", flat=True))
    assert periods == ["2025-W52", "2026-W01", "2026-W02"]
    with pytest.raises(CommandError, match="före"):
        call_command("run_analysis", "--from", "2026-W02", "--to", "2025-W52")


def test_an_import_by_someone_no_longer_a_member_fails_with_a_reason(
    coordinator_a, login, django_capture_on_commit_callbacks
):
    client = login(coordinator_a)
    job = _map(client, _upload(client, ROWS), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("incidents:import_job", args=[job.pk]), {})
        coordinator_a.active = False
        coordinator_a.save(update_fields=["active"])
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "inte längre aktiv medlem" in job.error
    assert Incident.objects.count() == 0
