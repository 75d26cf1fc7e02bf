"""The picture is honest about time and coverage: a running week, weeks and periods to come,
approval warnings, and statistics only over the periods the partnership reported in."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lagesbild.incidents import coverage, weeks
from lagesbild.incidents.models import Incident
from lagesbild.pictures import runs, services
from lagesbild.pictures.models import Picture
from lagesbild.pictures.periodic import compute_period
from lagesbild.pictures.periods import Period
from tests.factories import make_incident


def week_url(name, code, *args):
    return reverse(f"pictures:{name}", args=[weeks.iso(code), *args])


@pytest.fixture
def this_week():
    return weeks.week_code(timezone.now())


@pytest.fixture
def reports(member_a, this_week):
    """Twelve weeks of two reports a week in Norr and three so far this week."""
    norr = member_a.partnership.areas.get(name="Norr")
    monday = weeks.bounds(this_week)[0]
    for k in range(1, 13):
        for _ in range(2):
            make_incident(member_a, area=norr, occurred_at=monday - timedelta(weeks=k, hours=-12))
    for _ in range(3):
        make_incident(member_a, area=norr, occurred_at=timezone.now() - timedelta(minutes=5))
    return norr


def test_a_running_week_has_counts_but_no_expectations_or_flags(
    login, member_a, reports, this_week
):
    run = runs.run_now(member_a.partnership, weeks.iso(this_week))
    assert run.results["complete"] is False
    content = services.assemble(member_a.partnership, this_week, run)
    total = content["series"][":"]
    assert total["observed"] == 3
    assert (total["expected"], total["level"], total["rising"]) == (None, "", False)
    # Lines end with the last whole week: a half week would be drawn as a dip.
    assert total["spark"][-1] == 2 and len(total["spark"]) == 11
    assert content["trends"]["-1:-1"]["observed"][-1] is None
    assert content["in_progress"] and 1 <= content["days"] <= 7
    assert content["summary"][0].startswith(f"Vecka {this_week % 100} pågår")
    assert "hittills" in content["summary"][0]
    # No proposal of "nothing unusual" for a week whose flags are not known yet.
    assert {a["proposed_level"] for a in content["assessments"].values()} == {None}

    page = login(member_a).get(week_url("week", this_week))
    text = page.content.decode()
    assert "Pågående vecka" in text
    assert "förv." not in text  # no expected count in any matrix cell
    assert page.context["next_iso"] is None  # no link past the present
    assert "Nästa vecka" not in text
    assert login(member_a).get(week_url("map_data", this_week)).json()["in_progress"] is True


def test_a_run_of_a_week_then_running_is_stale_once_the_week_is_over(member_a, reports):
    partnership = member_a.partnership
    last = weeks.shift(weeks.week_code(timezone.now()), -1)
    run = runs.run_now(partnership, weeks.iso(last))
    assert run.results["complete"] is True
    assert not runs.is_stale(run, partnership)
    run.results["complete"] = False  # as if computed on the Thursday of that week
    assert runs.is_stale(run, partnership)


def test_the_picture_opens_on_the_last_complete_week(login, member_a, this_week):
    response = login(member_a).get(reverse("pictures:latest"))
    assert response.url == week_url("week", weeks.shift(this_week, -1))


@pytest.mark.parametrize("name", ["week", "compare"])
def test_page_titles_name_the_week_as_the_page_does_not_by_its_iso_code(
    login, member_a, reports, this_week, name
):
    """The browser tab said 'Lägesbild 2026-W48' above a heading 'Lägesbild v. 48 2026'."""
    week = weeks.shift(this_week, -1)
    for code in (week, weeks.shift(week, -1)):  # the comparison needs the week before too
        runs.run_now(member_a.partnership, weeks.iso(code))
    body = login(member_a).get(week_url(name, week)).content.decode()
    title = body.split("<title>", 1)[1].split("</title>", 1)[0]
    year, number = weeks.iso(week).split("-W")
    assert f"v. {int(number)} {year}" in title
    assert "-W" not in title


@pytest.mark.parametrize("name", ["week", "compare", "map_data"])
def test_a_week_to_come_answers_with_words_not_zeros(login, member_a, this_week, name):
    response = login(member_a).get(week_url(name, weeks.shift(this_week, 1)))
    assert response.status_code == 404
    text = response.content.decode()
    assert "har inte börjat" in text
    assert week_url("week", weeks.shift(this_week, -1)) in text


def test_an_export_of_a_week_to_come_answers_with_words(login, member_a, this_week):
    url = reverse("pictures:export", args=[weeks.iso(weeks.shift(this_week, 2)), "pdf"])
    response = login(member_a).get(url)
    assert response.status_code == 404
    assert "har inte börjat" in response.content.decode()


def test_a_period_to_come_answers_with_words_and_the_current_has_no_next(login, member_a):
    today = timezone.localdate()
    current = Period.containing("quarter", today)
    make_incident(member_a, occurred_at=timezone.now() - timedelta(days=400))
    client = login(member_a)
    response = client.get(reverse("pictures:period", args=[str(current.shift(1))]))
    assert response.status_code == 404
    assert "har inte börjat" in response.content.decode()
    export = client.get(reverse("pictures:period_export", args=[str(current.shift(3)), "xlsx"]))
    assert export.status_code == 404
    page = client.get(reverse("pictures:period", args=[str(current)]))
    assert page.status_code == 200
    assert page.context["next"] is None
    assert "Pågående period" in page.content.decode()
    earlier = client.get(reverse("pictures:period", args=[str(current.shift(-1))]))
    assert earlier.context["next"] == str(current)


def test_approving_a_running_week_with_unreviewed_reports_needs_confirmation_and_a_note(
    login, coordinator_a, member_a, reports, this_week
):
    partnership = coordinator_a.partnership
    runs.run_now(partnership, weeks.iso(this_week))
    client = login(coordinator_a)
    page = client.get(week_url("week", this_week)).content.decode()
    assert "Innan du godkänner" in page
    assert "3 rapporter i siffrorna är inte granskade än" in page
    assert "3 rapporter väntar på granskning; de räknas med i siffrorna." in page

    client.post(week_url("approve", this_week))
    client.post(week_url("approve", this_week), {"change_note": "Mötet behöver den nu"})
    client.post(week_url("approve", this_week), {"confirm": "on"})
    assert not Picture.objects.exists()

    response = client.post(
        week_url("approve", this_week), {"confirm": "on", "change_note": "Mötet behöver den nu"}
    )
    picture = Picture.objects.get()
    assert response.url == week_url("version", this_week, 1)
    assert picture.content["approval_note"] == "Mötet behöver den nu"
    assert len(picture.content["approval_warnings"]) == 2
    version = client.get(week_url("version", this_week, 1)).content.decode()
    assert "Godkänd trots" in version and "Mötet behöver den nu" in version


def test_a_complete_reviewed_week_is_approved_without_warnings(coordinator_a, member_a, reports):
    partnership = coordinator_a.partnership
    Incident.objects.filter(partnership=partnership).update(status=Incident.Status.ACCEPTED)
    last = weeks.shift(weeks.week_code(timezone.now()), -1)
    run = runs.run_now(partnership, weeks.iso(last))
    content = services.assemble(partnership, last, run)
    assert services.approval_warnings(content) == []
    assert "Alla veckans rapporter är granskade." in content["summary"]
    picture = services.approve_picture(
        actor=coordinator_a.user, partnership=partnership, content=content
    )
    assert "approval_warnings" not in picture.content


def test_weeks_before_the_first_report_are_unknown_not_zeros(member_a, this_week):
    """A partnership that began three weeks ago: no year-before value, a mean over the weeks
    it reported, and no expected count (too short a history)."""
    norr = member_a.partnership.areas.get(name="Norr")
    monday = weeks.bounds(this_week)[0]
    for k in (1, 2, 3):
        make_incident(member_a, area=norr, occurred_at=monday - timedelta(weeks=k, hours=-12))
    last = weeks.shift(this_week, -1)
    run = runs.run_now(member_a.partnership, weeks.iso(last))
    content = services.assemble(member_a.partnership, last, run)
    total = content["series"][":"]
    assert total["last_year"] is None
    assert total["spark"] == [1, 1, 1]
    assert total["expected"] is None
    assert "för kort historik" in content["summary"][0]
    assert content["area_points"][str(norr.pk)]["mean8"] == 1.0  # the two weeks before
    trend = content["trends"]["-1:-1"]
    assert trend["observed"][-3:] == [1, 1, 1]
    assert set(trend["observed"][:-3]) == {None}


def test_a_year_before_the_first_report_gives_no_change(member_a):
    """The '+513 % säker förändring' of issue 10: a partnership that began mid-2025 has no
    2024 to compare with and no four years of trend; it says so instead."""
    partnership = member_a.partnership
    norr = partnership.areas.get(name="Norr")
    tz = timezone.get_current_timezone()
    for month in range(6, 13):
        for _ in range(5):
            make_incident(member_a, area=norr, occurred_at=datetime(2025, month, 10, 12, tzinfo=tz))
    content = compute_period(partnership, Period.parse("2025"), today=date(2026, 3, 1))
    (row,) = [r for r in content["ranking"] if r["name"] == "Norr"]
    assert row["trend"] is None and row["trend_reason"] == "för kort historik"
    for group in content["groups"]:
        assert group["ratio"] is None and group["year_before"] is None
        assert group["reason"] == "för kort historik"
        assert group["monthly"][:5] == [None] * 5  # January-May: not reported
    assert content["covered"] is False

    # With a coverage start the coordinator set at 2022, the same counts are comparable.
    partnership.coverage_start = date(2022, 1, 1)
    content = compute_period(partnership, Period.parse("2025"), today=date(2026, 3, 1))
    (row,) = [r for r in content["ranking"] if r["name"] == "Norr"]
    assert row["trend_reason"] != "för kort historik"
    assert {g["reason"] for g in content["groups"]} == {""}
    assert {g["year_before"] for g in content["groups"]} == {0}
    assert content["groups"][0]["monthly"][:5] == [0] * 5


def test_weeks_and_periods_before_the_first_report_answer_in_words(login, member_a, this_week):
    client = login(member_a)
    empty = client.get(week_url("week", weeks.shift(this_week, -1))).content.decode()
    assert "Samverkan har inga rapporter än" in empty
    first = make_incident(member_a, occurred_at=timezone.now() - timedelta(weeks=5))
    first_week = first.iso_week
    before = client.get(week_url("week", weeks.shift(first_week, -1)))
    assert before.status_code == 200
    text = before.content.decode()
    assert "Före rapporteringsstarten" in text and "okända, inte noll" in text
    assert week_url("week", first_week) in text
    assert not runs.latest_run(member_a.partnership, weeks.iso(weeks.shift(first_week, -1)))
    export = client.get(
        reverse("pictures:export", args=[weeks.iso(weeks.shift(first_week, -1)), "xlsx"])
    )
    assert export.url == week_url("week", weeks.shift(first_week, -1))
    page = client.get(week_url("week", first_week))
    assert page.context["previous_iso"] is None  # no link to the time before
    year_before = str(Period.containing("year", timezone.localdate()).shift(-3))
    assert (
        "Före rapporteringsstarten"
        in client.get(reverse("pictures:period", args=[year_before])).content.decode()
    )


def test_coverage_state_of_weeks(partnership_a):
    now = timezone.now()
    this_week = weeks.week_code(now)
    assert coverage.week_state(partnership_a, this_week, now).in_progress
    assert coverage.week_state(partnership_a, weeks.shift(this_week, -1), now).complete
    assert coverage.week_state(partnership_a, weeks.shift(this_week, 1), now).future
    assert coverage.first_week(partnership_a) is None
