"""The numbers behind a weekly flag, and the one Swedish sentence that explains it.

``numbers(result, row)`` gives what a person needs to judge a flag; ``sentence(...)`` fills
the template with names the caller passes in, e.g.

    Skadegörelse i Tureberg: 9 händelser vecka 47, normalt 2–5 (förväntat 3,1). Ovanligt högt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from analysis.deviations import DEVIATION, LEVEL_NAMES, UNTESTED, WATCH, Deviations
from analysis.weeks import iso_week


@dataclass(frozen=True)
class FlagNumbers:
    """One series' week: counts, baseline and test, ready for a table or a sentence."""

    week: int
    observed: int
    observed_4w: int
    expected: float
    normal_low: int
    normal_high: int
    threshold: int
    p_value: float
    p_adjusted: float
    level: str
    tested: bool
    rising: bool
    rising_since: int | None
    p_4w: float = math.nan


def numbers(result: Deviations, row: int) -> FlagNumbers:
    """The numbers of series ``row`` of a ``Deviations`` result."""
    tested = bool(result.method[row] != UNTESTED)
    since = int(result.rising_since[row])
    return FlagNumbers(
        week=result.week,
        observed=int(result.observed[row]),
        observed_4w=int(result.observed_4w[row]),
        expected=float(result.expected[row]),
        normal_low=int(result.normal_low[row]) if tested else 0,
        normal_high=int(result.normal_high[row]) if tested else 0,
        threshold=int(result.threshold[row]) if tested else 0,
        p_value=float(result.p_value[row]),
        p_adjusted=float(result.p_adjusted[row]),
        level=LEVEL_NAMES[result.level[row]],
        tested=tested,
        rising=bool(result.rising[row]),
        rising_since=since if since >= 0 else None,
        p_4w=float(result.p_windows[row, result.windows.index(4)])
        if 4 in result.windows
        else math.nan,
    )


def decimal(value: float, digits: int = 1) -> str:
    """A number with a Swedish decimal comma: 3.14 -> "3,1"."""
    return f"{value:.{digits}f}".replace(".", ",")


def chance(p: float) -> str:
    """How often at least this many happen by chance, in words."""
    if p >= 0.01:
        return f"ungefär {round(p * 100)} gånger på 100"
    if p >= 0.001:
        return f"ungefär {round(p * 1000)} gånger på 1 000"
    return "färre än 1 gång på 1 000"


def sentence(flag: FlagNumbers, *, category: str, area: str) -> str:
    """One Swedish sentence for a series' week; ``category`` and ``area`` are display names."""
    count = "1 händelse" if flag.observed == 1 else f"{flag.observed} händelser"
    head = f"{category} i {area}: {count} vecka {iso_week(flag.week)[1]}"
    if not flag.tested:
        return f"{head}. För kort historik för att jämföra."
    normal = (
        f"{flag.normal_low}"
        if flag.normal_low == flag.normal_high
        else f"{flag.normal_low}–{flag.normal_high}"
    )
    text = f"{head}, normalt {normal} (förväntat {decimal(flag.expected)}). {_verdict(flag)}"
    if flag.level in (LEVEL_NAMES[WATCH], LEVEL_NAMES[DEVIATION]) and not math.isnan(flag.p_value):
        if flag.p_4w < flag.p_value:  # the four weeks' sum, not the week, carries the flag
            text += (
                f" De fyra senaste veckorna {flag.observed_4w} händelser; så många eller fler på"
                f" fyra veckor inträffar av slump {chance(flag.p_4w)}."
            )
        else:
            text += f" Så många eller fler inträffar av slump {chance(flag.p_value)}."
    if flag.rising and flag.rising_since is not None:
        text += f" Ökande sedan vecka {iso_week(flag.rising_since)[1]}."
    return text


def _verdict(flag: FlagNumbers) -> str:
    if flag.level == LEVEL_NAMES[DEVIATION]:
        return "Ovanligt högt."
    if flag.level == LEVEL_NAMES[WATCH]:
        return "Något högt, bevaka."
    if flag.observed > flag.normal_high:
        return "Högt, men inom slumpens variation."
    if flag.observed < flag.normal_low:
        return "Lägre än normalt."
    return "Inom det normala."
