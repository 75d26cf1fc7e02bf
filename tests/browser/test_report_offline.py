"""Reporting without a connection: the form, opened once, works offline; reports made
offline wait on the phone (IndexedDB), survive a reload and are sent once each when the
connection returns; a session that ended meanwhile keeps them queued until the reporter has
logged in again."""

import pytest

from lagesbild.incidents.models import Category, Incident
from tests.browser.steps import log_in, serious_axe_violations

pytestmark = pytest.mark.browser

FORM = "/handelser/rapportera/"
PLACES = "/geografi/platser.json"


def open_form_for_offline_use(page) -> None:
    """Open the form with a connection and wait until the service worker has cached it, and
    the places through it (the reload: the first visit is not yet in the worker's hands)."""
    page.goto(FORM)
    page.evaluate("() => navigator.serviceWorker.ready.then(() => null)")
    page.reload()
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        f"""async () => navigator.serviceWorker.controller !== null
        && Boolean(await caches.match("{FORM}")) && Boolean(await caches.match("{PLACES}"))"""
    )


def cached_client_id(page) -> str | None:
    """The client id in the worker's copy of the form: each copy has its own."""
    return page.evaluate(
        f"""async () => {{
        const copy = await caches.match("{FORM}");
        return copy ? /name="client_id" value="([^"]+)"/.exec(await copy.text())[1] : null;
        }}"""
    )


def wait_for_fresh_copy(page, before: str | None) -> None:
    """A page opened online has the worker fetch a fresh copy of the form; wait until it is
    stored, so that no request of the worker is still being served when the test ends."""
    page.wait_for_function(
        """async ({form, before}) => {
        const copy = await caches.match(form);
        const id = copy && /name="client_id" value="([^"]+)"/.exec(await copy.text())[1];
        return Boolean(id) && id !== before;
        }""",
        arg={"form": FORM, "before": before},
    )


def report_offline(page, description: str) -> None:
    """Klotter at Torget, found by the search on the phone itself."""
    page.get_by_placeholder("Sök kategori").fill("klott")
    page.get_by_role("radio", name="Klotter").check()
    page.get_by_label("Sök plats eller område").fill("Torg")
    page.get_by_role("button", name="Torget").click()
    page.get_by_label("Kort beskrivning").fill(description)
    page.get_by_role("button", name="Skicka rapport").click()


def waiting(page, text: str) -> None:
    page.locator("#queue-status", has_text=text).wait_for()


def test_two_offline_reports_are_sent_once_each_when_back_online(open_page, reporter_a):
    # axe-core is injected as an inline script; the other journeys here keep the CSP.
    page = open_page("phone", member=reporter_a, bypass_csp=True)
    open_form_for_offline_use(page)
    page.context.set_offline(True)
    report_offline(page, "Klotter på elskåpet")
    waiting(page, "1 rapport väntar på att skickas.")
    report_offline(page, "Klotter på busskuren")
    waiting(page, "2 rapporter väntar på att skickas.")
    assert page.get_by_role("listitem").filter(has_text="Klotter, ").count() == 2
    assert not serious_axe_violations(page)
    assert Incident.objects.count() == 0

    page.context.set_offline(False)
    waiting(page, "Sparade rapporter som nu har skickats: 2.")
    incidents = Incident.objects.order_by("description")
    assert [i.description for i in incidents] == ["Klotter på busskuren", "Klotter på elskåpet"]
    assert {i.place.name for i in incidents} == {"Torget"}
    assert len({i.client_id for i in incidents}) == 2
    assert page.locator("#report-queue").is_hidden()
    # Back online the queue is empty: another reload sends nothing more.
    before = cached_client_id(page)
    page.reload()
    wait_for_fresh_copy(page, before)
    assert Incident.objects.count() == 2


def test_a_reload_without_connection_keeps_the_queue(open_page, reporter_a):
    page = open_page("phone", member=reporter_a)
    open_form_for_offline_use(page)
    page.context.set_offline(True)
    report_offline(page, "Krossad ruta vid entrén")
    waiting(page, "1 rapport väntar på att skickas.")
    page.reload()
    page.get_by_role("heading", name="Rapportera händelse").wait_for()
    waiting(page, "1 rapport väntar på att skickas.")
    assert Incident.objects.count() == 0
    page.context.set_offline(False)
    waiting(page, "Sparade rapporter som nu har skickats: 1.")
    assert Incident.objects.get().description == "Krossad ruta vid entrén"


def test_an_ended_session_keeps_the_queue_until_login(open_page, reporter_a):
    page = open_page("phone", member=reporter_a)
    open_form_for_offline_use(page)
    page.context.set_offline(True)
    report_offline(page, "Brand i soprummet")
    waiting(page, "1 rapport väntar på att skickas.")
    page.context.clear_cookies()  # the session ended while the phone was offline
    page.context.set_offline(False)
    waiting(page, "Du behöver logga in igen")
    assert Incident.objects.count() == 0
    page.get_by_role("link", name="Logga in igen").wait_for()

    log_in(page, reporter_a)
    page.goto(FORM)
    waiting(page, "Sparade rapporter som nu har skickats: 1.")
    assert Incident.objects.get().description == "Brand i soprummet"
    wait_for_fresh_copy(page, None)


def test_a_refused_report_stays_queued_with_the_reason_until_corrected(open_page, reporter_a):
    """The category was switched off while the phone was offline: the server refuses the
    report (400); it stays on the phone with the reason, opens in the form and, sent with
    another category, leaves the queue as one incident."""
    page = open_page("phone", member=reporter_a)
    open_form_for_offline_use(page)
    page.context.set_offline(True)
    report_offline(page, "Klotter på garagedörren")
    waiting(page, "1 rapport väntar på att skickas.")
    Category.objects.filter(partnership=reporter_a.partnership, code="klotter").update(active=False)
    page.context.set_offline(False)
    refused = page.get_by_role("listitem").filter(has_text="Kunde inte tas emot: Välj en kategori")
    refused.wait_for()
    waiting(page, "1 rapport väntar på att skickas.")
    assert Incident.objects.count() == 0

    page.reload()  # the reason is kept with the report
    refused.wait_for()
    refused.get_by_role("button", name="Öppna i formuläret").click()
    assert page.get_by_label("Kort beskrivning").input_value() == "Klotter på garagedörren"
    page.get_by_role(
        "radio", name="Skadegörelse på fastighet, fordon eller offentlig miljö"
    ).check()
    before = cached_client_id(page)
    page.get_by_role("button", name="Skicka rapport").click()
    page.get_by_text("Tack! Händelsen är registrerad som nr").wait_for()
    wait_for_fresh_copy(page, before)
    incident = Incident.objects.get()
    assert (incident.description, incident.category.code) == (
        "Klotter på garagedörren",
        "skadegorelse",
    )
    assert page.locator("#report-queue").is_hidden()


def test_logging_out_empties_the_kept_form_but_not_the_queue(open_page, reporter_a):
    page = open_page("desktop", member=reporter_a)
    open_form_for_offline_use(page)
    page.context.set_offline(True)
    report_offline(page, "Trasig belysning i gången")
    waiting(page, "1 rapport väntar på att skickas.")
    page.context.route(f"**{FORM}", lambda route: route.abort())  # keep the report queued
    page.context.set_offline(False)
    page.get_by_role("button", name="Logga ut").click()
    page.get_by_label("Användarnamn").wait_for()
    page.wait_for_function("async () => (await caches.keys()).length === 0")
    page.context.unroute(f"**{FORM}")
    log_in(page, reporter_a)
    page.goto(FORM)
    waiting(page, "Sparade rapporter som nu har skickats: 1.")
    assert Incident.objects.get().description == "Trasig belysning i gången"
    wait_for_fresh_copy(page, None)
