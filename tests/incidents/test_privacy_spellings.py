"""The privacy guard against a generated corpus: every way of spelling a valid identity number
is refused, a number of the same shape with a wrong check digit is at least a warning, and
innocent numbers (dates, times, phone numbers, case and order numbers, postcodes, amounts)
written with the same tricks are never taken for one.

The corpus is drawn by hypothesis from the spelling variations that got past the guard:
separators inside the date (1912.12.12-1212, 1912 12 12 - 1212), spaces around the hyphen,
typographic dashes and spaces, digits of other scripts (fullwidth, Arabic-Indic, ...),
invisible format characters (zero-width space, soft hyphen, ...) and line breaks inside the
number. Every number is made up; check digits come from the test's own Luhn function.
"""

import datetime
import re
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from lagesbild.incidents.privacy import Kind, check_text, validate_no_identity_numbers
from tests.incidents.helpers import identity_number, with_wrong_check_digit

# Where each script's zero is; digit d is chr(zero + d). ASCII first, so shrinking ends there.
DIGIT_ZEROS = {
    "ascii": ord("0"),
    "fullwidth": 0xFF10,
    "arabic-indic": 0x0660,
    "extended-arabic-indic": 0x06F0,
    "devanagari": 0x0966,
    "mathematical-bold": 0x1D7CE,
}
DASHES = ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212", "\ufe63", "\uff0d"]
SPACES = [" ", "\u00a0", "\u2007", "\u202f", "\u3000", "\t", "  "]
# Invisible: zero-width space, soft hyphen, zero-width non-joiner and joiner, word joiner,
# byte order mark, left-to-right mark.
INVISIBLE = ["\u200b", "\u00ad", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e"]
LINE_BREAKS = ["\n", "\r\n", "\u2028"]
BIRTHS = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2024, 12, 31))
# The sentences a number is found in.
CONTEXTS = ["{}", "Vittne {} såg det.", "Personnr:{}", "({})", "Lappen: {}, sedan inget mer."]

Spelling = tuple[str, str]  # (the text as written, the number as written inside it)

# A number with a wrong check digit, 070101-000 and one wrong from its check digit.
WRONG_FROM_ZERO = with_wrong_check_digit(identity_number("070101", "000"))


def is_valid_ten(ten: str) -> bool:
    """Whether ten digits YYMMDDNNNC are a valid identity or coordination number (day + 60)
    as the guard reads them without a century: the date exists in 20YY, which 2000 stands in
    for, and the Luhn check digit is right."""
    day = int(ten[4:6])
    try:
        datetime.date(2000 + int(ten[:2]), int(ten[2:4]), day - 60 if day > 60 else day)
    except ValueError:
        return False
    total = 0
    for position, digit in enumerate(int(d) for d in ten):
        doubled = digit * (2 - position % 2)
        total += doubled - 9 if doubled > 9 else doubled
    return total % 10 == 0


def valid_on_one_line(number: str) -> bool:
    """Whether, with each line break read as a space (as the guard also reads it), ten digits
    standing alone are a valid number: 200106696405 broken as "2001066964\n05" has 2001066964
    on its first line, someone born 2020-01-06, and is rightly refused."""
    line_breaks = "".join(LINE_BREAKS)
    spaced = "".join(
        " " if c in line_breaks else "" if c in INVISIBLE else str(unicodedata.decimal(c, c))
        for c in number
    )
    return any(is_valid_ten(ten) for ten in re.findall(r"(?<![0-9])[0-9]{10}(?![0-9])", spaced))


def in_script(text: str, script: str) -> str:
    zero = DIGIT_ZEROS[script]
    return "".join(chr(zero + int(c)) if c.isdigit() else c for c in text)


@st.composite
def spellings(draw, *, check_digit_right: bool = True) -> Spelling:
    """One way of writing a made-up number for a date of birth, in one of CONTEXTS."""
    birth = draw(BIRTHS)
    coordination = draw(st.booleans())
    day = birth.day + (60 if coordination else 0)
    ten = identity_number(f"{birth:%y%m}{day:02d}", f"{draw(st.integers(0, 999)):03d}")
    if not check_digit_right:
        ten = with_wrong_check_digit(ten)
    date, serial = ten[:6], ten[6:]
    century = draw(st.sampled_from(["", str(birth.year // 100)]))
    inner = draw(st.sampled_from(["", " ", ".", "-", "/"]))
    if inner:
        # A date written in parts needs a hyphen (or a plus) before the serial.
        separator = draw(st.sampled_from(["-", " - ", " -", "- "]))
    else:
        separator = draw(st.sampled_from(["-", "", " ", " - "]))
    if birth.year < 1925 and not century and draw(st.booleans()):
        separator = "+"  # a person of 100 or more
    dash = draw(st.sampled_from(DASHES))
    space = draw(st.sampled_from(SPACES))
    parts = [f"{century}{date[:2]}", date[2:4], date[4:]]
    number = inner.join(parts).replace(" ", space) + separator.replace(" ", space) + serial
    number = number.replace("-", dash)
    number = in_script(number, draw(st.sampled_from(list(DIGIT_ZEROS))))
    for _ in range(draw(st.integers(0, 2))):
        # Inside the number, never at its ends: the finding's span starts and ends on digits.
        at = draw(st.integers(1, len(number) - 1))
        number = number[:at] + draw(st.sampled_from(INVISIBLE + LINE_BREAKS)) + number[at:]
    if not check_digit_right:
        # Another reading of the text is a valid number, which the guard rightly refuses.
        assume(not valid_on_one_line(number))
    return draw(st.sampled_from(CONTEXTS)).format(number), number


def findings_in(text: str, *kinds: Kind) -> list:
    report = check_text(text)
    return [f for f in (*report.blocking, *report.warnings) if not kinds or f.kind in kinds]


def only_identity_finding(text: str):
    findings = findings_in(text)
    assert len(findings) == 1, [(f.kind, text[f.start : f.end]) for f in findings]
    return findings[0]


@settings(max_examples=250)
@given(spellings())
# The spellings of the issue (made-up numbers for 12 December 1912 and 1 January 1985).
@example(("1912 12 12 - 1212", "1912 12 12 - 1212"))
@example(("Nr 1912.12.12-1212 på lappen", "1912.12.12-1212"))
@example(("19121212-\u200b1212", "19121212-\u200b1212"))
@example(("1912121\u00ad2-1212", "1912121\u00ad2-1212"))
@example(("\uff11\uff19\uff11\uff12\uff11\uff12\uff11\uff12-\uff11\uff12\uff11\uff12", "")).via(
    "fullwidth digits"
)
@example(("\u0661\u0669\u0661\u0662\u0661\u0662\u0661\u0662-\u0661\u0662\u0661\u0662", "")).via(
    "Arabic-Indic digits"
)
@example(("Vittne 19121212-12\n12 såg det.", "19121212-12\n12"))
# Valid as one number (20010101-0007); the first line alone (2001010100) is not: refused whole.
@example(("2001010100\n07", "2001010100\n07"))
def test_every_spelling_of_a_valid_number_is_refused(spelling: Spelling):
    text, number = spelling
    number = number or text

    finding = only_identity_finding(text)

    assert finding.blocking
    assert finding.kind in (Kind.PERSONAL_IDENTITY_NUMBER, Kind.COORDINATION_NUMBER)
    assert text[finding.start : finding.end] == number
    # The masked copy shows the date of birth only, in plain digits.
    assert "*" * 4 in finding.masked


@settings(max_examples=200)
@given(spellings(check_digit_right=False))
@example(("Vittne 850101-1234 såg det.", "850101-1234"))
# The parenthesis belongs to the sentence, not to the number.
@example(("(0101010008)", "0101010008"))
# 00 starts no Swedish phone number: someone born 2000-01-01.
@example(("0001010009", "0001010009"))
# Only the reading without the line break finds the ten digits: still a phone number.
@example((f"Vittne 0\n{WRONG_FROM_ZERO[1:]} såg det.", f"0\n{WRONG_FROM_ZERO[1:]}"))
# Wrapped where a space could separate the serial: still ten bare digits from the trunk.
@example(("010101\n0008", "010101\n0008"))
def test_every_spelling_with_a_wrong_check_digit_is_a_warning(spelling: Spelling):
    text, number = spelling
    report = check_text(text)

    finding = only_identity_finding(text)

    assert not report.blocking
    assert text[finding.start : finding.end] == number
    # Ten bare digits from the trunk 0 and an area code (0701234567) are as likely a mobile
    # number: warned as one. 00 starts an international number, so 0001011234 is not one.
    digits = [d for d in (unicodedata.decimal(c, None) for c in number) if d is not None]
    invisible = "".join(INVISIBLE + LINE_BREAKS)
    bare = all(unicodedata.decimal(c, None) is not None or c in invisible for c in number)
    bare_from_trunk = bare and len(digits) == 10 and digits[0] == 0 and digits[1] != 0
    expected = Kind.PHONE_NUMBER if bare_from_trunk else Kind.POSSIBLE_IDENTITY_NUMBER
    assert finding.kind is expected


def test_a_valid_number_on_its_own_line_is_refused_though_read_as_one_its_check_digit_is_wrong():
    # 20010669-6405 (check digit wrong) broken after ten digits: the first line holds
    # 2001066964, a valid number for someone born 2020-01-06.
    assert valid_on_one_line("2001066964\n05")
    text = "Vittne 2001066964\n05 såg det."

    finding = only_identity_finding(text)

    assert finding.kind is Kind.PERSONAL_IDENTITY_NUMBER
    assert text[finding.start : finding.end] == "2001066964"


def test_a_phone_number_in_parentheses_is_found_without_them_unless_they_hold_the_area_code():
    text = "Ring vakten (0701234567) eller växeln (08) 123 456 78."

    report = check_text(text)

    assert [text[f.start : f.end] for f in report.findings(Kind.PHONE_NUMBER)] == [
        "0701234567",
        "(08) 123 456 78",
    ]


def test_the_witness_of_the_issue_gets_a_warning_and_is_refused_where_nothing_is_confirmed():
    report = check_text("Vittne 850101-1234 såg det.")

    [warning] = report.warnings
    assert warning.kind is Kind.POSSIBLE_IDENTITY_NUMBER
    assert warning.masked == "850101-****"
    assert not report.blocking
    with pytest.raises(ValidationError) as refused:
        validate_no_identity_numbers("Vittne 850101-1234 såg det.")
    assert [e.code for e in refused.value.error_list] == ["possible_identity_number"]


def test_a_future_date_is_no_date_of_birth():
    # Century given and in the future: no one was born then, so no warning.
    assert check_text("Ärende 20991231-1234").clean


# --- innocent numbers --------------------------------------------------------------------------

DATES = st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2035, 12, 31))
MONTHS = "januari februari mars april maj juni juli augusti september oktober november december"
TIMES = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@st.composite
def dates(draw) -> str:
    day = draw(DATES)
    written = draw(
        st.sampled_from(
            [
                f"{day:%Y-%m-%d}",
                f"{day:%Y%m%d}",
                f"{day:%y%m%d}",
                f"{day.day}/{day.month} {day.year}",
                f"{day:%d.%m.%Y}",
                f"{day:%d-%m-%Y}",
                f"{day.day} {MONTHS.split()[day.month - 1]} {day.year}",
            ]
        )
    )
    if draw(st.booleans()):
        moment = draw(TIMES)
        written += draw(
            st.sampled_from(
                [f" kl {moment:%H:%M}", f" kl. {moment:%H.%M}", f" {moment:%H:%M}", ", kl 2130"]
            )
        )
    if draw(st.booleans()):
        # A range: "2024-03-15 - 2024-03-20", "20240315-20240320".
        end = draw(DATES)
        written += draw(st.sampled_from([" - ", "-", "–", " till "])) + f"{end:%Y-%m-%d}"
    return written


@st.composite
def phone_numbers(draw) -> str:
    digits = "".join(str(draw(st.integers(0, 9))) for _ in range(7))
    mobile = f"07{draw(st.sampled_from('02369'))}"
    # A bare mobile number such as 0701010035 (someone born 2007-01-01) or 0701707499 (a
    # coordination number, day 70 for the 10th) is also a valid number, rightly refused: not
    # an innocent number.
    if is_valid_ten(mobile + digits):
        digits = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    return draw(
        st.sampled_from(
            [
                f"{mobile}-{digits[:3]} {digits[3:5]} {digits[5:]}",
                f"{mobile}{digits}",
                f"08-{digits[:3]} {digits[3:5]} {digits[5:]}",
                f"+46 {mobile[1:]} {digits[:3]} {digits[3:5]} {digits[5:]}",
                f"0046{mobile[1:]}{digits}",
            ]
        )
    )


@st.composite
def case_numbers(draw) -> str:
    year = draw(st.integers(1995, 2035))
    n = draw(st.integers(1, 999999))
    return draw(
        st.sampled_from(
            [
                f"{year}-{n:06d}",  # a police case (K-nummer without its letter)
                f"5000-K{n:06d}-{year % 100:02d}",
                f"Dnr KS {year}/{n % 10000:04d}",
                f"BoU {year}.{n % 1000:03d}",
                f"ordernr {draw(st.integers(1000000, 999999999))}",  # 7 to 9 digits
                f"felanmälan {draw(st.integers(10**10, 10**11 - 1))}",  # 11 digits
                f"faktura {n:06d}-{draw(st.integers(1, 99))}",
            ]
        )
    )


@st.composite
def postcodes_and_amounts(draw) -> str:
    n = draw(st.integers(10000, 99999))
    kronor = draw(st.integers(0, 99_999_999))
    grouped = f"{kronor:,}".replace(",", " ")
    return draw(
        st.sampled_from(
            [
                f"{str(n)[:3]} {str(n)[3:]} Sollentuna",
                f"postnummer {n}",
                f"{grouped} kr",
                f"{kronor} kr",
                f"{grouped}:-",
                f"SEK {kronor},50",
                f"{kronor // 1000},{kronor % 10} mkr",
            ]
        )
    )


@st.composite
def innocent(draw) -> str:
    """A text of innocent numbers, with the spelling tricks of the identity numbers above."""
    parts = draw(
        st.lists(
            st.one_of(dates(), phone_numbers(), case_numbers(), postcodes_and_amounts()),
            min_size=1,
            max_size=4,
        )
    )
    text = draw(st.sampled_from([", ", " och ", "; ", ".\n", ". "])).join(parts)
    text = text.replace(" ", draw(st.sampled_from(SPACES)))
    text = text.replace("-", draw(st.sampled_from(DASHES)))
    return in_script(text, draw(st.sampled_from(list(DIGIT_ZEROS))))


@settings(max_examples=300)
@given(innocent())
@example("Det hände 2024-03-15 2130 vid torget.")
@example("Period 2024-03-15 - 2024-03-20, ärende 2024-123456.")
# 0701707499 moved one from a valid coordination number: a phone number, nothing more.
@example("Ring 0701707490 i kväll.")
def test_innocent_numbers_are_never_taken_for_identity_numbers(text: str):
    # Phone numbers in the corpus are rightly warned about; nothing may look like a person's
    # identity number.
    identity = (Kind.PERSONAL_IDENTITY_NUMBER, Kind.COORDINATION_NUMBER)
    found = findings_in(text, *identity, Kind.POSSIBLE_IDENTITY_NUMBER)

    assert not found, [(f.kind, text[f.start : f.end]) for f in found]


def test_a_mobile_number_that_is_also_a_coordination_number_is_refused():
    # Day 70 is the 10th plus 60 and the check digit is right, so the phone generator above
    # leaves such numbers out of the innocent ones.
    assert is_valid_ten("0701707499")

    [finding] = check_text("Ring 0701707499 i kväll.").blocking

    assert finding.kind is Kind.COORDINATION_NUMBER
