"""Every file our pages ask for is there: static files, vendored libraries, Leaflet's marker
images and the site icon, on the key pages of each role, with static files named as in
production.

Production serves static files under content-hashed names (ManifestStaticFilesStorage, via
WhiteNoise); the test settings do not. Leaflet guesses where its marker images are from
leaflet.css, a guess that only fails under hashed names, so these journeys collect the static
files with hashes first and the live server serves those.
"""

from datetime import date

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from tests.factories import make_incident, make_intervention

pytestmark = pytest.mark.browser

HASHED = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}


@pytest.fixture(scope="session")
def hashed_static(tmp_path_factory):
    """The static files collected under hashed names, once per test session."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=HASHED):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def production_static(settings, hashed_static):
    """Pages link the hashed names; the live server's static handler finds files through the
    finders, so the collected folder is made one of them."""
    settings.STATIC_ROOT = hashed_static
    settings.STORAGES = HASHED
    settings.STATICFILES_DIRS = [hashed_static]


@pytest.fixture
def missing(open_page, live_server):
    """A page factory that records in `.found` every answer of 400 or more from our own
    server to the pages it opened."""
    found = []

    def watch(device, member):
        page = open_page(device, member=member)

        def answered(response):
            if response.url.startswith(live_server.url) and response.status >= 400:
                found.append(f"{response.status} {response.url}")

        page.on("response", answered)
        return page

    watch.found = found
    return watch


def icons_of(page) -> list[str]:
    """The page's icon links and /favicon.ico, which browsers ask for when they ignore them."""
    return [
        *page.eval_on_selector_all("link[rel~=icon]", "links => links.map(l => l.href)"),
        "/favicon.ico",
    ]


def not_found(page, urls: list[str]) -> list[str]:
    """The URLs that do not answer 200, redirects followed, asked with the page's cookies.
    (Headless Chromium refuses a page's own fetch of /favicon.ico, so Playwright asks.)"""
    answers = {url: page.request.get(url) for url in urls}
    return [f"{answer.status} {url}" for url, answer in answers.items() if not answer.ok]


def visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def test_the_reporter_on_a_phone_meets_no_missing_file(missing, production_static, reporter_a):
    incident = make_incident(reporter_a, description="Klotter på elskåpet")
    page = missing("phone", reporter_a)
    visit(page, reverse("home"))
    assert page.locator("link[rel~=icon]").count() >= 1
    assert not_found(page, icons_of(page)) == []
    visit(page, reverse("incidents:report"))
    box = page.locator("#report-map").bounding_box()
    page.locator("#report-map").tap(position={"x": box["width"] / 2, "y": box["height"] / 2})
    marker = page.locator("#report-map img.leaflet-marker-icon")
    marker.wait_for()
    # The page reached "networkidle" before the tap, so waiting for that state again returns at
    # once; wait for the marker image itself to finish (loaded or broken), then judge it.
    image = marker.element_handle()
    page.wait_for_function("img => img.complete", arg=image)
    assert page.evaluate("img => img.naturalWidth > 0", image)
    visit(page, reverse("incidents:list"))
    visit(page, reverse("incidents:detail", args=[incident.pk]))
    assert missing.found == []


def test_the_coordinator_meets_no_missing_file(
    missing, production_static, coordinator_a, reporter_a
):
    make_incident(reporter_a, description="Klotter på elskåpet")
    place = coordinator_a.partnership.places.get()
    make_intervention(
        partnership=coordinator_a.partnership,
        title="Belysning vid torget",
        areas=[place.area],
        responsible=coordinator_a.organisation,
        due_date=date.today(),
    )
    page = missing("desktop", coordinator_a)
    for url in [
        reverse("home"),
        reverse("incidents:review"),
        reverse("incidents:list"),
        reverse("incidents:map"),
        reverse("incidents:weekly"),
        reverse("interventions:list"),
        reverse("interventions:meetings"),
        reverse("audit:trail"),
        reverse("partnerships:manage"),
        reverse("partnerships:area_create"),
        reverse("partnerships:place_edit", args=[place.pk]),
    ]:
        visit(page, url)
    page.locator("#place-map img.leaflet-marker-icon").wait_for()
    page.wait_for_load_state("networkidle")
    assert missing.found == []
