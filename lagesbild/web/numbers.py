"""The one rule for every figure the app shows, on pages, in PDFs and in sentences: rounded
half away from zero (3.55 -> 3,6, as people and Excel round) to a fixed number of decimals,
in the active locale (decimal comma in Swedish).

Django's own number formatting cuts the decimals instead of rounding (3.58 -> "3,5"), and
Python's round() rounds half to even on the binary value (round(2.25, 1) == 2.2), so neither is
used for figures directly.
"""

import math
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

MISSING = "–"


def rounded(value, decimals: int = 1) -> Decimal | None:
    """`value` rounded half away from zero as a Decimal; None for None and NaN. The float's
    shortest text form is rounded, so 2.675 becomes 2.68 as it reads, not 2.67 as it is
    stored. A negative value that rounds to zero is zero (never "-0,0")."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return abs(exact) if exact == 0 else exact


def figure(value, decimals: int = 1) -> str:
    """A figure for people to read: '3,6', '12', '–' for an unknown value."""
    exact = rounded(value, decimals)
    if exact is None:
        return MISSING
    return number_format(exact, decimals, use_l10n=True)
