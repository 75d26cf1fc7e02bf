"""Defining indicators and saving their values: the rules and the audit trail."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from lagesbild.audit.models import Entry as AuditEntry
from lagesbild.geography.models import Area
from lagesbild.indicators import periods, services
from lagesbild.indicators.models import Indicator, IndicatorValue
from tests.indicators.helpers import csv_rows, make_indicator

pytestmark = pytest.mark.django_db


def areas(partnership):
    return {a.name: a for a in Area.objects.filter(partnership=partnership)}


def test_defining_is_audited_and_names_are_unique(coordinator_a):
    indicator = make_indicator(coordinator_a)
    assert AuditEntry.objects.filter(action="indicator.create", object_id=str(indicator.pk))
    with pytest.raises(ValidationError) as caught:
        make_indicator(coordinator_a, name="skadegörelsekostnad")
    assert "name" in caught.value.message_dict


def test_period_and_scale_are_fixed_once_there_are_values(coordinator_a):
    indicator = make_indicator(coordinator_a)
    services.change_indicator(actor=coordinator_a.user, indicator=indicator, scale="count")
    norr = areas(coordinator_a.partnership)["Norr"]
    services.save_values(
        membership=coordinator_a,
        indicator=indicator,
        entries=[services.Entry(norr, date(2026, 1, 1), 3)],
    )
    with pytest.raises(ValidationError) as caught:
        services.change_indicator(actor=coordinator_a.user, indicator=indicator, period="year")
    assert "period" in caught.value.message_dict
    changed = services.change_indicator(
        actor=coordinator_a.user, indicator=indicator, name="Nytt namn", period="month"
    )
    assert changed.name == "Nytt namn"


def test_a_replaced_value_keeps_its_history_in_the_audit_trail(coordinator_a):
    indicator = make_indicator(coordinator_a)
    norr = areas(coordinator_a.partnership)["Norr"]
    january = date(2026, 1, 1)
    first = services.save_values(
        membership=coordinator_a,
        indicator=indicator,
        entries=[services.Entry(norr, january, 1200)],
        source_note="fil 1",
    )
    assert (first.created, first.replaced) == (1, 0)
    again = services.save_values(
        membership=coordinator_a,
        indicator=indicator,
        entries=[services.Entry(norr, january, 1200)],
    )
    assert (again.created, again.replaced, again.unchanged) == (0, 0, 1)
    services.save_values(
        membership=coordinator_a,
        indicator=indicator,
        entries=[services.Entry(norr, january, 1500)],
        source_note="fil 2",
    )
    value = IndicatorValue.objects.get(indicator=indicator)
    assert (value.value, value.source_note) == (1500, "fil 2")
    replaced = AuditEntry.objects.get(action="indicator.value_replaced")
    assert replaced.details["old"] == [1200, None, "fil 1"]
    assert replaced.details["new"] == [1500, None, "fil 2"]
    assert replaced.details["period"] == "2026-01"


@pytest.mark.parametrize(
    ("scale", "value", "size", "message"),
    [
        ("count", 2.5, None, "heltal"),
        ("count", -1, None, "heltal"),
        ("share", 120, 50, "mellan 0 och 100"),
        ("amount", 10, 50, "bara för andelar"),
        ("share", 20, 0, "minst 1"),
    ],
)
def test_values_are_checked_against_the_scale(coordinator_a, scale, value, size, message):
    indicator = make_indicator(coordinator_a, scale=scale)
    assert any(message in m for m in services.check_value(indicator, value, size))


def test_plan_reports_every_row_in_swedish_and_saves_nothing(coordinator_a):
    indicator = make_indicator(coordinator_a)
    norr = areas(coordinator_a.partnership)["Norr"]
    rows = csv_rows(
        "Område;Period;Värde\n"
        f"{norr.code};2026-01;1 200,50\n"
        "Okänt;2026-02;10\n"
        f"{norr.code};2026-13;10\n"
        f"{norr.code};2026-03;mycket\n"
        f"{norr.code};2026-01;5\n"
    )
    plan = services.plan_upload(indicator=indicator, rows=rows)
    assert (plan.total, plan.refused, plan.new) == (5, 4, 1)
    assert plan.rows[0].value == 1200.5
    messages = {row.number: " ".join(row.errors) for row in plan.rows}
    assert "Okänt område: Okänt." in messages[3]
    assert "Perioden ska skrivas som 2026-03." in messages[4]
    assert "Värdet är inte ett tal." in messages[5]
    assert "Samma område och period finns redan på rad 2." in messages[6]
    assert not IndicatorValue.objects.exists()


def test_an_import_is_all_or_nothing(coordinator_a):
    indicator = make_indicator(coordinator_a)
    norr = areas(coordinator_a.partnership)["Norr"]
    bad = csv_rows(f"område;period;värde\n{norr.code};2026-01;10\nNej;2026-02;11\n")
    plan, result = services.import_values(
        membership=coordinator_a, indicator=indicator, rows=bad, source_note=""
    )
    assert result is None and plan.refused == 1
    assert not IndicatorValue.objects.exists()
    assert AuditEntry.objects.filter(action="indicator.import_refused").exists()
    good = csv_rows(f"område;period;värde\n{norr.code};2026-01;10\nSöder;2026-02;11\n")
    plan, result = services.import_values(
        membership=coordinator_a, indicator=indicator, rows=good, source_note="Bolaget"
    )
    assert result.created == 2
    assert set(IndicatorValue.objects.values_list("source_note", flat=True)) == {"Bolaget"}


def test_another_partnerships_area_codes_are_unknown(coordinator_a, coordinator_b):
    indicator = make_indicator(coordinator_a)
    foreign = Area.objects.filter(partnership=coordinator_b.partnership).first()
    plan = services.plan_upload(
        indicator=indicator, rows=csv_rows(f"område;period;värde\n{foreign.code};2026-01;1\n")
    )
    assert plan.refused == 1


@pytest.mark.parametrize(
    ("kind", "text", "start"),
    [
        ("week", "2026-W03", date(2026, 1, 12)),
        ("week", "2026-3", date(2026, 1, 12)),
        ("week", "2026-01-14", date(2026, 1, 12)),
        ("month", "2026-03", date(2026, 3, 1)),
        ("month", "2026-03-17 00:00:00", date(2026, 3, 1)),
        ("quarter", "2026-K2", date(2026, 4, 1)),
        ("quarter", "2026 Q4", date(2026, 10, 1)),
        ("quarter", "2026-08-01", date(2026, 7, 1)),
        ("year", "2025", date(2025, 1, 1)),
        ("year", "2025.0", date(2025, 1, 1)),
    ],
)
def test_periods_are_read_as_people_and_excel_write_them(kind, text, start):
    assert periods.parse(kind, text) == start
    assert periods.parse(kind, periods.label_for_input(kind, start)) == start
    assert periods.from_key(kind, periods.key(kind, start)) == start


@pytest.mark.parametrize(
    ("kind", "text"),
    [("month", "2026-13"), ("quarter", "2026-K5"), ("year", "1850"), ("week", "x")],
)
def test_impossible_periods_are_refused(kind, text):
    with pytest.raises(ValueError):
        periods.parse(kind, text)


def test_survey_shares_take_their_sample_size_from_the_file(coordinator_a):
    indicator = make_indicator(
        coordinator_a, name="Otrygghet", scale=Indicator.Scale.SHARE, period="year", unit="%"
    )
    rows = csv_rows("Område;Period;Värde;Antal svarande\nNorr;2025;21,5;400\nSöder;2025;18;3,5\n")
    plan = services.plan_upload(indicator=indicator, rows=rows)
    assert plan.rows[0].sample_size == 400
    assert plan.rows[1].errors == ["Antal svarande är inte ett heltal."]
