"""Indicator values frozen with an approved picture: a later upload or correction changes the
draft's section, map layer and exports, never an approved version's; each reader still sees
only the indicators they may see."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from lagesbild.incidents import weeks
from lagesbild.indicators import services
from lagesbild.indicators.models import Indicator, PictureIndicators
from lagesbild.pictures.models import Picture
from tests.api.helpers import API, bearer
from tests.conftest import client_for
from tests.indicators.helpers import HISTORY, enter_value, make_indicator, picture_page

pytestmark = pytest.mark.django_db


def _cost(coordinator, **fields):
    """A monthly cost in Norr: a year around 100, then 180 in January 2026."""
    indicator = make_indicator(coordinator, name="Kostnad qqFrozen", **fields)
    norr = coordinator.partnership.areas.get(name="Norr")
    history = [services.Entry(norr, date(2025, m, 1), v) for m, v in enumerate(HISTORY, 1)]
    services.save_values(membership=coordinator, indicator=indicator, entries=history)
    enter_value(coordinator, indicator, 180)
    return indicator


def _layer_text(membership, iso: str, query: str = "") -> str:
    response = client_for(membership).get(reverse("pictures:map_data", args=[iso]) + query)
    [layer] = response.json()["indicators"]
    [area] = layer["areas"].values()
    return area["text"]


def test_an_approved_week_keeps_the_values_it_showed(coordinator_a, member_a, week):
    indicator = _cost(coordinator_a)
    client_for(coordinator_a).post(reverse("pictures:approve", args=[week]))
    assert Picture.objects.filter(period=week).count() == 1

    enter_value(coordinator_a, indicator, 250)  # a correction after the approval

    version = picture_page(member_a, "version", week, 1)
    assert "180 kr" in version and "250 kr" not in version
    last_day = weeks.last_day(weeks.parse(week)).isoformat()
    assert (
        f"som de var när versionen godkändes, för perioder som började senast {last_day}."
        in version
    )
    draft = picture_page(member_a, "week", week)
    assert "250 kr" in draft and "180 kr" not in draft
    assert "som de är i dag" in draft
    # The map's indicator layer and the version's Excel file follow the version.
    assert _layer_text(member_a, week, "?version=1") == "180 kr"
    assert _layer_text(member_a, week) == "250 kr"
    export = client_for(member_a).get(reverse("pictures:export_version", args=[week, 1, "xlsx"]))
    rows = list(openpyxl.load_workbook(io.BytesIO(export.content))["Indikatorer"].values)
    assert rows[1][5] == 180 and rows[1][6] == 81  # latest and change, as approved
    assert rows[-1][0].endswith(f"för perioder som började senast {last_day}.")


def test_a_frozen_indicator_for_analysts_stays_hidden_from_members(
    coordinator_a, member_a, analyst_a, week
):
    _cost(coordinator_a, visibility="analysts")
    client_for(coordinator_a).post(reverse("pictures:approve", args=[week]))
    assert "qqFrozen" in picture_page(analyst_a, "version", week, 1)
    assert "qqFrozen" not in picture_page(member_a, "version", week, 1)
    # The frozen values are kept beside the content the API hands to every member.
    api = bearer(member_a).get(f"{API}/pictures/{week}/versions/1")
    assert api.status_code == 200 and "qqFrozen" not in api.content.decode()


def test_an_approved_period_keeps_its_values_and_ignores_later_periods(coordinator_a, member_a):
    indicator = _cost(coordinator_a)
    enter_value(coordinator_a, indicator, 150, date(2026, 8, 1))
    enter_value(coordinator_a, indicator, 160, date(2026, 10, 1))  # after the quarter
    client_for(coordinator_a).post(
        reverse("pictures:period_approve", args=["2026-Q3"]),
        {"confirm": "on", "change_note": "Testets kvartal"},
    )
    assert Picture.objects.filter(period="2026-Q3").exists()
    enter_value(coordinator_a, indicator, 170, date(2026, 8, 1))

    version = picture_page(member_a, "period_version", "2026-Q3", 1)
    assert "150 kr" in version and "170 kr" not in version and "160 kr" not in version
    assert "170 kr" in picture_page(member_a, "period", "2026-Q3")


def test_a_version_approved_before_freezing_shows_todays_values(coordinator_a, member_a, week):
    indicator = _cost(coordinator_a)
    client_for(coordinator_a).post(reverse("pictures:approve", args=[week]))
    PictureIndicators.objects.all().delete()  # as a version approved before this change
    enter_value(coordinator_a, indicator, 250)
    version = picture_page(member_a, "version", week, 1)
    assert "250 kr" in version and "versionen godkändes innan" in version


def test_an_approved_version_says_which_police_event_types_it_counted(
    coordinator_a, member_a, week
):
    indicator = _cost(coordinator_a)
    # Its values stand in for counted notices; only what it counts matters here.
    Indicator.objects.filter(pk=indicator.pk).update(
        counted_from=Indicator.CountedFrom.POLICE_EVENTS, police_event_types=["Skadegörelse"]
    )
    assert "Räknar: Skadegörelse" in picture_page(member_a, "week", week)
    client_for(coordinator_a).post(reverse("pictures:approve", args=[week]))
    Indicator.objects.filter(pk=indicator.pk).update(police_event_types=[])

    version = picture_page(member_a, "version", week, 1)
    assert "Räknar: Skadegörelse" in version and "Räknar alla händelsetyper" not in version
    assert "Räknar alla händelsetyper" in picture_page(member_a, "week", week)
    export = client_for(member_a).get(reverse("pictures:export_version", args=[week, 1, "xlsx"]))
    rows = [
        row[0] for row in openpyxl.load_workbook(io.BytesIO(export.content))["Indikatorer"].values
    ]
    assert "Kostnad qqFrozen: Räknar: Skadegörelse" in rows
    draft = client_for(member_a).get(reverse("pictures:export", args=[week, "xlsx"]))
    rows = [
        row[0] for row in openpyxl.load_workbook(io.BytesIO(draft.content))["Indikatorer"].values
    ]
    assert "Kostnad qqFrozen: Räknar alla händelsetyper" in rows

    # A version frozen before the choice was frozen with it says nothing of it.
    frozen = PictureIndicators.objects.get(picture__period=week)
    for section in frozen.sections:
        del section["counted_from"], section["police_event_types"]
    frozen.save()
    assert "Räknar" not in picture_page(member_a, "version", week, 1)
