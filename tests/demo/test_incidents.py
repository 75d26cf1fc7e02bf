import re
from datetime import date, datetime

import numpy as np
import pytest
import shapely

from lagesbild.demo.areas import demo_areas
from lagesbild.demo.incidents import (
    CATEGORY_CODES,
    CATEGORY_MODELS,
    DESCRIPTIONS,
    GROUP_CODES,
    NEAR_PLACE,
    ORGANISATION_KINDS,
    ORGANISATION_MIX,
    PLACE_AFFINITY,
    TIMEZONE,
    Episode,
    default_episodes,
    expected_counts,
    generate_incidents,
)
from lagesbild.demo.places import PLACE_KINDS, demo_places
from lagesbild.incidents.checklist import all_items

START, END = date(2024, 1, 1), date(2026, 1, 1)
FIRE_CODES = ("brand-soprum", "bilbrand", "anlagd-brand-byggnad", "fyrverkerier")


def generate(start=START, end=END, *, seed=7, scale=1.0, episodes=None):
    return generate_incidents(
        demo_areas(), demo_places(), start, end, seed=seed, scale=scale, episodes=episodes
    )


@pytest.fixture(scope="module")
def two_years():
    return generate()


def local_days(incidents):
    return incidents.local_time.astype("datetime64[D]")


def local_hours(incidents):
    return (incidents.local_time - local_days(incidents)).astype(np.int64) // 3600


def in_categories(incidents, codes):
    return np.isin(incidents.category, [CATEGORY_CODES.index(c) for c in codes])


def between(incidents, first, last):
    days = local_days(incidents)
    return (days >= np.datetime64(first)) & (days <= np.datetime64(last))


def test_model_tables_cover_the_checklist_exactly():
    assert set(CATEGORY_MODELS) == set(DESCRIPTIONS) == {i.code for i in all_items()}
    assert set(NEAR_PLACE) == set(ORGANISATION_MIX) == set(GROUP_CODES)
    assert set(PLACE_AFFINITY) <= set(PLACE_KINDS)
    assert all(set(a) <= set(GROUP_CODES) for a in PLACE_AFFINITY.values())
    assert all(len(mix) == len(ORGANISATION_KINDS) for mix in ORGANISATION_MIX.values())


def test_same_seed_gives_identical_output(two_years):
    again = generate()
    for column in ("occurred_at", "area", "category", "severity", "lon", "lat", "place"):
        np.testing.assert_array_equal(getattr(again, column), getattr(two_years, column))
    assert list(again.description) == list(two_years.description)
    assert again.episodes == two_years.episodes


def test_another_seed_gives_other_incidents(two_years):
    other = generate(seed=8)
    assert len(other) != len(two_years) or not np.array_equal(other.lon, two_years.lon)


def test_yearly_volume_at_scale_one(two_years):
    per_year = len(two_years) / 2
    assert 2_500 <= per_year <= 4_000


def test_scale_multiplies_the_intensity_and_the_counts():
    areas = demo_areas()
    one = expected_counts(areas, START, END, seed=7, scale=1.0)
    three = expected_counts(areas, START, END, seed=7, scale=3.0)
    np.testing.assert_allclose(three, 3 * one)
    ratio = len(generate(scale=3.0, episodes=())) / len(generate(scale=1.0, episodes=()))
    assert 2.8 < ratio < 3.2  # about 6,400 and 19,200 incidents: Poisson noise is ~2 %


def test_columns_are_consistent_and_sorted_by_time(two_years):
    n = len(two_years)
    assert np.all(np.diff(two_years.occurred_at) >= 0)
    assert set(np.unique(two_years.severity)) <= {1, 2, 3}
    assert two_years.category.min() >= 0 and two_years.category.max() < len(CATEGORY_CODES)
    assert two_years.organisation.max() < len(ORGANISATION_KINDS)
    assert two_years.area.max() < len(demo_areas())
    assert all(len(getattr(two_years, c)) == n for c in ("lon", "lat", "place", "description"))
    days = local_days(two_years)
    assert days.min() >= np.datetime64(START) and days.max() < np.datetime64(END)


def test_positive_categories_have_the_lowest_severity(two_years):
    positive = in_categories(two_years, ("trygghetsaktivitet", "positiv-handelse"))
    assert positive.any()
    assert np.all(two_years.severity[positive] == 1)


def test_points_lie_inside_their_area(two_years):
    for index, area in enumerate(demo_areas()):
        mine = two_years.area == index
        assert mine.any()
        assert shapely.contains_xy(area.polygon, two_years.lon[mine], two_years.lat[mine]).all()


def test_place_incidents_are_near_their_place_in_the_same_area(two_years):
    places = demo_places()
    tied = np.flatnonzero(two_years.place >= 0)
    assert 0.3 < len(tied) / len(two_years) < 0.8
    place_area = np.array([p.area_index for p in places])[two_years.place[tied]]
    np.testing.assert_array_equal(place_area, two_years.area[tied])
    place_lat = np.array([p.lat for p in places])[two_years.place[tied]]
    assert np.abs(two_years.lat[tied] - place_lat).max() < 300 / 111_320  # within 300 m


def test_local_time_matches_the_instant_in_stockholm_across_clock_changes():
    # Around both 2025 clock changes, dense enough to put hundreds of reports in 02:00-03:00.
    for first, last in (
        (date(2025, 3, 29), date(2025, 4, 1)),
        (date(2025, 10, 25), date(2025, 10, 28)),
    ):
        incidents = generate(first, last, scale=200, episodes=())
        wall_clock = [
            datetime.fromtimestamp(t, TIMEZONE).replace(tzinfo=None) for t in incidents.occurred_at
        ]
        np.testing.assert_array_equal(
            np.array(wall_clock, dtype="datetime64[s]"), incidents.local_time
        )
        assert incidents.occurred_datetimes()[0].tzinfo is TIMEZONE


def test_fires_peak_around_new_year_and_walpurgis_night(two_years):
    fires = in_categories(two_years, FIRE_CODES)
    mean_per_day = fires.sum() / (END - START).days

    def per_day(first, last):
        return (fires & between(two_years, first, last)).sum() / ((last - first).days + 1)

    assert per_day(date(2024, 12, 29), date(2025, 1, 2)) > 4 * mean_per_day
    walpurgis = (
        fires
        & (
            between(two_years, date(2024, 4, 28), date(2024, 5, 1))
            | between(two_years, date(2025, 4, 28), date(2025, 5, 1))
        )
    ).sum() / 8
    assert walpurgis > 1.5 * mean_per_day


def test_youth_gatherings_are_a_summer_evening_thing(two_years):
    gatherings = in_categories(two_years, ("storande-grupper",))
    months = two_years.local_time.astype("datetime64[M]").astype(np.int64) % 12 + 1
    evening = local_hours(two_years) >= 18
    summer = np.isin(months, (6, 7, 8))
    winter = np.isin(months, (12, 1, 2))
    assert (gatherings & evening & summer).sum() > 3 * (gatherings & evening & winter).sum()
    assert (gatherings & evening).sum() > 0.5 * gatherings.sum()


def test_break_ins_are_more_common_in_the_dark_months(two_years):
    break_ins = in_categories(two_years, ("inbrott-forrad", "inbrott-bostad"))
    months = two_years.local_time.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dark = (break_ins & np.isin(months, (11, 12, 1, 2))).sum()
    light = (break_ins & np.isin(months, (5, 6, 7, 8))).sum()
    assert dark > 1.5 * light


def test_weekly_rhythm_disorder_on_weekend_nights_litter_in_office_hours(two_years):
    weekday = (local_days(two_years).astype(np.int64) + 3) % 7  # Monday 0
    hour = local_hours(two_years)
    disorder = in_categories(two_years, ("storande-grupper", "brak-ordningsstorning", "berusning"))
    friday_saturday = (disorder & np.isin(weekday, (4, 5))).sum()
    monday_tuesday = (disorder & np.isin(weekday, (0, 1))).sum()
    assert friday_saturday > 1.5 * monday_tuesday
    litter = in_categories(two_years, ("nedskrapning", "trasig-belysning"))
    office = litter & (weekday < 5) & (hour >= 7) & (hour < 17)
    assert office.sum() > 0.6 * litter.sum()


def test_areas_differ_in_level_per_inhabitant(two_years):
    areas = demo_areas()
    counts = np.bincount(two_years.area, minlength=len(areas))
    per_capita = counts / np.array([a.population for a in areas])
    names = [a.name for a in areas]
    assert per_capita[names.index("Sollentuna centrum")] > 2 * per_capita[names.index("Viby")]


def test_default_episodes_are_planted_at_the_end_of_a_long_period():
    burst, rise = default_episodes(demo_areas(), START, END)
    assert (burst.kind, burst.area_name) == ("burst", "Häggvik")
    assert burst.weeks == ("2025-W50", "2025-W51", "2025-W52")
    assert (burst.first_day, burst.last_day) == (date(2025, 12, 8), date(2025, 12, 28))
    assert set(burst.category_codes) == {"klotter", "skadegorelse", "krossade-rutor"}
    assert (rise.kind, rise.area_name, rise.last_day) == ("rise", "Helenelund", date(2025, 12, 31))
    assert {i.group for i in all_items() if i.code in rise.category_codes} == {"narkotika"}
    assert len(rise.weeks) >= 26


def test_no_default_episodes_when_the_period_is_too_short():
    assert default_episodes(demo_areas(), date(2025, 1, 1), date(2025, 2, 1)) == ()
    assert [e.kind for e in default_episodes(demo_areas(), date(2025, 1, 1), date(2025, 7, 1))] == [
        "burst"
    ]


@pytest.fixture(scope="module")
def dense():
    return generate(scale=6.0)


def test_the_vandalism_burst_stands_out_of_its_area_and_weeks(dense):
    burst = next(e for e in dense.episodes if e.kind == "burst")
    here = (dense.area == burst.area_index) & in_categories(dense, burst.category_codes)
    during = (here & between(dense, burst.first_day, burst.last_day)).sum() / 3
    before = here & between(dense, date(2025, 10, 13), date(2025, 12, 7))  # the 8 weeks before
    assert during > 3 * before.sum() / 8
    elsewhere = ~np.isin(dense.area, [burst.area_index]) & in_categories(
        dense, burst.category_codes
    )
    same_weeks = (elsewhere & between(dense, burst.first_day, burst.last_day)).sum() / 3
    assert (
        same_weeks
        < 1.5 * (elsewhere & between(dense, date(2025, 10, 13), date(2025, 12, 7))).sum() / 8
    )


def test_the_drug_rise_grows_over_months(dense):
    rise = next(e for e in dense.episodes if e.kind == "rise")
    here = (dense.area == rise.area_index) & in_categories(dense, rise.category_codes)
    before = (here & between(dense, date(2025, 3, 1), date(2025, 6, 30))).sum()
    last = (here & between(dense, date(2025, 9, 1), date(2025, 12, 31))).sum()
    assert last > 2 * before  # 3.5 times as many expected


def test_an_episode_multiplies_only_its_cells():
    areas = demo_areas()
    episode = Episode("burst", 3, areas[3].name, ("hot",), date(2024, 2, 5), date(2024, 2, 11), 4.0)
    plain = expected_counts(areas, START, END, seed=1)
    planted = expected_counts(areas, START, END, seed=1, episodes=[episode])
    ratio = planted / plain
    hot = CATEGORY_CODES.index("hot")
    np.testing.assert_allclose(ratio[35:42, 3, hot], 4.0)  # 2024-02-05 is day 35
    ratio[35:42, 3, hot] = 1.0
    np.testing.assert_allclose(ratio, 1.0)


PERSONAL_NUMBER = re.compile(r"\b(\d{2})?\d{6}[-+]?\d{4}\b")
PHONE_NUMBER = re.compile(r"(\+46|\b0)[\s-]?\d{1,3}[\s-]?\d{2,3}[\s-]?\d{2}[\s-]?\d{2}")


def test_descriptions_name_events_and_places_never_numbers(two_years):
    texts = set(two_years.description)
    assert len(texts) > 500
    for text in texts:
        assert not PERSONAL_NUMBER.search(text)
        assert not PHONE_NUMBER.search(text)
        assert not re.search(r"\d", text)
    place_names = [p.phrase for p in demo_places()] + [a.name for a in demo_areas()]
    assert all(any(name in text for name in place_names) for text in texts)


def test_number_patterns_used_above_do_catch_numbers():
    assert PERSONAL_NUMBER.search("Anmält av 19811218-9876")
    assert PERSONAL_NUMBER.search("811218-9876")
    assert PHONE_NUMBER.search("ring 070-123 45 67")


def test_records_give_codes_and_aware_times(two_years):
    first = next(two_years.records())
    assert first["occurred_at"].tzinfo is TIMEZONE
    assert first["category_code"] in CATEGORY_CODES
    assert first["area_code"].startswith("DEMO-0163-")
    assert first["organisation_kind"] in ORGANISATION_KINDS
