"""The reporting form as an installable web app: the web app manifest and the service worker
that keeps the form usable without a connection (static/js/report-queue.js queues the reports).

Both are served by views rather than as static files: their URLs must not carry a hash, the
service worker must sit at the site's root so that its scope can cover the reporting page,
and both name static files whose real (hashed) URLs only the storage knows."""

import hashlib
import json

from django.contrib.staticfiles.storage import staticfiles_storage
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lagesbild.web.maps import MARKER_IMAGES

# What the reporting page loads; cached when the service worker installs, so the form opens
# and works offline on a phone that has opened it once.
OFFLINE_ASSETS = [
    "css/app.css",
    "js/app.js",
    "js/maps.js",
    "js/report-queue.js",
    "vendor/htmx/htmx.min.js",
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/leaflet.css",
    "favicon.svg",
    "icons/icon-192.png",
    *MARKER_IMAGES.values(),
]

ICONS = [
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/maskable-512.png", "512x512", "maskable"),
]


def service_worker_settings() -> dict:
    """The values the service worker script is written with. The version changes whenever
    an asset's URL does (the production storage puts a content hash in each), so a new
    release installs a new worker, which replaces the old cache."""
    assets = [static(path) for path in OFFLINE_ASSETS]
    places = [reverse("geography:areas_geojson"), reverse("geography:offline_places")]
    version = hashlib.sha256(json.dumps(assets).encode()).hexdigest()[:12]
    return {
        "version": version,
        "report_url": reverse("incidents:report"),
        "assets": assets,
        "data_urls": places,
        # The storage's base URL: static("") asks the production storage's manifest for a
        # file named "" and fails.
        "static_prefix": staticfiles_storage.base_url,
    }


def web_manifest() -> dict:
    """The web app manifest: installed, the app opens on the reporting form."""
    return {
        "name": _("Lägesbild – rapportera"),
        "short_name": "Lägesbild",
        "description": _("Rapportera händelser till samverkans lägesbild, även utan uppkoppling."),
        "lang": get_language(),
        "start_url": reverse("incidents:report"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b4f8a",
        "icons": [
            {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
    }
