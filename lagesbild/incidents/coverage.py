"""What a partnership's figures cover in time: from which day it reports, and whether a week
is complete, still running or not begun.

Every statistic that compares periods (expected counts, changes against earlier weeks,
trends, the same period a year before, rankings) uses only periods from the coverage start:
the day the coordinator set on the settings page, or else the day of the partnership's first
counted report. Before it the partnership did not report, so those weeks are unknown, not
zeros; a comparison that would need them says "för kort historik" instead.

A week is *complete* once its Sunday has ended in the partnership's time zone. A running
week's count is a count so far: expected counts and flags wait until the week is over
(docs/method/situation-picture.md says why).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Min
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident

COMPLETE, IN_PROGRESS, FUTURE = "complete", "in_progress", "future"


def coverage_start(partnership) -> date | None:
    """The first day the partnership's figures cover: the coordinator's date, else the local
    date of its first counted report; None while it has none."""
    # queries imports this module for the weekly table; the statuses it counts are its own.
    from lagesbild.incidents.queries import COUNTED

    if partnership.coverage_start:
        return partnership.coverage_start
    first = Incident.objects.filter(partnership=partnership, status__in=COUNTED).aggregate(
        first=Min("occurred_at")
    )["first"]
    return weeks.local_date(first, partnership.time_zone) if first else None


def first_week(partnership) -> int | None:
    """The first ISO week (YYYYWW) with coverage: the week the coverage start falls in."""
    start = coverage_start(partnership)
    return weeks.week_of_date(start) if start else None


def current_week(partnership, now: datetime | None = None) -> int:
    return weeks.week_code(now or timezone.now(), partnership.time_zone)


def last_complete_week(partnership, now: datetime | None = None) -> int:
    """The week that ended most recently: the one Tuesday's meeting looks at."""
    return weeks.shift(current_week(partnership, now), -1)


@dataclass(frozen=True)
class WeekState:
    """Where a week stands today: complete, in progress (with the days begun so far) or
    still to come."""

    code: int
    state: str
    days: int  # days of the week begun so far (7 when complete, 0 when to come)

    @property
    def complete(self) -> bool:
        return self.state == COMPLETE

    @property
    def in_progress(self) -> bool:
        return self.state == IN_PROGRESS

    @property
    def future(self) -> bool:
        return self.state == FUTURE


def week_state(partnership, code: int, now: datetime | None = None) -> WeekState:
    start, end = weeks.bounds(code, partnership.time_zone)
    now = now or timezone.now()
    if now >= end:
        return WeekState(code, COMPLETE, 7)
    if now < start:
        return WeekState(code, FUTURE, 0)
    today = weeks.local_date(now, partnership.time_zone)
    return WeekState(code, IN_PROGRESS, (today - weeks.monday(code)).days + 1)


def covered_weeks(partnership, codes: list[int]) -> list[int]:
    """The weeks among `codes` the partnership's figures cover."""
    first = first_week(partnership)
    return [c for c in codes if first is not None and c >= first]
