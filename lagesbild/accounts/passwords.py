"""A password rule against the words an attacker tries first on this installation.

Django's validators know the world's common passwords; they do not know that "Sollentuna2026"
or "Sommar2026!" is the first guess against a municipality's EST partnership. This one
refuses a password whose letters are, apart from a few, made of guessable words: the names of
the installation's partnerships, areas (municipality, districts) and organisations, seasons,
months, weekdays and common Swedish password words, each with any digits and signs around
them. A long passphrase that merely contains such a word ("norrsken blåbär kaffe") passes.
"""

import re
import unicodedata
from functools import cache

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lagesbild.geography.models import Area
from lagesbild.partnerships.models import Organisation, Partnership

# Written without å, ä, ö: names and passwords are folded the same way before comparing.
GUESSABLE_WORDS = frozenset((
    "sommar", "sommaren", "vinter", "vintern", "host", "hosten", "varen",
    "januari", "februari", "mars", "april", "juni", "juli", "augusti", "september", "oktober",
    "november", "december",
    "mandag", "tisdag", "onsdag", "torsdag", "fredag", "lordag", "sondag",
    "losenord", "hemlig", "hemligt", "valkommen", "hejsan", "sverige", "stockholm", "goteborg",
    "malmo", "lagesbild", "trygghet", "samverkan", "polisen", "kommun", "kommunen",
    "password", "welcome", "qwerty", "admin",
))  # fmt: skip
# Letters that must remain once the guessable words are taken out.
MIN_OTHER_LETTERS = 6
# Shorter words in names ("EST", "AB") would match inside too many innocent passwords.
MIN_WORD_LENGTH = 4


def fold(text: str) -> str:
    """Lower case a-z only: accents dropped (ä → a), everything else removed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z]", "", plain)


def _words(names) -> set[str]:
    words = set()
    for name in names:
        for part in re.split(r"[^\w]+", name):
            folded = fold(part)
            if len(folded) >= MIN_WORD_LENGTH:
                words.add(folded)
    return words


def context_words() -> set[str]:
    """The installation's own names: partnerships, areas (the municipality and its districts)
    and organisations."""
    names = [
        *Partnership.objects.values_list("name", flat=True),
        *Area.objects.values_list("name", flat=True).distinct(),
        *Organisation.objects.values_list("name", flat=True).distinct(),
    ]
    return _words(names)


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(CommonPasswordValidator().passwords)


class ContextWordValidator:
    def validate(self, password: str, user=None) -> None:
        letters = fold(password)
        if letters and (letters in GUESSABLE_WORDS or letters in _common_passwords()):
            raise ValidationError(self._message(letters), code="password_guessable")
        found = sorted(
            (w for w in GUESSABLE_WORDS | context_words() if w in letters), key=len, reverse=True
        )
        rest = letters
        for word in found:
            rest = rest.replace(word, "")
        if found and len(rest) < MIN_OTHER_LETTERS:
            raise ValidationError(self._message(found[0]), code="password_guessable")

    @staticmethod
    def _message(word: str) -> str:
        return _(
            "Lösenordet bygger på ett ord som är lätt att gissa (”%(word)s”), till exempel "
            "samverkans eller kommunens namn eller en årstid med årtal. Välj en lösenfras av "
            "flera egna ord."
        ) % {"word": word}

    def get_help_text(self) -> str:
        return _(
            "Lösenordet får inte bygga på samverkans, kommunens eller organisationens namn, en "
            "årstid, månad eller ett vanligt ord med siffror."
        )
