"""The privacy guard for free text: the one rule set for the form, the API and imports.

Incidents describe places and events, never persons (DESIGN.md, "privacy by construction").
`check_text` finds what must not be stored:

- **blocking**: Swedish personal identity numbers (personnummer) and coordination numbers
  (samordningsnummer, the day of birth plus 60), with or without century and separator, and
  only when the date exists and the Luhn check digit is right; these are refused;
- **warnings**: phone numbers, e-mail addresses and Swedish licence plates; the reporter must
  remove them or confirm that they may be kept (a shop's switchboard, a municipal mailbox).

Every finding has a stable `kind` (also the code of its `ValidationError`), its span in the
text, a masked copy for display and a Swedish message that says why. The rules lean towards
quiet: dates, times, case and order numbers, postcodes, amounts and week numbers must not be
flagged, or reporters learn to click warnings away.
"""

import bisect
import datetime
import re
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class Kind(StrEnum):
    """What a finding is; the values are stable codes for forms, the API and import logs."""

    PERSONAL_IDENTITY_NUMBER = "personal_identity_number"
    COORDINATION_NUMBER = "coordination_number"
    PHONE_NUMBER = "phone_number"
    EMAIL_ADDRESS = "email_address"
    LICENCE_PLATE = "licence_plate"


BLOCKING_KINDS = frozenset({Kind.PERSONAL_IDENTITY_NUMBER, Kind.COORDINATION_NUMBER})

MESSAGES = {
    Kind.PERSONAL_IDENTITY_NUMBER: _(
        "Texten innehåller ett personnummer (%(masked)s). Rapporter beskriver platser och "
        "händelser, aldrig personer, så personnummer får inte sparas. Ta bort numret."
    ),
    Kind.COORDINATION_NUMBER: _(
        "Texten innehåller ett samordningsnummer (%(masked)s). Rapporter beskriver platser och "
        "händelser, aldrig personer, så samordningsnummer får inte sparas. Ta bort numret."
    ),
    Kind.PHONE_NUMBER: _(
        "Texten verkar innehålla ett telefonnummer (%(masked)s). Ta bort det om det kan leda "
        "till en person, eller bekräfta att det får sparas (till exempel en verksamhets växel)."
    ),
    Kind.EMAIL_ADDRESS: _(
        "Texten verkar innehålla en e-postadress (%(masked)s). Ta bort den om den kan leda till "
        "en person, eller bekräfta att den får sparas (till exempel en gemensam funktionsadress)."
    ),
    Kind.LICENCE_PLATE: _(
        "Texten verkar innehålla ett registreringsnummer (%(masked)s). Ett fordon kan leda till "
        "en person: ta bort det, eller bekräfta att det behövs för att beskriva händelsen."
    ),
}

UNCONFIRMED_WARNINGS_MESSAGE = _(
    "Bekräfta att uppgifterna får sparas, eller ta bort dem ur texten."
)


@dataclass(frozen=True)
class Finding:
    """One piece of text the guard objects to, at text[start:end]."""

    kind: Kind
    start: int
    end: int
    masked: str

    @property
    def blocking(self) -> bool:
        return self.kind in BLOCKING_KINDS

    @property
    def message(self) -> str:
        """The Swedish (or active language's) explanation, translated when it is read."""
        return MESSAGES[self.kind] % {"masked": self.masked}

    def as_validation_error(self) -> ValidationError:
        """A lazy error: translated where it is shown, not where the text was checked."""
        return ValidationError(
            MESSAGES[self.kind], code=self.kind.value, params={"masked": self.masked}
        )


@dataclass(frozen=True)
class PrivacyReport:
    """The findings in one text, in the order they appear."""

    blocking: tuple[Finding, ...]
    warnings: tuple[Finding, ...]

    @property
    def clean(self) -> bool:
        return not self.blocking and not self.warnings

    def messages(self) -> list[str]:
        """What a form or an import log shows: refusals first, then the warnings."""
        return [finding.message for finding in (*self.blocking, *self.warnings)]


# Copied text often carries typographic dashes and non-breaking spaces; mapping them one
# character to one character keeps every span valid for the original text.
_NORMALISE = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-")
    | dict.fromkeys("\u00a0\u2007\u202f\t", " ")
)

# 12 digits (century 19 or 20) or 10 digits; "-" is the usual separator, "+" marks a person of
# 100 or more, and a space is how many people type it. Digits on either side mean a longer
# number (an order number, an IBAN), not an identity number.
_IDENTITY_NUMBER = re.compile(
    r"(?<!\d)(?P<century>19|20)?(?P<date>\d{6})(?P<separator>[-+ ]?)(?P<serial>\d{4})(?!\d)"
)

# A national number starts with the trunk 0, an international one with +46 or 0046 (sometimes
# followed by "(0)"); 6-9 further digits follow in groups split by a space or a hyphen. Not
# after a word, a digit, a hyphen, a slash or a decimal sign, so "2024-0312" and "1,07" are
# not the start of a phone number.
_PHONE_NUMBER = re.compile(
    r"""
    (?<![\w+\-/.,])
    (?:(?:\+|00)46[ ]?(?:\(0\)[ ]?)?|\(?0)
    [1-9](?:(?:[ ]?[-)][ ]?|[ ])?\d){5,8}
    (?!\d)
    """,
    re.VERBOSE,
)

# Dates (05-03-2024, 05 03 2024) and time ranges (0800-0930) fit the loose phone pattern.
_DATE_OR_TIME_RANGE = re.compile(
    r"\d\d([- ])\d\d\1(?:19|20)\d\d|(?:[01]\d|2[0-3])[0-5]\d ?- ?(?:[01]\d|2[0-3])[0-5]\d"
)

# Starting only where a run of address characters starts keeps long words linear to scan.
_EMAIL_ADDRESS = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")

# Swedish plates: three letters and three digits (ABC 123) or, since 2019, three letters, two
# digits and a letter (ABC 12A). Plates never use I, Q, V, Å, Ä or Ö, and the last character
# is never the letter O. With a space or hyphen only capitals count, so "och 123 personer"
# stays quiet; written together ("abc123") any case counts, since no Swedish word looks so.
_PLATE_LETTERS = "[A-HJ-PR-UW-Z]"
_PLATE_LAST = "[0-9A-HJ-NPR-UW-Z]"
_LICENCE_PLATE = re.compile(
    rf"(?<!\w)(?:{_PLATE_LETTERS}{{3}}[ -]?\d\d{_PLATE_LAST}"
    rf"|(?i:{_PLATE_LETTERS}{{3}}\d\d{_PLATE_LAST}))(?!\w)"
)

# Capitals followed by a number that are not plates: currency codes in amounts ("SEK 500")
# and the commonest Swedish words, for texts typed in capitals ("BRAND I RUM 102").
_NOT_PLATE_LETTERS = frozenset(
    {"SEK", "EUR", "USD", "NOK", "DKK", "GBP", "CHF"}
    | {"OCH", "ATT", "SOM", "DEN", "DET", "MED", "HAR", "MEN", "ETT", "KAN", "RUM", "HUS"}
)


def check_text(text: str) -> PrivacyReport:
    """Find identity numbers (blocking) and phones, e-mails and plates (warnings) in text."""
    normalised = text.translate(_NORMALISE)
    blocking = _identity_numbers(text, normalised)
    taken = [(finding.start, finding.end) for finding in blocking]
    warnings = []
    # Earlier finders win an overlap, so a span is never reported twice: an identity number
    # inside an e-mail address is refused once, a phone number inside one is not warned again.
    for finder in (_email_addresses, _phone_numbers, _licence_plates):
        warnings.extend(finding for finding in finder(text, normalised) if _claim(taken, finding))
    return PrivacyReport(
        blocking=tuple(blocking), warnings=tuple(sorted(warnings, key=lambda f: f.start))
    )


def validate_no_identity_numbers(value: str) -> None:
    """Form field and API validator: refuse text holding identity numbers."""
    errors = [finding.as_validation_error() for finding in check_text(value).blocking]
    if errors:
        raise ValidationError(errors)


def validate_free_text(value: str, *, warnings_confirmed: bool) -> None:
    """Refuse identity numbers, and phones, e-mails and plates unless the user confirmed them.

    The errors carry the finding codes, so a form can show a confirmation box only when the
    remaining errors are warnings.
    """
    report = check_text(value)
    errors = [finding.as_validation_error() for finding in report.blocking]
    if report.warnings and not warnings_confirmed:
        errors += [finding.as_validation_error() for finding in report.warnings]
        errors.append(ValidationError(UNCONFIRMED_WARNINGS_MESSAGE, code="unconfirmed_warnings"))
    if errors:
        raise ValidationError(errors)


def _identity_numbers(text: str, normalised: str) -> list[Finding]:
    findings = []
    for match in _IDENTITY_NUMBER.finditer(normalised):
        kind = _identity_kind(match)
        if kind is not None:
            # Mask the serial and check digit; the birth date alone does not identify anyone.
            digits = len(match["century"] or "") + len(match["date"])
            findings.append(_finding(kind, text, match, keep=digits))
    return findings


def _identity_kind(match: re.Match[str]) -> Kind | None:
    """Which kind of identity number the match is, or None if its date or check digit fail."""
    date, serial = match["date"], match["serial"]
    if not _luhn_valid(date + serial):
        return None
    if match["century"]:
        year = int(match["century"] + date[:2])
    else:
        # The century is unknown; "+" says the person is 100 or older, so born in the 1800s or
        # 1900s, where a year ending in 00 is not a leap year. Otherwise 2000 stands in for
        # any century: a date valid in 20YY is valid in 19YY too, or YY is 00 and 2000 exists.
        year = (1900 if match["separator"] == "+" else 2000) + int(date[:2])
    month, day = int(date[2:4]), int(date[4:6])
    kind = Kind.PERSONAL_IDENTITY_NUMBER
    if day > 60:
        kind, day = Kind.COORDINATION_NUMBER, day - 60
    try:
        datetime.date(year, month, day)
    except ValueError:
        return None
    return kind


def _luhn_valid(digits: str) -> bool:
    """The Luhn (modulus 10) rule over the ten digits YYMMDDNNNC, weights 2 and 1."""
    total = 0
    for position, char in enumerate(digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return total % 10 == 0


def _phone_numbers(text: str, normalised: str) -> list[Finding]:
    return [
        _finding(Kind.PHONE_NUMBER, text, match, keep=3)
        for match in _PHONE_NUMBER.finditer(normalised)
        if not _DATE_OR_TIME_RANGE.fullmatch(match[0])
    ]


def _email_addresses(text: str, normalised: str) -> list[Finding]:
    findings = []
    for match in _EMAIL_ADDRESS.finditer(normalised):
        # The domain stays readable: it tells a shared municipal mailbox from a private one.
        local, domain = text[match.start() : match.end()].split("@", 1)
        findings.append(
            Finding(Kind.EMAIL_ADDRESS, *match.span(), f"{_mask(local, keep=1)}@{domain}")
        )
    return findings


def _licence_plates(text: str, normalised: str) -> list[Finding]:
    return [
        _finding(Kind.LICENCE_PLATE, text, match, keep=2)
        for match in _LICENCE_PLATE.finditer(normalised)
        if match[0][:3].upper() not in _NOT_PLATE_LETTERS
    ]


def _finding(kind: Kind, text: str, match: re.Match[str], *, keep: int) -> Finding:
    start, end = match.span()
    return Finding(kind, start, end, _mask(text[start:end], keep=keep))


def _mask(value: str, *, keep: int) -> str:
    """Keep the first `keep` letters and digits, star the rest; separators stay readable."""
    masked = []
    for char in value:
        if char.isalnum():
            masked.append(char if keep > 0 else "*")
            keep -= 1
        else:
            masked.append(char)
    return "".join(masked)


def _claim(taken: list[tuple[int, int]], finding: Finding) -> bool:
    """Add the finding's span to the sorted, disjoint spans taken, unless it overlaps one.

    Bisection keeps a text with thousands of findings (a pasted list in an import) fast.
    """
    after = bisect.bisect_left(taken, (finding.end,))
    if after and taken[after - 1][1] > finding.start:
        return False
    taken.insert(after, (finding.start, finding.end))
    return True
