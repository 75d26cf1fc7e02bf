"""The coordinate systems an incident file's positions may be written in (the import
transforms them to WGS 84, what incidents store, with `geometry.to_wgs84`).

Swedish municipal exports often give SWEREF 99 TM metres (EPSG:3006) rather than degrees;
older ones RT 90 2.5 gon V, and some a local SWEREF 99 zone. The import's mapping step lets
the coordinator choose, pre-selected from the file's first values (`guess`).
"""

from django.utils.translation import gettext_lazy as _

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
