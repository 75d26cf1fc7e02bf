"""Writes and rules for areas and places: creation, edits, point-in-area assignment."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from shapely.geometry import mapping

from lagesbild.audit.record import record
from lagesbild.geography import geometry
from lagesbild.geography.models import Area, Place
from lagesbild.partnerships.models import Partnership


def area_index(partnership: Partnership) -> geometry.AreaIndex:
    """The cached point-in-area index over the partnership's active areas."""

    def load():
        return list(
            Area.objects.filter(partnership=partnership, active=True).values_list("id", "geometry")
        )

    return geometry.cached_index(partnership.pk, partnership.geography_version, load)


def locate_area(partnership: Partnership, lon: float, lat: float) -> Area:
    """The smallest active area containing the point, or a ValidationError for the user."""
    if not geometry.in_sweden(lon, lat):
        raise ValidationError(_("Positionen ligger inte i Sverige. Välj en plats på kartan."))
    area_id = area_index(partnership).locate(lon, lat)
    if area_id is None:
        raise ValidationError(
            _(
                "Platsen ligger utanför samverkans områden. Välj en plats inom något av "
                "områdena på kartan, eller be samordnaren lägga till området."
            )
        )
    return Area.objects.get(pk=area_id)


def bump_geography(partnership: Partnership) -> None:
    """Say that the areas' outlines or populations changed: the spatial index is rebuilt and
    every analysis run made before is stale (`pictures.runs.data_version`)."""
    Partnership.objects.filter(pk=partnership.pk).update(
        geography_version=F("geography_version") + 1
    )
    partnership.refresh_from_db(fields=["geography_version"])


def relocate_incidents_later(partnership: Partnership) -> None:
    """Once the areas' change commits, have the background worker move the partnership's
    incidents to the areas that now hold them (`area_import.relocate_incidents`)."""

    def enqueue():
        from lagesbild.geography.tasks import relocate_incidents

        relocate_incidents.enqueue(partnership.pk)

    transaction.on_commit(enqueue)


def _apply_geometry(area: Area, geojson: dict) -> None:
    try:
        geom = geometry.parse_geojson_polygon(geojson)
    except ValueError as exc:
        raise ValidationError({"geometry": _("Geometrin är inte en giltig polygon.")}) from exc
    area.geometry = mapping(geom)
    area.min_lon, area.min_lat, area.max_lon, area.max_lat = geometry.bbox(geom)


def _check_parent(partnership: Partnership, area: Area, parent: Area | None) -> None:
    """The parent must be the partnership's and must not be the area or one of its own
    sub-areas (that would make a loop)."""
    if parent is None:
        return
    if parent.partnership_id != partnership.pk:
        raise ValidationError({"parent": _("Välj ett annat överordnat område.")})
    ancestor = parent
    while ancestor is not None:
        if area.pk is not None and ancestor.pk == area.pk:
            raise ValidationError({"parent": _("Ett område kan inte ligga inuti sig självt.")})
        ancestor = ancestor.parent


@transaction.atomic
def save_area(
    *,
    actor,
    partnership: Partnership,
    area: Area | None = None,
    name: str,
    code: str,
    geojson: dict | None = None,
    parent: Area | None = None,
    kind: str = Area.Kind.AREA,
    scb_code: str = "",
    population: int | None = None,
    population_year: int | None = None,
    active: bool = True,
    request=None,
) -> Area:
    """Create or update an area; a new area needs a geometry."""
    creating = area is None
    if creating:
        area = Area(partnership=partnership)
        if geojson is None:
            raise ValidationError({"geometry": _("Ett nytt område behöver en geometri.")})
    _check_parent(partnership, area, parent)
    if Area.objects.filter(partnership=partnership, code=code).exclude(pk=area.pk).exists():
        raise ValidationError({"code": _("Koden används redan av ett annat område.")})
    # A new area, a new outline, or an area switched on or off can give incidents another area.
    moves_incidents = creating or geojson is not None or active != area.active
    area.name, area.code, area.parent, area.kind = name, code, parent, kind
    area.scb_code, area.population, area.population_year = scb_code, population, population_year
    area.active = active
    if geojson is not None:
        _apply_geometry(area, geojson)
    area.full_clean(exclude=["partnership", "geometry"])
    area.save()
    bump_geography(partnership)
    if moves_incidents:
        relocate_incidents_later(partnership)
    record(
        actor=actor,
        action="area.create" if creating else "area.update",
        obj=area,
        summary=area.name,
        request=request,
    )
    return area


@transaction.atomic
def save_place(
    *,
    actor,
    partnership: Partnership,
    place: Place | None = None,
    name: str,
    kind: str,
    lon: float,
    lat: float,
    active: bool = True,
    request=None,
) -> Place:
    """Create or update a named place; its area follows from its position."""
    area = locate_area(partnership, lon, lat)
    creating = place is None
    if creating:
        place = Place(partnership=partnership)
    place.name, place.kind, place.lon, place.lat = name, kind, lon, lat
    place.area, place.active = area, active
    place.full_clean(exclude=["partnership"])
    place.save()
    record(
        actor=actor,
        action="place.create" if creating else "place.update",
        obj=place,
        summary=place.name,
        request=request,
    )
    return place
