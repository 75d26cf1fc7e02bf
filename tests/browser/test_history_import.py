"""Importing a city's incident history in a browser: the coordinator uploads a Windows-1252
CSV with the city's own headers and category words, maps the columns (with a preview of the
rows as they will be stored) and the categories, reads the dry run and imports, on pages
without serious accessibility findings."""

import pytest
from django.urls import reverse

from lagesbild.incidents.models import ImportJob, Incident
from tests.browser.picture.accessibility import axe_findings
from tests.browser.steps import log_in

pytestmark = pytest.mark.browser

CSV = (
    "Ärende;Datum;Typ;X;Y;Text\r\n"
    "K-1;24/11/2025 21:30;Klottring;17,905;59,435;Klotter på förrådet\r\n"
    "K-2;25.11.2025 kl. 08.15;Klottring;17,902;59,425;Målat på skolgården\r\n"
    "K-3;26/11/2025 12:00;Bilbrand;17,906;59,436;Bil brann på parkeringen\r\n"
)


def test_coordinator_imports_history_through_the_wizard(
    open_page, coordinator_a, tmp_path, settings
):
    settings.VAR_DIR = tmp_path / "var"
    path = tmp_path / "historik.csv"
    path.write_bytes(CSV.encode("cp1252"))
    klotter = coordinator_a.partnership.categories.get(code="klotter")

    page = open_page("desktop", bypass_csp=True)  # axe-core is injected as an inline script
    log_in(page, coordinator_a)
    page.goto(reverse("partnerships:manage"))
    page.get_by_role("link", name="Importera händelsehistorik").click()
    page.get_by_label("Fil med händelser").set_input_files(str(path))
    page.get_by_label("Källa").fill("Gamla registret")
    page.get_by_role("button", name="Nästa: kolumner").click()

    for label, header in [
        ("Externt id", "Ärende"),
        ("Inträffade", "Datum"),
        ("Kategori", "Typ"),
        ("Longitud eller x (österut, t.ex. 17,9 eller 666803)", "X"),
        ("Latitud eller y (norrut, t.ex. 59,4 eller 6592637)", "Y"),
        ("Beskrivning", "Text"),
    ]:
        page.get_by_label(label, exact=True).select_option(header)
    page.get_by_role("button", name="Visa förhandsgranskning").click()
    preview = page.get_by_role("region", name="De första raderna som de kommer att sparas")
    preview.get_by_text("2025-11-26 12:00").wait_for()
    shown = preview.inner_text()
    assert "Bilbrand" in shown
    assert "Okänd kategori: Klottring" in shown  # until the categories step
    job = ImportJob.objects.get()
    findings = axe_findings(page, reverse("incidents:import_columns", args=[job.pk]))

    page.get_by_role("button", name="Nästa: kategorier").click()
    page.get_by_label("Klottring (2 rader)").select_option(str(klotter.pk))
    page.get_by_role("button", name="Provkör").click()
    page.get_by_text("3 rader: 3 nya händelser, 0 redan importerade, 0 med fel.").wait_for()
    assert not Incident.objects.exists()  # the dry run saves nothing
    findings += axe_findings(page, reverse("incidents:import_job", args=[job.pk]))

    page.get_by_role("button", name="Importera").click()
    page.get_by_role("heading", name="Importen").wait_for()
    assert sorted(Incident.objects.values_list("external_id", flat=True)) == ["K-1", "K-2", "K-3"]
    findings += axe_findings(page, reverse("incidents:import_start"))
    assert findings == []
