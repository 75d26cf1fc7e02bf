"""The yearly deepened picture: flagged problems, interventions by outcome, problems without
an intervention, interventions without an evaluable outcome, the group's reflections, and its
Excel and PDF exports."""

from datetime import date
from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from lagesbild.audit.models import Entry
from lagesbild.interventions import services
from lagesbild.interventions.yearly import yearly_picture
from lagesbild.pictures.models import Picture
from tests.factories import make_intervention
from tests.pictures.helpers import pdf_text


def _picture(coordinator, period, flagged_areas, partnership):
    norr, soder = (partnership.areas.get(name=n) for n in ("Norr", "Söder"))
    group = partnership.categories.get(code="grupp-skadegorelse")
    series = {
        f"{a.pk}:{group.pk}": {"area": a.pk, "group": group.pk, "level": "avvikelse"}
        for a in flagged_areas
    }
    Picture.objects.create(
        partnership=partnership,
        period_kind="week",
        period=period,
        approved_by=coordinator.user,
        content={
            "period": period,
            "areas": [{"id": norr.pk, "name": "Norr"}, {"id": soder.pk, "name": "Söder"}],
            "groups": [{"id": group.pk, "name": "Skadegörelse"}],
            "series": series,
            "assessments": {str(norr.pk): {"level": 3}},
        },
    )
    return group


def test_year_shows_flags_interventions_and_what_got_none(login, coordinator_a, member_a):
    partnership = coordinator_a.partnership
    norr, soder = (partnership.areas.get(name=n) for n in ("Norr", "Söder"))
    group = _picture(coordinator_a, "2026-W10", [norr, soder], partnership)
    _picture(coordinator_a, "2026-W11", [norr], partnership)
    _picture(coordinator_a, "2025-W50", [soder], partnership)  # another year
    intervention = make_intervention(
        partnership=partnership,
        title="Klottersanering i Norr",
        kind=services.intervention_types(partnership).get(name="Städning/sanering"),
        areas=[norr],
        responsible=member_a.organisation,
        start_date=date(2026, 3, 16),
        end_date=date(2026, 5, 1),
        due_date=date(2026, 5, 1),
    )
    intervention.categories.set([group])
    data = yearly_picture(coordinator_a, 2026)
    assert [(f["area"], len(f["weeks"])) for f in data["flags"]] == [("Norr", 2), ("Söder", 1)]
    assert [f["area"] for f in data["unaddressed"]] == ["Söder"]
    assert [r["item"] for r in data["not_evaluable"]] == [intervention]  # never evaluated
    assert data["by_type"] == [
        {
            "name": "Städning/sanering",
            "drop": 0,
            "unclear": 0,
            "rise": 0,
            "few": 0,
            "none": 1,
            "total": 1,
        }
    ]
    assert data["assessments"] == [{"area": "Norr", "weeks": 2, "highest": 3, "last": 3}]

    client = login(member_a)
    page = client.get(reverse("interventions:yearly", args=[2026])).content.decode()
    assert "Klottersanering i Norr" in page and "4. Problem utan åtgärd" in page
    response = client.get(reverse("interventions:yearly_excel", args=[2026]))
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == [
        "Problem",
        "Bedömningar",
        "Insatser",
        "Per typ",
        "Per område",
        "Utan insats",
        "Utan utvärdering",
        "Reflektioner",
    ]
    assert [c.value for c in book["Per område"][2]] == ["Norr", 1, 0, 0, 0, 0, 1]
    assert book["Insatser"]["A2"].value == "Klottersanering i Norr"
    assert book["Utan insats"]["A2"].value == "Söder"
    assert Entry.objects.filter(action="intervention.yearly_export").exists()
    assert client.get(reverse("interventions:yearly", args=[1900])).status_code == 404


def _reflect(client, heading, text, year=2026):
    return client.post(
        reverse("interventions:yearly_reflection", args=[year, heading]),
        {f"{heading}-text": text},
    )


def test_reflections_are_versioned_audited_and_only_coordinators_write(
    login, coordinator_a, member_a
):
    coordinator = login(coordinator_a)
    first = _reflect(coordinator, "orsaker", "Mest kvällar vid stationen.")
    assert first.status_code == 302 and first["Location"].endswith("#reflektion-orsaker")
    _reflect(coordinator, "orsaker", "Mest kvällar vid stationen, när fritidsgården var stängd.")
    _reflect(coordinator, "orsaker", "Mest kvällar vid stationen, när fritidsgården var stängd.")
    assert Entry.objects.filter(action="intervention.yearly_reflection").count() == 2  # unchanged
    assert _reflect(coordinator, "okand", "x").status_code == 404
    refused = _reflect(coordinator, "inriktning", "Ring 811218-9876")  # made-up, valid Luhn
    assert refused.status_code == 400 and "personnummer" in refused.content.decode().lower()

    data = yearly_picture(member_a, 2026)
    versions = data["section"]["orsaker"]["reflections"]
    assert [r.version for r in versions] == [2, 1]
    assert versions[0].written_by == coordinator_a.user
    assert data["section"]["inriktning"]["reflections"] == []

    client = login(member_a)
    assert _reflect(client, "orsaker", "Ändrat av en deltagare").status_code == 403
    page = client.get(reverse("interventions:yearly", args=[2026])).content.decode()
    assert "när fritidsgården var stängd" in page
    assert "Version 2, skriven av" in page and "Tidigare versioner" in page
    assert 'name="orsaker-text"' not in page  # a member reads, never writes
    assert (
        'name="orsaker-text"'
        in coordinator.get(reverse("interventions:yearly", args=[2026])).content.decode()
    )
    assert yearly_picture(member_a, 2025)["section"]["orsaker"]["reflections"] == []

    book = load_workbook(
        BytesIO(client.get(reverse("interventions:yearly_excel", args=[2026])).content)
    )
    rows = list(book["Reflektioner"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [
        "1. Lägesbild: problem som flaggats och bedömts",
        "2. Orsaker och analys",
        "3. Genomförda åtgärder och deras utfall",
        "4. Problem utan åtgärd",
        "5. Åtgärder utan utvärderbart utfall",
        "6. Inriktning för kommande år",
    ]
    assert rows[1][1].endswith("när fritidsgården var stängd.")
    assert rows[1][2].startswith("Version 2, skriven av")


def test_pdf_has_the_plan_headings_figures_and_reflections(
    login, coordinator_a, member_a, tmp_path
):
    partnership = coordinator_a.partnership
    norr, soder = (partnership.areas.get(name=n) for n in ("Norr", "Söder"))
    group = _picture(coordinator_a, "2026-W10", [norr, soder], partnership)
    intervention = make_intervention(
        partnership=partnership,
        title="Klottersanering i Norr",
        areas=[norr],
        responsible=member_a.organisation,
        start_date=date(2026, 3, 16),
        due_date=date(2026, 5, 1),
    )
    intervention.categories.set([group])
    coordinator = login(coordinator_a)
    _reflect(coordinator, "inriktning", "Fler kvällsvandringar i Söder under hösten.")

    response = login(member_a).get(reverse("interventions:yearly_pdf", args=[2026]))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="fordjupad-lagesbild-2026.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    assert Entry.objects.filter(action="intervention.yearly_export", details__format="pdf").exists()
    text = pdf_text(response.content, tmp_path)
    headings = [
        "1. Lägesbild: problem som flaggats och bedömts",
        "2. Orsaker och analys",
        "3. Genomförda åtgärder och deras utfall",
        "4. Problem utan åtgärd",
        "5. Åtgärder utan utvärderbart utfall",
        "6. Inriktning för kommande år",
    ]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)  # in the plan's order
    assert "Fördjupad lägesbild 2026" in text and "lag (2023:196)" in text
    assert "Klottersanering i Norr" in text
    assert "Skadegörelse i Söder (1 veckor med avvikelse)" in text  # no intervention there
    after_direction = text[positions[-1] :]
    assert "Fler kvällsvandringar i Söder under hösten." in after_direction
    assert "Version 1, skriven av" in after_direction
    assert text.count("Ingen reflektion skriven.") == 5
    assert "Sida 1 av" in text


def test_a_reflection_that_looks_like_a_formula_stays_text_in_excel(login, coordinator_a):
    client = login(coordinator_a)
    _reflect(client, "orsaker", '=HYPERLINK("https://example.invalid/","Öppna")')
    book = load_workbook(
        BytesIO(client.get(reverse("interventions:yearly_excel", args=[2026])).content)
    )
    cell = book["Reflektioner"]["B3"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"
