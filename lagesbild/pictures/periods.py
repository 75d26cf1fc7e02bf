"""The periods of the periodic pictures (quarter, tertial, year): their names ("2026-Q3",
"2026-T1", "2026"), arithmetic and last days, and the last day of a weekly picture's week.
Imports nothing that reads partnership data, so the access rules can use it."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from lagesbild.incidents import weeks
from lagesbild.pictures.models import PeriodKind

_PATTERNS = {
    PeriodKind.QUARTER: (re.compile(r"^(\d{4})-Q([1-4])$"), 3),
    PeriodKind.TERTIAL: (re.compile(r"^(\d{4})-T([1-3])$"), 4),
    PeriodKind.YEAR: (re.compile(r"^(\d{4})$"), 12),
}
PERIOD_KINDS = tuple(_PATTERNS)  # the kinds of periodic picture


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    number: int  # quarter 1-4, tertial 1-3, 1 for a year
    months: int  # months per period

    @classmethod
    def parse(cls, text: str) -> "Period":
        for kind, (pattern, months) in _PATTERNS.items():
            match = pattern.match(text or "")
            if match and weeks.FIRST_YEAR <= int(match.group(1)) <= weeks.LAST_YEAR:
                number = int(match.group(2)) if kind != PeriodKind.YEAR else 1
                return cls(kind, int(match.group(1)), number, months)
        raise ValueError(text)

    @classmethod
    def containing(cls, kind: str, day: date) -> "Period":
        months = _PATTERNS[kind][1]
        return cls(kind, day.year, (day.month - 1) // months + 1, months)

    def __str__(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return str(self.year)
        letter = "Q" if self.kind == PeriodKind.QUARTER else "T"
        return f"{self.year}-{letter}{self.number}"

    @property
    def first_month(self) -> date:
        return date(self.year, (self.number - 1) * self.months + 1, 1)

    @property
    def last_day(self) -> date:
        return self.shift(1).first_month - timedelta(days=1)

    def shift(self, steps: int) -> "Period":
        per_year = 12 // self.months
        index = self.year * per_year + self.number - 1 + steps
        return Period(self.kind, index // per_year, index % per_year + 1, self.months)

    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return _("år %(y)s") % {"y": self.year}
        name = _("kvartal") if self.kind == PeriodKind.QUARTER else _("tertial")
        return f"{name} {self.number} {self.year}"


def last_day(period_kind: str, period: str) -> date:
    """The last day of a picture's period, a week or a quarter, tertial or year."""
    if period_kind == PeriodKind.WEEK:
        return weeks.last_day(weeks.parse(period))
    return Period.parse(period).last_day


def today_for(partnership) -> date:
    return weeks.local_date(timezone.now(), partnership.time_zone)
