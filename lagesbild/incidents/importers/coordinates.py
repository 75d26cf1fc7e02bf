"""The coordinate systems an incident file's positions may be written in, and their batch
transformation to WGS 84 (what incidents store).

Swedish municipal exports often give SWEREF 99 TM metres (EPSG:3006) rather than degrees;
older ones RT 90 2.5 gon V, and some a local SWEREF 99 zone. The import's mapping step lets
the coordinator choose, pre-selected from the file's first values (`guess`).
"""

from functools import cache

import numpy as np
from django.utils.translation import gettext_lazy as _
from pyproj import Transformer

WGS84 = "EPSG:4326"
SWEREF99_TM = "EPSG:3006"
RT90 = "EPSG:3021"
# The local SWEREF 99 zones (12 00 to 23 15), as Lantmäteriet numbers them.
_ZONES = ["12 00", "13 30", "15 00", "16 30", "18 00", "14 15", "15 45", "17 15", "18 45",
          "20 15", "21 45", "23 15"]  # fmt: skip
SYSTEMS = {
    WGS84: _("WGS 84 (grader, som i GPS och webbkartor)"),
    SWEREF99_TM: _("SWEREF 99 TM (meter, kommunernas vanliga)"),
    **{f"EPSG:{3007 + i}": f"SWEREF 99 {zone}" for i, zone in enumerate(_ZONES)},
    RT90: _("RT 90 2,5 gon V (meter, äldre register)"),
}

# Where Sweden lies in each metric grid, with a margin: easting (x) and northing (y).
_SWEREF_TM_X, _SWEREF_TM_Y = (200_000, 1_000_000), (6_100_000, 7_700_000)
_RT90_X = (1_100_000, 1_950_000)


@cache
def _transformer(system: str) -> Transformer:
    return Transformer.from_crs(system, WGS84, always_xy=True)


def to_wgs84(system: str, xs, ys) -> tuple[np.ndarray, np.ndarray]:
    """Eastings and northings (or longitudes and latitudes) in `system` as WGS 84 longitudes
    and latitudes, all at once."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if system == WGS84:
        return xs, ys
    return _transformer(system).transform(xs, ys)


def _within(value: float, bounds: tuple[int, int]) -> bool:
    return bounds[0] <= value <= bounds[1]


def guess(points: list[tuple[float, float]]) -> str:
    """The system the file's first (x, y) values look written in: Swedish metres in SWEREF
    99 TM's or RT 90's range, otherwise degrees. A local SWEREF 99 zone cannot be told from
    SWEREF 99 TM by its numbers, so the coordinator chooses it by hand."""
    if not points:
        return WGS84
    if all(_within(y, _SWEREF_TM_Y) and _within(x, _SWEREF_TM_X) for x, y in points):
        return SWEREF99_TM
    if all(_within(y, _SWEREF_TM_Y) and _within(x, _RT90_X) for x, y in points):
        return RT90
    return WGS84


def swedish_metres(x: float, y: float) -> bool:
    """An easting and northing in Sweden in SWEREF 99 TM or RT 90: metres given as degrees.
    Metres from elsewhere (Vancouver's grid) are just outside Sweden."""
    return guess([(x, y)]) != WGS84
