"""An indicator's periods: ISO weeks, months, quarters and years, each stored as its first
day. Parsing accepts what people type and what Excel writes; labels are Swedish-style
("2026-W47", "2026-03", "2026 K1", "2026")."""

import re
from datetime import date, timedelta

from django.utils.translation import gettext as _

from lagesbild.incidents import weeks

WEEK, MONTH, QUARTER, YEAR = "week", "month", "quarter", "year"
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[ T][\d:.]+)?\s*$")
_QUARTER = re.compile(r"^\s*(\d{4})\s*[- ]?\s*[QK](\d)\s*$", re.IGNORECASE)
_YEAR = re.compile(r"^\s*(\d{4})(?:\.0)?\s*$")
_WEEK_PLAIN = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def _check_year(year: int) -> int:
    if not weeks.FIRST_YEAR <= year <= weeks.LAST_YEAR:
        raise ValueError(year)
    return year


def parse(kind: str, text: str) -> date:
    """The first day of the period `text` names; ValueError if it names none. A date names
    the period it falls in, so an Excel date column works for every kind."""
    text = (text or "").strip()
    if kind == WEEK:
        plain = _WEEK_PLAIN.match(text)
        if plain:
            text = f"{plain.group(1)}-W{plain.group(2)}"
        try:
            return weeks.monday(weeks.parse(text))
        except ValueError:
            return start(kind, _as_date(text))
    if kind == QUARTER:
        match = _QUARTER.match(text)
        if match:
            number = int(match.group(2))
            if not 1 <= number <= 4:
                raise ValueError(text)
            return date(_check_year(int(match.group(1))), 3 * number - 2, 1)
    if kind == YEAR:
        match = _YEAR.match(text)
        if match:
            return date(_check_year(int(match.group(1))), 1, 1)
    return start(kind, _as_date(text))


def _as_date(text: str) -> date:
    match = _MONTH.match(text)
    if not match:
        raise ValueError(text)
    year, month = _check_year(int(match.group(1))), int(match.group(2))
    return date(year, month, int(match.group(3) or 1))


def start(kind: str, day: date) -> date:
    """The first day of the period of `kind` that `day` falls in."""
    if kind == WEEK:
        return day - timedelta(days=day.weekday())
    if kind == MONTH:
        return day.replace(day=1)
    if kind == QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def shift(kind: str, first: date, steps: int) -> date:
    """The period `steps` periods after (or before, if negative) the one starting `first`."""
    if kind == WEEK:
        return first + timedelta(weeks=steps)
    months = {MONTH: 1, QUARTER: 3, YEAR: 12}[kind] * steps
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def key(kind: str, first: date) -> tuple[int, int]:
    """(year, number within the year) as analysis/indicators.py takes it."""
    if kind == WEEK:
        year, week, _weekday = first.isocalendar()
        return year, week
    if kind == MONTH:
        return first.year, first.month
    if kind == QUARTER:
        return first.year, (first.month - 1) // 3 + 1
    return first.year, 1


def from_key(kind: str, period: tuple[int, int]) -> date:
    """The first day of the period `key` gives as (year, number)."""
    year, number = period
    if kind == WEEK:
        return date.fromisocalendar(year, number, 1)
    if kind == MONTH:
        return date(year, number, 1)
    if kind == QUARTER:
        return date(year, 3 * number - 2, 1)
    return date(year, 1, 1)


def label(kind: str, first: date) -> str:
    """How a period is written on pages and in files: 2026-W47, 2026-03, 2026 K1, 2026."""
    year, number = key(kind, first)
    if kind == WEEK:
        return f"{year}-W{number:02d}"
    if kind == MONTH:
        return f"{year}-{number:02d}"
    if kind == QUARTER:
        return _("%(year)s K%(quarter)s") % {"year": year, "quarter": number}
    return str(year)


def example(kind: str) -> str:
    """How to write a period of `kind` in a file, for error messages and help texts."""
    return {WEEK: "2026-W47", MONTH: "2026-03", QUARTER: "2026-K1", YEAR: "2026"}[kind]


def label_for_input(kind: str, first: date) -> str:
    """How a period is typed (what `parse` reads back): as `example` shows."""
    if kind == QUARTER:
        year, number = key(kind, first)
        return f"{year}-K{number}"
    return label(kind, first)
