"""Swedish by default, English on request, from a complete and freshly compiled catalogue.

The catalogue checks read the .po and .mo files with the standard library only, so they run
on a machine without gettext.
"""

import ast
import re
import struct
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

LOCALE = Path(settings.LOCALE_PATHS[0])
ENGLISH_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"

# (page, strings on it in Swedish, the same strings in English)
PAGES = [
    (
        "home",
        ["Välkommen till Samverkan A", "Rapportera en händelse", "Hoppa till innehållet"],
        ["Welcome to Samverkan A", "Report an incident", "Skip to content"],
    ),
    (
        "incidents:list",
        ["Inga händelser matchar filtren.", "Fritext", "Veckotabell"],
        ["No incidents match the filters.", "Free text", "Weekly table"],
    ),
]


@pytest.fixture(autouse=True)
def default_language_afterwards():
    """A request in English leaves English active in the thread; later tests expect Swedish."""
    yield
    translation.deactivate()


@pytest.mark.parametrize(("page", "swedish", "english"), PAGES)
def test_pages_are_swedish_by_default(login, member_a, page, swedish, english):
    html = login(member_a).get(reverse(page)).content.decode()

    assert '<html lang="sv">' in html
    for text in swedish:
        assert text in html
    for text in english:
        assert text not in html


@pytest.mark.parametrize(("page", "swedish", "english"), PAGES)
def test_pages_are_english_after_choosing_english(login, member_a, page, swedish, english):
    client = login(member_a)
    chosen = client.post(reverse("set_language"), {"language": "en", "next": reverse(page)})
    assert chosen.status_code == 302

    html = client.get(reverse(page)).content.decode()

    assert '<html lang="en">' in html
    for text in english:
        assert text in html
    for text in swedish:
        assert text not in html


@pytest.mark.parametrize(("page", "swedish", "english"), PAGES)
def test_pages_follow_an_english_browser(login, member_a, page, swedish, english):
    html = login(member_a).get(reverse(page), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="en">' in html
    for text in english:
        assert text in html
    for text in swedish:
        assert text not in html


def test_english_plural_forms_follow_the_count(login, member_a):
    client = login(member_a)
    html = client.get(reverse("incidents:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "0 incidents" in html


FIELD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$')
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def read_po(path: Path) -> list[dict]:
    """The live entries of a .po file as {"fields", "fuzzy"}; obsolete (#~) entries are skipped.

    Assumes the layout makemessages writes: one blank line between entries.
    """
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields, fuzzy, current = {}, False, None
        for line in block.splitlines():
            if line.startswith("#,"):
                fuzzy = fuzzy or "fuzzy" in line[2:].replace(" ", "").split(",")
            elif match := FIELD.match(line):
                current = match[1]
                fields[current] = ast.literal_eval(match[2])
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if "msgid" in fields:
            entries.append({"fields": fields, "fuzzy": fuzzy})
    return entries


def translations(fields: dict) -> list[str]:
    return [text for name, text in fields.items() if name.startswith("msgstr")]


def compiled_key(fields: dict) -> str:
    """The key msgfmt stores: context, EOT, singular, NUL, plural."""
    key = fields["msgid"]
    if "msgid_plural" in fields:
        key += "\0" + fields["msgid_plural"]
    if "msgctxt" in fields:
        key = fields["msgctxt"] + "\x04" + key
    return key


def read_mo(path: Path) -> dict[str, str]:
    """The original -> translation pairs of a compiled catalogue, as stored (GNU .mo format)."""
    data = path.read_bytes()
    order = "<" if data[:4] == b"\xde\x12\x04\x95" else ">"
    count, originals, translated = struct.unpack(order + "3I", data[8:20])

    def strings(table: int) -> list[str]:
        pairs = (struct.unpack_from(order + "2I", data, table + 8 * i) for i in range(count))
        return [data[offset : offset + length].decode() for length, offset in pairs]

    return dict(zip(strings(originals), strings(translated), strict=True))


def test_every_english_message_is_translated():
    entries = read_po(ENGLISH_PO)
    assert len(entries) > 100  # the parser found the catalogue, not an empty file

    missing = [
        entry["fields"]["msgid"]
        for entry in entries
        if entry["fuzzy"] or (entry["fields"]["msgid"] and not all(translations(entry["fields"])))
    ]

    assert missing == [], "untranslated or fuzzy in locale/en: run makemessages and translate"


def test_english_translations_keep_their_placeholders():
    wrong = []
    for entry in read_po(ENGLISH_PO):
        fields = entry["fields"]
        sources = [fields["msgid"], fields.get("msgid_plural", fields["msgid"])]
        for index, text in enumerate(translations(fields)):
            source = sources[min(index, 1)]
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                wrong.append(fields["msgid"])

    assert wrong == []


@pytest.mark.parametrize("language", ["en", "sv"])
def test_compiled_catalogue_matches_its_po(language):
    """Compares contents, not file times: git sets both times to the checkout time."""
    folder = LOCALE / language / "LC_MESSAGES"
    expected = {
        compiled_key(entry["fields"]): "\0".join(translations(entry["fields"]))
        for entry in read_po(folder / "django.po")
        if entry["fields"]["msgid"] and not entry["fuzzy"] and all(translations(entry["fields"]))
    }

    compiled = read_mo(folder / "django.mo")
    compiled.pop("")  # the header

    assert compiled == expected, f"locale/{language}: run manage.py compilemessages"
