"""The default EST checklist: the categories a new partnership starts with.

Plain data with no Django import, so the demo generator, the analysis benchmarks and the
seeding service all read the same list. Each partnership copies it into its own Category rows
and may then rename, re-weight, disable or extend them.

Weights follow the design brief (1-3; "Positivt" is 0 and is left out of the severity index).
Codes are stable identifiers; names are what reporters see.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    name: str
    weight: int
    group: str


@dataclass(frozen=True)
class ChecklistGroup:
    code: str
    name: str
    items: tuple[ChecklistItem, ...]


def _group(code: str, name: str, *items: tuple[str, str, int]) -> ChecklistGroup:
    return ChecklistGroup(
        code=code,
        name=name,
        items=tuple(ChecklistItem(c, n, w, code) for c, n, w in items),
    )


DEFAULT_CHECKLIST: tuple[ChecklistGroup, ...] = (
    _group(
        "skadegorelse",
        "Skadegörelse",
        ("klotter", "Klotter", 1),
        ("skadegorelse", "Skadegörelse på fastighet, fordon eller offentlig miljö", 2),
        ("krossade-rutor", "Krossade rutor", 2),
    ),
    _group(
        "brand",
        "Brand",
        ("brand-soprum", "Brand i soprum, container eller papperskorg", 2),
        ("bilbrand", "Bilbrand", 3),
        ("anlagd-brand-byggnad", "Anlagd brand i byggnad", 3),
    ),
    _group(
        "nedskrapning",
        "Nedskräpning",
        ("nedskrapning", "Nedskräpning", 1),
        ("dumpade-foremal", "Dumpade föremål", 1),
        ("sprutor-farligt-avfall", "Sprutor eller farligt avfall funnet", 1),
    ),
    _group(
        "ordning",
        "Ordning",
        ("storande-grupper", "Störande grupper eller ungdomar som samlas", 1),
        ("brak-ordningsstorning", "Bråk och ordningsstörning", 2),
        ("berusning", "Berusning på allmän plats", 1),
        ("farlig-korning", "Farlig moped- eller bilkörning", 2),
        ("fyrverkerier", "Olovliga fyrverkerier", 1),
    ),
    _group(
        "narkotika",
        "Narkotika och alkohol",
        ("narkotikaforsaljning", "Misstänkt narkotikaförsäljning", 3),
        ("narkotikabruk", "Narkotikabruk på allmän plats", 2),
        ("langning", "Langning av alkohol", 2),
    ),
    _group(
        "hot-vald",
        "Hot och våld",
        ("hot", "Hot", 2),
        ("vald", "Våld eller misshandel", 3),
        (
            "angrepp-personal",
            "Stenkastning eller angrepp mot personal, blåljus eller kollektivtrafik",
            3,
        ),
        ("skottlossning", "Skottlossning eller explosion", 3),
    ),
    _group(
        "egendomsbrott",
        "Egendomsbrott",
        ("inbrott-forrad", "Inbrott i källare eller förråd", 1),
        ("inbrott-bostad", "Inbrott i bostad eller lokal", 2),
        ("stold", "Stöld, cykelstöld", 1),
    ),
    _group(
        "fysisk-miljo",
        "Fysisk miljö",
        ("trasig-belysning", "Trasig belysning", 1),
        ("otrygg-plats", "Otrygg plats (skymd sikt, igenvuxet)", 1),
        ("obehoriga-trapphus", "Obehöriga i trapphus eller källare", 1),
    ),
    _group(
        "signaler",
        "Signaler",
        ("rykten-sociala-medier", "Rykten och oro i sociala medier", 1),
        ("oro-boende", "Oro bland boende", 1),
        ("annat-otrygghet", "Annat som skapar otrygghet", 1),
    ),
    _group(
        "positivt",
        "Positivt",
        ("trygghetsaktivitet", "Trygghetsskapande aktivitet", 0),
        ("positiv-handelse", "Positiv händelse", 0),
    ),
)


def all_items() -> list[ChecklistItem]:
    """Every category of the default checklist, in checklist order."""
    return [item for group in DEFAULT_CHECKLIST for item in group.items]
