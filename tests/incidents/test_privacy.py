"""The privacy guard: what is refused, what is warned about, and what must stay quiet.

Identity numbers here are made up and get their check digit from the tests' own Luhn
function (tests/incidents/helpers.py), so no real person's number is copied into the code.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from lagesbild.incidents.privacy import (
    Kind,
    check_text,
    validate_free_text,
    validate_no_identity_numbers,
)
from tests.incidents.helpers import identity_number, luhn_check_digit, with_wrong_check_digit


def written_forms(ten: str, century: str) -> dict[str, str]:
    """The ways people write the same number."""
    date, tail = ten[:6], ten[6:]
    return {
        "short-hyphen": f"{date}-{tail}",
        "short-plus": f"{date}+{tail}",
        "short-bare": ten,
        "short-space": f"{date} {tail}",
        "long-hyphen": f"{century}{date}-{tail}",
        "long-bare": f"{century}{ten}",
        "long-en-dash": f"{century}{date}\u2013{tail}",
        "short-nbsp": f"{date}\u00a0{tail}",
    }


FORMS = list(written_forms("0" * 10, "19"))
# (birth date, century, serial): invented, spread over both centuries and the year's ends.
BIRTHS = [("811218", "19", "987"), ("050612", "20", "123"), ("991231", "19", "452")]


def only_finding(report):
    """The single finding of a report, whichever list it is in."""
    findings = [*report.blocking, *report.warnings]
    assert len(findings) == 1, findings
    return findings[0]


def test_luhn_helper_matches_the_textbook_example():
    # The worked example of the Luhn article: 7992739871 gets the check digit 3.
    assert luhn_check_digit("7992739871") == "3"


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(("date", "century", "serial"), BIRTHS)
def test_personal_identity_numbers_are_refused_in_every_form(date, century, serial, form):
    number = written_forms(identity_number(date, serial), century)[form]
    text = f"Anmälan gällde {number} vid torget."

    report = check_text(text)

    assert not report.warnings
    [finding] = report.blocking
    assert finding.kind is Kind.PERSONAL_IDENTITY_NUMBER
    assert finding.blocking
    assert text[finding.start : finding.end] == number


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("date", ["811278", "810161", "811291"])
def test_coordination_numbers_are_refused_in_every_form(date, form):
    # A coordination number carries the day of birth plus 60: 18 December is 811278.
    number = written_forms(identity_number(date, "241"), "19")[form]

    finding = only_finding(check_text(f"Nummer {number} stod på lappen"))

    assert finding.kind is Kind.COORDINATION_NUMBER
    assert finding.blocking


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("19811218-{tail}", "19811218-****"),
        ("811218-{tail}", "811218-****"),
        ("811218{tail}", "811218****"),
        ("19811218{tail}", "19811218****"),
    ],
)
def test_identity_numbers_are_masked_for_display(written, masked):
    tail = identity_number("811218", "987")[6:]

    finding = only_finding(check_text(written.format(tail=tail)))

    assert finding.masked == masked


@pytest.mark.parametrize(
    ("century", "date", "separator", "refused"),
    [
        ("", "000229", "-", True),  # 2000 was a leap year
        ("", "000229", "+", False),  # over 100 years old: 1900, which was not
        ("20", "000229", "-", True),
        ("19", "000229", "-", False),
        ("", "040229", "-", True),
        ("", "030229", "-", False),
        ("", "000289", "-", True),  # coordination number for 29 February 2000
        ("", "030289", "-", False),
    ],
)
def test_29_february_is_refused_only_in_leap_years(century, date, separator, refused):
    tail = identity_number(date, "354")[6:]

    assert bool(check_text(f"{century}{date}{separator}{tail}").blocking) is refused


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(("date", "century", "serial"), [*BIRTHS, ("811278", "19", "241")])
def test_numbers_failing_the_luhn_check_are_not_refused(date, century, serial, form):
    number = written_forms(with_wrong_check_digit(identity_number(date, serial)), century)[form]

    assert not check_text(f"Ärendet {number} gäller klotter.").blocking


@pytest.mark.parametrize(
    "date",
    [
        "811318",  # month 13
        "810018",  # month 0
        "810230",  # 30 February
        "810431",  # 31 April
        "811200",  # day 0
        "811232",  # day 32
        "811260",  # day 60: neither a birth date nor a coordination day
        "811292",  # coordination day 92 would be 32 December
        "556677",  # the shape of an organisation number (month 66)
    ],
)
@pytest.mark.parametrize("form", ["short-hyphen", "short-bare", "long-bare"])
def test_numbers_with_an_impossible_date_stay_quiet(date, form):
    number = written_forms(identity_number(date, "889"), "19")[form]

    assert check_text(f"Referens {number}").clean


@pytest.mark.parametrize(
    "text",
    [
        # 12 or 10 digits with another digit beside them are longer numbers
        "Fakturanummer 1{} bifogas.",
        "Kundnummer {}1 bifogas.",
        # a twelve-digit number needs the century 19 or 20
        "Löpnummer 18{} i arkivet.",
    ],
)
def test_identity_numbers_inside_longer_numbers_are_not_refused(text):
    assert not check_text(text.format(identity_number("811218", "987"))).blocking


def test_every_identity_number_in_a_text_is_refused_in_order():
    first = identity_number("811218", "987")
    second = identity_number("050612", "123")
    text = f"Två lappar: {first[:6]}-{first[6:]} och 20{second}."

    report = check_text(text)

    assert [text[f.start : f.end] for f in report.blocking] == [
        f"{first[:6]}-{first[6:]}",
        f"20{second}",
    ]


@pytest.mark.parametrize(
    "text",
    [
        # dates
        "Det hände 2024-03-15 på kvällen.",
        "Datum: 20240315",
        "Den 15/3 2024 och 15-03-2024 brann det igen.",
        "Tidigare bränder 05-03-2024, 05 03 2024 och 05/03/2024.",
        "Brand natten mot 1 maj 2024.",
        # times
        "Kl. 08.15 och igen 22:30:15.",
        "Mellan 0800-0930 och 22.00–02.00 var det lugnt.",
        "Observerat kl 2230 den 20240315.",
        # case and order numbers
        "Polisen har ärende 2024-123456.",
        "Se ordernr 1234567890 hos fastighetsbolaget.",
        "Dnr KS 2024/0123, K-nummer 5000-K123456-24.",
        "Felanmälan nr 987654321 och 12345678901.",
        # postcodes, amounts, years, weeks, percentages
        "Adress: Torget 1, 191 45 Sollentuna (19145).",
        "Skadan beräknas till 1 250 000 kr, ca 12 500:- för rutorna och SEK 500 för städning.",
        "Budget 3,5 mkr för 2024 och 2025; jämfört med 1990-talet.",
        "Ökning v. 47, vecka 48 och V49 samt 2024-W50; v 51-52 lugnare.",
        "Andelen ökade med 12,5 % till 0,75 per 1000 invånare.",
        # coordinates and bus lines
        "Position 59.4281, 17.9506 (SWEREF 6588123, 667456).",
        "Linje 540 mot Kista stod still vid hållplatsen i 20 minuter.",
    ],
)
def test_similar_looking_numbers_stay_quiet(text):
    report = check_text(text)

    assert report.clean, [(f.kind, text[f.start : f.end]) for f in report.warnings]


@pytest.mark.parametrize(
    "number",
    [
        "070-123 45 67",
        "070 123 45 67",
        "0701234567",
        "070–123 45 67",
        "070 - 123 45 67",
        "070-1234567",
        "08-123 456 78",
        "08-12 34 56",
        "(08) 123 456 78",
        "0771-123 456",
        "+46 70 123 45 67",
        "+46701234567",
        "+46 (0)70-123 45 67",
        "0046 70 123 45 67",
        "0046701234567",
        "+46 8 123 456 78",
    ],
)
def test_phone_numbers_are_warned_with_their_span(number):
    text = f"Vaktbolaget nås på {number} dygnet runt."

    finding = only_finding(check_text(text))

    assert finding.kind is Kind.PHONE_NUMBER
    assert not finding.blocking
    assert (finding.start, finding.end) == (text.index(number), text.index(number) + len(number))


@pytest.mark.parametrize(
    ("number", "masked"),
    [("070-123 45 67", "070-*** ** **"), ("+46 70 123 45 67", "+46 7* *** ** **")],
)
def test_phone_numbers_are_masked_for_display(number, masked):
    assert only_finding(check_text(number)).masked == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("kontakt@example.se", "k******@example.se"),
        ("fornamn.efternamn@example.com", "f******.*********@example.com"),
        ("a.b+grannar@post.example.org", "a.*+*******@post.example.org"),
        ("INFO@EXAMPLE.SE", "I***@EXAMPLE.SE"),
    ],
)
def test_email_addresses_are_warned_with_their_span(address, masked):
    text = f"Tipset kom från {address}."

    finding = only_finding(check_text(text))

    assert finding.kind is Kind.EMAIL_ADDRESS
    assert text[finding.start : finding.end] == address
    assert finding.masked == masked


@pytest.mark.parametrize(
    ("plate", "masked"),
    [
        ("ABC 123", "AB* ***"),
        ("ABC123", "AB****"),
        ("ABC 12A", "AB* ***"),
        ("ABC12A", "AB****"),
        ("XYZ-987", "XY*-***"),
        ("abc123", "ab****"),
        ("GHT 45Z", "GH* ***"),
    ],
)
def test_licence_plates_are_warned_with_their_span(plate, masked):
    text = f"En bil med registreringsnummer {plate} stod parkerad på gräset."

    finding = only_finding(check_text(text))

    assert finding.kind is Kind.LICENCE_PLATE
    assert text[finding.start : finding.end] == plate
    assert finding.masked == masked


@pytest.mark.parametrize(
    "text",
    [
        "ABI 123",  # I is never used on plates
        "AQB 123",  # nor Q
        "AVB 123",  # nor V
        "ÅÄÖ 123",  # nor Å, Ä, Ö
        "ABC 12O",  # the last character is never O
        "ABCD 123",  # four letters
        "ABC 1234",  # four digits
        "ABC 12",  # two digits
        "Abc 123",  # spaced, not in capitals: a word and a number
        "och 123 personer",
        "SEK 500",  # a currency code, not a plate
        "BRAND I SOPRUM, RUM 102 OCH HUS 121",  # capitals all through
    ],
)
def test_plate_lookalikes_stay_quiet(text):
    assert check_text(text).clean


@pytest.mark.parametrize(
    "text",
    [
        "Klotter på gångtunneln vid Tureberg, ca 20 m² nytt sedan i måndags.",
        "Brand i papperskorg vid Sollentuna centrum, släckt av räddningstjänsten kl 23.40.",
        "Grupp om 10–15 ungdomar samlades vid Edsbergsskolan, flera mopeder körde på gångvägen.",
        "Trasig belysning längs gång- och cykelvägen mellan Häggvik och Norrviken sedan v. 3.",
        "Misstänkt narkotikaförsäljning vid lekplatsen, återkommande fredagar efter 21.",
        "Krossade rutor i trapphus 4B, Vaxmora; fastighetsbolaget har fått en felanmälan.",
        "Dumpade möbler och 3 däck vid återvinningsstationen i Rotebro.",
        "Oro bland boende i Viby efter inlägg i sociala medier om ett bråk på lördagen.",
        "Trygghetsvandring med 25 deltagare i Helenelund, positiv stämning.",
        "Stenkastning mot buss 520 vid Sjöberg, ingen skadad. Polis på plats 19:15.",
        "Bilbrand på parkeringen vid Malmvägen 10 natten till 31 december.",
        "NATTVANDRARE RAPPORTERAR LUGN KVÄLL VID STATIONEN, 5 PERSONER UTE.",
    ],
)
def test_ordinary_reports_get_no_warnings(text):
    assert check_text(text).clean


def test_a_span_is_reported_once_even_if_two_rules_match():
    # 070123-4569 is both a valid identity number (born 23 January 2007) and a mobile number.
    both = identity_number("070123", "456")
    assert both == "0701234569"

    report = check_text(f"Ring {both} eller skriv till {both[:3]}1234567@sms.example.se")

    assert [f.kind for f in report.blocking] == [Kind.PERSONAL_IDENTITY_NUMBER]
    assert [f.kind for f in report.warnings] == [Kind.EMAIL_ADDRESS]


def test_an_identity_number_inside_an_email_address_is_refused_not_warned():
    number = "19" + identity_number("811218", "987")

    report = check_text(f"{number}@example.se")

    assert [f.kind for f in report.blocking] == [Kind.PERSONAL_IDENTITY_NUMBER]
    assert not report.warnings


def test_warnings_come_in_text_order():
    text = "Bil ABC 123, ägaren nås på 070-123 45 67 eller kontakt@example.se."

    report = check_text(text)

    assert [f.kind for f in report.warnings] == [
        Kind.LICENCE_PLATE,
        Kind.PHONE_NUMBER,
        Kind.EMAIL_ADDRESS,
    ]


def test_many_findings_in_one_text_are_each_reported_once():
    # An import may paste a whole list into one field.
    text = "ABC 123, 0701234567@sms.example.se, 070-123 45 67. " * 50

    report = check_text(text)

    assert [f.kind for f in report.warnings] == [
        Kind.LICENCE_PLATE,
        Kind.EMAIL_ADDRESS,
        Kind.PHONE_NUMBER,
    ] * 50


def test_report_messages_explain_in_swedish():
    tail = identity_number("811218", "987")[6:]
    report = check_text(f"19811218-{tail}, 070-123 45 67")

    with translation.override("sv"):
        refusal, warning = report.messages()

    assert "personnummer" in refusal
    assert "19811218-****" in refusal
    assert tail not in refusal
    assert "telefonnummer" in warning
    assert "bekräfta" in warning


def test_the_field_validator_refuses_identity_numbers_with_a_coded_message():
    number = "811278-" + identity_number("811278", "241")[6:]

    with pytest.raises(ValidationError) as raised, translation.override("sv"):
        validate_no_identity_numbers(f"Hittade {number} på en lapp")

    [error] = raised.value.error_list
    assert error.code == "coordination_number"
    assert "samordningsnummer" in raised.value.messages[0]
    assert "811278-****" in raised.value.messages[0]


def test_the_field_validator_lets_warnings_through():
    validate_no_identity_numbers("Ring 070-123 45 67 eller mejla kontakt@example.se")


def test_free_text_needs_warnings_confirmed():
    text = "Ring 070-123 45 67"

    with pytest.raises(ValidationError) as raised:
        validate_free_text(text, warnings_confirmed=False)
    validate_free_text(text, warnings_confirmed=True)

    assert [e.code for e in raised.value.error_list] == ["phone_number", "unconfirmed_warnings"]


def test_confirming_warnings_does_not_let_an_identity_number_through():
    number = identity_number("811218", "987")

    with pytest.raises(ValidationError) as raised:
        validate_free_text(f"{number}, 070-123 45 67", warnings_confirmed=True)

    assert [e.code for e in raised.value.error_list] == ["personal_identity_number"]


def test_clean_text_passes_both_validators():
    text = "Klotter på busskuren vid Häggvik, ungefär 2 m²."

    validate_no_identity_numbers(text)
    validate_free_text(text, warnings_confirmed=False)


@given(
    birth=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2099, 12, 31)),
    serial=st.integers(min_value=0, max_value=999),
    coordination=st.booleans(),
)
def test_any_valid_birth_date_and_serial_is_refused_and_a_wrong_check_digit_is_not(
    birth, serial, coordination
):
    day = birth.day + (60 if coordination else 0)
    ten = identity_number(f"{birth:%y%m}{day:02d}", f"{serial:03d}")
    century = f"{birth.year // 100}"

    refused = check_text(f"{century}{ten[:6]}-{ten[6:]}")
    quiet = check_text(f"{century}{with_wrong_check_digit(ten)}")

    assert [f.kind for f in refused.blocking] == [
        Kind.COORDINATION_NUMBER if coordination else Kind.PERSONAL_IDENTITY_NUMBER
    ]
    assert not quiet.blocking
