"""ISO 8601 weeks as one integer time axis.

Every weekly series in ``analysis`` is indexed by the *week index*: the number of whole weeks
since Monday 1969-12-29, the Monday of ISO week 1970-W01. Week index 0 is 1970-W01, and
``week_index`` of any day in an ISO week gives the same number, so differences of week
indices are differences in weeks, with no 52/53-week arithmetic for the caller.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

EPOCH_MONDAY = dt.date(1969, 12, 29)
_EPOCH_DAY = -3  # 1969-12-29 counted in days since 1970-01-01


def week_index(day: dt.date | dt.datetime | np.datetime64 | np.ndarray) -> int | np.ndarray:
    """Week index of a date, a datetime or ``numpy.datetime64`` values (scalar or array).

    Datetimes are taken at their own wall-clock date: convert to Swedish local time first.
    """
    if isinstance(day, np.ndarray | np.datetime64):
        days = np.asarray(day).astype("datetime64[D]").astype(np.int64)
        index = (days - _EPOCH_DAY) // 7
        return index if isinstance(day, np.ndarray) else int(index)
    if isinstance(day, dt.datetime):
        day = day.date()
    return (day - EPOCH_MONDAY).days // 7


def monday(index: int) -> dt.date:
    """The Monday that starts week ``index``."""
    return EPOCH_MONDAY + dt.timedelta(weeks=int(index))


def iso_week(index: int) -> tuple[int, int]:
    """(ISO year, ISO week number) of week ``index``."""
    year, week, _ = monday(index).isocalendar()
    return year, week


def iso_weeks(index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised ``iso_week``: arrays of ISO years and week numbers."""
    thursday = (np.asarray(index, dtype=np.int64) * 7 + _EPOCH_DAY + 3).astype("datetime64[D]")
    year = thursday.astype("datetime64[Y]")
    day_of_year = (thursday - year.astype("datetime64[D]")).astype(np.int64)
    return year.astype(np.int64) + 1970, day_of_year // 7 + 1


def from_iso(year: int, week: int) -> int:
    """Week index of ISO ``year``-W``week``; raises ValueError for a week the year lacks."""
    return week_index(dt.date.fromisocalendar(year, week, 1))


def label(index: int) -> str:
    """The ISO label of a week, e.g. ``"2026-W47"``."""
    year, week = iso_week(index)
    return f"{year}-W{week:02d}"


def weeks_in_year(year: int) -> int:
    """52 or 53: the number of ISO weeks in ``year``."""
    return dt.date(year, 12, 28).isocalendar()[1]


def years_back(index: int, years: int) -> int:
    """The week that is ``years`` calendar years before week ``index``.

    It is the week whose Monday is nearest to the Monday of ``index`` moved back by whole
    calendar years (29 February becomes 1 March). This is the reference-week rule of R's
    ``surveillance::farringtonFlexible`` for weekly data with dates, so baselines built on it
    use the same comparable past weeks as R.
    """
    start = monday(index)
    try:
        shifted = start.replace(year=start.year - years)
    except ValueError:  # 29 February in a year that has none
        shifted = dt.date(start.year - years, 3, 1)
    return week_index(shifted + dt.timedelta(days=3))
