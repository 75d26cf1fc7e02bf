"""Small counts on a guest's pages and files cannot be worked out from what is shown within
a picture: a hidden group count is not the area's total minus the other groups (the total is
hidden then), and a periodic area with a hidden number of incidents shows no index or trend
made of it."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from lagesbild.guests import queries
from tests.factories import make_incident
from tests.guests.builders import approve_week


def weekly_content(counts: dict[str, int]) -> dict:
    groups = [{"id": n, "name": name} for n, name in enumerate(counts, start=1)]
    series = {"7:": {"observed": sum(counts.values()), "level": None, "rising": False}}
    for group in groups:
        series[f"7:{group['id']}"] = {
            "observed": counts[group["name"]],
            "level": None,
            "rising": False,
            "explanation": f"{counts[group['name']]} händelser",
        }
    return {
        "series": series,
        "scale": [],
        "areas": [{"id": 7, "name": "Norr"}],
        "assessments": {},
        "groups": groups,
    }


def shown(content: dict, below: int = 3) -> tuple:
    (area,) = queries.picture_areas(content, {7}, below)
    return area["total"]["shown"], {r["group"]: r["shown"] for r in area["rows"]}


def test_one_hidden_group_hides_the_total_too():
    total, groups = shown(weekly_content({"Skadegörelse": 1, "Våld": 3, "Ordning": 3, "Brand": 0}))
    assert total == "dold"
    assert groups == {"Skadegörelse": "<3", "Våld": 3, "Ordning": 3, "Brand": 0}


def test_two_hidden_groups_or_none_hide_nothing_more():
    assert shown(weekly_content({"Skadegörelse": 1, "Våld": 2, "Ordning": 6}))[1] == {
        "Skadegörelse": "<3",
        "Våld": "<3",
        "Ordning": 6,
    }
    assert shown(weekly_content({"Skadegörelse": 3, "Våld": 4}))[1] == {
        "Skadegörelse": 3,
        "Våld": 4,
    }


def test_a_hidden_total_needs_nothing_more():
    assert shown(weekly_content({"Skadegörelse": 1, "Våld": 0})) == (
        "<3",
        {"Skadegörelse": "<3", "Våld": 0},
    )


def test_a_periodic_area_with_a_hidden_count_shows_no_index_or_trend():
    row = {"area": 7, "name": "Norr", "index": 12.5, "low": 3.0, "high": 30.0, "events": 2}
    row |= {"trend": 0.4, "trend_low": -0.2, "trend_high": 1.0}
    content = {"ranking": [row], "influence": {}}
    (area,) = queries.periodic_areas(content, {7}, 3)
    hidden = (area["events"], area["index"], area["interval"], area["trend"])
    assert hidden == ("<3", None, "–", "–")
    (area,) = queries.periodic_areas({**content, "ranking": [{**row, "events": 5}]}, {7}, 3)
    assert area["index"] == 12.5 and area["trend"] != "–"


def test_the_notes_say_what_is_hidden_on_each_kind_of_picture():
    assert queries.count_note(1) == []
    weekly, periodic = queries.count_note(3), queries.count_note(3, weekly=False)
    assert weekly[0] == periodic[0] == 'Antal från 1 till 2 visas som "<3".'
    assert weekly[1].startswith('"dold"') and periodic[1].startswith("Index, intervall och trend")


def test_the_page_says_the_total_is_hidden(guest, coordinator_a, partnership_a, member_a, login):
    norr = partnership_a.areas.get(name="Norr")
    when = timezone.now() - timedelta(days=7)
    for category in ["klotter", "bilbrand", "bilbrand", "bilbrand"]:
        make_incident(member_a, area=norr, category=category, occurred_at=when)
    partnership_a.suppress_below = 3
    partnership_a.save()
    week = approve_week(partnership_a, coordinator_a, 1)
    body = login(guest).get(reverse("guests:picture", args=[week.period, week.version]))
    text = body.content.decode()
    assert "Antalet händelser under veckan är dolt." in text
    assert "4 händelser under veckan" not in text
