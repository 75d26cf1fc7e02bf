"""Named public places in the demo areas: stations, squares, school yards, garages, parks...

Places only, never persons. Stations carry their real names; the other names are generic
("skolgården i Rotebro") and their positions are set by an offset from the district centre, so
they are illustrative demo places rather than a survey of real facilities.
"""

from dataclasses import dataclass
from functools import cache

import numpy as np
import pyproj

from lagesbild.demo.areas import DISTRICTS, DemoArea, demo_areas

PLACE_KINDS: tuple[str, ...] = (
    "station",
    "torg",
    "skolgard",
    "kopcentrum",
    "garage",
    "park",
    "fritidsgard",
    "idrottsplats",
    "busshallplats",
    "gangtunnel",
    "badplats",
)


@dataclass(frozen=True)
class DemoPlace:
    """A named public place inside one demo area."""

    name: str
    phrase: str  # the name as it reads mid-sentence ("skolgården i Viby")
    kind: str  # one of PLACE_KINDS
    area_index: int  # index into demo_areas()
    lon: float
    lat: float


# district -> (kind, name as it reads mid-sentence, metres east, metres north of the centre)
_PLACES: dict[str, tuple[tuple[str, str, int, int], ...]] = {
    "Edsberg": (
        ("torg", "Edsbergs centrum", 0, 0),
        ("skolgard", "skolgården i Edsberg", -300, 250),
        ("park", "Edsbergsparken", 450, -150),
        ("garage", "parkeringsgaraget vid Edsbergs centrum", 120, -200),
        ("idrottsplats", "Edsbergs sportfält", -200, -350),
    ),
    "Helenelund": (
        ("station", "Helenelunds station", 0, 0),
        ("torg", "Helenelunds centrum", 250, 150),
        ("skolgard", "skolgården i Helenelund", 500, 400),
        ("garage", "pendlarparkeringen vid Helenelunds station", 150, -100),
        ("park", "Helenelundsparken", 700, -300),
        ("fritidsgard", "fritidsgården i Helenelund", 300, 500),
    ),
    "Häggvik": (
        ("station", "Häggviks station", 0, 0),
        ("kopcentrum", "Sollentunamässan", 400, 100),
        ("skolgard", "skolgården i Häggvik", -300, -250),
        ("garage", "garaget vid Häggviks station", 150, -150),
        ("park", "Häggviksparken", -400, 200),
    ),
    "Norrviken": (
        ("station", "Norrvikens station", 0, 0),
        ("torg", "Norrvikens centrum", 200, 150),
        ("badplats", "Norrvikens strandbad", -600, 200),
        ("skolgard", "skolgården i Norrviken", 300, -300),
        ("fritidsgard", "fritidsgården i Norrviken", -200, -350),
    ),
    "Rotebro": (
        ("station", "Rotebro station", 0, 0),
        ("kopcentrum", "Rotebro centrum", 200, 200),
        ("garage", "parkeringsgaraget i Rotebro", -200, 150),
        ("skolgard", "skolgården i Rotebro", 500, -200),
        ("fritidsgard", "fritidsgården i Rotebro", 300, 400),
        ("idrottsplats", "Rotebro idrottsplats", -500, 300),
    ),
    "Sjöberg": (
        ("torg", "Sjöbergs centrum", 0, 0),
        ("skolgard", "skolgården i Sjöberg", 250, 250),
        ("park", "Sjöbergsparken", -300, 200),
        ("busshallplats", "busshållplatsen i Sjöberg", 100, -250),
        ("badplats", "badplatsen vid Edsviken", 500, -400),
    ),
    "Sollentuna centrum": (
        ("station", "Sollentuna station", 0, 0),
        ("kopcentrum", "köpcentret Sollentuna centrum", 150, 100),
        ("garage", "parkeringsgaraget vid Sollentuna centrum", 250, -80),
        ("gangtunnel", "gångtunneln vid Sollentuna station", -80, -120),
        ("torg", "stationstorget i Sollentuna", 60, 60),
    ),
    "Tureberg": (
        ("torg", "Turebergs torg", 0, 0),
        ("skolgard", "skolgården i Tureberg", -300, 200),
        ("idrottsplats", "idrottshallen i Tureberg", -250, -150),
        ("fritidsgard", "fritidsgården i Tureberg", 200, 250),
        ("park", "Turebergsparken", -150, 350),
    ),
    "Vaxmora": (
        ("park", "Vaxmoraparken", 0, 0),
        ("skolgard", "skolgården i Vaxmora", 200, 150),
        ("busshallplats", "busshållplatsen i Vaxmora", -200, 100),
        ("garage", "garagelängorna i Vaxmora", 150, -200),
    ),
    "Viby": (
        ("skolgard", "skolgården i Viby", 0, 0),
        ("torg", "Viby torg", 200, 150),
        ("park", "Vibyparken", -300, 200),
        ("busshallplats", "busshållplatsen i Viby", 150, -250),
        ("idrottsplats", "Viby bollplan", -400, -200),
    ),
}


@cache
def demo_places() -> tuple[DemoPlace, ...]:
    """The public places of the demo areas, grouped by area in demo_areas() order."""
    to_sweref = pyproj.Transformer.from_crs(4326, 3006, always_xy=True)
    to_wgs84 = pyproj.Transformer.from_crs(3006, 4326, always_xy=True)
    areas: tuple[DemoArea, ...] = demo_areas()
    places = []
    for area_index, (area, district) in enumerate(zip(areas, DISTRICTS, strict=True)):
        x0, y0 = to_sweref.transform(district.lon, district.lat)
        rows = _PLACES[area.name]
        east = np.array([r[2] for r in rows], dtype=float)
        north = np.array([r[3] for r in rows], dtype=float)
        lons, lats = to_wgs84.transform(x0 + east, y0 + north)
        for (kind, phrase, _, _), lon, lat in zip(rows, lons, lats, strict=True):
            places.append(
                DemoPlace(
                    name=phrase[0].upper() + phrase[1:],
                    phrase=phrase,
                    kind=kind,
                    area_index=area_index,
                    lon=float(lon),
                    lat=float(lat),
                )
            )
    return tuple(places)
