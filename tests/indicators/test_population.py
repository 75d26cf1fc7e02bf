"""The areas' population per year, loaded from SCB's tables as a *folkmängd* indicator, and
the pictures' figures per 1,000 inhabitants with the population of their own year."""

from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lagesbild.indicators import population, services
from lagesbild.indicators.models import Indicator, IndicatorValue
from lagesbild.pictures import runs
from lagesbild.pictures.periodic import compute_period
from lagesbild.pictures.periods import Period
from tests.conftest import client_for
from tests.factories import make_incident
from tests.indicators.helpers import make_indicator

pytestmark = pytest.mark.django_db
# SCB's population of every municipality on 1 November 2024 (data/SOURCE.md).
SCB_2024 = Path(__file__).parent / "data" / "scb_population_2024.csv"


def make_population(membership) -> Indicator:
    return make_indicator(
        membership,
        name="Folkmängd",
        unit="invånare",
        period=Indicator.Period.YEAR,
        scale=Indicator.Scale.COUNT,
        source="SCB",
        measures_population=True,
    )


def upload(client, indicator, name: str, content: bytes, period: str = ""):
    return client.post(
        reverse("indicators:upload", args=[indicator.pk]),
        {"file": SimpleUploadedFile(name, content), "source_note": "SCB", "period": period},
    )


def set_scb_codes(partnership, codes: dict[str, str]) -> None:
    for name, code in codes.items():
        partnership.areas.filter(name=name).update(scb_code=code)


def test_scbs_table_of_the_whole_country_loads_the_partnerships_areas(coordinator_a):
    """SCB's file (kommun_kod, kommun_namn, population; comma separated, no period column)
    as published: the partnership's two municipalities are read, the 288 others passed
    over, not refused."""
    partnership = coordinator_a.partnership
    set_scb_codes(partnership, {"Norr": "0163", "Söder": "0160"})  # Sollentuna, Täby
    indicator = make_population(coordinator_a)
    client = client_for(coordinator_a)

    response = upload(client, indicator, "population_2024.csv", SCB_2024.read_bytes(), "2024")
    preview = client.get(response.url).content.decode()

    assert "290 rader i filen" in preview
    assert "288 rader gäller områden utanför samverkan och hoppas över" in preview
    assert "Områden utan folkmängd" not in preview
    assert client.post(response.url, {"source_note": "SCB", "period": "2024"}).status_code == 302
    values = {
        v.area.name: (v.period_start, v.value)
        for v in IndicatorValue.objects.filter(indicator=indicator).select_related("area")
    }
    assert values == {"Norr": (date(2024, 1, 1), 77615.0), "Söder": (date(2024, 1, 1), 77755.0)}


def test_a_file_without_a_period_needs_one_for_all_rows(coordinator_a):
    indicator = make_population(coordinator_a)
    client = client_for(coordinator_a)
    response = upload(client, indicator, "p.csv", "kod;folkmängd\nNorr;1200\n".encode())

    assert "Perioden saknas: ange den i filen eller för alla rader." in (
        client.get(response.url).content.decode()
    )
    refused = upload(client, indicator, "p.csv", b"kod;antal\nNorr;1200\n", "2024-Q1")
    assert refused.status_code == 400
    assert "Perioden ska skrivas som" in refused.content.decode()


def test_scb_regions_with_code_and_name_and_spaced_numbers(coordinator_a):
    """As PX-Web writes a long table: "region";"år";"folkmängd", the region as "code name"
    and numbers with spaces; an area the file lacks is named in the preview."""
    partnership = coordinator_a.partnership
    set_scb_codes(partnership, {"Norr": "0163A0010"})
    indicator = make_population(coordinator_a)
    client = client_for(coordinator_a)
    text = (
        '"region";"år";"folkmängd"\n'
        '"0163A0010 Sollentuna";"2023";"1 210"\n'
        '"0163A0010 Sollentuna";"2024";"1 250"\n'
        '"0163A0020 Sollentuna";"2024";"2 000"\n'
    )

    response = upload(client, indicator, "be0101.csv", text.encode())
    preview = client.get(response.url).content.decode()
    client.post(response.url, {"source_note": "SCB BE0101"})

    assert "1 rad gäller ett område utanför samverkan och hoppas över" in preview
    assert "Områden utan folkmängd i filen (de behåller den de har): Söder" in preview
    assert sorted(
        IndicatorValue.objects.filter(indicator=indicator).values_list("period_start", "value")
    ) == [(date(2023, 1, 1), 1210.0), (date(2024, 1, 1), 1250.0)]


def test_an_ordinary_indicator_still_refuses_an_unknown_area(coordinator_a):
    indicator = make_indicator(coordinator_a)
    client = client_for(coordinator_a)
    response = upload(client, indicator, "v.csv", b"omrade;period;varde\nX;2025-01;1\n")
    assert "Okänt område: X." in client.get(response.url).content.decode()


def test_one_population_indicator_a_yearly_count(coordinator_a):
    make_population(coordinator_a)
    with pytest.raises(ValidationError) as second:
        make_population_named(coordinator_a, "Folkmängd 2")
    assert second.value.message_dict == {
        "measures_population": ["En annan indikator anger redan folkmängden."]
    }
    with pytest.raises(ValidationError) as monthly:
        make_indicator(coordinator_a, name="Boende", measures_population=True)
    assert monthly.value.message_dict["measures_population"] == [
        "Folkmängden ska vara ett antal per år.",
        "En annan indikator anger redan folkmängden.",
    ]


def make_population_named(membership, name: str) -> Indicator:
    return make_indicator(
        membership,
        name=name,
        unit="invånare",
        period=Indicator.Period.YEAR,
        scale=Indicator.Scale.COUNT,
        source="SCB",
        measures_population=True,
    )


def save_population(coordinator, values: dict[tuple[str, int], int]) -> Indicator:
    indicator = make_population(coordinator)
    areas = {a.name: a for a in coordinator.partnership.areas.all()}
    services.save_values(
        membership=coordinator,
        indicator=indicator,
        entries=[
            services.Entry(areas[name], date(year, 1, 1), float(people))
            for (name, year), people in values.items()
        ],
        source_note="SCB",
    )
    return indicator


def test_the_year_used_is_the_periods_else_the_nearest_known(coordinator_a):
    partnership = coordinator_a.partnership
    save_population(coordinator_a, {("Norr", 2023): 1100, ("Norr", 2025): 1300})
    areas = list(partnership.areas.filter(name__in=["Norr", "Söder"]).order_by("name"))
    norr, soder = areas

    def norr_in(year):
        found = population.for_year(partnership, areas, year)[norr.pk]
        return found.people, found.year

    assert norr_in(2024) == (1100, 2023)  # 2024 not loaded: the year before
    assert norr_in(2025) == (1300, 2025)
    assert norr_in(2026) == (1300, 2025)  # SCB publishes the year after
    assert norr_in(2020) == (1100, 2023)  # before the table: its first year
    # Söder has no loaded value: the population typed on the area, with its year.
    typed = population.for_year(partnership, areas, 2025)[soder.pk]
    assert typed.people == soder.population


def test_the_periodic_ranking_counts_per_1000_of_its_own_year(member_a, coordinator_a):
    """Norr: 4 bilbrand (weight 3) in Q2 2025 = 12 points; with 2,000 inhabitants in 2025
    (not the 1,000 typed on the area) the index is 6 per 1,000."""
    partnership = member_a.partnership
    partnership.coverage_start = date(2024, 1, 1)
    partnership.save()
    save_population(coordinator_a, {("Norr", 2024): 1500, ("Norr", 2025): 2000})
    norr = partnership.areas.get(name="Norr")
    in_q2 = datetime(2025, 5, 10, 12, tzinfo=timezone.get_current_timezone())
    for _ in range(4):
        make_incident(member_a, area=norr, category="bilbrand", severity=1, occurred_at=in_q2)

    content = compute_period(partnership, Period.parse("2025-Q2"))

    assert content["ranking"][0]["name"] == "Norr"
    assert content["ranking"][0]["index"] == 6.0
    assert 2025 in content["population_years"]
    assert compute_period(partnership, Period.parse("2024-Q2"))["population_years"][0] == 2024


def test_the_weekly_picture_uses_the_weeks_year_and_recomputes_on_new_figures(
    member_a, coordinator_a
):
    partnership = member_a.partnership
    run = runs.run_now(partnership, "2025-W20")
    norr = partnership.areas.get(name="Norr")
    before = partnership.geography_version

    save_population(coordinator_a, {("Norr", 2025): 4000})

    partnership.refresh_from_db()
    assert partnership.geography_version == before + 1
    assert runs.is_stale(run, partnership)
    again = runs.run_now(partnership, "2025-W20")
    row = next(a for a in again.results["areas"] if a["id"] == norr.pk)
    assert (row["population"], row["population_year"]) == (4000, 2025)
