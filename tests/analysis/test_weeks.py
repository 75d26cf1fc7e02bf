import datetime as dt

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from analysis import weeks

days = st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2100, 12, 31))


def test_week_zero_is_1970_w01():
    assert weeks.week_index(dt.date(1969, 12, 29)) == 0
    assert weeks.week_index(dt.date(1970, 1, 4)) == 0
    assert weeks.week_index(dt.date(1970, 1, 5)) == 1
    assert weeks.label(0) == "1970-W01"


def test_known_iso_weeks():
    assert weeks.iso_week(weeks.week_index(dt.date(2026, 11, 18))) == (2026, 47)
    assert weeks.iso_week(weeks.week_index(dt.date(2021, 1, 3))) == (2020, 53)
    assert weeks.weeks_in_year(2020) == 53
    assert weeks.weeks_in_year(2021) == 52


@given(days)
def test_round_trip_through_iso_and_monday(day):
    index = weeks.week_index(day)
    year, week = weeks.iso_week(index)
    assert (year, week) == day.isocalendar()[:2]
    assert weeks.from_iso(year, week) == index
    assert weeks.monday(index) <= day < weeks.monday(index) + dt.timedelta(days=7)


@given(st.lists(days, min_size=1, max_size=20))
def test_vectorised_forms_agree_with_scalar_ones(day_list):
    array = np.array(day_list, dtype="datetime64[D]")
    index = weeks.week_index(array)
    assert list(index) == [weeks.week_index(d) for d in day_list]
    years, numbers = weeks.iso_weeks(index)
    assert list(zip(years, numbers, strict=True)) == [weeks.iso_week(i) for i in index]


def test_timestamps_count_by_their_local_date():
    stamps = np.array(["2026-11-22T23:59", "2026-11-23T00:01"], dtype="datetime64[m]")
    first, second = weeks.week_index(stamps)
    assert second == first + 1


def test_years_back_picks_the_nearest_monday_like_r():
    # Monday 2026-11-16 minus one year is Sunday 2025-11-16: nearest Monday is 2025-11-17.
    index = weeks.week_index(dt.date(2026, 11, 16))
    assert weeks.monday(weeks.years_back(index, 1)) == dt.date(2025, 11, 17)
    # Monday 2024-02-26 minus 2 years: 2022-02-26 (Saturday) -> Monday 2022-02-28.
    index = weeks.week_index(dt.date(2024, 2, 26))
    assert weeks.monday(weeks.years_back(index, 2)) == dt.date(2022, 2, 28)


@given(days, st.integers(1, 6))
def test_years_back_stays_within_three_days_of_the_calendar_date(day, years):
    index = weeks.week_index(day)
    start = weeks.monday(index)
    target = dt.date(start.year - years, start.month, min(start.day, 28))
    back = weeks.monday(weeks.years_back(index, years))
    assert abs((back - target).days) <= 3 + (start.day - min(start.day, 28))
