"""The built-in indicator "Polisens händelser": the police's notices counted per area and
week or month (notices known only at municipality level in no area), whole covered periods
only, recounted when notices are imported, never entered by hand, and shown like any other
indicator with its own source."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lagesbild.indicators import police, presenters, services
from lagesbild.indicators.models import Indicator, IndicatorValue
from lagesbild.policeevents import services as police_services
from lagesbild.policeevents.models import FeedCall, PoliceEvent
from tests.api.test_api import bearer
from tests.conftest import client_for
from tests.factories import make_area
from tests.policeevents.conftest import EVENTS, read

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Europe/Stockholm")
_ids = iter(range(1, 10_000))


@pytest.fixture
def municipality(partnership_a):
    partnership_a.municipality_code = "0163"
    partnership_a.save()
    return partnership_a


def notice(partnership, when: datetime, area=None) -> PoliceEvent:
    """A stored notice, placed in `area` (None: known only at municipality level)."""
    return PoliceEvent.objects.create(
        partnership=partnership,
        event_id=next(_ids),
        published_at=when + timedelta(hours=1),
        occurred_at=when,
        name="Skadegörelse",
        event_type="Skadegörelse",
        location_name="Sollentuna",
        municipality_code="0163",
        level=PoliceEvent.Level.MUNICIPALITY if area is None else PoliceEvent.Level.PLACE_NAME,
        area=area,
        first_seen_at=when,
        updated_at=when,
    )


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)


def values(indicator) -> dict[tuple[str, str], float]:
    rows = IndicatorValue.objects.filter(indicator=indicator).select_related("area")
    return {(v.area.name, v.period_start.isoformat()[:7]): v.value for v in rows}


def test_a_coordinator_adds_it_and_the_notices_are_counted_per_area_and_month(
    municipality, coordinator_a
):
    norr = municipality.areas.get(name="Norr")
    backa = make_area(municipality, "Backa", 17.9, 59.4, parent=norr)
    notice(municipality, at(date(2026, 1, 20)))  # the first notice: January is not whole
    notice(municipality, at(date(2026, 1, 25)), norr)
    notice(municipality, at(date(2026, 2, 3)), norr)
    notice(municipality, at(date(2026, 2, 28), 23), backa)  # 23:00 local is still February
    notice(municipality, at(date(2026, 3, 10)))  # municipality level: in no area's count
    notice(municipality, at(date(2026, 4, 2)), norr)  # April has not ended when last read

    response = client_for(coordinator_a).post(reverse("indicators:add_police"), {"period": "month"})
    indicator = Indicator.objects.get(partnership=municipality, counted_from="police_events")
    assert response.url == reverse("indicators:detail", args=[indicator.pk])
    assert (indicator.name, indicator.source, indicator.scale) == (
        "Polisens händelser",
        "Polisen (öppna händelser)",
        "count",
    )
    counted = values(indicator)
    assert counted[("Norr", "2026-02")] == 2  # its own notice and Backa's, which lies in it
    assert counted[("Backa", "2026-02")] == 1
    assert counted[("Norr", "2026-03")] == 0  # covered and empty: a zero, not a gap
    assert counted[("Söder", "2026-02")] == 0
    assert {month for _area, month in counted} == {"2026-02", "2026-03"}
    assert not any(v.entered_by_id for v in IndicatorValue.objects.filter(indicator=indicator))


def test_weeks_and_a_recount_after_an_import(municipality):
    norr = municipality.areas.get(name="Norr")
    make_area(municipality, "Tureberg", 17.92, 59.42)  # named in a recorded notice
    notice(municipality, at(date(2026, 3, 1)))  # a Sunday: week 9 is not whole
    notice(municipality, at(date(2026, 3, 3)), norr)
    FeedCall.objects.create(
        started_at=at(date(2026, 3, 16)), finished_at=at(date(2026, 3, 16))
    )  # the feed was read on Monday of week 12: weeks 10 and 11 are whole
    indicator = police.add_indicator(actor=None, partnership=municipality, period="week")
    by_week = {
        (v.area.name, v.period_start): v.value
        for v in IndicatorValue.objects.filter(indicator=indicator).select_related("area")
    }
    assert by_week[("Norr", date(2026, 3, 2))] == 1
    assert by_week[("Norr", date(2026, 3, 9))] == 0
    assert {start for _a, start in by_week} == {date(2026, 3, 2), date(2026, 3, 9)}

    # An import of the feed counts again: here the recorded notices of 2023-2025.
    police_services.import_records(read(EVENTS))
    tureberg = IndicatorValue.objects.get(
        indicator=indicator, area__name="Tureberg", period_start=date(2023, 4, 3)
    )
    assert tureberg.value == 1  # "I Tureberg rapporterades …", week 14 of 2023


def test_values_are_never_entered_by_hand(municipality, coordinator_a):
    indicator = police.add_indicator(
        actor=coordinator_a.user, partnership=municipality, period="month"
    )
    norr = municipality.areas.get(name="Norr")
    with pytest.raises(ValidationError):
        services.save_values(
            membership=coordinator_a,
            indicator=indicator,
            entries=[services.Entry(norr, date(2026, 1, 1), 5)],
        )
    client = client_for(coordinator_a)
    for name in ("enter", "upload"):
        response = client.get(reverse(f"indicators:{name}", args=[indicator.pk]))
        assert response.url == reverse("indicators:detail", args=[indicator.pk])
    # What it counts stays; who sees it and its weight are the group's to set.
    with pytest.raises(ValidationError):
        services.change_indicator(actor=coordinator_a.user, indicator=indicator, unit="st")
    # The edit page: posted values for what it counts are ignored (disabled fields).
    response = client.post(
        reverse("indicators:edit", args=[indicator.pk]),
        {
            "name": "Polisens notiser",
            "unit": "st",
            "period": "quarter",
            "scale": "amount",
            "direction": "higher_worse",
            "source": "Annat",
            "visibility": "analysts",
            "active": "on",
            "need_weight": "0",
        },
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.name, indicator.visibility) == ("Polisens notiser", "analysts")
    assert (indicator.unit, indicator.period, indicator.scale, indicator.source) == (
        "händelser",
        "month",
        "count",
        police.SOURCE,
    )


def test_only_one_and_only_for_a_partnership_with_notices(partnership_a, coordinator_a):
    with pytest.raises(ValidationError):
        police.add_indicator(actor=None, partnership=partnership_a, period="month")
    page = client_for(coordinator_a).get(reverse("indicators:list")).content.decode()
    assert "Lägg till Polisens händelser" not in page
    partnership_a.municipality_code = "0163"
    partnership_a.save()
    page = client_for(coordinator_a).get(reverse("indicators:list")).content.decode()
    assert "Lägg till Polisens händelser" in page
    police.add_indicator(actor=None, partnership=partnership_a, period="month")
    with pytest.raises(ValidationError):
        police.add_indicator(actor=None, partnership=partnership_a, period="week")
    with pytest.raises(ValidationError):
        police.add_indicator(actor=None, partnership=partnership_a, period="quarter")


def test_shown_like_any_indicator_with_its_source(municipality, member_a):
    norr = municipality.areas.get(name="Norr")
    first = date(2024, 12, 15)
    notice(municipality, at(first))
    month = date(2025, 1, 1)
    for k in range(13):  # two a month for a year, then eight
        start = date(month.year + (month.month - 1 + k) // 12, (month.month - 1 + k) % 12 + 1, 1)
        for day in range(2 if k < 12 else 8):
            notice(municipality, at(start + timedelta(days=day + 1)), norr)
    FeedCall.objects.create(started_at=at(date(2026, 2, 2)), finished_at=at(date(2026, 2, 2)))
    indicator = police.add_indicator(actor=None, partnership=municipality, period="month")
    [(shown, summaries)] = presenters.picture_sections(member_a, date(2026, 2, 1))
    assert shown == indicator
    [row] = [r for r in presenters.rows(shown, summaries) if r.area.name == "Norr"]
    assert (row.latest, row.change, row.flag) == ("8 händelser", "+6", presenters.WORSE)
    page = client_for(member_a).get(reverse("indicators:detail", args=[indicator.pk]))
    text = page.content.decode()
    assert "Polisen (öppna händelser)" in text and "kan inte matas in" in text
    [listed] = bearer(member_a).get("/api/v1/indicators").json()
    assert (listed["source"], listed["counted_from"]) == (police.SOURCE, "police_events")
