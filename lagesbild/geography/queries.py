"""Scoped reads of areas and places for pages, maps and the API."""

from django.db.models import Q, QuerySet
from shapely.geometry import shape

from lagesbild.geography.models import Area, Place
from lagesbild.partnerships.access import scoped


def areas(membership, *, active_only: bool = True) -> QuerySet[Area]:
    qs = scoped(Area.objects.all(), membership)
    return qs.filter(active=True) if active_only else qs


def places(membership, *, active_only: bool = True) -> QuerySet[Place]:
    qs = scoped(Place.objects.select_related("area"), membership)
    return qs.filter(active=True) if active_only else qs


def leaf_areas(membership) -> QuerySet[Area]:
    """Areas without active children: the rows of the weekly table."""
    return areas(membership).exclude(children__active=True).distinct()


def search_places(membership, text: str, limit: int = 10) -> list[dict]:
    """Areas and places whose name contains `text`, for the reporting form's search box."""
    text = text.strip()
    if len(text) < 2:
        return []
    found = places(membership).filter(name__icontains=text)[:limit]
    found_areas = areas(membership).filter(Q(name__icontains=text) | Q(code__iexact=text))
    results = [_place_choice(place) for place in found]
    results += [_area_choice(area) for area in found_areas[:limit]]
    return results[:limit]


def place_choices(membership) -> list[dict]:
    """Every active place and area as the search box offers them, for the reporting form to
    search on the phone itself when it has no connection."""
    return [_place_choice(place) for place in places(membership).order_by("name")] + [
        _area_choice(area) for area in areas(membership).order_by("name")
    ]


def _place_choice(place: Place) -> dict:
    return {
        "kind": "place",
        "id": place.pk,
        "name": place.name,
        "area": place.area.name,
        "lon": place.lon,
        "lat": place.lat,
    }


def _area_choice(area: Area) -> dict:
    inside = shape(area.geometry).representative_point()
    return {
        "kind": "area",
        "id": area.pk,
        "name": area.name,
        "area": area.name,
        "lon": inside.x,
        "lat": inside.y,
    }


def areas_geojson(membership) -> dict:
    """A FeatureCollection of the partnership's active areas for the maps."""
    features = [
        {
            "type": "Feature",
            "id": area.pk,
            "geometry": area.geometry,
            "properties": {
                "id": area.pk,
                "name": area.name,
                "code": area.code,
                "parent": area.parent_id,
            },
        }
        for area in areas(membership).only("id", "name", "code", "geometry", "parent")
    ]
    return {"type": "FeatureCollection", "features": features}
