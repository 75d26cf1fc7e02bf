"""Periodic pictures: ranking by need, influence, development per group, approval."""

from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from lagesbild.pictures.models import Picture
from lagesbild.pictures.periodic import Period, compute_period
from tests.factories import make_incident


def test_period_parsing_and_arithmetic():
    assert str(Period.parse("2026-Q3").shift(-3)) == "2025-Q4"
    assert str(Period.parse("2026-T1").shift(-1)) == "2025-T3"
    assert str(Period.parse("2026").shift(1)) == "2027"
    assert Period.parse("2026-T2").first_month.month == 5
    assert str(Period.containing("quarter", timezone.localdate().replace(month=8))).endswith("Q3")


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
