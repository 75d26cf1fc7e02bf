"""The indicators as layers of the picture map: the latest value per area in classes, a
legend with unit and period, the deviating areas marked and the link to the same figures as
a table, for the indicators the member may see."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.indicators import services
from lagesbild.pictures import runs
from tests.conftest import client_for
from tests.factories import make_incident
from tests.indicators.helpers import make_indicator

pytestmark = pytest.mark.django_db


def _computed_last_week(membership) -> str:
    code = weeks.shift(weeks.week_code(timezone.now()), -1)
    make_incident(membership, occurred_at=weeks.bounds(code)[0] + timedelta(hours=10))
    runs.run_now(membership.partnership, weeks.iso(code))
    return weeks.iso(code)


def _map_data(membership) -> dict:
    iso = _computed_last_week(membership)
    response = client_for(membership).get(reverse("pictures:map_data", args=[iso]))
    assert response.status_code == 200
    return response.json()


def _cost_with_a_jump_in_norr(coordinator, **fields):
    indicator = make_indicator(coordinator, name="Kostnad qqMap", **fields)
    areas = coordinator.partnership.areas
    norr, soder = areas.get(name="Norr"), areas.get(name="Söder")
    history = [100, 104, 98, 101, 99, 102, 100, 103, 97, 100, 101, 99]
    entries = [services.Entry(norr, date(2025, m, 1), v) for m, v in enumerate(history, 1)]
    entries += [
        services.Entry(norr, date(2026, 1, 1), 180),
        services.Entry(soder, date(2025, 12, 1), 60),
    ]
    services.save_values(membership=coordinator, indicator=indicator, entries=entries)
    return indicator, norr, soder


def test_a_layer_per_indicator_with_legend_classes_and_deviating_areas(coordinator_a, member_a):
    indicator, norr, soder = _cost_with_a_jump_in_norr(coordinator_a)
    [layer] = _map_data(member_a)["indicators"]
    assert layer["id"] == indicator.pk
    assert "Kostnad qqMap" in layer["title"] and "(kr)" in layer["title"]
    assert "2025-12" in layer["periods"] and "2026-01" in layer["periods"]
    assert layer["classes"] == ["< 90", "90–120", "120–150", "≥ 150"]
    assert layer["table"] == f"#indicator-{indicator.pk}-h"
    assert layer["areas"][str(norr.pk)]["deviates"] is True
    assert layer["areas"][str(norr.pk)]["text"] == "180 kr"
    assert layer["areas"][str(soder.pk)]["deviates"] is False
    # Each area's class as a number for the colour and in words for the legend's list.
    assert (layer["areas"][str(norr.pk)]["class"], layer["areas"][str(soder.pk)]["class"]) == (
        3,
        0,
    )
    assert layer["areas"][str(norr.pk)]["class_text"] == "≥ 150"
    assert layer["areas"][str(soder.pk)]["class_text"] == "< 90"


def test_indicators_for_analysts_only_stay_off_a_members_map(coordinator_a, member_a, analyst_a):
    _cost_with_a_jump_in_norr(coordinator_a, visibility="analysts")
    assert _map_data(member_a)["indicators"] == []
    assert len(_map_data(analyst_a)["indicators"]) == 1


def test_the_picture_page_carries_the_legend_and_its_script(coordinator_a, member_a):
    _cost_with_a_jump_in_norr(coordinator_a)
    iso = _computed_last_week(member_a)
    text = client_for(member_a).get(reverse("pictures:week", args=[iso])).content.decode()
    assert 'id="indicator-legend"' in text and "indicator-map" in text
    assert "Samma siffror som tabell under Indikatorer" in text
    assert 'data-group-text="Indikatorlager"' in text
    assert 'data-areas-text="Områdenas värden och klasser"' in text


def test_equal_values_are_one_class_named_in_words(coordinator_a, member_a):
    indicator = make_indicator(coordinator_a, name="Kostnad qqSame")
    areas = coordinator_a.partnership.areas
    entries = [services.Entry(areas.get(name=n), date(2026, 1, 1), 100) for n in ("Norr", "Söder")]
    services.save_values(membership=coordinator_a, indicator=indicator, entries=entries)
    [layer] = _map_data(member_a)["indicators"]
    assert {(a["class"], a["class_text"]) for a in layer["areas"].values()} == {
        (0, "Alla områden: 100 kr")
    }
