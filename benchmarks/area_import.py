"""Area import: time and peak memory of reading a boundary file and running its checks.

    .venv/bin/python benchmarks/area_import.py [/work/shared/data]

For each file: read the layer through GDAL, reproject to WGS 84 and SWEREF 99 TM, check every
geometry, codes and parents, and measure sibling overlaps and gaps, i.e. `plan_import` without
its database part (the incidents' new areas, which `tests/geography` covers). The files are
the shared real ones (Swedish municipalities, UK wards in British National Grid, Vancouver)
and a made-up grid of 6,000 squares in SWEREF 99 TM, about as many as SCB's DeSO areas.
Prints seconds per file and the process's peak resident memory.
"""

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagesbild.settings")
os.environ.setdefault("TESTING", "1")

import django

django.setup()

import numpy as np  # noqa: E402
import pyogrio.raw  # noqa: E402
import shapely  # noqa: E402

from lagesbild.geography import area_import, boundaries  # noqa: E402


def grid(path: Path, side: int = 78) -> Path:
    """side x side squares of 500 m in Sollentuna's SWEREF 99 TM neighbourhood."""
    xs, ys = np.meshgrid(np.arange(side) * 500.0 + 640_000, np.arange(side) * 500.0 + 6_560_000)
    boxes = shapely.box(xs.ravel(), ys.ravel(), xs.ravel() + 500, ys.ravel() + 500)
    n = len(boxes)
    pyogrio.raw.write(
        str(path),
        shapely.to_wkb(boxes),
        [np.array([f"G{i}" for i in range(n)], dtype=object), np.arange(n)],
        ["kod", "folkmangd"],
        geometry_type="Polygon",
        crs="EPSG:3006",
    )
    return path


def measure(path: Path, name_column: str, code_column: str) -> None:
    started = time.perf_counter()
    source = boundaries.dataset(path)
    layer = boundaries.layers(source)[0]
    features = boundaries.read_features(source, layer)
    read = time.perf_counter() - started
    mapping = area_import.Mapping(
        layer=layer.name, name_column=name_column, code_column=code_column
    )
    rows = area_import._rows(features, mapping, {})
    area_import._check_codes_and_parents(rows, {})
    overlaps, gaps = area_import._overlaps_and_gaps(rows)
    total = time.perf_counter() - started
    print(
        f"{path.name}: {len(rows)} areas ({layer.crs}), read+reproject {read:.2f} s, "
        f"all checks {total:.2f} s; {sum(bool(r.errors) for r in rows)} errors, "
        f"{sum(r.repaired for r in rows)} repaired, {len(overlaps)} overlapping pairs "
        f"({sum(o.m2 for o in overlaps):,.0f} m²), {sum(g.count for g in gaps)} gaps "
        f"({sum(g.m2 for g in gaps):,.0f} m²)"
    )


def main() -> None:
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data")
    files = [
        (shared / "se-kommuner-okfse" / "swedish_municipalities.geojson", "kom_namn", "id"),
        (shared / "uk-police-asb-2022" / "lancashire_wards.gpkg", "ward_name", "ward_code"),
        (shared / "uk-police-asb-2022" / "northumbria_wards.gpkg", "ward_name", "ward_code"),
        (shared / "vancouver-crime-2020" / "vancouver_neighbourhoods.geojson", "name", "mapid"),
    ]
    for path, name, code in files:
        if path.exists():
            measure(path, name, code)
    with tempfile.TemporaryDirectory() as folder:
        measure(grid(Path(folder) / "grid.gpkg"), "kod", "kod")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of the process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
