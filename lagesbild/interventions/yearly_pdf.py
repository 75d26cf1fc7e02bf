"""The yearly deepened picture as a printable A4 PDF, under the same headings as the page.

Laid out with the weekly picture's PDF machinery (`pictures.exports.pdf`: fonts, styles,
tables, the footer and page numbers), so both print alike.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm

from lagesbild.interventions.yearly import CODES, OUTCOME_LABELS, byline
from lagesbild.pictures.exports.pdf import WIDTH, bullets, para, render, simple_table


def _outcomes(label: str, rows: list[dict]) -> list:
    first = 45 * mm
    rest = (WIDTH - first) / (len(CODES) + 1)
    return simple_table(
        [label, _("Insatser"), *map(str, OUTCOME_LABELS)],
        [[r["name"], r["total"], *(r[c] for c in CODES)] for r in rows],
        [first, *[rest] * (len(CODES) + 1)],
    )


def _reflection(section: dict) -> list:
    items = [para(_("Gruppens reflektion"), "h3")]
    current = section["reflections"][0] if section["reflections"] else None
    if current is None or not current.text:
        items.append(para(_("Ingen reflektion skriven.")))
    else:
        items.append(para(current.text))
    if current is not None:
        items.append(para(byline(current), "small"))
    return items


def _section(number: int, section: dict, body: list) -> list:
    return [para(f"{number}. {section['title']}", "h2"), *body, *_reflection(section)]


def build(data: dict) -> bytes:
    """The PDF as bytes."""
    year, section = data["year"], data["section"]
    title = _("Fördjupad lägesbild %(y)s") % {"y": year}
    intro = _(
        "Underlag till kommunens lägesbild och åtgärdsprogram enligt lag (2023:196) om "
        "kommuners ansvar för brottsförebyggande arbete. Bygger på årets %(n)s godkända "
        "veckobilder, insatserna, deras utvärderingar och gruppens reflektioner."
    ) % {"n": data["weeks_approved"]}
    made = _("Sammanställd %(d)s.") % {"d": timezone.localdate().isoformat()}
    flags = simple_table(
        [_("Område"), _("Kategorigrupp"), _("Veckor med avvikelse"), _("Veckor")],
        [[f["area"], f["group"], len(f["weeks"]), ", ".join(f["weeks"])] for f in data["flags"]],
        [40 * mm, 40 * mm, 25 * mm, WIDTH - 105 * mm],
    )
    assessments = simple_table(
        [_("Område"), _("Bedömda veckor"), _("Högsta nivå"), _("Senaste nivå")],
        [[a["area"], a["weeks"], a["highest"], a["last"]] for a in data["assessments"]],
        [60 * mm, *[(WIDTH - 60 * mm) / 3] * 3],
    )
    measures = simple_table(
        [_("Insats"), _("Typ"), _("Område"), _("Status"), _("Utfall")],
        [
            [
                r["item"].title,
                r["item"].kind.name if r["item"].kind else "–",
                r["item"].area_names,
                r["item"].get_status_display(),
                f"{r['outcome'] or '–'}. {r['sentence']}".strip(),
            ]
            for r in data["interventions"]
        ],
        [40 * mm, 30 * mm, 25 * mm, 20 * mm, WIDTH - 115 * mm],
    )
    unaddressed = [
        _("%(g)s i %(a)s (%(n)s veckor med avvikelse)")
        % {"g": f["group"], "a": f["area"], "n": len(f["weeks"])}
        for f in data["unaddressed"]
    ]
    not_evaluable = [f"{r['item'].title} – {r['note']}" for r in data["not_evaluable"]]
    story = [
        para(title, "title"),
        para(data["partnership"]),
        para(intro),
        para(made, "small"),
        *_section(
            1,
            section["lagesbild"],
            [*flags, para(_("Gruppens bedömningar"), "h3"), *assessments],
        ),
        *_section(2, section["orsaker"], []),
        *_section(
            3,
            section["atgarder"],
            [
                *_outcomes(_("Typ"), data["by_type"]),
                *_outcomes(_("Område"), data["by_area"]),
                *measures,
            ],
        ),
        *_section(
            4,
            section["utan_atgard"],
            [bullets(unaddressed) if unaddressed else para(_("Inga."))],
        ),
        *_section(
            5,
            section["utan_utfall"],
            [bullets(not_evaluable) if not_evaluable else para(_("Inga."))],
        ),
        *_section(6, section["inriktning"], []),
    ]
    return render(
        story,
        title=title,
        author=data["partnership"],
        subject=title,
        footer=f"{title} – {data['partnership']}",
    )
