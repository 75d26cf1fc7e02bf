"""Exports of the weekly picture (PDF, Excel, GIS): the same figures as the picture's content
and as counted by hand from the fixture, only what the reader may see, readable by the tools
people open them with, and every export in the audit trail."""

import io
import zipfile
from datetime import timedelta

import openpyxl
import pandas as pd
import pyogrio
import pytest
from django.urls import URLResolver, include, path, reverse
from django.utils import timezone

from lagesbild import urls as root_urls
from lagesbild.audit.models import Entry
from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident
from lagesbild.pictures import export_views, runs, services
from lagesbild.pictures.exports import excel, formats, gis
from lagesbild.pictures.exports.edition import Edition
from lagesbild.pictures.models import AnalysisRun
from tests.factories import make_incident
from tests.pictures.helpers import pdf_text

FORMULA = '=HYPERLINK("http://example.invalid","klicka")'


@pytest.fixture
def last_week():
    return weeks.shift(weeks.week_code(timezone.now()), -1)


@pytest.fixture
def monday_noon(last_week):
    return weeks.bounds(last_week)[0] + timedelta(hours=12)


@pytest.fixture
def picture(member_a, coordinator_a, last_week, monday_noon):
    """Nine weeks of 2 klotter a week in Norr, then last week 6 klotter in Norr (member A's
    police organisation) and 1 bilbrand of severity 3 in Söder that the municipality
    (coordinator A) reported as restricted: the member may not see it, but it counts.

    By hand, last week: Norr Skadegörelse 6, Söder Brand 1, total 7; points Norr 6 x 1 x 1 = 6
    (6.0 per 1,000 of 1,000 inhabitants), Söder 1 x 3 (weight) x 3 (severity) = 9 (4.5 per
    1,000 of 2,000)."""
    partnership = member_a.partnership
    norr = partnership.areas.get(name="Norr")
    soder = partnership.areas.get(name="Söder")
    for k in range(1, 10):
        for _ in range(2):
            make_incident(member_a, area=norr, occurred_at=monday_noon - timedelta(weeks=k))
    visible = [make_incident(member_a, area=norr, occurred_at=monday_noon) for _ in range(5)]
    visible.append(
        make_incident(
            member_a,
            area=norr,
            occurred_at=monday_noon,
            description=FORMULA,
            place=partnership.places.get(name="Torget"),
        )
    )
    restricted = make_incident(
        coordinator_a,
        area=soder,
        category="bilbrand",
        severity=3,
        occurred_at=monday_noon,
        visibility=Incident.Visibility.RESTRICTED,
    )
    run = runs.run_now(partnership, weeks.iso(last_week))
    assert run.error == ""
    content = services.assemble(partnership, last_week, run)
    return {"content": content, "visible": visible, "restricted": restricted}


def ids(partnership):
    norr = partnership.areas.get(name="Norr").pk
    soder = partnership.areas.get(name="Söder").pk
    graffiti = partnership.categories.get(code="grupp-skadegorelse").pk
    fire = partnership.categories.get(code="grupp-brand").pk
    return norr, soder, graffiti, fire


def test_hand_computed_figures_of_the_fixture(member_a, picture):
    content = picture["content"]
    norr, soder, graffiti, fire = ids(member_a.partnership)
    assert content["series"][f"{norr}:{graffiti}"]["observed"] == 6
    assert content["series"][f"{soder}:{fire}"]["observed"] == 1
    assert content["series"][":"]["observed"] == 7
    assert content["area_points"][str(norr)]["per_1000"] == 6.0
    assert content["area_points"][str(soder)]["points"] == 9
    assert content["area_points"][str(soder)]["per_1000"] == 4.5


# --- Excel ------------------------------------------------------------------------------


def workbook(membership, content, picture=None):
    data = excel.build(Edition(content, membership, picture))
    return openpyxl.load_workbook(io.BytesIO(data)), data


def rows_by_name(sheet) -> dict[str, dict]:
    """{first column: {header: value}} of a table sheet."""
    rows = sheet.iter_rows(values_only=True)
    headers = next(rows)
    return {row[0]: dict(zip(headers, row, strict=True)) for row in rows}


def test_excel_has_the_sheets_and_the_contents_matrix(member_a, picture):
    content = picture["content"]
    book, _ = workbook(member_a, content)

    assert book.sheetnames == ["Sammanfattning", "Matris", "Händelser", "Bedömningar"]
    matrix = rows_by_name(book["Matris"])
    assert matrix["Norr"]["Skadegörelse – antal"] == 6
    assert matrix["Söder"]["Brand – antal"] == 1
    assert matrix["Söder"]["Poäng"] == 9
    assert matrix["Söder"]["Poäng per 1 000 inv."] == 4.5
    assert matrix["Totalt"]["Totalt – antal"] == 7
    # every cell equals the content's figure
    for area in content["areas"]:
        row = matrix[area["name"]]
        for group in content["groups"]:
            cell = content["series"][f"{area['id']}:{group['id']}"]
            assert row[f"{group['name']} – antal"] == cell["observed"]
            assert row[f"{group['name']} – förväntat"] == cell["expected"]
    assert book["Matris"].freeze_panes == "B2"
    summary = [row[0] for row in book["Sammanfattning"].iter_rows(values_only=True)]
    assert content["summary"][0] in summary
    assert "UTKAST – ej godkänd" in summary


def test_excel_lists_only_the_counted_incidents_the_reader_may_see(
    member_a, coordinator_a, picture, monday_noon
):
    content = picture["content"]
    book, data = workbook(member_a, content)

    incidents = rows_by_name(book["Händelser"])
    assert sorted(incidents) == sorted(i.pk for i in picture["visible"])
    assert picture["restricted"].pk not in incidents
    first = incidents[picture["visible"][0].pk]
    local_noon = monday_noon.replace(tzinfo=None)
    assert first["Inträffade"] == local_noon  # a real date-time, Stockholm wall-clock time
    assert first["Vecka"] == weeks.week_code(monday_noon) % 100
    assert first["Grupp"] == "Skadegörelse"
    assert first["Område"] == "Norr"
    with_place = incidents[picture["visible"][-1].pk]
    assert with_place["Plats"] == "Torget"
    # a description that looks like a formula stays text
    assert with_place["Beskrivning"] == FORMULA
    with zipfile.ZipFile(io.BytesIO(data)) as xlsx:
        assert "<f>" not in xlsx.read("xl/worksheets/sheet3.xml").decode()

    summary = [row[0] for row in book["Sammanfattning"].iter_rows(values_only=True)]
    assert any(line and line.startswith("Fliken Händelser visar 6 av de 7") for line in summary)
    coordinators, _ = workbook(coordinator_a, content)
    assert picture["restricted"].pk in rows_by_name(coordinators["Händelser"])


def test_excel_suppresses_small_counts_in_the_matrix(member_a, picture):
    partnership = member_a.partnership
    partnership.suppress_below = 3
    partnership.save()

    matrix = rows_by_name(workbook(member_a, picture["content"])[0]["Matris"])

    assert matrix["Söder"]["Brand – antal"] == "<3"
    assert matrix["Söder"]["Totalt – antal"] == "<3"
    assert matrix["Norr"]["Skadegörelse – antal"] == 6
    assert matrix["Norr"]["Brand – antal"] == 0


def test_excel_opens_in_libreoffice(member_a, picture, tmp_path):
    import shutil
    import subprocess

    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed (Debian: apt-get install libreoffice-calc-nogui)")
    source = tmp_path / "lagesbild.xlsx"
    source.write_bytes(workbook(member_a, picture["content"])[1])

    result = subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "lagesbild.pdf").read_bytes().startswith(b"%PDF")


# --- GIS --------------------------------------------------------------------------------


def by_name(frame) -> dict[str, dict]:
    return {row["namn"]: row for row in frame.to_dict("records")}


def assert_figures(frame, member_a, content):
    norr, *_ = ids(member_a.partnership)
    rows = by_name(frame)
    assert rows["Norr"]["totalt"] == 6
    assert rows["Norr"]["antal_skadegorelse"] == 6
    assert rows["Söder"]["antal_brand"] == 1
    assert rows["Söder"]["poang"] == 9
    assert rows["Söder"]["per_1000"] == 4.5
    assert rows["Norr"]["vecka"] == content["period"]
    flagged = sum(
        content["series"][f"{norr}:{g['id']}"]["level"] == "avvikelse" for g in content["groups"]
    )
    assert rows["Norr"]["avvikelser"] == flagged


def test_geojson_in_wgs84_and_sweref(member_a, picture):
    content = picture["content"]
    edition = Edition(content, member_a)

    wgs84 = pyogrio.read_dataframe(io.BytesIO(gis.geojson(edition)))
    sweref = pyogrio.read_dataframe(io.BytesIO(gis.geojson(edition, gis.SWEREF99TM)))

    assert wgs84.crs.to_epsg() == 4326
    assert sweref.crs.to_epsg() == 3006
    assert_figures(wgs84, member_a, content)
    assert_figures(sweref, member_a, content)
    norr = member_a.partnership.areas.get(name="Norr")
    west, south, *_ = wgs84[wgs84.namn == "Norr"].total_bounds
    assert (west, south) == pytest.approx((norr.min_lon, norr.min_lat))
    x, y, *_ = sweref[sweref.namn == "Norr"].total_bounds
    assert 600_000 < x < 700_000 and 6_500_000 < y < 6_700_000  # metres, around Stockholm


def test_geopackage_has_both_layers(member_a, picture, tmp_path):
    content = picture["content"]
    path = tmp_path / "lagesbild.gpkg"
    path.write_bytes(gis.geopackage(Edition(content, member_a)))

    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert layers == {"omraden_wgs84", "omraden_sweref99tm"}
    for layer, epsg in (("omraden_wgs84", 4326), ("omraden_sweref99tm", 3006)):
        frame = pyogrio.read_dataframe(path, layer=layer)
        assert frame.crs.to_epsg() == epsg
        assert_figures(frame, member_a, content)


def test_gis_leaves_suppressed_counts_empty(member_a, picture):
    member_a.partnership.suppress_below = 3
    member_a.partnership.save()

    frame = pyogrio.read_dataframe(io.BytesIO(gis.geojson(Edition(picture["content"], member_a))))

    rows = by_name(frame)
    assert pd.isna(rows["Söder"]["antal_brand"])
    assert pd.isna(rows["Söder"]["totalt"])
    assert rows["Norr"]["antal_skadegorelse"] == 6
    assert rows["Norr"]["antal_brand"] == 0


# --- PDF --------------------------------------------------------------------------------


@pytest.fixture
def pdf():
    """The PDF module; skipped until reportlab is one of the project's dependencies."""
    pytest.importorskip("reportlab")
    from lagesbild.pictures.exports import pdf

    return pdf


def matrix_lines(text: str, names: list[str]) -> dict[str, list[str]]:
    """The words after each row name on the first line that starts with it and goes on with
    a count (a heading of the same name goes on with nothing or with words)."""
    lines = {}
    for line in text.splitlines():
        words = line.split()
        counts = len(words) > 1 and (words[1][0].isdigit() or words[1].startswith("<"))
        if counts and words[0] in names and words[0] not in lines:
            lines[words[0]] = words[1:]
    return lines


def test_pdf_holds_the_summary_and_the_matrix_numbers(member_a, picture, pdf, tmp_path):
    content = picture["content"]
    data = pdf.build(Edition(content, member_a))

    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    words = " ".join(text.split())
    assert " ".join(content["summary"][0].split()) in words
    assert "UTKAST – ej godkänd" in words
    assert "Lägesbild – Samverkan A – " + content["period"] in text
    assert "Sida 1 av " in text
    groups = content["groups"]
    rows = matrix_lines(text, ["Norr", "Söder", "Totalt"])
    for area in content["areas"]:
        keys = [f"{area['id']}:{g['id']}" for g in groups] + [f"{area['id']}:"]
        counts = [str(content["series"][key]["observed"]) for key in keys]
        assert rows[area["name"]][: len(counts)] == counts
    assert rows["Norr"][0] == "6"  # Skadegörelse, the first group, by hand
    assert rows["Söder"][1] == "1"  # Brand
    assert rows["Söder"][len(groups) + 1] == "4,5"  # points per 1,000, decimal comma
    assert rows["Totalt"][: len(groups) + 1] == [
        str(content["series"][key]["observed"]) for key in [f":{g['id']}" for g in groups] + [":"]
    ]
    assert rows["Totalt"][len(groups)] == "7"


def test_pdf_of_an_approved_version_suppressing_small_counts(coordinator_a, picture, pdf, tmp_path):
    partnership = coordinator_a.partnership
    partnership.suppress_below = 3
    partnership.save()
    approved = services.approve_picture(
        actor=coordinator_a.user,
        partnership=partnership,
        content=picture["content"],
        confirmed=True,
        change_note="Granskas i efterhand",
    )

    text = pdf_text(pdf.build(Edition(approved.content, coordinator_a, approved)), tmp_path)

    assert "Godkänd version 1 av coord_a" in text
    assert "UTKAST" not in text
    rows = matrix_lines(text, ["Norr", "Söder"])
    assert rows["Söder"][1] == "<3"
    assert rows["Norr"][0] == "6"


def with_hot_spot_and_cluster(content: dict, area) -> dict:
    """The content with one Gi* cell and one space-time cluster in the area (the fixture is
    too small for the analysis to find any)."""
    lon, lat = area.min_lon + 0.005, area.min_lat + 0.005
    cluster = {
        "group": None,
        "lon": lon,
        "lat": lat,
        "radius": 300.0,
        "text": "5 händelser (alla kategorier) inom 300 m på 3 dagar.",
    }
    cell = {"lon": lon, "lat": lat, "z": 3.2, "p_adjusted": 0.01, "count": 5}
    return {
        **content,
        "hotspots": {**content["hotspots"], "cells": [cell]},
        "clusters": [cluster],
    }


def test_pdf_and_excel_show_the_clusters(member_a, picture, pdf, tmp_path):
    norr = member_a.partnership.areas.get(name="Norr")
    content = with_hot_spot_and_cluster(picture["content"], norr)
    edition = Edition(content, member_a)

    words = " ".join(pdf_text(pdf.build(edition), tmp_path).split())
    summary = workbook(member_a, content)[0]["Sammanfattning"]

    assert "5 händelser (alla kategorier) inom 300 m på 3 dagar." in words
    # The map legend's words (on the page too): only cells with at least 3 incidents are tested.
    assert (
        "Brännpunkt: 200 m-ruta med minst 3 händelser de senaste 4 veckorna, tätare än slumpen "
        "förklarar (Gi*, FDR 5 %)"
    ) in words
    assert "5 händelser (alla kategorier) inom 300 m på 3 dagar." in [
        row[0] for row in summary.iter_rows(values_only=True)
    ]


def test_pdf_text_survives_markup_and_missing_glyphs(pdf):
    assert pdf.text("a < b & c → d 🙂\nnästa rad") == "a &lt; b &amp; c -&gt; d ?<br/>nästa rad"


# --- the download views -------------------------------------------------------------------


def _with_export_routes(patterns: list) -> list:
    """The project's URLs with the export routes in the "pictures" namespace. They join
    lagesbild/pictures/urls.py when the lead includes `export_views.urlpatterns`; until then
    these tests add them here (and after that this adds nothing)."""
    out = []
    for entry in patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "pictures":
            names = {p.name for p in entry.url_patterns}
            extra = [p for p in export_views.urlpatterns if p.name not in names]
            entry = path(str(entry.pattern), include(([*entry.url_patterns, *extra], "pictures")))
        out.append(entry)
    return out


urlpatterns = _with_export_routes(root_urls.urlpatterns)
views = pytest.mark.urls(__name__)

SIGNATURES = {
    "pdf": b"%PDF",
    "xlsx": b"PK",
    "geojson": b"{",
    "geojson-sweref": b"{",
    "gpkg": b"SQLite format 3",
}


def export_url(code: int, fmt: str, version: int | None = None) -> str:
    if version is None:
        return reverse("pictures:export", args=[weeks.iso(code), fmt])
    return reverse("pictures:export_version", args=[weeks.iso(code), version, fmt])


@views
def test_a_member_downloads_the_draft_and_the_export_is_audited(
    login, member_a, picture, last_week
):
    iso = weeks.iso(last_week)

    response = login(member_a).get(export_url(last_week, "xlsx"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="lagesbild-{iso}-utkast.xlsx"'
    assert "no-store" in response["Cache-Control"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert rows_by_name(book["Matris"])["Norr"]["Skadegörelse – antal"] == 6
    entry = Entry.objects.get(action="picture.export")
    assert entry.actor == member_a.user
    assert entry.partnership == member_a.partnership
    assert entry.details == {"format": "xlsx", "period": iso, "version": None}


@views
@pytest.mark.parametrize("fmt", SIGNATURES)
def test_every_format_of_an_approved_version(login, coordinator_a, picture, last_week, fmt):
    if fmt == "pdf":
        pytest.importorskip("reportlab")
    services.approve_picture(
        actor=coordinator_a.user,
        partnership=coordinator_a.partnership,
        content=picture["content"],
        confirmed=True,
        change_note="Granskas i efterhand",
    )
    iso = weeks.iso(last_week)

    response = login(coordinator_a).get(export_url(last_week, fmt, version=1))

    assert response.status_code == 200
    assert response.content.startswith(SIGNATURES[fmt])
    chosen = formats.FORMATS[fmt]
    variant = f"-{chosen.variant}" if chosen.variant else ""
    expected = f"lagesbild-{iso}-v1{variant}.{chosen.extension}"
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'
    entry = Entry.objects.get(action="picture.export")
    assert entry.object_type == "picture"
    assert entry.details == {"format": fmt, "period": iso, "version": 1}


@views
def test_another_partnership_gets_404_for_a_version_and_its_own_draft(
    login, coordinator_a, member_b, picture, last_week
):
    services.approve_picture(
        actor=coordinator_a.user,
        partnership=coordinator_a.partnership,
        content=picture["content"],
        confirmed=True,
        change_note="Granskas i efterhand",
    )
    client = login(member_b)

    for fmt in ("xlsx", "geojson", "gpkg"):
        assert client.get(export_url(last_week, fmt, version=1)).status_code == 404

    # B reports since a month before: its own draft of the week exists, with nothing in it.
    make_incident(member_b, occurred_at=weeks.bounds(last_week)[0] - timedelta(weeks=4))
    runs.run_now(member_b.partnership, weeks.iso(last_week))
    own = client.get(export_url(last_week, "xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(own.content))
    assert rows_by_name(book["Matris"])["Totalt"]["Totalt – antal"] == 0
    assert list(book["Händelser"].iter_rows(min_row=2, values_only=True)) == []
    assert not Entry.objects.filter(action="picture.export", partnership=coordinator_a.partnership)


@views
def test_reporters_export_only_where_allowed_and_see_only_their_own(
    login, reporter_a, member_a, picture, last_week
):
    client = login(reporter_a)
    url = export_url(last_week, "xlsx")
    assert client.get(url).status_code == 403

    reporter_a.partnership.reporters_see_picture = True
    reporter_a.partnership.save()
    response = client.get(url)

    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert rows_by_name(book["Matris"])["Totalt"]["Totalt – antal"] == 7
    assert list(book["Händelser"].iter_rows(min_row=2, values_only=True)) == []


@views
def test_no_export_before_the_first_run_and_unknown_formats(login, member_a, last_week):
    make_incident(member_a, occurred_at=weeks.bounds(last_week)[0] - timedelta(weeks=4))
    client = login(member_a)

    response = client.get(export_url(last_week, "pdf"))

    assert response.status_code == 302
    assert response.url == reverse("pictures:week", args=[weeks.iso(last_week)])
    assert AnalysisRun.objects.filter(partnership=member_a.partnership).count() == 1
    assert not Entry.objects.filter(action="picture.export").exists()
    assert client.get(export_url(last_week, "docx")).status_code == 404


@views
def test_links_of_the_draft_and_of_a_version(last_week):
    iso = weeks.iso(last_week)

    draft = {link["format"]: link["url"] for link in formats.links(iso)}
    approved = {link["format"]: link["url"] for link in formats.links(iso, 2)}

    assert set(draft) == set(SIGNATURES)
    assert draft["pdf"] == export_url(last_week, "pdf")
    assert approved["gpkg"] == export_url(last_week, "gpkg", version=2)
