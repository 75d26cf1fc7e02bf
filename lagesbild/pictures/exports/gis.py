"""The picture's areas with the week's figures for GIS tools: GeoJSON and GeoPackage.

One feature per area: its outline and the week's figures (total, severity points, points per
1,000 inhabitants, number of deviations, the group's assessment and one count column per
category group). The GeoJSON comes in WGS 84 as RFC 7946 asks, and as a separate file in
SWEREF 99 TM (EPSG:3006) with a "crs" member, which GDAL and QGIS read; the GeoPackage holds
both as the layers `omraden_wgs84` and `omraden_sweref99tm`. Counts the partnership
suppresses (1 .. n-1) are left empty (null): a number column cannot hold "<n".
"""

import tempfile
from io import BytesIO
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from django.utils.text import slugify
from shapely.geometry import shape

from lagesbild.pictures.exports.edition import Edition, area_geometries, shown_count

WGS84 = "EPSG:4326"
SWEREF99TM = "EPSG:3006"
LAYERS = {WGS84: "omraden_wgs84", SWEREF99TM: "omraden_sweref99tm"}


def group_columns(content: dict) -> dict[int, str]:
    """Column name of each category group's count: 'antal_' and the name in plain ASCII."""
    columns: dict[int, str] = {}
    for group in content["groups"]:
        name = "antal_" + slugify(group["name"]).replace("-", "_")
        columns[group["id"]] = name if name not in columns.values() else f"{name}_{group['id']}"
    return columns


def frame(edition: Edition) -> gpd.GeoDataFrame:
    """The areas with their figures, in WGS 84."""
    content = edition.content
    series = content["series"]
    geometries = area_geometries(edition)
    columns = group_columns(content)

    def count(key: str) -> int | None:
        shown = shown_count(series[key]["observed"], edition.suppress_below)
        return None if isinstance(shown, str) else shown

    rows, outlines = [], []
    for area in sorted(content["areas"], key=lambda a: a["name"]):
        if area["id"] not in geometries:
            continue
        points = content["area_points"][str(area["id"])]
        own = [series[f"{area['id']}:{g['id']}"] for g in content["groups"]]
        rows.append(
            {
                "omrade_id": area["id"],
                "namn": area["name"],
                "vecka": edition.period,
                "pagaende": bool(content.get("in_progress", False)),
                "invanare": area["population"],
                "totalt": count(f"{area['id']}:"),
                "poang": points["points"],
                "per_1000": points["per_1000"],
                "avvikelser": sum(s["level"] == "avvikelse" for s in own),
                "bedomning": content["assessments"][str(area["id"])]["level"],
                **{columns[g["id"]]: count(f"{area['id']}:{g['id']}") for g in content["groups"]},
            }
        )
        outlines.append(shape(geometries[area["id"]]))
    table = pd.DataFrame(rows)
    integers = ["invanare", "totalt", "bedomning", *columns.values()]
    table = table.astype(dict.fromkeys(integers, "Int64")) if rows else table
    return gpd.GeoDataFrame(table, geometry=outlines, crs=WGS84)


def geojson(edition: Edition, crs: str = WGS84) -> bytes:
    """A FeatureCollection in WGS 84 (RFC 7946: right-hand rings, no "crs" member) or in
    SWEREF 99 TM (with a "crs" member naming EPSG:3006)."""
    options = {"RFC7946": "YES"} if crs == WGS84 else {}
    out = BytesIO()
    pyogrio.write_dataframe(
        frame(edition).to_crs(crs), out, layer="omraden", driver="GeoJSON", layer_options=options
    )
    return out.getvalue()


def geopackage(edition: Edition) -> bytes:
    """A GeoPackage with the areas in WGS 84 and in SWEREF 99 TM, one layer each."""
    areas = frame(edition)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lagesbild.gpkg"
        for crs, layer in LAYERS.items():
            pyogrio.write_dataframe(
                areas.to_crs(crs), path, layer=layer, driver="GPKG", append=path.exists()
            )
        # GDAL cannot add a second layer to an in-memory file, so this one goes via disk.
        return path.read_bytes()
