"""The map settings every Leaflet map on the site reads (rendered with json_script)."""

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

# Leaflet guesses where its default marker images are from leaflet.css, and guesses wrong once
# the static files carry a content hash in their names (production): it then asks for
# "marker-icon.png" next to the page. The map scripts are given the real URLs instead.
MARKER_IMAGES = {
    "iconUrl": "vendor/leaflet/images/marker-icon.png",
    "iconRetinaUrl": "vendor/leaflet/images/marker-icon-2x.png",
    "shadowUrl": "vendor/leaflet/images/marker-shadow.png",
}


def map_config() -> dict:
    """Base-map tiles (configurable; empty means no tiles), where the area outlines are and
    the URLs of the marker images."""
    return {
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "areas_url": reverse("geography:areas_geojson"),
        "marker": {option: static(path) for option, path in MARKER_IMAGES.items()},
    }
