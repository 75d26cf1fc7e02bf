"""Periodic pictures: ranking by need, influence, development per group, approval."""

from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from lagesbild.incidents.models import Incident
from lagesbild.pictures.models import Picture
from lagesbild.pictures.periodic import compute_period, influence_text
from lagesbild.pictures.periods import Period, last_day
from tests.factories import make_incident


def test_period_parsing_and_arithmetic():
    assert str(Period.parse("2026-Q3").shift(-3)) == "2025-Q4"
    assert str(Period.parse("2026-T1").shift(-1)) == "2025-T3"
    assert str(Period.parse("2026").shift(1)) == "2027"
    assert Period.parse("2026-T2").first_month.month == 5
    assert str(Period.containing("quarter", timezone.localdate().replace(month=8))).endswith("Q3")


def test_last_day_of_a_period():
    assert last_day("quarter", "2026-Q1") == date(2026, 3, 31)
    assert last_day("tertial", "2024-T1") == date(2024, 4, 30)
    assert last_day("tertial", "2026-T3") == date(2026, 12, 31)
    assert last_day("year", "2026") == date(2026, 12, 31)
    assert last_day("week", "2026-W01") == date(2026, 1, 4)


def test_ranking_and_development_from_hand_made_counts(member_a):
    partnership = member_a.partnership
    norr = partnership.areas.get(name="Norr")  # population 1,000
    soder = partnership.areas.get(name="Söder")  # population 2,000
    # The coordinator says reporting began with 2024, so the year before counts.
    partnership.coverage_start = date(2024, 1, 1)
    partnership.save()
    tz = timezone.get_current_timezone()
    in_q2 = datetime(2025, 5, 10, 12, tzinfo=tz)
    for _ in range(4):
        make_incident(member_a, area=norr, category="bilbrand", severity=1, occurred_at=in_q2)
    make_incident(member_a, area=soder, category="klotter", severity=1, occurred_at=in_q2)
    make_incident(member_a, area=soder, category="klotter", occurred_at=in_q2 - timedelta(days=365))
    content = compute_period(partnership, Period.parse("2025-Q2"))
    first, second = content["ranking"]
    # bilbrand weight 3: 4 x 3 = 12 points per 1,000 in Norr; klotter 1 x 1 / 2 = 0.5 in Söder
    assert (first["name"], first["index"]) == ("Norr", 12.0)
    assert (second["name"], second["index"]) == ("Söder", 0.5)
    assert first["low"] < 12.0 < first["high"]
    damage = next(g for g in content["groups"] if g["name"] == "Skadegörelse")
    assert (damage["now"], damage["year_before"], damage["ratio"]) == (1, 1, 1.0)


def test_page_influence_and_approval(login, coordinator_a):
    client = login(coordinator_a)
    period = "2025-Q2"
    norr = coordinator_a.partnership.areas.get(name="Norr")
    assert client.get(reverse("pictures:period", args=[period])).status_code == 200
    client.post(
        reverse("pictures:period_influence", args=[period, norr.pk]),
        {f"i{norr.pk}-level": "4", f"i{norr.pk}-comment": "Aktiv bostadsrättsförening"},
    )
    client.post(reverse("pictures:period_approve", args=[period]))
    picture = Picture.objects.get(period=period)
    assert picture.period_kind == "quarter"
    assert picture.content["influence"][str(norr.pk)]["level"] == 4
    page = client.get(reverse("pictures:period_version", args=[period, 1]))
    assert page.status_code == 200
    assert "Aktiv bostadsrättsförening" in page.content.decode()


def test_bad_period_is_404_and_members_cannot_approve(login, member_a):
    client = login(member_a)
    assert client.get(reverse("pictures:period", args=["2026-Q5"])).status_code == 404
    assert client.post(reverse("pictures:period_approve", args=["2026-Q1"])).status_code == 403


def test_second_version_of_a_period_lists_changes(login, coordinator_a, member_a):
    client = login(coordinator_a)
    period = "2025-Q2"
    client.post(reverse("pictures:period_approve", args=[period]))
    make_incident(
        member_a,
        category="bilbrand",
        occurred_at=datetime(2025, 5, 3, 12, tzinfo=timezone.get_current_timezone()),
    )
    # The late report is not reviewed yet: approving needs a confirmation as well.
    client.post(reverse("pictures:period_approve", args=[period]), {"change_note": "Sen rapport"})
    assert not Picture.objects.filter(period=period, version=2).exists()
    client.post(
        reverse("pictures:period_approve", args=[period]),
        {"change_note": "Sen rapport", "confirm": "on"},
    )
    second = Picture.objects.get(period=period, version=2)
    assert any("1 händelser tillkom" in line for line in second.content["changes_from_previous"])


def test_periods_are_cut_at_local_midnight_and_compared_with_the_year_before(member_a):
    """Counts per month, the year before, the counted ids and the unreviewed all follow the
    partnership's calendar: an incident ten minutes into 1 April local time (still 31 March
    in UTC) belongs to April and the second quarter, one ten minutes before belongs to March.
    The figures are checked against the incidents' own local months for a quarter (whose
    year before lies outside its trend), a tertial and a year (whose year before lies
    inside it)."""
    partnership = member_a.partnership
    partnership.coverage_start = date(2023, 1, 1)
    partnership.save()
    tz = timezone.get_current_timezone()
    assert str(tz) == partnership.time_zone
    moments = [
        datetime(2024, 3, 31, 23, 50, tzinfo=tz),
        datetime(2024, 4, 1, 0, 10, tzinfo=tz),
        datetime(2024, 12, 31, 23, 59, tzinfo=tz),
        datetime(2025, 1, 1, 0, 0, tzinfo=tz),
        datetime(2025, 3, 31, 23, 50, tzinfo=tz),
        datetime(2025, 4, 1, 0, 10, tzinfo=tz),
        datetime(2025, 4, 30, 23, 59, tzinfo=tz),
        datetime(2025, 5, 1, 0, 0, tzinfo=tz),
        datetime(2025, 6, 30, 23, 59, tzinfo=tz),
        datetime(2025, 7, 1, 0, 0, tzinfo=tz),
        datetime(2025, 10, 26, 2, 30, tzinfo=tz),  # the night the clocks go back
    ]
    statuses = [Incident.Status.NEW, Incident.Status.ACCEPTED, Incident.Status.REJECTED]
    made = [
        make_incident(member_a, occurred_at=moment, status=statuses[k % 3])
        for k, moment in enumerate(moments)
    ]
    counted = [i for i in made if i.status != Incident.Status.REJECTED]

    def months_of(period):
        first = period.first_month
        return [(first.year, first.month + k) for k in range(period.months)]

    def local_month(incident):
        local = incident.occurred_at.astimezone(tz)
        return (local.year, local.month)

    for text in ("2025-Q2", "2025-T1", "2025", "2025-Q4"):
        period = Period.parse(text)
        before = period.shift(-12 // period.months)
        content = compute_period(partnership, period)
        damage = next(g for g in content["groups"] if g["name"] == "Skadegörelse")
        monthly = [sum(local_month(i) == m for i in counted) for m in months_of(period)]
        assert damage["monthly"] == monthly, text
        assert damage["now"] == sum(monthly), text
        assert damage["year_before"] == sum(local_month(i) in months_of(before) for i in counted), (
            text
        )
        inside = [i for i in made if local_month(i) in months_of(period)]
        assert content["incident_ids"] == sorted(i.pk for i in inside if i in counted), text
        assert content["unreviewed"] == sum(i.status == Incident.Status.NEW for i in inside)
        assert sum(r["events"] for r in content["ranking"]) == sum(monthly), text


def test_influence_text():
    assert influence_text(3) == "3 God"
    assert influence_text(None) == ""
