"""Reference data for clients: categories, areas (GeoJSON) and places."""

from ninja import Router, Schema

from lagesbild.api.common import require_role
from lagesbild.geography import queries as geo
from lagesbild.incidents.queries import reportable_categories
from lagesbild.partnerships.access import Role

router = Router(tags=["reference data"])


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    group: str | None
    weight: int


class PlaceOut(Schema):
    id: int
    name: str
    kind: str
    area: int
    lon: float
    lat: float


@router.get("/categories", response=list[CategoryOut], summary="Categories a reporter can use")
def categories(request):
    membership = require_role(request, Role.REPORTER)
    return [
        {
            "id": c.pk,
            "code": c.code,
            "name": c.name,
            "group": c.parent.name if c.parent else None,
            "weight": c.weight,
        }
        for c in reportable_categories(membership)
    ]


@router.get("/areas", summary="The partnership's areas as a GeoJSON FeatureCollection (WGS 84)")
def areas(request) -> dict:
    return geo.areas_geojson(require_role(request, Role.REPORTER))


@router.get("/places", response=list[PlaceOut], summary="Named places")
def places(request):
    membership = require_role(request, Role.REPORTER)
    return [
        {"id": p.pk, "name": p.name, "kind": p.kind, "area": p.area_id, "lon": p.lon, "lat": p.lat}
        for p in geo.places(membership)
    ]
