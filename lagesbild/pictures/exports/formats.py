"""The export formats of the picture: how each is built, served, named and linked.

Kept apart from the views so the picture pages can list the download links without
importing the export views (which import the picture views' helpers).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.urls import reverse
from django.utils.translation import gettext_lazy

from lagesbild.pictures.exports import excel, gis
from lagesbild.pictures.exports.edition import Edition


def _pdf(edition: Edition) -> bytes:
    # ReportLab takes a noticeable moment to import (0.1-0.5 s measured), so web and task
    # processes load it on the first PDF rather than at start-up.
    from lagesbild.pictures.exports import pdf

    return pdf.build(edition)


@dataclass(frozen=True)
class Format:
    """How one export format is made, served and named."""

    label: str
    build: Callable[[Edition], bytes]
    content_type: str
    extension: str
    variant: str = ""  # told apart in the file name where two formats share an extension


FORMATS = {
    "pdf": Format(gettext_lazy("PDF"), _pdf, "application/pdf", "pdf"),
    "xlsx": Format(
        gettext_lazy("Excel"),
        excel.build,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "geojson": Format(
        gettext_lazy("GeoJSON (WGS 84)"), gis.geojson, "application/geo+json", "geojson"
    ),
    "geojson-sweref": Format(
        gettext_lazy("GeoJSON (SWEREF 99 TM)"),
        partial(gis.geojson, crs=gis.SWEREF99TM),
        "application/geo+json",
        "geojson",
        "sweref99tm",
    ),
    "gpkg": Format(
        gettext_lazy("GeoPackage"), gis.geopackage, "application/geopackage+sqlite3", "gpkg"
    ),
}


def links(iso: str, version: int | None = None) -> list[dict]:
    """The download links of a picture page: the draft's, or those of an approved version."""
    return [
        {
            "format": fmt,
            "label": chosen.label,
            "url": reverse("pictures:export", args=[iso, fmt])
            if version is None
            else reverse("pictures:export_version", args=[iso, version, fmt]),
        }
        for fmt, chosen in FORMATS.items()
    ]
