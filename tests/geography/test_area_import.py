"""Importing areas from boundary files: real public files (Swedish municipalities, UK wards in
British National Grid, Vancouver's neighbourhoods) and broken ones made here (a bow-tie, a
tiny self-crossing, the wrong CRS, no CRS, an empty layer, a zip bomb, a 2 GB upload)."""

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import numpy as np
import pyogrio.raw
import pytest
import shapely
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lagesbild.audit.models import Entry
from lagesbild.geography import area_import, boundaries, geometry
from lagesbild.geography.area_import import Mapping, Mode
from lagesbild.geography.models import Area, Place
from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident
from lagesbild.pictures import runs
from lagesbild.pictures.models import PeriodKind, Picture
from tests.factories import make_incident
from tests.shared_data import SHARED

needs_shared = pytest.mark.skipif(SHARED is None, reason="the shared public data sets are absent")


def _source(path: Path) -> str:
    return boundaries.dataset(path)


def _plan(partnership, path: Path, **mapping):
    source = _source(path)
    layer = boundaries.layers(source)[0]
    return area_import.plan_import(
        partnership=partnership, source=source, mapping=Mapping(layer=layer.name, **mapping)
    )


def _write(path: Path, polygons, *, crs="EPSG:3006", driver=None, codes=None, names=None):
    """A file with one polygon per feature and columns kod, namn and folkmangd."""
    n = len(polygons)
    codes = codes or [f"K{i + 1}" for i in range(n)]
    names = names or [f"Område {i + 1}" for i in range(n)]
    pyogrio.raw.write(
        str(path),
        shapely.to_wkb(np.array(polygons, dtype=object)) if n else np.array([], dtype=object),
        [np.array(codes, dtype=object), np.array(names, dtype=object), np.arange(n) * 100 + 50],
        ["kod", "namn", "folkmangd"],
        driver=driver,
        geometry_type="Polygon",
        crs=crs,
    )
    return path


def _square(x, y, size=1000.0):
    return shapely.box(x, y, x + size, y + size)


# Two neighbouring 1 km squares in Sollentuna (SWEREF 99 TM), as a municipality's own GIS has them.
X, Y = 666_000.0, 6_590_000.0


# --- reading and refusing ---------------------------------------------------------------------


def test_a_geopackage_in_sweref_is_reprojected_to_wgs84(tmp_path, partnership_a):
    path = _write(tmp_path / "omraden.gpkg", [_square(X, Y), _square(X + 1000, Y)])
    plan = _plan(partnership_a, path, name_column="namn", code_column="kod")
    assert not plan.errors
    first = plan.rows[0]
    lon, lat = geometry.to_wgs84(X, Y)
    corners = shapely.get_coordinates(first.wgs84).tolist()
    assert min(abs(c[0] - lon) + abs(c[1] - lat) for c in corners) < 1e-9
    assert first.size_m2 == pytest.approx(1_000_000, rel=1e-6)
    assert (plan.created, plan.overlaps, plan.gaps) == (2, [], [])


def test_a_bow_tie_is_shown_and_blocks_saving(tmp_path, partnership_a):
    bow_tie = shapely.Polygon([(X, Y), (X + 1000, Y + 1000), (X + 1000, Y), (X, Y + 1000)])
    path = _write(tmp_path / "fel.gpkg", [bow_tie, _square(X + 2000, Y)])
    plan = _plan(partnership_a, path, name_column="namn", code_column="kod")
    assert [r.code for r in plan.errors] == ["K1"]
    assert "Self-intersection" in plan.errors[0].errors[0]
    before = Area.objects.count()
    with pytest.raises(ValidationError):
        area_import.apply_import(
            actor=None,
            partnership=partnership_a,
            source=_source(path),
            mapping=Mapping(layer="fel", name_column="namn", code_column="kod"),
        )
    assert Area.objects.count() == before


def test_a_tiny_self_crossing_is_repaired(tmp_path, partnership_a):
    ring = [(X, Y), (X + 1000, Y), (X + 1000, Y + 1000), (X, Y + 1000), (X, Y + 500)]
    ring += [(X + 0.5, Y + 499), (X - 0.5, Y + 499), (X, Y + 500.5), (X, Y)]
    path = _write(tmp_path / "lagas.gpkg", [shapely.Polygon(ring)])
    plan = _plan(partnership_a, path, name_column="namn", code_column="kod")
    assert not plan.errors
    assert [r.code for r in plan.repaired] == ["K1"]
    assert plan.rows[0].sweref.is_valid


def test_overlaps_and_gaps_are_measured_in_square_metres(tmp_path, partnership_a):
    # K1 and K2 overlap by 100 m x 1000 m; K1..K4 around an empty 1 km square leave a gap.
    squares = [
        _square(X, Y),
        _square(X + 900, Y),
        _square(X + 1900, Y + 1000),
        _square(X, Y + 1000),
    ]
    ring = shapely.box(X, Y + 2000, X + 2900, Y + 3000)
    path = _write(tmp_path / "glapp.gpkg", [*squares, ring])
    plan = _plan(partnership_a, path, name_column="namn", code_column="kod")
    assert [(o.first, o.second) for o in plan.overlaps] == [("K1", "K2")]
    assert plan.overlap_m2 == pytest.approx(100_000, rel=1e-3)
    assert len(plan.gaps) == 1
    assert plan.gap_m2 == pytest.approx(900_000, rel=1e-3)


def test_coordinates_that_do_not_fit_the_crs_are_an_error(tmp_path, partnership_a):
    # SWEREF 99 TM metres in a file that says WGS 84.
    path = _write(tmp_path / "fel-crs.gpkg", [_square(X, Y)], crs="EPSG:4326")
    plan = _plan(partnership_a, path, name_column="namn", code_column="kod")
    assert "koordinatsystem" in plan.errors[0].errors[0]


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def _shapefile(tmp_path: Path, *, prj: bool) -> dict[str, bytes]:
    _write(tmp_path / "omr.shp", [_square(X, Y)], driver="ESRI Shapefile")
    parts = ["shp", "shx", "dbf"] + (["prj"] if prj else [])
    return {f"omr.{ext}": (tmp_path / f"omr.{ext}").read_bytes() for ext in parts}


def test_a_zipped_shapefile_is_read_in_place(tmp_path, partnership_a):
    path = _zip(tmp_path / "omr.zip", _shapefile(tmp_path, prj=True))
    plan = _plan(partnership_a, path, name_column="namn", code_column="kod")
    assert not plan.errors
    assert plan.rows[0].size_m2 == pytest.approx(1_000_000, rel=1e-6)


def test_a_shapefile_without_a_crs_is_refused(tmp_path, partnership_a):
    path = _zip(tmp_path / "omr.zip", _shapefile(tmp_path, prj=False))
    with pytest.raises(boundaries.BoundaryFileError, match="saknar koordinatsystem"):
        _plan(partnership_a, path, name_column="namn", code_column="kod")


def test_a_file_whose_layers_are_all_empty_is_refused(tmp_path):
    path = _write(tmp_path / "tom.gpkg", [])
    with pytest.raises(boundaries.BoundaryFileError, match="tomma"):
        boundaries.layers(_source(path))


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(tmp_path, settings):
    settings.AREA_IMPORT_MAX_UNZIPPED_BYTES = 1024 * 1024
    path = tmp_path / "bomb.zip"
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("omr.shp", "w") as member,
    ):
        for _i in range(4):
            member.write(bytes(1024 * 1024))
    assert path.stat().st_size < 50_000
    with pytest.raises(boundaries.BoundaryFileError, match="packas upp"):
        boundaries.dataset(path)


def test_a_zip_without_a_boundary_file_is_refused(tmp_path):
    path = _zip(tmp_path / "annat.zip", {"readme.txt": b"hej"})
    with pytest.raises(boundaries.BoundaryFileError, match="ingen shapefil"):
        boundaries.dataset(path)


def test_uploads_are_refused_by_name_and_size(settings):
    settings.AREA_IMPORT_MAX_BYTES = 1000
    with pytest.raises(boundaries.BoundaryFileError, match="GeoJSON"):
        boundaries.check_upload("omraden.xlsx", 10)
    with pytest.raises(boundaries.BoundaryFileError, match="största tillåtna"):
        boundaries.check_upload("omraden.gpkg", 1001)


def test_duplicate_codes_missing_parents_and_loops_are_errors(tmp_path, partnership_a):
    path = tmp_path / "f.geojson"
    features = [
        {"code": "A", "name": "A", "parent": "B"},
        {"code": "B", "name": "B", "parent": "A"},
        {"code": "C", "name": "C", "parent": "X"},
        {"code": "C", "name": "D", "parent": ""},
    ]
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": f,
                "geometry": shapely.geometry.mapping(
                    shapely.box(17.9 + i / 100, 59.4, 17.905 + i / 100, 59.405)
                ),
            }
            for i, f in enumerate(features)
        ],
    }
    path.write_text(json.dumps(geojson))
    plan = _plan(
        partnership_a, path, name_column="name", code_column="code", parent_column="parent"
    )
    problems = {r.number: " ".join(r.errors) for r in plan.rows}
    assert "slinga" in problems[1] and "slinga" in problems[2]
    assert "X finns varken" in problems[3]
    assert "flera rader" in problems[3] and "flera rader" in problems[4]


# --- real files ---------------------------------------------------------------------------------


@needs_shared
def test_swedens_municipalities_replace_the_areas_and_incidents_follow(
    partnership_a, coordinator_a, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(area_import, "BATCH", 2)  # three incidents: located in two batches
    incidents = [make_incident(coordinator_a) for _i in range(3)]
    old_areas = set(Area.objects.filter(partnership=partnership_a).values_list("pk", flat=True))
    path = SHARED / "se-kommuner-okfse" / "swedish_municipalities.geojson"
    mapping = Mapping(
        layer="swedish_municipalities",
        name_column="kom_namn",
        code_column="id",
        kind=Area.Kind.MUNICIPALITY,
        mode=Mode.REPLACE,
    )
    source = _source(path)
    plan = area_import.plan_import(partnership=partnership_a, source=source, mapping=mapping)
    assert (len(plan.rows), plan.created, len(plan.errors)) == (290, 290, 0)
    assert plan.incidents_moving == 3 and plan.places_moving == 1
    assert plan.overlaps and plan.overlap_m2 > 0  # the simplified outlines overlap a little
    with django_capture_on_commit_callbacks(execute=True):
        area_import.apply_import(
            actor=coordinator_a.user, partnership=partnership_a, source=source, mapping=mapping
        )
    sollentuna = Area.objects.get(partnership=partnership_a, code="0163")
    assert sollentuna.name == "Sollentuna" and sollentuna.active
    assert sollentuna.scb_code == "0163"  # so SCB's population tables find it
    assert {i.area_id for i in Incident.objects.filter(pk__in=[i.pk for i in incidents])} == {
        sollentuna.pk
    }
    assert Place.objects.get(partnership=partnership_a).area_id == sollentuna.pk
    assert not Area.objects.filter(pk__in=old_areas, active=True).exists()
    entry = Entry.objects.get(partnership=partnership_a, action="area.import")
    assert entry.details["created"] == 290 and entry.details["incidents_moving"] == 3
    moved = Entry.objects.get(partnership=partnership_a, action="area.relocate")
    assert moved.details["incidents_moved"] == 3


def test_incidents_follow_a_merged_area_in_one_background_job(
    tmp_path,
    partnership_a,
    coordinator_a,
    settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    """Saving the areas moves the places at once; the incidents move in a job queued when
    the page's transaction commits, which then has their weeks analysed again as one job.
    An approved picture keeps what it froze."""
    settings.ANALYSIS_ON_CHANGE = True
    requested = []
    monkeypatch.setattr(
        runs, "request_weeks", lambda p, first, last: requested.append((first, last))
    )
    now = timezone.now()
    early = make_incident(coordinator_a, occurred_at=now - timedelta(weeks=3))
    late = make_incident(coordinator_a, occurred_at=now - timedelta(weeks=1))
    stays = make_incident(coordinator_a, occurred_at=now - timedelta(weeks=2))
    Incident.objects.filter(pk=stays.pk).update(lon=17.908)  # east of the new area
    norr = Area.objects.get(partnership=partnership_a, name="Norr")
    frozen = {"areas": [{"id": norr.pk, "name": "Norr", "count": 3}], "outlines": {}}
    picture = Picture.objects.create(
        partnership=partnership_a,
        period_kind=PeriodKind.WEEK,
        period=weeks.iso(early.iso_week),
        approved_by=coordinator_a.user,
        content=frozen,
    )
    # Väst: the western part of Norr, where the first two incidents and the place are.
    path = _write(
        tmp_path / "vast.geojson",
        [shapely.box(17.900, 59.430, 17.906, 59.440)],
        crs="EPSG:4326",
        codes=["V1"],
        names=["Väst"],
    )
    source = _source(path)
    mapping = Mapping(
        layer=boundaries.layers(source)[0].name, name_column="namn", code_column="kod"
    )
    plan = area_import.plan_import(partnership=partnership_a, source=source, mapping=mapping)
    assert plan.incidents_moving == 2

    with django_capture_on_commit_callbacks() as queued:
        area_import.apply_import(
            actor=coordinator_a.user, partnership=partnership_a, source=source, mapping=mapping
        )
    vast = Area.objects.get(partnership=partnership_a, code="V1")
    assert Place.objects.get(partnership=partnership_a).area_id == vast.pk  # at once
    assert set(Incident.objects.values_list("area_id", flat=True)) == {norr.pk}  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()

    areas = dict(Incident.objects.values_list("pk", "area_id"))
    assert areas == {early.pk: vast.pk, late.pk: vast.pk, stays.pk: norr.pk}
    assert requested == [(early.iso_week, late.iso_week)]  # one job for the weeks
    entry = Entry.objects.get(partnership=partnership_a, action="area.relocate")
    assert entry.details["incidents_moved"] == 2
    picture.refresh_from_db()
    assert picture.content == frozen

    # Nothing left to move: the job again moves nothing and asks for no analysis.
    assert area_import.relocate_incidents(partnership_a).moved == 0
    assert len(requested) == 1


def test_scb_codes_are_kept_as_the_areas_scb_codes(tmp_path, partnership_a, coordinator_a):
    codes = ["0163C1010", "0163R001", "K3"]  # a DeSO, a RegSO and a code of the city's own
    path = _write(
        tmp_path / "deso.gpkg",
        [_square(X + i * 1000, Y) for i in range(3)],
        driver="GPKG",
        codes=codes,
    )
    source = _source(path)
    layer = boundaries.layers(source)[0].name
    mapping = Mapping(layer=layer, name_column="namn", code_column="kod")
    area_import.apply_import(
        actor=coordinator_a.user, partnership=partnership_a, source=source, mapping=mapping
    )
    stored = dict(
        Area.objects.filter(partnership=partnership_a, code__in=codes).values_list(
            "code", "scb_code"
        )
    )
    assert stored == {"0163C1010": "0163C1010", "0163R001": "0163R001", "K3": ""}


@needs_shared
def test_uk_wards_in_british_national_grid(partnership_a):
    plan = _plan(
        partnership_a,
        SHARED / "uk-police-asb-2022" / "lancashire_wards.gpkg",
        name_column="ward_name",
        code_column="ward_code",
    )
    assert plan.layer.crs == "EPSG:27700"
    assert len(plan.rows) == 271 and not plan.errors
    min_lon, min_lat, max_lon, max_lat = shapely.union_all([r.wgs84 for r in plan.rows]).bounds
    assert -3.2 < min_lon < max_lon < -2.0 and 53.4 < min_lat < max_lat < 54.3  # Lancashire
    assert plan.outside_sweden == 271


@needs_shared
def test_vancouver_neighbourhoods_merge_beside_the_existing_areas(partnership_a):
    source = _source(SHARED / "vancouver-crime-2020" / "vancouver_neighbourhoods.geojson")
    mapping = Mapping(layer="vancouver_neighbourhoods", name_column="name", code_column="mapid")
    before = Area.objects.filter(partnership=partnership_a, active=True).count()
    area_import.apply_import(actor=None, partnership=partnership_a, source=source, mapping=mapping)
    assert Area.objects.filter(partnership=partnership_a, active=True).count() == before + 22


@needs_shared
def test_areas_outside_the_partnerships_municipality_are_named(partnership_a):
    partnership_a.municipality_code = "0163"  # Sollentuna
    partnership_a.save()
    plan = _plan(
        partnership_a,
        SHARED / "se-kommuner-okfse" / "swedish_municipalities.geojson",
        name_column="kom_namn",
        code_column="id",
    )
    outside = dict(plan.outside_municipality)
    assert "0163" not in outside  # Sollentuna itself, by another source's outline
    assert len(outside) == 289
    assert outside["0180"] > 100_000_000  # Stockholm: all of it, over 100 km²


# --- the pages ------------------------------------------------------------------------------------


@pytest.fixture
def coordinator(coordinator_a, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    client = Client()
    client.force_login(coordinator_a.user)
    return client


def _upload(client, name: str, data: bytes):
    file = io.BytesIO(data)
    file.name = name
    return client.post(reverse("partnerships:area_import"), {"file": file})


def test_upload_map_preview_and_save(coordinator, partnership_a, tmp_path):
    path = _write(tmp_path / "omraden.gpkg", [_square(X, Y), _square(X + 1000, Y)])
    response = _upload(coordinator, "omraden.gpkg", path.read_bytes())
    assert response.status_code == 302
    page = coordinator.get(response.url)
    assert page.status_code == 200
    form = {
        "layer": "omraden",
        "name_column": "namn",
        "code_column": "kod",
        "population_column": "folkmangd",
        "population_year": "2024",
        "kind": "omrade",
        "mode": "merge",
    }
    preview = coordinator.post(response.url, {**form, "preview": "1"})
    assert preview.status_code == 200
    assert "2 nya områden" in preview.content.decode()
    assert not Area.objects.filter(partnership=partnership_a, code="K1").exists()
    saved = coordinator.post(response.url, {**form, "save": "1"})
    assert saved.status_code == 302
    area = Area.objects.get(partnership=partnership_a, code="K2")
    assert (area.name, area.population, area.population_year) == ("Område 2", 150, 2024)
    # The stored upload is gone after saving.
    assert coordinator.get(response.url).status_code == 404


def test_another_partnerships_coordinator_cannot_reach_an_upload(
    coordinator, coordinator_b, tmp_path
):
    path = _write(tmp_path / "omraden.gpkg", [_square(X, Y)])
    url = _upload(coordinator, "omraden.gpkg", path.read_bytes()).url
    other = Client()
    other.force_login(coordinator_b.user)
    assert other.get(url).status_code == 404


def test_a_broken_upload_is_explained_and_nothing_is_kept(coordinator, settings):
    response = _upload(coordinator, "omraden.geojson", b"{not json")
    assert response.status_code == 400
    assert "går inte att läsa" in response.content.decode()
    folder = settings.VAR_DIR / "uploads" / "areas"
    assert not any(p.is_file() for p in folder.rglob("*"))


def test_a_2_gb_upload_is_refused_from_its_size_alone(coordinator, settings):
    body = b"x" * 100
    response = coordinator.post(
        reverse("partnerships:area_import"),
        data=body,
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(2 * 1024**3),
    )
    assert response.status_code == 413
    assert "för stor" in response.content.decode()


def test_reporters_cannot_import(reporter_a):
    client = Client()
    client.force_login(reporter_a.user)
    assert client.get(reverse("partnerships:area_import")).status_code == 403
