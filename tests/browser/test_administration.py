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
