"""Reading boundary files: GeoJSON, GeoPackage and zipped shapefiles, through GDAL (pyogrio).

Everything that can be refused without reading the geometry is refused first: a file over the
size cap, a zip whose contents would unpack to more than the uncompressed cap (a zip bomb) or
that holds no boundary file, a layer without features or without a coordinate system. The
features are then reprojected from the file's CRS to WGS 84 (stored) and SWEREF 99 TM
(computed on). No Django models here: `area_import` turns the features into areas.
"""

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyogrio
import pyogrio.raw
import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from lagesbild.geography import geometry

SUFFIXES = (".geojson", ".json", ".gpkg", ".zip")
# Inside a zip: the first of these that the zip holds is read.
INNER_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")
MAX_ZIP_MEMBERS = 1000


class BoundaryFileError(ValueError):
    """A file that cannot be imported, with the reason in the user's language."""


def max_bytes() -> int:
    return settings.AREA_IMPORT_MAX_BYTES


def check_upload(name: str, size: int) -> None:
    """Refuse by name and size alone, before anything is read."""
    if not name.lower().endswith(SUFFIXES):
        raise BoundaryFileError(
            _("Välj en GeoJSON-fil, en GeoPackage (.gpkg) eller en zippad shapefil (.zip).")
        )
    if size > max_bytes():
        raise BoundaryFileError(
            _("Filen är %(size)s MB; största tillåtna är %(max)s MB.")
            % {"size": _megabytes(size), "max": _megabytes(max_bytes())}
        )
    if size == 0:
        raise BoundaryFileError(_("Filen är tom."))


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")


def dataset(path: Path) -> str:
    """The name GDAL opens for the stored upload: the file itself, or for a zip the boundary
    file inside it (read in place through /vsizip/, never unpacked to disk)."""
    if path.suffix.lower() != ".zip":
        return str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise BoundaryFileError(_("Zip-filen går inte att öppna.")) from exc
    unpacked = sum(m.file_size for m in members)
    if len(members) > MAX_ZIP_MEMBERS or unpacked > settings.AREA_IMPORT_MAX_UNZIPPED_BYTES:
        raise BoundaryFileError(
            _(
                "Zip-filen skulle packas upp till %(size)s MB i %(n)s filer; största tillåtna "
                "är %(max)s MB. Zippa bara shapefilens delar (.shp, .shx, .dbf, .prj)."
            )
            % {
                "size": _megabytes(unpacked),
                "n": len(members),
                "max": _megabytes(settings.AREA_IMPORT_MAX_UNZIPPED_BYTES),
            }
        )
    names = [m.filename for m in members if not m.is_dir() and "__MACOSX" not in m.filename]
    for suffix in INNER_SUFFIXES:
        inner = sorted(n for n in names if n.lower().endswith(suffix))
        if inner:
            return f"/vsizip/{path}/{inner[0]}"
    raise BoundaryFileError(
        _("Zip-filen innehåller ingen shapefil (.shp), GeoPackage eller GeoJSON-fil.")
    )


@dataclass(frozen=True)
class Layer:
    """One layer of a boundary file, as the mapping step shows it."""

    name: str
    features: int
    geometry_type: str
    crs: str | None
    fields: tuple[str, ...]


def layers(source: str) -> list[Layer]:
    """The file's layers with their feature counts, coordinate systems and columns, or a
    BoundaryFileError when GDAL cannot read it or no layer has a feature."""
    try:
        found = []
        for name, geometry_type in pyogrio.list_layers(source):
            info = pyogrio.read_info(source, layer=name, force_feature_count=True)
            found.append(
                Layer(
                    name=str(name),
                    features=int(info["features"]),
                    geometry_type=str(geometry_type or ""),
                    crs=info["crs"],
                    fields=tuple(str(f) for f in info["fields"]),
                )
            )
    except pyogrio.errors.DataSourceError as exc:
        raise BoundaryFileError(
            _("Filen går inte att läsa som geodata. Är det GeoJSON, GeoPackage eller shapefil?")
        ) from exc
    except pyogrio.errors.DataLayerError as exc:
        raise BoundaryFileError(_("Ett lager i filen går inte att läsa.")) from exc
    if not any(layer.features > 0 for layer in found):
        raise BoundaryFileError(_("Filen har inga objekt: alla lager är tomma."))
    return found


@dataclass
class Feature:
    """One feature, reprojected: `wgs84` is what is stored, `sweref` what is measured."""

    index: int
    properties: dict
    wgs84: object  # shapely geometry, or None when the feature has none
    sweref: object


def _check_layer(layer: Layer) -> CRS:
    if layer.features == 0:
        raise BoundaryFileError(_("Lagret %(name)s är tomt.") % {"name": layer.name})
    if not layer.crs:
        raise BoundaryFileError(
            _(
                "Lagret %(name)s saknar koordinatsystem (för en shapefil: .prj-filen saknas). "
                "Spara om filen med koordinatsystemet angivet, till exempel SWEREF 99 TM."
            )
            % {"name": layer.name}
        )
    if layer.features > settings.AREA_IMPORT_MAX_FEATURES:
        raise BoundaryFileError(
            _("Lagret har %(n)s objekt; högst %(max)s går att importera på en gång.")
            % {"n": layer.features, "max": settings.AREA_IMPORT_MAX_FEATURES}
        )
    try:
        return CRS.from_user_input(layer.crs)
    except CRSError as exc:
        raise BoundaryFileError(
            _("Koordinatsystemet %(crs)s känns inte igen.") % {"crs": layer.crs}
        ) from exc


def read_features(source: str, layer: Layer) -> list[Feature]:
    """Every feature of the layer in WGS 84 and SWEREF 99 TM, properties as plain values."""
    crs = _check_layer(layer)
    meta, _fids, wkb, columns = pyogrio.raw.read(source, layer=layer.name, force_2d=True)
    shapes = shapely.from_wkb(wkb, on_invalid="ignore")
    to_wgs84 = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    def reproject(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(to_wgs84.transform(xy[:, 0], xy[:, 1]))

    names = [str(n) for n in meta["fields"]]
    features = []
    for i, shape in enumerate(shapes):
        props = {name: _plain(columns[j][i]) for j, name in enumerate(names)}
        if shape is None or shape.is_empty:
            features.append(Feature(i, props, None, None))
            continue
        wgs84 = shapely.transform(shape, reproject)
        features.append(Feature(i, props, wgs84, geometry.geometry_to_sweref(wgs84)))
    return features


def _plain(value):
    """A numpy scalar or bytes as a plain Python value for tables and forms."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray):
        return ", ".join(str(v) for v in value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value
