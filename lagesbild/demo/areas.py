"""Approximate demo areas inside the real outline of Sollentuna municipality.

No finer real boundaries are available offline, so the demo draws its own: Voronoi cells around
approximate district centres, computed in SWEREF 99 TM (EPSG:3006) and clipped to the SCB
outline. They are named after Sollentuna's districts but are NOT the real district boundaries;
users import DeSO/RegSO or the municipality's own areas instead.
"""

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

KOMMUN_KOD = "0163"
KOMMUN_NAME = "Sollentuna"


@dataclass(frozen=True)
class District:
    """A demo district: its name, an approximate centre (WGS 84) and a population weight."""

    name: str
    lon: float
    lat: float
    # Relative share of the population; an assumption for the demo (no district figures are
    # available offline), roughly following where housing is dense.
    weight: float


# Centres are approximate (stations or local centres where there is one). Order fixes the codes.
DISTRICTS: tuple[District, ...] = (
    District("Edsberg", 17.9640, 59.4400, 10),
    District("Helenelund", 17.9615, 59.4094, 9),
    District("Häggvik", 17.9326, 59.4437, 6),
    District("Norrviken", 17.9240, 59.4580, 8),
    District("Rotebro", 17.9143, 59.4762, 11),
    District("Sjöberg", 17.9850, 59.4550, 5),
    District("Sollentuna centrum", 17.9485, 59.4283, 9),
    District("Tureberg", 17.9330, 59.4330, 10),
    District("Vaxmora", 17.9330, 59.4190, 5),
    District("Viby", 17.8950, 59.4620, 5),
)


@dataclass(frozen=True)
class Municipality:
    """The real municipality the demo partnership covers."""

    code: str
    name: str
    outline: BaseGeometry  # WGS 84, from SCB via the committed GeoJSON
    population: int
    population_year: int


@dataclass(frozen=True)
class DemoArea:
    """One approximate demo area: a Voronoi cell clipped to the municipal outline."""

    name: str
    code: str
    polygon: BaseGeometry  # WGS 84 (lon, lat)
    population: int


@cache
def load_municipality() -> Municipality:
    """Read the committed outline and population of Sollentuna (see data/SOURCE.md)."""
    path = resources.files("lagesbild.demo").joinpath("data", "sollentuna.geojson")
    feature = json.loads(path.read_text(encoding="utf-8"))
    props = feature["properties"]
    return Municipality(
        code=props["kommun_kod"],
        name=props["kommun"],
        outline=shapely.geometry.shape(feature["geometry"]),
        population=int(props["population"]),
        population_year=int(props["population_year"]),
    )


def area_code(index: int) -> str:
    """The stable code of the demo area at `index` (0-based) in DISTRICTS order."""
    return f"DEMO-{KOMMUN_KOD}-{index + 1:02d}"


def split_population(total: int, weights: np.ndarray) -> np.ndarray:
    """Split `total` over `weights` in whole people, summing exactly to `total`.

    Largest-remainder rounding, so no area is off by more than one person from its share.
    """
    shares = total * np.asarray(weights, dtype=float) / np.sum(weights)
    counts = np.floor(shares).astype(np.int64)
    missing = total - int(counts.sum())
    # Stable sort keeps ties in input order, so the split never depends on float noise order.
    order = np.argsort(-(shares - counts), kind="stable")
    counts[order[:missing]] += 1
    return counts


def voronoi_cells(outline: BaseGeometry, lons: np.ndarray, lats: np.ndarray) -> list:
    """Voronoi cells (WGS 84) around the given centres, clipped to `outline`, in input order.

    The cells are built in SWEREF 99 TM so that "nearest centre" means nearest in metres, then
    projected back and clipped to the original outline, so the outer edge is exactly SCB's.
    """
    to_sweref = pyproj.Transformer.from_crs(4326, 3006, always_xy=True)
    to_wgs84 = pyproj.Transformer.from_crs(3006, 4326, always_xy=True)
    xs, ys = to_sweref.transform(lons, lats)
    centres = shapely.points(xs, ys)
    frame = shapely.transform(outline, _vectorised(to_sweref)).buffer(5_000).envelope
    cells = shapely.voronoi_polygons(shapely.multipoints(centres), extend_to=frame).geoms
    clipped = []
    for centre in centres:
        cell = next(c for c in cells if c.contains(centre))
        cell = shapely.transform(cell.intersection(frame), _vectorised(to_wgs84))
        clipped.append(shapely.make_valid(cell.intersection(outline)))
    return clipped


def _vectorised(transformer: pyproj.Transformer):
    """Adapt a pyproj transformer to shapely.transform's (n, 2) array interface."""

    def apply(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return apply


@cache
def demo_areas() -> tuple[DemoArea, ...]:
    """The demo areas of "EST Sollentuna", in DISTRICTS order with codes DEMO-0163-01...

    Each has a WGS 84 polygon and a share of the real municipal population; together the
    polygons tile the municipal outline and the populations sum to the municipal figure.
    """
    municipality = load_municipality()
    lons = np.array([d.lon for d in DISTRICTS])
    lats = np.array([d.lat for d in DISTRICTS])
    cells = voronoi_cells(municipality.outline, lons, lats)
    populations = split_population(municipality.population, np.array([d.weight for d in DISTRICTS]))
    return tuple(
        DemoArea(name=d.name, code=area_code(i), polygon=cell, population=int(pop))
        for i, (d, cell, pop) in enumerate(zip(DISTRICTS, cells, populations, strict=True))
    )
