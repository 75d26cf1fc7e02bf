"""The reporting form as an installable web app: the service worker script and the web app
manifest name files that exist, and the form's places are there for a search offline."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from PIL import Image

from lagesbild.geography.models import Area, Place


def worker_config(response) -> dict:
    return json.loads(re.search(r"^const CONFIG = (.*);$", response.text, re.M).group(1))


def test_the_service_worker_is_served_at_the_root_for_everyone_and_never_cached(db):
    response = Client().get(reverse("service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    config = worker_config(response)
    assert reverse("service_worker") == "/service-worker.js"  # its scope may cover the form
    assert config["report_url"] == reverse("incidents:report")
    assert config["data_urls"] == [
        reverse("geography:areas_geojson"),
        reverse("geography:offline_places"),
    ]


def test_the_service_worker_caches_only_files_that_exist(db):
    config = worker_config(Client().get(reverse("service_worker")))
    prefix = config["static_prefix"]
    for url in config["assets"]:
        assert url.startswith(prefix)
        assert finders.find(url.removeprefix(prefix)), url
    assert "/static/js/report-queue.js" in config["assets"]


def test_the_manifest_opens_the_report_form_with_icons_of_the_stated_sizes(db):
    response = Client().get(reverse("web_manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == reverse("incidents:report")
    assert manifest["display"] == "standalone"
    assert manifest["name"] == "Lägesbild – rapportera"
    purposes = set()
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
        purposes.add(icon["purpose"])
    assert {"any", "maskable"} <= purposes
    assert any(icon["sizes"] == "512x512" for icon in manifest["icons"])


def test_pages_link_the_manifest(login, reporter_a):
    page = login(reporter_a).get(reverse("incidents:report")).content.decode()
    assert f'<link rel="manifest" href="{reverse("web_manifest")}">' in page
    assert 'id="queue-status"' in page and 'aria-live="polite"' in page


def test_the_offline_places_are_the_partnerships_active_places_and_areas(login, reporter_a):
    partnership = reporter_a.partnership
    gone = Place.objects.create(
        partnership=partnership,
        area=Area.objects.get(partnership=partnership, name="Söder"),
        name="Rivna kiosken",
        lon=17.905,
        lat=59.425,
        active=False,
    )
    results = login(reporter_a).get(reverse("geography:offline_places")).json()["results"]
    names = [(r["kind"], r["name"]) for r in results]
    assert names == [("place", "Torget"), ("area", "Norr"), ("area", "Söder")]
    assert gone.name not in str(results)
    torget = results[0]
    assert (torget["area"], torget["lat"], torget["lon"]) == (
        "Norr",
        pytest.approx(59.435),
        pytest.approx(17.905),
    )


def test_the_service_worker_is_served_with_the_production_storage(db, settings, tmp_path):
    """Production names static files by their content hash from a manifest (collectstatic);
    the worker's script must be written from that storage too (it once asked the manifest
    for a file named "" and answered 500)."""
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)

    response = Client().get(reverse("service_worker"))

    assert response.status_code == 200
    config = worker_config(response)
    assert config["static_prefix"] == "/static/"
    hashed = next(a for a in config["assets"] if a.startswith("/static/css/app."))
    assert hashed != "/static/css/app.css"  # the hashed name, as production serves it
    assert (tmp_path / hashed.removeprefix("/static/")).exists()
