"""The periodic picture's combined need: off (and the ranking as before) while every
indicator weighs 0; with a weight, shown with its parts and weights, frozen on approval;
weights set by a coordinator and only on indicators every member sees."""

from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lagesbild.indicators import services as indicator_services
from lagesbild.pictures.models import Picture
from lagesbild.pictures.periodic import compute_period
from lagesbild.pictures.periods import Period
from tests.conftest import client_for
from tests.factories import make_incident
from tests.indicators.helpers import make_indicator
from tests.pictures.helpers import pdf_text

pytestmark = pytest.mark.django_db
PERIOD = "2025-Q2"


@pytest.fixture
def incidents(coordinator_a):
    """Norr has the higher index (four car fires), Söder one graffiti report."""
    partnership = coordinator_a.partnership
    partnership.coverage_start = date(2024, 1, 1)
    partnership.save()
    moment = datetime(2025, 5, 10, 12, tzinfo=timezone.get_current_timezone())
    for _ in range(4):
        make_incident(
            coordinator_a,
            area=partnership.areas.get(name="Norr"),
            category="bilbrand",
            occurred_at=moment,
        )
    make_incident(coordinator_a, area=partnership.areas.get(name="Söder"), occurred_at=moment)


def _cost(coordinator, weight, **fields):
    """A cost that is far higher in Söder (values up to the period's end only)."""
    indicator = make_indicator(coordinator, name="Kostnad qqNeed", need_weight=weight, **fields)
    areas = coordinator.partnership.areas
    entries = [
        indicator_services.Entry(areas.get(name="Norr"), date(2025, 4, 1), 1000),
        indicator_services.Entry(areas.get(name="Söder"), date(2025, 6, 1), 9000),
        indicator_services.Entry(areas.get(name="Norr"), date(2025, 7, 1), 99999),  # after
    ]
    indicator_services.save_values(membership=coordinator, indicator=indicator, entries=entries)
    return indicator


def test_with_every_weight_zero_the_ranking_is_unchanged_and_the_page_says_so(
    coordinator_a, member_a, incidents
):
    _cost(coordinator_a, 0)
    content = compute_period(coordinator_a.partnership, Period.parse(PERIOD))
    assert content["need"] is None
    assert [r["name"] for r in content["ranking"]] == ["Norr", "Söder"]
    text = client_for(member_a).get(reverse("pictures:period", args=[PERIOD])).content.decode()
    assert "Inga indikatorer vägs in i behovet" in text


def test_a_weighted_indicator_is_shown_with_its_parts_and_can_reorder(
    coordinator_a, member_a, incidents
):
    _cost(coordinator_a, 3)
    content = compute_period(coordinator_a.partnership, Period.parse(PERIOD))
    need = content["need"]
    assert [p["weight"] for p in need["parts"]] == [1, 3]
    # Norr: index 1 (highest), cost 0 -> (1 + 0) / 4; Söder: index 0, cost 1 -> 3 / 4.
    assert [(r["name"], r["rank"], r["need"]) for r in need["rows"]] == [
        ("Söder", 1, 0.75),
        ("Norr", 2, 0.25),
    ]
    norr = need["rows"][1]
    assert norr["parts"][1]["value"] == "1000 kr (2025-04)"  # not the value after the period
    assert [r["name"] for r in content["ranking"]] == ["Norr", "Söder"]  # the index's own list
    text = client_for(member_a).get(reverse("pictures:period", args=[PERIOD])).content.decode()
    assert "Sammanvägt behov" in text and "Kostnad qqNeed" in text and "vikt 3" in text


def test_an_area_without_a_value_gets_no_combined_need(coordinator_a, incidents):
    indicator = make_indicator(coordinator_a, name="Enkät", need_weight=1)
    norr = coordinator_a.partnership.areas.get(name="Norr")
    indicator_services.save_values(
        membership=coordinator_a,
        indicator=indicator,
        entries=[indicator_services.Entry(norr, date(2025, 4, 1), 10)],
    )
    rows = compute_period(coordinator_a.partnership, Period.parse(PERIOD))["need"]["rows"]
    soder = next(r for r in rows if r["name"] == "Söder")
    assert soder["need"] is None and soder["rank"] is None and soder["missing"] == ["Enkät"]


def test_the_combined_need_is_frozen_on_approval(coordinator_a, incidents):
    indicator = _cost(coordinator_a, 2)
    client = client_for(coordinator_a)
    client.post(
        reverse("pictures:period_approve", args=[PERIOD]),
        {"change_note": "Granskas senare", "confirm": "on"},
    )
    indicator_services.change_indicator(
        actor=coordinator_a.user, indicator=indicator, need_weight=0
    )
    frozen = Picture.objects.get(period=PERIOD).content["need"]
    assert [p["weight"] for p in frozen["parts"]] == [1, 2]
    text = client.get(reverse("pictures:period_version", args=[PERIOD, 1])).content.decode()
    assert "vikt 2" in text


def test_weights_are_for_coordinators_and_indicators_every_member_sees(coordinator_a, member_a):
    indicator = make_indicator(coordinator_a)
    form = {
        "name": indicator.name,
        "unit": "kr",
        "period": "month",
        "scale": "amount",
        "direction": "higher_worse",
        "source": "Bolaget",
        "visibility": "analysts",
        "active": "on",
        "need_weight": "2",
    }
    url = reverse("indicators:edit", args=[indicator.pk])
    assert client_for(member_a).post(url, form).status_code == 403
    response = client_for(coordinator_a).post(url, form)
    assert response.status_code == 400
    assert "Bara en indikator som alla medlemmar får se" in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.need_weight == 0
    for bad in ("7", "-1", "två"):
        assert client_for(coordinator_a).post(url, {**form, "need_weight": bad}).status_code == 400
    client_for(coordinator_a).post(url, {**form, "visibility": "members"})
    indicator.refresh_from_db()
    assert indicator.need_weight == 2


def test_the_periodic_excel_file_carries_the_combined_need(coordinator_a, member_a, incidents):
    import io

    import openpyxl

    client = client_for(member_a)
    url = reverse("pictures:period_export", args=[PERIOD, "xlsx"])
    before = openpyxl.load_workbook(io.BytesIO(client.get(url).content))
    assert "Sammanvägt behov" not in before.sheetnames
    _cost(coordinator_a, 3)
    book = openpyxl.load_workbook(io.BytesIO(client.get(url).content))
    rows = list(book["Sammanvägt behov"].iter_rows(values_only=True))
    header = rows[0]
    assert "Kostnad qqNeed (vikt 3) – plats 0–1" in header
    first = dict(zip(header, rows[1], strict=True))
    assert (first["Rang"], first["Område"], first["Sammanvägt behov (0–1)"]) == (1, "Söder", 0.75)
    assert first["Kostnad qqNeed (vikt 3) – plats 0–1"] == 1


def test_the_periodic_pdf_carries_the_combined_need(coordinator_a, member_a, incidents, tmp_path):
    client = client_for(member_a)
    url = reverse("pictures:period_export", args=[PERIOD, "pdf"])
    assert "Sammanvägt behov" not in pdf_text(client.get(url).content, tmp_path)
    _cost(coordinator_a, 3)

    text = " ".join(pdf_text(client.get(url).content, tmp_path).split())

    assert "Sammanvägt behov" in text
    assert "Kostnad qqNeed (vikt 3, högre är sämre)" in text
    # Söder first: its cost (weight 3) outweighs Norr's index (weight 1): (0 + 3·1) / 4.
    section = text[text.index("Delar:") : text.index("Behov och möjlighet att påverka")]
    assert section.index("1 Söder 0,75") < section.index("Norr")
