"""Geometry helpers: WGS 84 <-> SWEREF 99 TM and point-in-area assignment.

Areas are stored in WGS 84 but compared in SWEREF 99 TM (EPSG:3006), the metric grid Swedish
municipalities use, so distances and areas are in metres. The point-in-area index is a
shapely STRtree over prepared polygons, built once per partnership and geography version.
"""

from dataclasses import dataclass
from functools import cache
from threading import Lock

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape

_TO_SWEREF = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)

# Sweden's extent with a margin, in WGS 84: a cheap first check for coordinates.
SWEDEN_BOUNDS = (10.0, 55.0, 24.5, 69.5)


def to_sweref(lon, lat):
    """WGS 84 longitude/latitude (scalars or arrays) to SWEREF 99 TM x (east), y (north)."""
    return _TO_SWEREF.transform(lon, lat)


@cache
def _transformer_to_wgs84(system: str) -> Transformer:
    return Transformer.from_crs(system, "EPSG:4326", always_xy=True)


def to_wgs84(x, y, system: str = "EPSG:3006"):
    """x (east), y (north) in `system`, SWEREF 99 TM unless said, to WGS 84 longitude/latitude
    (scalars or arrays)."""
    return _transformer_to_wgs84(system).transform(x, y)


def geometry_to_sweref(geom):
    """A shapely geometry in WGS 84 transformed to SWEREF 99 TM."""
    return shapely.transform(geom, lambda xy: np.column_stack(to_sweref(xy[:, 0], xy[:, 1])))


def geometry_to_wgs84(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(to_wgs84(xy[:, 0], xy[:, 1])))


def in_sweden(lon: float, lat: float) -> bool:
    min_lon, min_lat, max_lon, max_lat = SWEDEN_BOUNDS
    return min_lon <= lon <= max_lon and min_lat <= lat <= max_lat


def parse_geojson_polygon(geojson: dict):
    """A valid (Multi)Polygon from a GeoJSON geometry, or ValueError saying what is wrong."""
    try:
        geom = shape(geojson)
    except Exception as exc:  # shapely raises several types for malformed input
        raise ValueError("not a GeoJSON geometry") from exc
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"expected a polygon, got {geom.geom_type}")
    if geom.is_empty:
        raise ValueError("empty polygon")
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    return geom


def bbox(geom) -> tuple[float, float, float, float]:
    return tuple(float(v) for v in geom.bounds)


@dataclass(frozen=True)
class AreaShape:
    id: int
    geometry_sweref: object  # shapely geometry in SWEREF 99 TM
    size: float


class AreaIndex:
    """Finds the smallest area containing a point; built from (id, GeoJSON) pairs."""

    def __init__(self, areas: list[tuple[int, dict]]):
        shapes = []
        for area_id, geojson in areas:
            geom = geometry_to_sweref(parse_geojson_polygon(geojson))
            shapely.prepare(geom)
            shapes.append(AreaShape(area_id, geom, geom.area))
        self._shapes = shapes
        self._tree = shapely.STRtree([s.geometry_sweref for s in shapes])

    def locate(self, lon: float, lat: float) -> int | None:
        """The id of the smallest area containing the point, or None if it is in none."""
        x, y = to_sweref(lon, lat)
        point = shapely.Point(x, y)
        hits = [self._shapes[i] for i in self._tree.query(point, predicate="intersects")]
        if not hits:
            return None
        return min(hits, key=lambda s: s.size).id

    def locate_many(self, lon, lat) -> np.ndarray:
        """Area ids for arrays of points (-1 where a point is in no area), smallest area first."""
        x, y = to_sweref(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        points = shapely.points(x, y)
        result = np.full(len(points), -1, dtype=np.int64)
        best_size = np.full(len(points), np.inf)
        point_idx, shape_idx = self._tree.query(points, predicate="intersects")
        for p, s in zip(point_idx, shape_idx, strict=True):
            candidate = self._shapes[s]
            if candidate.size < best_size[p]:
                best_size[p] = candidate.size
                result[p] = candidate.id
        return result


_cache: dict[int, tuple[int, AreaIndex]] = {}
_cache_lock = Lock()


def cached_index(partnership_id: int, version: int, load) -> AreaIndex:
    """The partnership's AreaIndex, rebuilt only when its geography version changes.

    `load()` returns the (id, GeoJSON) pairs; it is called only on a cache miss.
    """
    with _cache_lock:
        hit = _cache.get(partnership_id)
        if hit and hit[0] == version:
            return hit[1]
    index = AreaIndex(load())
    with _cache_lock:
        _cache[partnership_id] = (version, index)
    return index
