"""The privacy guard for free text: the one rule set for the form, the API and imports.

Incidents describe places and events, never persons (DESIGN.md, "privacy by construction").
`check_text` finds what must not be stored:

- **blocking**: Swedish personal identity numbers (personnummer) and coordination numbers
  (samordningsnummer, the day of birth plus 60), with or without century and separator, and
  only when the date exists and the Luhn check digit is right; these are refused;
- **warnings**: anything else shaped like a date of birth plus four digits (a mistyped number
  with a wrong check digit is still a person's number), phone numbers, e-mail addresses and
  Swedish licence plates; the reporter must remove them or confirm that they may be kept (a
  case number, a shop's switchboard, a municipal mailbox). Where text has no confirmation step
  (assessment comments, minutes, decisions, interventions) a number shaped like an identity
  number is refused too.

The patterns read a normalised copy of the text, so the spelling of a number does not get it
past the guard: compatibility forms are folded (NFKC: fullwidth digits, non-breaking spaces),
digits of any script become ASCII digits, invisible format characters (zero-width space, soft
hyphen) are dropped, every dash becomes "-", runs of white space become one space, and a line
break inside a number is read both as a space and as nothing. Spans still point into the
original text.

Every finding has a stable `kind` (also the code of its `ValidationError`), its span in the
text, a masked copy for display and a Swedish message that says why. The rules lean towards
quiet: dates, times, case and order numbers, postcodes, amounts and week numbers must not be
flagged, or reporters learn to click warnings away.
"""

import bisect
import datetime
import functools
import re
import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(StrEnum):
    """What a finding is; the values are stable codes for forms, the API and import logs."""

    PERSONAL_IDENTITY_NUMBER = "personal_identity_number"
    COORDINATION_NUMBER = "coordination_number"
    POSSIBLE_IDENTITY_NUMBER = "possible_identity_number"
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
    Kind.POSSIBLE_IDENTITY_NUMBER: _(
        "Texten innehåller ett nummer med samma form som ett personnummer (%(masked)s), "
        "fast kontrollsiffran inte stämmer. Är det ett personnummer ska det tas bort; är det "
        "något annat, till exempel ett ärendenummer, bekräfta att det får sparas."
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

# Where there is no confirmation step, a number shaped like an identity number is refused.
REFUSED_POSSIBLE_MESSAGE = _(
    "Texten innehåller ett nummer med samma form som ett personnummer (%(masked)s). Ta bort "
    "det, eller skriv det så att det inte kan förväxlas med ett personnummer."
)

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

    def findings(self, *kinds: Kind) -> list[Finding]:
        """The findings of the given kinds, in text order."""
        return sorted(
            (f for f in (*self.blocking, *self.warnings) if f.kind in kinds),
            key=lambda f: f.start,
        )

    def messages(self) -> list[str]:
        """What a form or an import log shows: refusals first, then the warnings."""
        return [finding.message for finding in (*self.blocking, *self.warnings)]


# Every line break character str.splitlines() knows.
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
# Characters a number is written with; a line break between two of them (one a digit) may be
# a wrapped or split number.
_NUMBER_CHARS = frozenset("0123456789-+./")
# What _collapse changes: a run with a line break, or of more than one space.
_WHITE_SPACE_TO_FOLD = re.compile(r"[ \n]{2,}|\n")


@dataclass(frozen=True)
class _Normalised:
    """The text as the patterns read it; origin[i] is the index in the original text of the
    character text[i] came from, so a match can be mapped back to the original span."""

    text: str
    origin: list[int]

    def span(self, match: re.Match[str]) -> tuple[int, int]:
        start, end = match.span()
        return self.origin[start], self.origin[end - 1] + 1


@functools.cache
def _fold(char: str) -> str | None:
    """One character as the patterns read it (cached: texts repeat their characters): ""
    for an invisible format character, None for a combining mark, else its NFKC form with
    line breaks as "\n", other white space as " ", every dash as "-" and digits as ASCII."""
    category = unicodedata.category(char)
    if category == "Cf":
        return ""
    if category in ("Mn", "Me"):
        return None
    pieces = []
    for piece in unicodedata.normalize("NFKC", char):
        digit = unicodedata.decimal(piece, None)
        if piece in _LINE_BREAKS:
            pieces.append("\n")
        elif piece.isspace():
            pieces.append(" ")
        elif piece == "\u2212" or unicodedata.category(piece) == "Pd":  # minus and dashes
            pieces.append("-")
        else:
            pieces.append(piece if digit is None else str(digit))
    return "".join(pieces)


class _OneToOneFolds(dict):
    """A str.translate table of the characters that fold to exactly one character, filled
    as they are met; any other character translates to NOT_ONE_TO_ONE."""

    NOT_ONE_TO_ONE = "\uffff"

    def __missing__(self, code: int) -> str:
        folded = _fold(chr(code))
        self[code] = folded if folded is not None and len(folded) == 1 else self.NOT_ONE_TO_ONE
        return self[code]


_ONE_TO_ONE_FOLDS = _OneToOneFolds()


def _readings(text: str) -> list[_Normalised]:
    """The text folded as the module docstring says: one reading, and a second one where line
    breaks inside a number are dropped when the text has a line break."""
    folded_text = text.translate(_ONE_TO_ONE_FOLDS)
    if _OneToOneFolds.NOT_ONE_TO_ONE not in folded_text:
        # Most texts: every character folds to one, so the origin is the position itself.
        origin = list(range(len(text)))
    else:
        folded_text, origin = _fold_text(text)
    readings = [_collapse(folded_text, origin, join_lines=False)]
    if "\n" in folded_text:
        readings.append(_collapse(folded_text, origin, join_lines=True))
    return readings


def _fold_text(text: str) -> tuple[str, list[int]]:
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = _fold(char)
        if folded is None:
            # A combining mark on a digit would hide it from the patterns; elsewhere it stays.
            if chars and chars[-1].isdigit():
                continue
            folded = char
        chars.extend(folded)
        origin.extend([index] * len(folded))
    return "".join(chars), origin


def _collapse(folded: str, origin: list[int], *, join_lines: bool) -> _Normalised:
    """Each run of white space as one space; with `join_lines`, a run holding a line break
    between number characters (one of them a digit) keeps only a space typed in it."""
    out: list[str] = []
    out_origin: list[int] = []
    last = 0
    for run in _WHITE_SPACE_TO_FOLD.finditer(folded):
        start, end = run.span()
        out.append(folded[last:start])
        out_origin.extend(origin[last:start])
        before = folded[start - 1] if start else ""
        after = folded[end] if end < len(folded) else ""
        wrapped = (
            join_lines
            and "\n" in run[0]
            and before in _NUMBER_CHARS
            and after in _NUMBER_CHARS
            and (before.isdigit() or after.isdigit())
        )
        if not wrapped or " " in run[0]:
            out.append(" ")
            out_origin.append(origin[start])
        last = end
    out.append(folded[last:])
    out_origin.extend(origin[last:])
    return _Normalised("".join(out), out_origin)


# A date of birth, YYMMDD or YYYYMMDD (century 19 or 20), then four digits (the serial and the
# check digit). The date's parts may be split by one separator used twice (1912.12.12,
# 1912 12 12, 1912-12-12); then the serial needs a "-" or "+" (1912 12 12 - 1212), since a
# date followed by a time ("2024-03-15 2130") is common and not a person. "-" is the usual
# separator, "+" marks a person of 100 or more, and a space is how many people type it.
# Digits on either side mean a longer number (an order number, an IBAN), and a separator and a
# digit after it mean a date range or another date, not an identity number.
_IDENTITY_NUMBER = re.compile(
    r"""
    (?=[0-9])(?<![0-9])
    (?P<century>19|20)?
    (?P<year>[0-9]{2})(?P<dsep>[-./ ])?(?P<month>[0-9]{2})(?(dsep)(?P=dsep))(?P<day>[0-9]{2})
    (?P<separator>(?(dsep)\ ?[-+]\ ?|(?:\ ?[-+]\ ?|\ )?))
    (?P<serial>[0-9]{4})
    (?![0-9])(?![-./:,][0-9])
    """,
    re.VERBOSE,
)

# The masked copy of a possible identity number written as ten bare digits that could be
# dialled as a Swedish national number: the trunk 0, then an area code from 1 to 9 (00 starts
# an international number, so 0001011234 is no phone number but someone born 2000-01-01).
_BARE_FROM_ZERO = re.compile(r"0[1-9][0-9]{4}\*{4}")

# A national number starts with the trunk 0, an international one with +46 or 0046 (sometimes
# followed by "(0)"); 6-9 further digits follow in groups split by a space or a hyphen. Not
# after a word, a digit, a hyphen, a slash or a decimal sign, so "2024-0312" and "1,07" are
# not the start of a phone number. An opening parenthesis belongs to the number only when it
# encloses the area code, "(08) 123 45 67"; in "(0701234567)" it belongs to the sentence.
_PHONE_NUMBER = re.compile(
    r"""
    (?<![\w+\-/.,])
    (?:(?:\+|00)46[ ]?(?:\(0\)[ ]?)?|\((?=0[1-9][0-9]{0,2}\))0|0)
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
    """Find identity numbers (blocking), numbers shaped like them, phones, e-mails and plates
    (warnings) in text."""
    readings = _readings(text)
    normalised = readings[0]
    numbers = _identity_numbers(*readings)
    blocking = [finding for finding in numbers if finding.blocking]
    taken = [(finding.start, finding.end) for finding in blocking]
    warnings = []
    # Earlier finders win an overlap, so a span is never reported twice: an identity number
    # inside an e-mail address is refused once, a phone number inside one is not warned again,
    # and ten bare digits from the trunk 0 (0701234567) are warned as the phone number they
    # more likely are, also where only the reading without line breaks finds them.
    possible = [finding for finding in numbers if not finding.blocking]
    phone_like = [finding for finding in possible if _BARE_FROM_ZERO.fullmatch(finding.masked)]
    for findings in (
        [finding for finding in possible if finding not in phone_like],
        _email_addresses(normalised),
        _phone_numbers(normalised),
        [_as_phone_number(finding) for finding in phone_like],
        _licence_plates(normalised),
    ):
        warnings.extend(finding for finding in findings if _claim(taken, finding))
    return PrivacyReport(
        blocking=tuple(blocking), warnings=tuple(sorted(warnings, key=lambda f: f.start))
    )


def validate_no_identity_numbers(value: str) -> None:
    """Validator for text without a confirmation step (assessment comments, minutes,
    decisions, interventions): refuse identity numbers and numbers shaped like them."""
    errors = []
    for finding in check_text(value).findings(Kind.POSSIBLE_IDENTITY_NUMBER, *BLOCKING_KINDS):
        if finding.blocking:
            errors.append(finding.as_validation_error())
        else:
            errors.append(
                ValidationError(
                    REFUSED_POSSIBLE_MESSAGE,
                    code=finding.kind.value,
                    params={"masked": finding.masked},
                )
            )
    if errors:
        raise ValidationError(errors)


def validate_free_text(value: str, *, warnings_confirmed: bool) -> None:
    """Refuse identity numbers, and the warnings (numbers shaped like identity numbers,
    phones, e-mails and plates) unless the user confirmed them.

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


def _identity_numbers(*readings: _Normalised) -> list[Finding]:
    """Identity numbers and numbers shaped like them in any of the readings of one text,
    each span once, in text order.

    Where readings overlap, a valid number wins over one with a wrong check digit, and then
    the longer span over the shorter: "2001066964\n05" is refused for the 2001066964 on its
    first line, though read as one number (20010669-6405) its check digit is wrong, and
    "2001010100\n07" is refused as one number (20010101-0007), though the ten digits on its
    first line alone have a wrong check digit.
    """
    found: dict[tuple[int, int], Finding] = {}
    # The reading with line breaks dropped first: where both find the same span, it is the
    # number as typed before it wrapped ("010101\n0008" is ten bare digits from the trunk).
    for normalised in reversed(readings):
        for match in _IDENTITY_NUMBER.finditer(normalised.text):
            kind = _identity_kind(match)
            if kind is not None:
                # Mask the serial and check digit; the birth date alone identifies no one.
                digits = len(match["century"] or "") + 6
                finding = _finding(kind, normalised, match, keep=digits)
                found.setdefault((finding.start, finding.end), finding)
    taken: list[tuple[int, int]] = []
    claimed = [
        finding
        for finding in sorted(found.values(), key=lambda f: (not f.blocking, f.start, -f.end))
        if _claim(taken, finding)
    ]
    return sorted(claimed, key=lambda f: f.start)


def _identity_kind(match: re.Match[str]) -> Kind | None:
    """Which kind of identity number the match is: a personal identity or coordination number
    when the date exists and the check digit is right, a possible one when only the date
    could be a date of birth, None when no date of birth is written there."""
    date = match["year"] + match["month"] + match["day"]
    month, day = int(match["month"]), int(match["day"])
    coordination = day > 60
    if coordination:
        day -= 60
    if not _luhn_valid(date + match["serial"]):
        return Kind.POSSIBLE_IDENTITY_NUMBER if _past_birth_date(match, month, day) else None
    if match["century"]:
        year = int(match["century"] + match["year"])
    else:
        # The century is unknown; "+" says the person is 100 or older, so born in the 1800s or
        # 1900s, where a year ending in 00 is not a leap year. Otherwise 2000 stands in for
        # any century: a date valid in 20YY is valid in 19YY too, or YY is 00 and 2000 exists.
        year = (1900 if "+" in match["separator"] else 2000) + int(match["year"])
    if not _is_date(year, month, day):
        return None
    return Kind.COORDINATION_NUMBER if coordination else Kind.PERSONAL_IDENTITY_NUMBER


def _past_birth_date(match: re.Match[str], month: int, day: int) -> bool:
    """True when the date could be someone's date of birth: it exists and is not in the
    future (with the century unknown, in the latest century that makes it so)."""
    today = timezone.localdate()
    if match["century"]:
        years = [int(match["century"] + match["year"])]
    else:
        years = [2000 + int(match["year"]), 1900 + int(match["year"])]
    return any(_is_date(y, month, day) and datetime.date(y, month, day) <= today for y in years)


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _luhn_valid(digits: str) -> bool:
    """The Luhn (modulus 10) rule over the ten digits YYMMDDNNNC, weights 2 and 1."""
    total = 0
    for position, char in enumerate(digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return total % 10 == 0


def _phone_numbers(normalised: _Normalised) -> list[Finding]:
    return [
        _finding(Kind.PHONE_NUMBER, normalised, match, keep=3)
        for match in _PHONE_NUMBER.finditer(normalised.text)
        if not _DATE_OR_TIME_RANGE.fullmatch(match[0])
    ]


def _as_phone_number(finding: Finding) -> Finding:
    """A possible identity number of ten bare digits from the trunk 0, as a phone number."""
    return replace(finding, kind=Kind.PHONE_NUMBER, masked=_mask(finding.masked, keep=3))


def _email_addresses(normalised: _Normalised) -> list[Finding]:
    findings = []
    for match in _EMAIL_ADDRESS.finditer(normalised.text):
        # The domain stays readable: it tells a shared municipal mailbox from a private one.
        local, domain = match[0].split("@", 1)
        masked = f"{_mask(local, keep=1)}@{domain}"
        findings.append(Finding(Kind.EMAIL_ADDRESS, *normalised.span(match), masked))
    return findings


def _licence_plates(normalised: _Normalised) -> list[Finding]:
    return [
        _finding(Kind.LICENCE_PLATE, normalised, match, keep=2)
        for match in _LICENCE_PLATE.finditer(normalised.text)
        if match[0][:3].upper() not in _NOT_PLATE_LETTERS
    ]


def _finding(kind: Kind, normalised: _Normalised, match: re.Match[str], *, keep: int) -> Finding:
    """A finding at the match's span in the original text, masked as the patterns read it."""
    return Finding(kind, *normalised.span(match), _mask(match[0], keep=keep))


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
