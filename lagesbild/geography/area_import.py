"""Importing a partnership's areas from a boundary file: the plan with its checks, then the
write.

`plan_import` reads the file and says, before anything is saved, what would happen: which
areas are created, updated or (replacing) deactivated; which geometries are invalid and
whether they could be repaired safely; how much sibling areas overlap and what gaps they leave
(m², in SWEREF 99 TM); and how many incidents and places would move to another area.
`apply_import` repeats the plan and writes it in one transaction, or refuses and writes nothing
while any row has an error. Places follow their new areas at once; the incidents, a million
in a city, follow in a background job (`relocate_incidents`) that then has the weeks they
belong to analysed again as one job. Approved pictures are frozen snapshots with their own
outlines and are not touched.

Areas are never deleted: incidents and places point at them, and replaced areas are
deactivated, so the history keeps its areas.
"""

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from shapely.geometry import Polygon

from lagesbild.audit.record import record
from lagesbild.geography import boundaries, geometry
from lagesbild.geography.models import Area, Place
from lagesbild.geography.services import bump_geography, relocate_incidents_later
from lagesbild.partnerships.models import Partnership

# Overlaps and gaps below this many m² are slivers of digitising, not findings.
TOLERANCE_M2 = 1.0
# A repair is safe when two different repairs agree on the area within this share: then the
# shape the file meant is unambiguous (a duplicated point, a ring touching itself). A
# bow-tie polygon gets two triangles from one repair and one from the other: shown instead.
SAFE_REPAIR_SHARE = 0.01
# An area with more than this share outside the municipality's (simplified) outline is named.
OUTSIDE_SHARE = 0.1
CODE_LENGTH = Area._meta.get_field("code").max_length
NAME_LENGTH = Area._meta.get_field("name").max_length


class Mode:
    MERGE = "merge"  # update areas with the file's codes, add new ones, keep the others
    REPLACE = "replace"  # as merge, and deactivate the areas the file does not have


@dataclass(frozen=True)
class Mapping:
    """Which layer, and which of its columns give the name, code, population and parent."""

    layer: str
    name_column: str
    code_column: str
    population_column: str = ""
    parent_column: str = ""
    kind: str = Area.Kind.AREA
    population_year: int | None = None
    mode: str = Mode.MERGE


@dataclass
class Row:
    """One feature of the file as the area it would become."""

    number: int  # 1-based, as the preview shows it
    code: str
    name: str
    population: int | None
    parent_code: str
    wgs84: object
    sweref: object
    existing: Area | None = None
    repaired: bool = False
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def size_m2(self) -> float:
        return float(self.sweref.area) if self.sweref is not None else 0.0


@dataclass(frozen=True)
class Overlap:
    first: str
    second: str
    m2: float


@dataclass(frozen=True)
class Gap:
    parent: str  # the siblings' parent code, "" for the top level
    count: int
    m2: float


@dataclass
class Plan:
    layer: boundaries.Layer
    rows: list[Row]
    overlaps: list[Overlap]
    gaps: list[Gap]
    deactivated: list[Area]
    incidents_moving: int
    incidents_outside: int
    places_moving: int
    outside_sweden: int
    outside_municipality: list[tuple[str, float]] = field(default_factory=list)

    @property
    def outside_municipality_m2(self) -> float:
        return sum(m2 for _code, m2 in self.outside_municipality)

    @property
    def errors(self) -> list[Row]:
        return [r for r in self.rows if r.errors]

    @property
    def repaired(self) -> list[Row]:
        return [r for r in self.rows if r.repaired]

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.existing is None)

    @property
    def updated(self) -> int:
        return sum(1 for r in self.rows if r.existing is not None)

    @property
    def overlap_m2(self) -> float:
        return sum(o.m2 for o in self.overlaps)

    @property
    def gap_m2(self) -> float:
        return sum(g.m2 for g in self.gaps)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _population(value, row: Row) -> int | None:
    text = _text(value).replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        row.warnings.append(_("Folkmängden %(value)s är inte ett tal.") % {"value": text})
        return None
    if number < 0 or not number.is_integer():
        row.warnings.append(_("Folkmängden %(value)s är inte ett heltal ≥ 0.") % {"value": text})
        return None
    return int(number)


def _polygonal(geom):
    """The polygon parts of a geometry (a repair may add lines or points), or None."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    return shapely.union_all(parts)


def _check_geometry(row: Row) -> None:
    """Polygons only; an invalid one is repaired when the repair is unambiguous."""
    if row.wgs84 is None:
        row.errors.append(_("Objektet saknar geometri."))
        return
    if row.wgs84.geom_type not in ("Polygon", "MultiPolygon"):
        row.errors.append(
            _("Geometrin är en %(type)s, inte en polygon.") % {"type": row.wgs84.geom_type}
        )
        return
    min_lon, min_lat, max_lon, max_lat = row.wgs84.bounds
    if not (
        np.isfinite([min_lon, min_lat, max_lon, max_lat]).all()
        and -180 <= min_lon <= max_lon <= 180
        and -90 <= min_lat <= max_lat <= 90
    ):
        row.errors.append(
            _(
                "Koordinaterna passar inte filens koordinatsystem. Anger filen fel "
                "koordinatsystem (till exempel SWEREF 99 TM-koordinater i en fil som säger "
                "WGS 84)?"
            )
        )
        row.sweref = None
        return
    if row.sweref.is_valid:
        return
    reason = shapely.is_valid_reason(row.sweref)
    made = _polygonal(shapely.make_valid(row.sweref))
    buffered = _polygonal(row.sweref.buffer(0))
    if (
        made is not None
        and buffered is not None
        and made.area > 0
        and abs(made.area - buffered.area) <= SAFE_REPAIR_SHARE * made.area
    ):
        row.sweref = made
        row.wgs84 = _polygonal(shapely.make_valid(row.wgs84)) or geometry.geometry_to_wgs84(made)
        row.repaired = True
        row.warnings.append(_("Ogiltig geometri lagad (%(reason)s).") % {"reason": reason})
        return
    row.errors.append(
        _(
            "Ogiltig geometri (%(reason)s) som inte går att laga entydigt. Rätta den i ett "
            "GIS-program."
        )
        % {"reason": reason}
    )


def _rows(features: list[boundaries.Feature], mapping: Mapping, existing: dict) -> list[Row]:
    rows = []
    for feature in features:
        props = feature.properties
        row = Row(
            number=feature.index + 1,
            code=_text(props.get(mapping.code_column)),
            name=_text(props.get(mapping.name_column)),
            population=None,
            parent_code=_text(props.get(mapping.parent_column)) if mapping.parent_column else "",
            wgs84=feature.wgs84,
            sweref=feature.sweref,
        )
        if mapping.population_column:
            row.population = _population(props.get(mapping.population_column), row)
        if not row.code:
            row.errors.append(_("Koden saknas."))
        elif len(row.code) > CODE_LENGTH:
            row.errors.append(_("Koden är längre än %(n)s tecken.") % {"n": CODE_LENGTH})
        if not row.name:
            row.errors.append(_("Namnet saknas."))
        elif len(row.name) > NAME_LENGTH:
            row.errors.append(_("Namnet är längre än %(n)s tecken.") % {"n": NAME_LENGTH})
        _check_geometry(row)
        row.existing = existing.get(row.code)
        rows.append(row)
    return rows


def _check_codes_and_parents(rows: list[Row], existing: dict) -> None:
    by_code = defaultdict(list)
    for row in rows:
        if row.code:
            by_code[row.code].append(row)
    for code, same in by_code.items():
        if len(same) > 1:
            numbers = ", ".join(str(r.number) for r in same)
            for row in same:
                row.errors.append(
                    _("Koden %(code)s finns på flera rader (%(rows)s).")
                    % {"code": code, "rows": numbers}
                )
    parent_of = {r.code: r.parent_code for r in rows if r.code}
    for row in rows:
        if not row.parent_code:
            continue
        if row.parent_code == row.code:
            row.errors.append(_("Området anges ligga inuti sig självt."))
        elif row.parent_code not in parent_of and row.parent_code not in existing:
            row.errors.append(
                _("Det överordnade området %(code)s finns varken i filen eller i samverkan.")
                % {"code": row.parent_code}
            )
        else:
            seen, code = {row.code}, row.parent_code
            while code in parent_of and code not in seen:
                seen.add(code)
                code = parent_of[code]
            if code in seen:
                row.errors.append(_("Områdenas överordnade bildar en slinga."))


def _overlaps_and_gaps(rows: list[Row]) -> tuple[list[Overlap], list[Gap]]:
    """Overlaps between areas with the same parent, and the holes their union leaves that
    no single area meant to leave (m² in SWEREF 99 TM)."""
    groups = defaultdict(list)
    for row in rows:
        if row.sweref is not None and not row.errors:
            groups[row.parent_code].append(row)
    overlaps, gaps = [], []
    for parent, siblings in groups.items():
        shapes = [r.sweref for r in siblings]
        tree = shapely.STRtree(shapes)
        left, right = tree.query(shapes, predicate="intersects")
        for i, j in zip(left, right, strict=True):
            if i < j:
                m2 = float(shapes[i].intersection(shapes[j]).area)
                if m2 > TOLERANCE_M2:
                    overlaps.append(Overlap(siblings[i].code, siblings[j].code, m2))
        union = shapely.union_all(shapes)
        own_holes = shapely.union_all(
            [
                Polygon(ring)
                for s in shapes
                for p in getattr(s, "geoms", [s])
                for ring in p.interiors
            ]
        )
        holes = [
            Polygon(ring)
            for p in getattr(union, "geoms", [union])
            if p.geom_type == "Polygon"
            for ring in p.interiors
        ]
        # A hole that one area has on purpose (a lake left out) is not a gap between areas.
        sizes = [float(h.difference(own_holes).area) for h in holes]
        found = [m2 for m2 in sizes if m2 > TOLERANCE_M2]
        if found:
            gaps.append(Gap(parent, len(found), sum(found)))
    overlaps.sort(key=lambda o: -o.m2)
    return overlaps, gaps


def _moves(partnership: Partnership, rows: list[Row], deactivated: set[int]):
    """How many incidents and places would get another area, and how many incidents would
    lie in no area (they keep their old one), with the areas as they would be after saving."""
    file_codes = {r.code for r in rows}
    shapes: list[tuple[int, dict]] = []
    for area in Area.objects.filter(partnership=partnership, active=True).only(
        "id", "code", "geometry"
    ):
        if area.code not in file_codes and area.pk not in deactivated:
            shapes.append((area.pk, area.geometry))
    for i, row in enumerate(rows):
        key = row.existing.pk if row.existing is not None else -(i + 2)
        shapes.append((key, to_geojson(row.wgs84)))
    if not shapes:
        return 0, 0, 0
    index = geometry.AreaIndex(shapes)

    def moved(queryset) -> tuple[int, int]:
        changed = outside = 0
        for _pks, old, new, _extra in _located(index, queryset):
            changed += int(np.sum((new != old) & (new != -1)))
            outside += int(np.sum(new == -1))
        return changed, outside

    incidents, outside = moved(partnership.incidents.all())
    places, _outside = moved(Place.objects.filter(partnership=partnership))
    return incidents, outside, places


@cache
def municipal_outline(code: str):
    """The municipality's outline in SWEREF 99 TM (SCB's, simplified; data/SOURCE.md), or
    None for an unknown or blank code."""
    path = resources.files("lagesbild.geography").joinpath("data", "kommuner.geojson")
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        if feature["properties"]["kommun_kod"] == code:
            outline = geometry.geometry_to_sweref(shapely.geometry.shape(feature["geometry"]))
            shapely.prepare(outline)
            return outline
    return None


def _outside_municipality(partnership: Partnership, rows: list[Row]) -> list[tuple[str, float]]:
    """(code, m²) of the areas with more than OUTSIDE_SHARE of their surface outside the
    partnership's municipality."""
    outline = (
        municipal_outline(partnership.municipality_code) if partnership.municipality_code else None
    )
    if outline is None:
        return []
    found = []
    for row in rows:
        if row.errors or row.sweref is None or row.size_m2 == 0:
            continue
        if outline.contains(row.sweref):
            continue
        outside = float(row.sweref.difference(outline).area)
        if outside > OUTSIDE_SHARE * row.size_m2:
            row.warnings.append(
                _("%(share)s %% av området ligger utanför kommunen.")
                % {"share": round(100 * outside / row.size_m2)}
            )
            found.append((row.code, outside))
    return found


def plan_import(*, partnership: Partnership, source: str, mapping: Mapping) -> Plan:
    """What importing the file with `mapping` would do, with every check and its figures.
    Writes nothing. Raises BoundaryFileError when the file or layer cannot be read."""
    layer = next((x for x in boundaries.layers(source) if x.name == mapping.layer), None)
    if layer is None:
        raise boundaries.BoundaryFileError(_("Välj ett lager ur filen."))
    for column in (mapping.name_column, mapping.code_column):
        if column not in layer.fields:
            raise boundaries.BoundaryFileError(_("Välj kolumner ur lagret."))
    for column in (mapping.population_column, mapping.parent_column):
        if column and column not in layer.fields:
            raise boundaries.BoundaryFileError(_("Välj kolumner ur lagret."))
    existing = {a.code: a for a in Area.objects.filter(partnership=partnership)}
    rows = _rows(boundaries.read_features(source, layer), mapping, existing)
    _check_codes_and_parents(rows, existing)
    overlaps, gaps = _overlaps_and_gaps(rows)
    file_codes = {r.code for r in rows}
    deactivated = (
        [a for a in existing.values() if a.active and a.code not in file_codes]
        if mapping.mode == Mode.REPLACE
        else []
    )
    moving = outside = places = 0
    if not any(r.errors for r in rows):
        moving, outside, places = _moves(partnership, rows, {a.pk for a in deactivated})
    outside_sweden = 0
    for row in rows:
        if row.wgs84 is not None:
            point = row.wgs84.representative_point()
            if not geometry.in_sweden(point.x, point.y):
                outside_sweden += 1
    return Plan(
        layer=layer,
        rows=rows,
        overlaps=overlaps,
        gaps=gaps,
        deactivated=deactivated,
        incidents_moving=moving,
        incidents_outside=outside,
        places_moving=places,
        outside_sweden=outside_sweden,
        outside_municipality=_outside_municipality(partnership, rows),
    )


# SCB's codes: a municipality (0163), a DeSO (0163C1010) or a RegSO (0163R001). An area
# imported under such a code keeps it as its SCB code too, so SCB's tables find it.
SCB_CODE = re.compile(r"\d{4}(?:[ABC]\d{4}|R\d{3})?")


def _write_area(partnership, row: Row, mapping: Mapping) -> Area:
    area = row.existing or Area(partnership=partnership, code=row.code)
    area.name, area.kind, area.active = row.name, mapping.kind, True
    if SCB_CODE.fullmatch(row.code):
        area.scb_code = row.code
    if mapping.population_column:
        area.population = row.population
        area.population_year = mapping.population_year if row.population is not None else None
    area.geometry = to_geojson(row.wgs84)
    area.min_lon, area.min_lat, area.max_lon, area.max_lat = geometry.bbox(row.wgs84)
    area.save()
    return area


def to_geojson(geom) -> dict:
    """GeoJSON of a shapely geometry (coordinates to 1e-7°, about a centimetre)."""
    return shapely.geometry.mapping(shapely.set_precision(geom, 1e-7))


BATCH = 20_000  # rows per batch when incidents and places are located


def _located(index: geometry.AreaIndex, queryset, extra: str = ""):
    """(pks, old area ids, new area ids, the `extra` field or None) of `queryset` in batches
    of BATCH rows by primary key, so a partnership with a million incidents is never held in
    memory at once."""
    fields = ("pk", "lon", "lat", "area_id", *([extra] if extra else []))
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page.values_list(*fields)[:BATCH])
        if not rows:
            return
        data = np.array(rows, dtype=float)
        yield (
            data[:, 0].astype(np.int64),
            data[:, 3].astype(np.int64),
            index.locate_many(data[:, 1], data[:, 2]),
            data[:, 4].astype(np.int64) if extra else None,
        )
        last = rows[-1][0]


def _current_index(partnership: Partnership) -> geometry.AreaIndex:
    return geometry.AreaIndex(
        list(
            Area.objects.filter(partnership=partnership, active=True).values_list("id", "geometry")
        )
    )


def _move(model, pks, new, changing) -> None:
    """Point the rows of `pks` selected by `changing` at their `new` areas."""
    for area_id in np.unique(new[changing]):
        chosen = pks[changing & (new == area_id)].tolist()
        for start in range(0, len(chosen), 500):
            model.objects.filter(pk__in=chosen[start : start + 500]).update(area_id=int(area_id))


@dataclass
class Relocation:
    """What `relocate_incidents` moved: how many incidents, and the ISO weeks (YYYYWW) from
    the first to the last of theirs."""

    moved: int = 0
    first_week: int | None = None
    last_week: int | None = None


def _reassign(partnership: Partnership, queryset, weeks: bool = False) -> Relocation:
    """Point every row of `queryset` at the smallest active area that holds it now; rows in
    no area keep theirs. Returns how many moved and, with `weeks` (incidents), the first and
    last of their ISO weeks."""
    found = Relocation()
    index = _current_index(partnership)
    for pks, old, new, iso_weeks in _located(index, queryset, "iso_week" if weeks else ""):
        changing = (new != old) & (new != -1)
        if not changing.any():
            continue
        _move(queryset.model, pks, new, changing)
        found.moved += int(np.sum(changing))
        if weeks:
            first, last = int(iso_weeks[changing].min()), int(iso_weeks[changing].max())
            found.first_week = first if found.first_week is None else min(found.first_week, first)
            found.last_week = last if found.last_week is None else max(found.last_week, last)
    return found


@transaction.atomic
def relocate_incidents(partnership: Partnership) -> Relocation:
    """Point the partnership's incidents at the active area that holds them now (after an
    area import; incidents in no area keep theirs), then have the weeks they belong to
    analysed again as one job. Audited when any moved; approved pictures keep what they
    froze."""
    found = _reassign(partnership, partnership.incidents.all(), weeks=True)
    if found.moved:
        # A run computed while the incidents moved saw the new outlines and the old areas:
        # a new geography version makes it stale.
        bump_geography(partnership)
        # Imported here: incidents build on geography, not the other way round.
        from lagesbild.incidents.imports import history_changed

        first, last = found.first_week, found.last_week
        transaction.on_commit(lambda: history_changed(partnership, first, last))
        record(
            actor=None,
            action="area.relocate",
            partnership=partnership,
            summary=_("%(n)s händelser fick ett annat område") % {"n": found.moved},
            incidents_moved=found.moved,
            first_week=found.first_week,
            last_week=found.last_week,
        )
    return found


def relocate_all(partnership: Partnership) -> tuple[Relocation, int]:
    """After the areas changed: the incidents (`relocate_incidents`) and the police's
    notices (`policeevents.services.relocate`) to the areas that hold them now. Returns what
    moved of each."""
    # Imported here: police notices build on geography, not the other way round.
    from lagesbild.policeevents.services import relocate as relocate_notices

    return relocate_incidents(partnership), relocate_notices(partnership)


@transaction.atomic
def apply_import(
    *, actor, partnership: Partnership, source: str, mapping: Mapping, request=None
) -> Plan:
    """Write the plan in one transaction: areas created and updated (and, replacing,
    deactivated), parents set, places moved to the area that now holds them; the incidents
    follow in a background job queued when the transaction commits. Refused with nothing
    written while any row has an error."""
    plan = plan_import(partnership=partnership, source=source, mapping=mapping)
    if plan.errors:
        raise ValidationError(
            _("%(n)s rader har fel. Rätta filen och försök igen; inget har sparats.")
            % {"n": len(plan.errors)}
        )
    written = {row.code: _write_area(partnership, row, mapping) for row in plan.rows}
    by_code = {a.code: a for a in Area.objects.filter(partnership=partnership)}
    for row in plan.rows:
        area = written[row.code]
        parent = by_code.get(row.parent_code) if row.parent_code else None
        if mapping.parent_column and area.parent_id != (parent.pk if parent else None):
            area.parent = parent
            area.save(update_fields=["parent"])
    for area in plan.deactivated:
        Area.objects.filter(pk=area.pk).update(active=False)
    bump_geography(partnership)
    try:
        with transaction.atomic():
            places = _reassign(partnership, Place.objects.filter(partnership=partnership)).moved
    except IntegrityError as exc:
        raise ValidationError(
            _(
                "Två platser med samma namn skulle hamna i samma område. Byt namn på den ena "
                "platsen först; inget har sparats."
            )
        ) from exc
    record(
        actor=actor,
        action="area.import",
        partnership=partnership,
        summary=f"{plan.layer.name}: {plan.created} + {plan.updated}",
        request=request,
        layer=plan.layer.name,
        mode=mapping.mode,
        created=plan.created,
        updated=plan.updated,
        deactivated=len(plan.deactivated),
        repaired=len(plan.repaired),
        incidents_moving=plan.incidents_moving,
        places_moved=places,
        overlap_m2=round(plan.overlap_m2),
        gap_m2=round(plan.gap_m2),
    )
    relocate_incidents_later(partnership)
    return plan
