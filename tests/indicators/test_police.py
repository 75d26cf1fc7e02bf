"""The built-in indicator "Polisens händelser": the police's notices counted per area and
week or month (notices known only at municipality level in no area), whole covered periods
only, recounted when notices are imported, never entered by hand, and shown like any other
indicator with its own source."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lagesbild.audit.models import Entry as AuditEntry
from lagesbild.indicators import police, presenters, services
from lagesbild.indicators.models import Indicator, IndicatorValue
from lagesbild.policeevents import services as police_services
from lagesbild.policeevents.models import FeedCall
from tests.api.helpers import bearer
from tests.conftest import client_for
from tests.factories import make_area
from tests.indicators.helpers import at, make_indicator, notice
from tests.policeevents.conftest import EVENTS, read

pytestmark = pytest.mark.django_db


@pytest.fixture
def municipality(partnership_a):
    partnership_a.municipality_code = "0163"
    partnership_a.save()
    return partnership_a


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


# --- the event types it counts ------------------------------------------------------------------


@pytest.fixture
def two_types(municipality):
    """February's notices in Norr: two of vandalism, one traffic accident; coverage from
    January (not whole) to April (not ended), so February and March are counted."""
    norr = municipality.areas.get(name="Norr")
    notice(municipality, at(date(2026, 1, 20)))
    notice(municipality, at(date(2026, 2, 3)), norr)
    notice(municipality, at(date(2026, 2, 4)), norr)
    notice(municipality, at(date(2026, 2, 5)), norr, kind="Trafikolycka")
    notice(municipality, at(date(2026, 4, 2)), norr)
    return municipality


def edit_post(indicator, **changes) -> dict:
    data = {
        "name": indicator.name,
        "direction": indicator.direction,
        "description": indicator.description,
        "visibility": indicator.visibility,
        "active": "on",
        "need_weight": str(indicator.need_weight),
    }
    return {**data, **changes}


def test_the_chosen_types_restrict_the_count_and_a_new_choice_recounts_at_once(
    two_types, coordinator_a
):
    client = client_for(coordinator_a)
    page = client.get(reverse("indicators:list")).content.decode()
    assert "<legend>Händelsetyper som räknas</legend>" in page
    assert "Skadegörelse (4)" in page and "Trafikolycka (1)" in page  # stored notices per type

    client.post(
        reverse("indicators:add_police"),
        {"period": "month", "police_event_types": ["Skadegörelse"]},
    )
    indicator = Indicator.objects.get(partnership=two_types, counted_from="police_events")
    assert indicator.police_event_types == ["Skadegörelse"]
    assert values(indicator)[("Norr", "2026-02")] == 2  # the accident is not counted
    detail = client.get(reverse("indicators:detail", args=[indicator.pk])).content.decode()
    assert "Räknar: Skadegörelse" in detail

    edit = client.get(reverse("indicators:edit", args=[indicator.pk])).content.decode()
    assert 'value="Skadegörelse" id="id_police_event_types_0" checked' in edit
    response = client.post(
        reverse("indicators:edit", args=[indicator.pk]),
        edit_post(indicator, police_event_types=["Skadegörelse", "Trafikolycka"]),
    )
    assert response.status_code == 302
    assert values(indicator)[("Norr", "2026-02")] == 3
    # No type ticked: every type, as before types could be chosen.
    client.post(reverse("indicators:edit", args=[indicator.pk]), edit_post(indicator))
    indicator.refresh_from_db()
    assert indicator.police_event_types == []
    assert values(indicator)[("Norr", "2026-02")] == 3
    detail = client.get(reverse("indicators:detail", args=[indicator.pk])).content.decode()
    assert "Räknar alla händelsetyper" in detail

    changes = [
        e.details["changes"]["police_event_types"]
        for e in AuditEntry.objects.filter(
            action="indicator.change", object_id=str(indicator.pk)
        ).order_by("pk")
    ]
    assert changes == [
        [["Skadegörelse"], ["Skadegörelse", "Trafikolycka"]],
        [["Skadegörelse", "Trafikolycka"], []],
    ]
    api = bearer(coordinator_a)
    [listed] = api.get("/api/v1/indicators").json()
    assert listed["police_event_types"] == []
    schema = api.get("/api/v1/openapi.json").json()["components"]["schemas"]["IndicatorOut"]
    assert "empty: every type" in schema["properties"]["police_event_types"]["description"]


def test_an_empty_choice_counts_every_type(two_types):
    indicator = police.add_indicator(
        actor=None, partnership=two_types, period="month", event_types=[]
    )
    assert values(indicator)[("Norr", "2026-02")] == 3


BAD_CHOICES = pytest.mark.parametrize(
    "chosen",
    [
        [5],
        ["Skadegörelse", None],
        "Skadegörelse",
        [f"Typ {k}" for k in range(51)],
        ["x" * 101],
    ],
    ids=["not-a-string", "none", "not-a-list", "too-many", "too-long"],
)


@BAD_CHOICES
def test_bad_choices_are_refused_with_a_message_and_change_nothing(
    two_types, coordinator_a, chosen
):
    indicator = police.add_indicator(
        actor=None, partnership=two_types, period="month", event_types=["Skadegörelse"]
    )
    before = values(indicator)
    with pytest.raises(ValidationError) as refused:
        services.change_indicator(
            actor=coordinator_a.user, indicator=indicator, police_event_types=chosen
        )
    assert refused.value.message_dict["police_event_types"]
    indicator.refresh_from_db()
    assert indicator.police_event_types == ["Skadegörelse"]
    assert values(indicator) == before
    assert not AuditEntry.objects.filter(action="indicator.change").exists()


@BAD_CHOICES
def test_bad_choices_are_refused_when_the_indicator_is_defined_too(municipality, chosen):
    with pytest.raises(ValidationError) as refused:
        police.add_indicator(
            actor=None, partnership=municipality, period="month", event_types=chosen
        )
    assert refused.value.message_dict["police_event_types"]
    assert not Indicator.objects.exists()


def test_a_type_not_offered_is_refused_on_the_page(two_types, coordinator_a):
    indicator = police.add_indicator(actor=None, partnership=two_types, period="month")
    response = client_for(coordinator_a).post(
        reverse("indicators:edit", args=[indicator.pk]),
        edit_post(indicator, police_event_types=["Rån"]),
    )
    assert response.status_code == 400
    assert "Välj bland de händelsetyper som finns." in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.police_event_types == []
    indicator.delete()
    response = client_for(coordinator_a).post(
        reverse("indicators:add_police"),
        {"period": "month", "police_event_types": ["Rån"]},
        follow=True,
    )
    assert "Välj bland de händelsetyper som finns." in response.content.decode()
    assert not Indicator.objects.filter(counted_from="police_events").exists()


def test_a_chosen_type_without_stored_notices_stays_offered(two_types, coordinator_a):
    indicator = police.add_indicator(actor=None, partnership=two_types, period="month")
    services.change_indicator(
        actor=coordinator_a.user, indicator=indicator, police_event_types=[" Rån ", "Rån"]
    )
    indicator.refresh_from_db()
    assert indicator.police_event_types == ["Rån"]  # stripped, once
    assert values(indicator)[("Norr", "2026-02")] == 0
    edit = client_for(coordinator_a).get(reverse("indicators:edit", args=[indicator.pk]))
    assert "Rån (0)" in edit.content.decode()


def test_only_the_police_indicator_counts_types(coordinator_a):
    indicator = make_indicator(coordinator_a, "Kostnad för skadegörelse")
    with pytest.raises(ValidationError):
        services.change_indicator(
            actor=coordinator_a.user, indicator=indicator, police_event_types=["Brand"]
        )
    # Nor can a new one be defined with types.
    with pytest.raises(ValidationError) as refused:
        make_indicator(coordinator_a, "Bränder", police_event_types=["Brand"])
    assert refused.value.message_dict["police_event_types"] == [
        "Bara Polisens händelser räknar händelsetyper."
    ]
    page = client_for(coordinator_a).get(reverse("indicators:edit", args=[indicator.pk]))
    assert "Händelsetyper som räknas" not in page.content.decode()


def test_a_member_who_is_not_coordinator_cannot_choose(two_types, analyst_a, member_a):
    indicator = police.add_indicator(
        actor=None, partnership=two_types, period="month", event_types=["Skadegörelse"]
    )
    for membership in (analyst_a, member_a):
        client = client_for(membership)
        response = client.post(
            reverse("indicators:edit", args=[indicator.pk]),
            edit_post(indicator, police_event_types=["Trafikolycka"]),
        )
        assert response.status_code == 403
        detail = client.get(reverse("indicators:detail", args=[indicator.pk])).content.decode()
        assert "Räknar: Skadegörelse" in detail
    indicator.refresh_from_db()
    assert indicator.police_event_types == ["Skadegörelse"]
    assert values(indicator)[("Norr", "2026-02")] == 2
