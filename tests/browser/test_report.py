"""The reporter's journey on a phone: choose a category, a place, a severity and send; the
place by search, map tap or the phone's position; one incident however often it is sent; a
personal identity number refused."""

import pytest

from lagesbild.incidents.models import Incident
from tests.browser.steps import arrive, log_in, painted_pixels, screenshot_for_docs

pytestmark = pytest.mark.browser

SODER = {"latitude": 59.425, "longitude": 17.905}  # inside the factories' area "Söder"
RECEIPT = "Tack! Händelsen är registrerad som nr"


def start_report(page, *, through_menu: bool = False) -> None:
    """Open the form, through the menu of the page at hand or directly, and pick "Klotter"
    through the category search."""
    if through_menu:
        menu = page.get_by_role("button", name="Meny")
        if menu.is_visible():  # on a phone the menu is folded behind its button
            menu.click()
        page.get_by_role("link", name="Rapportera", exact=True).click()
    else:
        page.goto("/handelser/rapportera/")
    search = page.get_by_placeholder("Sök kategori")
    # The category filter and htmx are set up by deferred scripts: wait for the form's page
    # to load (after the menu's link, waiting at once would answer for the page left).
    arrive(page, search)
    search.fill("klott")
    assert page.locator("#category-list input:visible").count() == 1
    page.get_by_role("radio", name="Klotter").check()


def choose_torget(page) -> None:
    """Say where by searching the partnership's places and picking the result."""
    page.get_by_label("Sök plats eller område").fill("Torg")
    page.get_by_role("button", name="Torget").click()


def finish_report(page, description="Klotter på elskåpet") -> None:
    """Keep the default time, choose a severity, describe and send."""
    page.get_by_role("radio", name="Allvarlig", exact=True).check()
    page.get_by_label("Kort beskrivning").fill(description)
    page.get_by_role("button", name="Skicka rapport").click()


def luhn_valid_identity_number(birth: str, serial: str) -> str:
    """A made-up personal identity number (YYMMDD-NNNC) whose check digit C is right."""
    digits = birth + serial
    total = sum(sum(divmod(int(d) * (2 - i % 2), 10)) for i, d in enumerate(digits))
    return f"{birth}-{serial}{(10 - total % 10) % 10}"


def test_report_with_place_search(open_page, reporter_a):
    page = open_page("phone")
    log_in(page, reporter_a)
    start_report(page, through_menu=True)
    choose_torget(page)
    finish_report(page)
    receipt = page.get_by_text(RECEIPT)
    receipt.wait_for()
    incident = Incident.objects.get()
    assert f"nr {incident.pk} " in receipt.inner_text()
    assert (incident.area.name, incident.place.name) == ("Norr", "Torget")
    assert incident.category.code == "klotter"
    assert incident.severity == Incident.Severity.MEDIUM
    # Under the receipt waits an empty form for the next report, with a new client id.
    page.wait_for_load_state()
    checked = "() => [...document.querySelectorAll('#report-form :checked')].map(i => i.name)"
    assert page.evaluate(checked) == ["severity"]
    assert page.locator("#id_client_id").input_value() != str(incident.client_id)
    assert page.locator("#outbox-status").inner_text() == ""


def test_report_by_tapping_the_map(open_page, reporter_a):
    page = open_page("phone", member=reporter_a)
    start_report(page)
    assert painted_pixels(page, "#report-map") > 0, "the areas are not drawn without tiles"
    box = page.locator("#report-map").bounding_box()
    # The map is fitted to Norr above Söder, so below the centre lies Söder.
    page.locator("#report-map").tap(position={"x": box["width"] / 2, "y": box["height"] * 0.65})
    page.locator("#report-map .leaflet-marker-icon").wait_for()
    screenshot_for_docs(page, "report-phone")
    finish_report(page)
    page.get_by_text(RECEIPT).wait_for()
    incident = Incident.objects.get()
    assert (incident.area.name, incident.place) == ("Söder", None)


def test_report_with_my_position(open_page, reporter_a, live_server):
    page = open_page("phone", member=reporter_a)
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation(SODER)
    start_report(page)
    page.wait_for_load_state()  # a click before the page's script binds the button does nothing
    page.get_by_role("button", name="Använd min position").click()
    page.get_by_text("Min position – 59.425000, 17.905000").wait_for()
    finish_report(page)
    page.get_by_text(RECEIPT).wait_for()
    incident = Incident.objects.get()
    assert incident.area.name == "Söder"
    assert (incident.lat, incident.lon) == pytest.approx((SODER["latitude"], SODER["longitude"]))


def test_sending_the_same_form_again_files_one_incident(open_page, reporter_a):
    """Send, go back to the filled form and send it again: the second answer says the report
    was already received. (A literal double tap is not used: Chromium drops a second submit
    made before the first request leaves, so it would often send once and prove nothing.)"""
    page = open_page("phone", member=reporter_a)
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    start_report(page)
    choose_torget(page)
    finish_report(page)
    # The receipt page's script marks the report as sent (moves it from the outbox): going
    # back before that page has loaded would find it unsent and restore it as a draft.
    arrive(page, page.get_by_text(RECEIPT))
    page.go_back()
    page.get_by_text("Den här rapporten är redan skickad.").wait_for()
    page.get_by_role("button", name="Skicka rapport").click()
    page.get_by_text("var redan mottagen. Inget dubbelregistrerades.").wait_for()
    assert sum(url.endswith("/handelser/rapportera/") for url in posts) == 2
    assert Incident.objects.count() == 1


def test_retry_after_a_dropped_connection_files_one_incident(open_page, reporter_a):
    """The server files the report but its answer never arrives; the unsent copy kept on the
    phone is restored on the next visit and sent again with the same client id."""
    page = open_page("phone", member=reporter_a)
    start_report(page)
    choose_torget(page)

    def drop_answer(route) -> None:
        if route.request.method != "POST":
            return route.fallback()
        route.fetch(max_redirects=0)
        # Lost with the answer: the cookie that would carry the receipt to the next page.
        page.context.clear_cookies(name="messages")
        return route.abort("connectionreset")

    page.route("**/handelser/rapportera/", drop_answer)
    finish_report(page)
    page.wait_for_url(lambda url: url.startswith("chrome-error:"))
    assert Incident.objects.count() == 1
    page.unroute_all()
    page.goto("/handelser/rapportera/")
    page.get_by_text("Ett osänt utkast har återställts").wait_for()
    page.get_by_role("button", name="Skicka rapport").click()
    page.get_by_text("var redan mottagen").wait_for()
    assert Incident.objects.count() == 1


def test_identity_number_is_refused_and_nothing_saved(open_page, reporter_a):
    page = open_page("phone", member=reporter_a)
    start_report(page)
    choose_torget(page)
    finish_report(page, f"Anmälaren har nr {luhn_valid_identity_number('850314', '123')}")
    page.get_by_text("Texten innehåller ett personnummer").wait_for()
    assert "personnummer får inte sparas" in page.get_by_role("alert").inner_text()
    assert Incident.objects.count() == 0
