"""The administration pages in headless Chromium: the maps that choose a place's position and
preview an area's outline work under the Content Security Policy, and the pages have no
serious WCAG 2.1 AA violations."""

import json

import pytest
from django.urls import reverse

from tests.browser import steps
from tests.factories import square

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_place_is_positioned_by_clicking_the_map(open_page, coordinator_a):
    page = open_page("desktop")
    steps.log_in(page, coordinator_a)
    page.goto(reverse("partnerships:place_create"))
    assert steps.painted_pixels(page, "#place-map") > 0
    # The map fits the two stacked areas; a quarter down from the top is inside "Norr".
    box = page.locator("#place-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 4)
    assert page.locator("#id_lat").input_value().startswith("59.4")
    assert "Vald position" in page.locator("#place-map-status").text_content()
    page.get_by_label("Namn").fill("Lekplatsen")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url("**/platser/")
    assert "Platsen Lekplatsen har sparats." in page.locator(".messages").text_content()
    assert coordinator_a.partnership.places.get(name="Lekplatsen").area.name == "Norr"


def test_typed_coordinates_move_the_marker(open_page, coordinator_a):
    place = coordinator_a.partnership.places.get()
    page = open_page("desktop")
    steps.log_in(page, coordinator_a)
    page.goto(reverse("partnerships:place_edit", args=[place.pk]))
    page.locator("#id_lat").fill("59,425")
    page.locator("#id_lat").dispatch_event("change")
    assert "59.425000" in page.locator("#place-map-status").text_content()


def test_a_pasted_outline_is_previewed(open_page, coordinator_a):
    page = open_page("desktop")
    steps.log_in(page, coordinator_a)
    page.goto(reverse("partnerships:area_create"))
    assert steps.painted_pixels(page, "#area-map") > 0
    page.locator("#id_geometry_text").fill(json.dumps(square(17.92, 59.42)))
    page.locator("#id_geometry_text").dispatch_event("change")
    assert "visas streckad" in page.locator("#area-map-status").text_content()


def test_administration_pages_have_no_serious_accessibility_violations(open_page, coordinator_a):
    page = open_page("desktop", bypass_csp=True)  # axe-core is injected as an inline script
    steps.log_in(page, coordinator_a)
    category = coordinator_a.partnership.categories.get(code="klotter")
    urls = [
        reverse("partnerships:manage"),
        reverse("partnerships:category_list"),
        reverse("partnerships:category_edit", args=[category.pk]),
        reverse("partnerships:member_create"),
        reverse("partnerships:place_create"),
        reverse("partnerships:area_create"),
    ]
    violations = []
    for url in urls:
        page.goto(url)
        violations += [f"{url}: {v}" for v in steps.serious_axe_violations(page)]
    assert violations == []


def _boundary_file(tmp_path) -> str:
    """Two districts as a GeoJSON file, as a municipality's GIS unit would export them."""
    features = [
        {
            "type": "Feature",
            "properties": {"kod": code, "namn": name, "folkmangd": population},
            "geometry": square(17.90, lat),
        }
        for code, name, lat, population in (
            ("D1", "Distrikt Norr", 59.43, 1200),
            ("D2", "Distrikt Söder", 59.42, 900),
        )
    ]
    path = tmp_path / "distrikt.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return str(path)


def test_areas_are_imported_from_a_file_after_a_preview(open_page, coordinator_a, tmp_path):
    """Upload, the columns guessed from their names, a preview with its checks and map, then
    the import; axe on the preview page, which holds the form, the checks and the map."""
    page = open_page("desktop", bypass_csp=True)  # axe-core is injected as an inline script
    steps.log_in(page, coordinator_a)
    page.goto(reverse("partnerships:area_import"))
    page.get_by_label("Fil med områden").set_input_files(_boundary_file(tmp_path))
    page.get_by_role("button", name="Ladda upp").click()
    assert page.get_by_label("Kolumn med namn").input_value() == "namn"
    assert page.get_by_label("Kolumn med kod").input_value() == "kod"
    page.get_by_role("button", name="Förhandsgranska").click()
    checks = page.locator(".checks").text_content()
    assert "2 nya områden, 0 uppdateras, 0 inaktiveras." in checks
    assert "Inga rader med fel." in checks
    assert steps.painted_pixels(page, "#import-map") > 0
    assert steps.serious_axe_violations(page) == []
    assert not coordinator_a.partnership.areas.filter(code="D1").exists()  # a preview saves nothing
    page.get_by_role("button", name="Importera").click()
    page.wait_for_url("**/omraden/")
    assert "2 områden har lagts till" in page.locator(".messages").text_content()
    imported = coordinator_a.partnership.areas.get(code="D1")
    assert (imported.name, imported.population) == ("Distrikt Norr", 1200)
