"""ReportLab drawings for the PDF: the map of the areas and the trend charts.

Both are made to print in black and white: areas in shades of grey with the class limits in
the legend, hot-spot cells hatched, clusters as dashed circles, expected counts dashed and
the normal range as a light grey band. The map is drawn in SWEREF 99 TM, so distances on it
are true and a scale bar can be given.
"""

from dataclasses import dataclass

import shapely
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import (
    FILL_EVEN_ODD,
    Circle,
    Drawing,
    Group,
    Line,
    Path,
    Polygon,
    PolyLine,
    Rect,
    String,
)
from reportlab.lib import colors

from lagesbild.geography.geometry import geometry_to_sweref, parse_geojson_polygon, to_sweref
from lagesbild.incidents import weeks
from lagesbild.pictures import presenters

FONT = "Vera"
BOLD = "Vera-Bold"
# Fill of the four classes of points per 1,000 inhabitants, lightest first; no population: white.
GREYS = [colors.Color(g, g, g) for g in (0.9, 0.75, 0.58, 0.42)]
BAND = colors.Color(0.85, 0.85, 0.85)
DASH = [3, 2]


@dataclass(frozen=True)
class Frame:
    """Maps SWEREF 99 TM metres onto drawing points, keeping the aspect ratio."""

    min_x: float
    min_y: float
    scale: float  # points per metre
    left: float
    bottom: float

    def point(self, x: float, y: float) -> tuple[float, float]:
        return (
            self.left + (x - self.min_x) * self.scale,
            self.bottom + (y - self.min_y) * self.scale,
        )


def area_map(content: dict, geometries: dict[int, dict], width: float, height: float) -> Drawing:
    """The areas shaded by points per 1,000 inhabitants, hot-spot cells and clusters, with the
    legend below the map."""
    legend_height = 64
    drawing = Drawing(width, height)
    shapes = _area_shapes(content, geometries)
    if not shapes:
        drawing.add(String(0, height / 2, _("Inga områden att visa."), fontName=FONT))
        return drawing
    min_x, min_y, max_x, max_y = shapely.bounds(shapely.GeometryCollection(list(shapes.values())))
    box_w, box_h = width, height - legend_height
    scale = min(box_w / max(max_x - min_x, 1), box_h / max(max_y - min_y, 1))
    frame = Frame(
        min_x,
        min_y,
        scale,
        left=(box_w - (max_x - min_x) * scale) / 2,
        bottom=legend_height + (box_h - (max_y - min_y) * scale) / 2,
    )
    choropleth = presenters.choropleth(content)
    for area_id, geom in shapes.items():
        value = choropleth["values"].get(str(area_id))
        drawing.add(_outline(geom, frame, _grey(value, choropleth["breaks"])))
    cell = content["hotspots"].get("cell", 200.0)
    for hot in content["hotspots"]["cells"]:
        drawing.add(_hatched_square(*to_sweref(hot["lon"], hot["lat"]), cell, frame))
    for cluster in content["clusters"]:
        x, y = frame.point(*to_sweref(cluster["lon"], cluster["lat"]))
        drawing.add(
            Circle(
                x,
                y,
                cluster["radius"] * scale,
                fillColor=None,
                strokeColor=colors.black,
                strokeWidth=1.2,
                strokeDashArray=DASH,
            )
        )
    names = {a["id"]: a["name"] for a in content["areas"]}
    for area_id, geom in shapes.items():
        _label(drawing, frame, geom, names[area_id])
    _map_legend(drawing, content, choropleth, scale, width)
    return drawing


def _area_shapes(content: dict, geometries: dict[int, dict]) -> dict:
    """The areas' outlines in SWEREF 99 TM, simplified to what a printed page can show."""
    shapes = {
        a["id"]: geometry_to_sweref(parse_geojson_polygon(geometries[a["id"]]))
        for a in content["areas"]
        if a["id"] in geometries
    }
    if not shapes:
        return {}
    min_x, min_y, max_x, max_y = shapely.bounds(shapely.GeometryCollection(list(shapes.values())))
    tolerance = max(max_x - min_x, max_y - min_y) / 2000
    return {k: g.simplify(tolerance, preserve_topology=True) for k, g in shapes.items()}


def _grey(value: float | None, breaks: list[float]):
    if value is None:
        return colors.white
    return GREYS[sum(value >= b for b in breaks)] if breaks else GREYS[0]


def _outline(geom, frame: Frame, fill) -> Path:
    path = Path(fillColor=fill, strokeColor=colors.black, strokeWidth=0.5, fillMode=FILL_EVEN_ODD)
    for polygon in _polygons(geom):
        for ring in [polygon.exterior, *polygon.interiors]:
            points = [frame.point(x, y) for x, y in ring.coords]
            path.moveTo(*points[0])
            for point in points[1:]:
                path.lineTo(*point)
            path.closePath()
    return path


def _polygons(geom) -> list:
    """The polygons in a geometry; a repaired outline can be a collection that also holds
    lines or points, which have no area to shade."""
    if geom.geom_type == "Polygon":
        return [geom]
    return [p for part in getattr(geom, "geoms", []) for p in _polygons(part)]


def _hatched_square(x: float, y: float, side: float, frame: Frame) -> Group:
    """A hot-spot cell of `side` metres centred on (x, y)."""
    x0, y0 = frame.point(x - side / 2, y - side / 2)
    return _hatch(x0, y0, side * frame.scale)


def _hatch(x0: float, y0: float, s: float) -> Group:
    """A square outlined and hatched with three diagonals: visible without colour."""
    group = Group(Rect(x0, y0, s, s, fillColor=None, strokeColor=colors.black, strokeWidth=0.8))
    for a, b in (
        ((x0, y0), (x0 + s, y0 + s)),
        ((x0, y0 + s / 2), (x0 + s / 2, y0 + s)),
        ((x0 + s / 2, y0), (x0 + s, y0 + s / 2)),
    ):
        group.add(Line(*a, *b, strokeColor=colors.black, strokeWidth=0.5))
    return group


def _label(drawing: Drawing, frame: Frame, geom, name: str) -> None:
    """The area's name on a white slip, so it reads on the darkest grey too."""
    inside = geom.representative_point()
    x, y = frame.point(inside.x, inside.y)
    size = 6
    text_width = 0.55 * size * len(name)
    drawing.add(
        Rect(
            x - text_width / 2 - 1,
            y - 2,
            text_width + 2,
            size + 2,
            fillColor=colors.white,
            strokeColor=None,
        )
    )
    drawing.add(String(x, y, name, fontName=FONT, fontSize=size, textAnchor="middle"))


def _map_legend(drawing: Drawing, content: dict, choropleth: dict, scale: float, width) -> None:
    """Class limits with their units, the hot-spot and cluster symbols and a scale bar."""
    top = 56
    drawing.add(String(0, top, choropleth["title"], fontName=BOLD, fontSize=7))
    for i, (grey, label) in enumerate(zip(GREYS, choropleth["classes"], strict=False)):
        x = i * 62
        drawing.add(Rect(x, top - 14, 10, 8, fillColor=grey, strokeColor=colors.black))
        drawing.add(String(x + 13, top - 13, label, fontName=FONT, fontSize=7))
    drawing.add(_hatch(0, top - 30, 9))
    legend = presenters.hotspot_legend(content["hotspots"])
    drawing.add(String(13, top - 29, legend, fontName=FONT, fontSize=7))
    drawing.add(
        Circle(5, top - 41, 4.5, fillColor=None, strokeColor=colors.black, strokeDashArray=DASH)
    )
    drawing.add(
        String(13, top - 44, _("Kluster i tid och rum (cirkel)"), fontName=FONT, fontSize=7)
    )
    _scale_bar(drawing, scale, width)


def _scale_bar(drawing: Drawing, scale: float, width: float) -> None:
    """A bar of a round length near a fifth of the map's width, and the reference system."""
    target = width / 5 / scale
    metres = max(
        (m for m in (100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000) if m <= target),
        default=100,
    )
    length = metres * scale
    x = width - length
    drawing.add(Line(x, 14, width, 14, strokeColor=colors.black, strokeWidth=1.5))
    for tick in (x, width):
        drawing.add(Line(tick, 11, tick, 17, strokeColor=colors.black))
    label = f"{metres // 1000} km" if metres >= 1000 else f"{metres} m"
    drawing.add(String(x + length / 2, 20, label, fontName=FONT, fontSize=7, textAnchor="middle"))
    drawing.add(
        String(width, 2, "SWEREF 99 TM (EPSG:3006)", fontName=FONT, fontSize=6, textAnchor="end")
    )


def trend_chart(trend: dict, title: str, width: float, height: float) -> Drawing:
    """A year of weekly counts: observed (solid), expected (dashed) and the normal range (a
    light grey band), with the count axis and the first and last week."""
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 9, title, fontName=BOLD, fontSize=8))
    observed = trend["observed"]
    values = [v for v in observed + trend["high"] if v is not None]
    top = max(max(values, default=1), 1) * 1.1
    left, bottom = 22, 12
    plot_w, plot_h = width - left - 4, height - bottom - 14
    step = plot_w / max(len(observed) - 1, 1)

    def point(i: int, v: float) -> tuple[float, float]:
        return left + i * step, bottom + v / top * plot_h

    for tick in sorted({0, round(top / 1.1 / 2), round(top / 1.1)}):
        y = point(0, tick)[1]
        drawing.add(Line(left, y, width - 4, y, strokeColor=colors.Color(0.7, 0.7, 0.7)))
        drawing.add(String(left - 3, y - 2, str(tick), fontName=FONT, fontSize=6, textAnchor="end"))
    for run in _runs(list(zip(trend["low"], trend["high"], strict=True))):
        upper = [point(i, high) for i, (_low, high) in run]
        lower = [point(i, low) for i, (low, _high) in reversed(run)]
        drawing.add(Polygon(_flat(upper + lower), fillColor=BAND, strokeColor=None))
    for run in _runs(trend["expected"]):
        drawing.add(
            PolyLine(
                _flat([point(i, v) for i, v in run]),
                strokeColor=colors.black,
                strokeWidth=0.8,
                strokeDashArray=DASH,
            )
        )
    # Weeks before the coverage start are unknown: the line starts where reporting began.
    for run in _runs(observed):
        drawing.add(
            PolyLine(
                _flat([point(i, v) for i, v in run]), strokeColor=colors.black, strokeWidth=1.2
            )
        )
    last = weeks.iso(weeks.shift(weeks.parse(trend["first_week"]), len(observed) - 1))
    drawing.add(String(left, 2, trend["first_week"], fontName=FONT, fontSize=6))
    drawing.add(String(width - 4, 2, last, fontName=FONT, fontSize=6, textAnchor="end"))
    return drawing


def _runs(values: list) -> list[list[tuple[int, object]]]:
    """Consecutive stretches of (index, value) where the value (or every part of it) is
    known: a week without an expected count breaks the line rather than dropping to zero."""
    runs: list[list] = []
    current: list = []
    for i, v in enumerate(values):
        known = v is not None and (not isinstance(v, tuple) or None not in v)
        if known:
            current.append((i, v))
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _flat(points: list[tuple[float, float]]) -> list[float]:
    return [c for point in points for c in point]


def index_chart(ranking: list[dict], width: float) -> Drawing:
    """The periodic ranking's need index per area, highest first: a dot at the index and a
    line across its 95 % interval, so overlapping intervals (an uncertain order) show at a
    glance. Areas without an index (no events) are left out of the drawing, not the table."""
    rows = [r for r in ranking if r["index"] is not None]
    row_h, left, top_pad, bottom_pad = 11, 90, 4, 16
    height = top_pad + bottom_pad + row_h * max(len(rows), 1)
    drawing = Drawing(width, height)
    top = max((r["high"] if r["high"] is not None else r["index"] for r in rows), default=1) or 1
    plot_w = width - left - 8

    def x_of(value: float) -> float:
        return left + value / top * plot_w

    axis_y = bottom_pad - 4
    drawing.add(Line(left, axis_y, width - 8, axis_y, strokeColor=colors.black, strokeWidth=0.5))
    for tick in (0, top / 2, top):
        drawing.add(Line(x_of(tick), axis_y, x_of(tick), axis_y - 2, strokeColor=colors.black))
        drawing.add(
            String(
                x_of(tick), 2, presenters.num(tick), fontName=FONT, fontSize=6, textAnchor="middle"
            )
        )
    for k, r in enumerate(rows):
        y = height - top_pad - row_h * (k + 0.5)
        drawing.add(
            String(left - 4, y - 2, r["name"], fontName=FONT, fontSize=6.5, textAnchor="end")
        )
        if r["low"] is not None and r["high"] is not None:
            drawing.add(Line(x_of(r["low"]), y, x_of(r["high"]), y, strokeColor=colors.black))
        drawing.add(Circle(x_of(r["index"]), y, 2.2, fillColor=colors.black, strokeColor=None))
    return drawing
