"""The map settings every Leaflet map on the site reads (rendered with json_script)."""

from django.conf import settings
from django.urls import reverse


def map_config() -> dict:
    """Base-map tiles (configurable; empty means no tiles) and where the area outlines are."""
    return {
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "areas_url": reverse("geography:areas_geojson"),
    }
