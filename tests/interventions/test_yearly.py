"""The yearly deepened picture: flagged problems, interventions by outcome, problems without
an intervention, interventions without an evaluable outcome, and its Excel export."""

from datetime import date
from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from lagesbild.audit.models import Entry
from lagesbild.interventions import services
from lagesbild.interventions.models import Intervention
from lagesbild.interventions.yearly import yearly_picture
from lagesbild.pictures.models import Picture


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
    intervention = Intervention.objects.create(
        partnership=partnership,
        title="Klottersanering i Norr",
        kind=services.intervention_types(partnership).get(name="Städning/sanering"),
        area=norr,
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
            "kind": "Städning/sanering",
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
    assert "Klottersanering i Norr" in page and "3. Problem utan insats" in page
    response = client.get(reverse("interventions:yearly_excel", args=[2026]))
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == [
        "Problem",
        "Bedömningar",
        "Insatser",
        "Utan insats",
        "Utan utvärdering",
    ]
    assert book["Insatser"]["A2"].value == "Klottersanering i Norr"
    assert book["Utan insats"]["A2"].value == "Söder"
    assert Entry.objects.filter(action="intervention.yearly_export").exists()
    assert client.get(reverse("interventions:yearly", args=[1900])).status_code == 404
