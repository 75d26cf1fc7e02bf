"""The yearly deepened picture as a printable A4 PDF, under the same headings as the page.

Laid out with the weekly picture's PDF machinery (`pictures.exports.pdf`: fonts, styles,
tables, the footer and page numbers), so both print alike.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from lagesbild.interventions.yearly import CODES, OUTCOME_LABELS, byline
from lagesbild.pictures.exports.pdf import (
    WIDTH,
    bullets,
    grid_table,
    paragraph_styles,
    render,
    text,
)


def _p(value, style: str = "body") -> Paragraph:
    return Paragraph(text(value), paragraph_styles()[style])


def _table(header: list[str], rows: list[list], widths: list[float]) -> list:
    if not rows:
        return [_p(_("Inga."))]
    cells = [[_p(h, "head") for h in header]]
    cells += [[_p("" if v is None else v, "cell") for v in row] for row in rows]
    return [grid_table(cells, widths), Spacer(0, 3 * mm)]


def _outcomes(label: str, rows: list[dict]) -> list:
    first = 45 * mm
    rest = (WIDTH - first) / (len(CODES) + 1)
    return _table(
        [label, _("Insatser"), *map(str, OUTCOME_LABELS)],
        [[r["name"], r["total"], *(r[c] for c in CODES)] for r in rows],
        [first, *[rest] * (len(CODES) + 1)],
    )


def _reflection(section: dict) -> list:
    items = [_p(_("Gruppens reflektion"), "h3")]
    current = section["reflections"][0] if section["reflections"] else None
    if current is None or not current.text:
        items.append(_p(_("Ingen reflektion skriven.")))
    else:
        items.append(_p(current.text))
    if current is not None:
        items.append(_p(byline(current), "small"))
    return items


def _section(number: int, section: dict, body: list) -> list:
    return [_p(f"{number}. {section['title']}", "h2"), *body, *_reflection(section)]


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
    flags = _table(
        [_("Område"), _("Kategorigrupp"), _("Veckor med avvikelse"), _("Veckor")],
        [[f["area"], f["group"], len(f["weeks"]), ", ".join(f["weeks"])] for f in data["flags"]],
        [40 * mm, 40 * mm, 25 * mm, WIDTH - 105 * mm],
    )
    assessments = _table(
        [_("Område"), _("Bedömda veckor"), _("Högsta nivå"), _("Senaste nivå")],
        [[a["area"], a["weeks"], a["highest"], a["last"]] for a in data["assessments"]],
        [60 * mm, *[(WIDTH - 60 * mm) / 3] * 3],
    )
    measures = _table(
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
        _p(title, "title"),
        _p(data["partnership"]),
        _p(intro),
        _p(made, "small"),
        *_section(
            1,
            section["lagesbild"],
            [*flags, _p(_("Gruppens bedömningar"), "h3"), *assessments],
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
            [bullets(unaddressed) if unaddressed else _p(_("Inga."))],
        ),
        *_section(
            5,
            section["utan_utfall"],
            [bullets(not_evaluable) if not_evaluable else _p(_("Inga."))],
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
