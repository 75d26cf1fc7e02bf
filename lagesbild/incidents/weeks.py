"""ISO weeks as the app stores and shows them: the integer YYYYWW (202647), "2026-W47" in
URLs and "vecka 47, 2026" on pages. Weeks are taken in the partnership's time zone."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

_WEEK_RE = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)

# The years the app works in. No incident is older than FIRST_YEAR (the services refuse it),
# and a date outside these is a typing error; arithmetic on weeks and periods (the weeks
# before, the periods of a trend) also stays well inside Python's calendar (years 1-9999).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def in_calendar(day: date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def week_code(moment: datetime, time_zone: str = "Europe/Stockholm") -> int:
    """The ISO week (YYYYWW) a moment falls in, in the given time zone."""
    local = moment.astimezone(ZoneInfo(time_zone)) if moment.tzinfo else moment
    year, week, _ = local.isocalendar()
    return year * 100 + week


def week_of_date(day: date) -> int:
    year, week, _ = day.isocalendar()
    return year * 100 + week


def monday(code: int) -> date:
    return date.fromisocalendar(code // 100, code % 100, 1)


def last_day(code: int) -> date:
    """The week's Sunday."""
    return monday(code) + timedelta(days=6)


def shift(code: int, weeks: int) -> int:
    """The week `weeks` weeks after (or before, if negative) the given one."""
    return week_of_date(monday(code) + timedelta(weeks=weeks))


def parse(text: str) -> int:
    """'2026-W47' or '2026W47' to 202647; ValueError if it is not a real ISO week of the
    years the app works in."""
    match = _WEEK_RE.match(text or "")
    if not match or not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        raise ValueError(text)
    code = int(match.group(1)) * 100 + int(match.group(2))
    monday(code)  # raises ValueError for week 53 in a 52-week year, week 0 and so on
    return code


def iso(code: int) -> str:
    return f"{code // 100}-W{code % 100:02d}"


def bounds(code: int, time_zone: str = "Europe/Stockholm") -> tuple[datetime, datetime]:
    """Start (Monday 00:00) and end (next Monday 00:00) of the week as aware datetimes."""
    tz = ZoneInfo(time_zone)
    start = monday(code)
    return (
        datetime(start.year, start.month, start.day, tzinfo=tz),
        datetime.combine(start + timedelta(weeks=1), datetime.min.time(), tzinfo=tz),
    )


def local_date(moment: datetime, time_zone: str = "Europe/Stockholm") -> date:
    """The calendar date of a moment in the given time zone."""
    return moment.astimezone(ZoneInfo(time_zone)).date()
