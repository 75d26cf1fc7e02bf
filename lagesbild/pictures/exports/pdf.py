"""The situation picture as a printable A4 PDF (ReportLab), Swedish first.

Contents: title, period and approval status (or "UTKAST – ej godkänd"), the summary, the
status matrix, the map, the police's notices (a source of its own), the trend charts, the
indicators the reader may see (flags in words), the assessments with comments and the
clusters' sentences; every page has a footer "Lägesbild – <partnership> – <period>" with its
page number. Nothing depends on colour: flags are words, map classes are greys with a legend,
hot spots are hatched and the expected line is dashed.

The font is Bitstream Vera, which ReportLab ships, so the PDF looks the same on every
machine and embeds the glyphs it uses.
"""

from datetime import date, timedelta
from functools import cache
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from lagesbild.indicators import presenters as indicator_presenters
from lagesbild.pictures import presenters
from lagesbild.pictures.exports import drawings
from lagesbild.pictures.exports.edition import (
    Edition,
    area_geometries,
    flag_words,
    indicator_note,
    indicator_sections,
    police_section,
    scale_name,
    shown_count,
)

MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN
GRID = colors.Color(0.5, 0.5, 0.5)
# Matrix cells by flag: a deviation stands out by a darker fill and a heavy frame as well as
# by its word, so it is found at a glance on a grey printout too.
DEVIATION_FILL = colors.Color(0.8, 0.8, 0.8)
WATCH_FILL = colors.Color(0.92, 0.92, 0.92)
# Characters the font lacks, written so they still read.
SUBSTITUTES = {"→": "->", "↗": "^", "▲": "", "●": ""}


@cache
def _font_glyphs() -> frozenset[int]:
    """Register the Vera family once; the code points it has glyphs for."""
    faces = {
        drawings.FONT: "Vera.ttf",
        drawings.BOLD: "VeraBd.ttf",
        "Vera-Italic": "VeraIt.ttf",
        "Vera-BoldItalic": "VeraBI.ttf",
    }
    for name, file in faces.items():
        pdfmetrics.registerFont(TTFont(name, file))
    pdfmetrics.registerFontFamily(
        drawings.FONT,
        normal=drawings.FONT,
        bold=drawings.BOLD,
        italic="Vera-Italic",
        boldItalic="Vera-BoldItalic",
    )
    return frozenset(pdfmetrics.getFont(drawings.FONT).face.charToGlyph)


def text(value) -> str:
    """Plain text made safe for a Paragraph: markup escaped, characters without a glyph
    replaced (a comment may hold anything a keyboard can type), line breaks kept."""
    glyphs = _font_glyphs()
    chars = (c if ord(c) in glyphs or c.isspace() else SUBSTITUTES.get(c, "?") for c in str(value))
    return escape("".join(chars)).replace("\n", "<br/>")


@cache
def paragraph_styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=drawings.FONT, fontSize=9, leading=12)
    return {
        "body": base,
        "title": ParagraphStyle("title", base, fontName=drawings.BOLD, fontSize=18, leading=22),
        "h2": ParagraphStyle(
            "h2", base, fontName=drawings.BOLD, fontSize=12, leading=15, spaceBefore=10
        ),
        "h3": ParagraphStyle(
            "h3", base, fontName=drawings.BOLD, fontSize=10, leading=13, spaceBefore=6
        ),
        "status": ParagraphStyle(
            "status",
            base,
            fontName=drawings.BOLD,
            fontSize=11,
            leading=14,
            borderWidth=1,
            borderColor=colors.black,
            borderPadding=4,
            spaceBefore=4,
            spaceAfter=8,
        ),
        "small": ParagraphStyle("small", base, fontSize=7, leading=9),
        "cell": ParagraphStyle("cell", base, fontSize=6.5, leading=8),
        "head": ParagraphStyle("head", base, fontName=drawings.BOLD, fontSize=6.5, leading=8),
    }


def build(edition: Edition) -> bytes:
    """The PDF as bytes."""
    content = edition.content
    story = [
        *_heading(edition),
        *_summary(content),
        *_matrix(edition),
        *_map(edition),
        *_police(edition),
        *_trends(content),
        *_indicators(edition),
        *_assessments(content),
        *_clusters(content),
    ]
    return render(
        story,
        title=edition.title(),
        author=content["partnership"],
        subject=_("Lägesbild %(p)s") % {"p": edition.period},
        footer=f"Lägesbild – {content['partnership']} – {edition.period}",
        draft=edition.picture is None,
    )


def render(story: list, *, title: str, author: str, subject: str, footer: str, draft=False):
    """An A4 document of `story` as bytes: the Vera fonts, the margins, `footer` and "Sida n
    av N" on every page, and "UTKAST" at the top of every page of a draft. Shared by every
    PDF export (the weekly picture, the yearly deepened picture)."""
    _font_glyphs()
    out = BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=title,
        author=author,
        subject=subject,
        creator="Lägesbild",
        invariant=True,  # the same content gives the same bytes
    )

    def on_page(canvas, _document):
        canvas.setFont(drawings.FONT, 7)
        canvas.drawString(MARGIN, MARGIN - 2 * mm, footer)
        if draft:
            canvas.drawRightString(A4[0] - MARGIN, A4[1] - MARGIN + 3 * mm, _("UTKAST"))

    document.build(story, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=PagedCanvas)
    return out.getvalue()


def grid_table(rows: list[list], widths: list[float]) -> Table:
    """A table with a thin grid, a heavier line under the heading row (repeated on every
    page) and cells aligned at the top."""
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
            ]
        )
    )
    return table


class PagedCanvas(Canvas):
    """Writes 'Sida n av N' on every page, once the number of pages is known."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(drawings.FONT, 7)
            self.drawRightString(
                A4[0] - MARGIN,
                MARGIN - 2 * mm,
                _("Sida %(n)s av %(t)s") % {"n": number, "t": total},
            )
            super().showPage()
        super().save()


def _heading(edition: Edition) -> list:
    styles = paragraph_styles()
    content = edition.content
    monday = date.fromisoformat(content["week_start"])
    period = _("%(iso)s, måndag %(first)s – söndag %(last)s") % {
        "iso": edition.period,
        "first": monday.isoformat(),
        "last": (monday + timedelta(days=6)).isoformat(),
    }
    items = [
        Paragraph(text(edition.title()), styles["title"]),
        Paragraph(text(f"{content['partnership']} · {period}"), styles["body"]),
        Paragraph(text(edition.status()), styles["status"]),
        Paragraph(text(edition.computed()), styles["small"]),
    ]
    if edition.picture is not None and edition.picture.change_note:
        note = _("Rättelse: %(note)s") % {"note": edition.picture.change_note}
        items.append(Paragraph(text(note), styles["small"]))
    for line in edition.changes():
        items.append(Paragraph(text(line), styles["small"]))
    return items


def para(value, style: str = "body") -> Paragraph:
    """A paragraph of plain text in one of `paragraph_styles`."""
    return Paragraph(text(value), paragraph_styles()[style])


def simple_table(header: list[str], rows: list[list], widths: list[float]) -> list:
    """A grid table of plain values under a heading row, or "Inga." when there are no rows."""
    if not rows:
        return [para(_("Inga."))]
    cells = [[para(h, "head") for h in header]]
    cells += [[para("" if v is None else v, "cell") for v in row] for row in rows]
    return [grid_table(cells, widths), Spacer(0, 3 * mm)]


def bullets(lines: list[str]) -> ListFlowable:
    style = paragraph_styles()["body"]
    return ListFlowable(
        [Paragraph(text(line), style) for line in lines],
        bulletType="bullet",
        start="•",
        bulletFontName=drawings.FONT,
        leftIndent=10,
    )


def _summary(content: dict) -> list:
    return [
        Paragraph(text(_("Sammanfattning")), paragraph_styles()["h2"]),
        bullets(content["summary"]),
    ]


def _matrix(edition: Edition) -> list:
    """Areas down, category groups across; each cell the count, the expected count and the
    flags in words."""
    styles = paragraph_styles()
    content = edition.content
    matrix = presenters.matrix(content)
    below = edition.suppress_below

    def head(label: str) -> Paragraph:
        return Paragraph(text(label), styles["head"])

    def column(label: str) -> _Upright:
        return _Upright(text(label), styles["head"])

    def cell(series: dict) -> Paragraph:
        lines = [f"<b>{text(shown_count(series['observed'], below))}</b>"]
        if series["expected"] is not None:
            lines.append(text(_("förv. %(e)s") % {"e": presenters.num(series["expected"])}))
        lines += [text(word) for word in flag_words(series)]
        return Paragraph("<br/>".join(lines), styles["cell"])

    header = [head(_("Område")), *(column(g["name"]) for g in matrix["groups"])]
    header += [column(_("Totalt")), column(_("Poäng/1 000 inv."))]
    rows = [header]
    cells = []  # (column, row, series) of every count cell, for the flag styling
    for row in matrix["rows"]:
        series = [*row["cells"], row["total"]]
        per_1000 = row["points"]["per_1000"]
        rows.append(
            [
                head(row["area"]["name"]),
                *(cell(s) for s in series),
                Paragraph(text(presenters.num(per_1000)), styles["cell"]),
            ]
        )
        cells += [(j + 1, len(rows) - 1, s) for j, s in enumerate(series)]
    footer = [*matrix["footer"], matrix["grand"]]
    rows.append([head(_("Totalt")), *(cell(s) for s in footer), ""])
    cells += [(j + 1, len(rows) - 1, s) for j, s in enumerate(footer)]

    groups = len(matrix["groups"]) + 1
    first, last = 24 * mm, 12 * mm
    widths = [first, *[(WIDTH - first - last) / groups] * groups, last]
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.25, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black),
        ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
    ]
    for column, row_index, series in cells:
        if series["level"] == "avvikelse":
            style += [
                ("BACKGROUND", (column, row_index), (column, row_index), DEVIATION_FILL),
                ("BOX", (column, row_index), (column, row_index), 1.5, colors.black),
            ]
        elif series["level"] == "bevaka":
            style.append(("BACKGROUND", (column, row_index), (column, row_index), WATCH_FILL))
    style.append(("VALIGN", (1, 0), (-1, 0), "BOTTOM"))
    table.setStyle(TableStyle(style))
    explanation = _(
        "Varje ruta: veckans antal (fetstil), förväntat antal (förv.) och flaggor. Avvikelse = "
        "ovanligt högt efter kontroll för många jämförelser (mörk ruta med tjock ram); Bevaka = "
        "högre än vanligt (ljusgrå ruta); Ökar = stadig ökning."
    )
    if below > 1:
        explanation += " " + _('Antal från 1 till %(n)s visas som "<%(m)s".') % {
            "n": below - 1,
            "m": below,
        }
    return [
        Paragraph(text(_("Statusmatris")), styles["h2"]),
        table,
        Spacer(0, 2 * mm),
        Paragraph(text(explanation), styles["small"]),
    ]


class _Upright(Flowable):
    """A column heading written bottom to top, so long group names fit narrow columns."""

    def __init__(self, label: str, style: ParagraphStyle):
        super().__init__()
        self.label, self.style = label, style

    def wrap(self, available_width, available_height):
        self.length = pdfmetrics.stringWidth(self.label, self.style.fontName, self.style.fontSize)
        return self.style.leading, self.length

    def draw(self):
        self.canv.saveState()
        self.canv.rotate(90)
        self.canv.setFont(self.style.fontName, self.style.fontSize)
        self.canv.drawString(0, -self.style.fontSize, self.label)
        self.canv.restoreState()


def _map(edition: Edition) -> list:
    drawing = drawings.area_map(edition.content, area_geometries(edition), WIDTH, 135 * mm)
    return [KeepTogether([Paragraph(text(_("Karta")), paragraph_styles()["h2"]), drawing])]


def _trends(content: dict) -> list:
    """The total and each category group, two charts a row."""
    styles = paragraph_styles()
    charts = [("-1:-1", _("Totalt"))]
    charts += [(f"-1:{j}", g["name"]) for j, g in enumerate(content["groups"])]
    width, height = WIDTH / 2 - 2 * mm, 42 * mm
    drawn = [
        drawings.trend_chart(content["trends"][key], title, width, height)
        for key, title in charts
        if content["trends"].get(key, {}).get("observed")
    ]
    if not drawn:
        return []
    rows = [drawn[i : i + 2] + [""] * (2 - len(drawn[i : i + 2])) for i in range(0, len(drawn), 2)]
    grid = Table(rows, colWidths=[WIDTH / 2] * 2)
    grid.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    legend = _(
        "Antal per vecka det senaste året (heldragen linje), förväntat antal (streckad) och "
        "normalintervall (grått fält)."
    )
    return [
        Paragraph(text(_("Trender")), styles["h2"]),
        Paragraph(text(legend), styles["small"]),
        grid,
    ]


def _indicators(edition: Edition) -> list:
    """Per indicator the areas' latest value, change and flag in words with its sentence."""
    sections = indicator_sections(edition)
    if not sections:
        return []
    styles = paragraph_styles()
    story = [
        Paragraph(text(_("Indikatorer")), styles["h2"]),
        Paragraph(text(indicator_note(edition)), styles["small"]),
    ]
    headers = [_("Område"), _("Period"), _("Senaste värde"), _("Förändring"), _("Avvikelse")]
    for indicator, summaries in sections:
        rows = [[Paragraph(text(h), styles["head"]) for h in headers]]
        for row in indicator_presenters.rows(indicator, summaries):
            latest = f"{row.latest} ({row.margin})" if row.margin else row.latest
            rows.append(
                [
                    Paragraph(text(row.area.name), styles["cell"]),
                    Paragraph(text(row.period), styles["cell"]),
                    Paragraph(text(latest), styles["cell"]),
                    Paragraph(text(row.change), styles["cell"]),
                    Paragraph(text(f"{row.flag_label}. {row.sentence}"), styles["cell"]),
                ]
            )
        title = f"{indicator.name} ({indicator.unit}, {indicator.source})"
        story.append(Paragraph(text(title), styles["body"]))
        if counted := indicator_presenters.counted_note(indicator):
            story.append(Paragraph(text(counted), styles["small"]))
        story.append(grid_table(rows, [30 * mm, 20 * mm, 30 * mm, 20 * mm, WIDTH - 100 * mm]))
        story.append(Spacer(1, 3 * mm))
    return story


def _police(edition: Edition) -> list:
    """The police's notices apart from the reports: the notes, the counts per area and at
    municipality level, and for members and up the notices themselves."""
    police = police_section(edition)
    if police is None:
        return []
    styles = paragraph_styles()
    story = [Paragraph(text(_("Polisens händelsenotiser")), styles["h2"])]
    story += [Paragraph(text(note), styles["small"]) for note in police.notes]
    if police.known:
        rows = [*police.counts, (_("Totalt"), police.total)]
        story += simple_table([_("Område"), _("Notiser")], rows, [60 * mm, 25 * mm])
    if police.events:
        rows = [
            [
                e["occurred_at"].strftime("%Y-%m-%d %H:%M"),
                e["event_type"],
                f"{e['name']}. {e['summary']}" if e["summary"] else e["name"],
                e["area"],
            ]
            for e in police.events
        ]
        story += simple_table(
            [_("Inträffade"), _("Typ"), _("Notis"), _("Område")],
            rows,
            [25 * mm, 30 * mm, WIDTH - 90 * mm, 35 * mm],
        )
    return story


def _assessments(content: dict) -> list:
    styles = paragraph_styles()
    scale = ", ".join(f"{s['level']} {s['name']}" for s in content["scale"])
    rows = [
        [
            Paragraph(text(_("Område")), styles["head"]),
            Paragraph(text(_("Bedömning")), styles["head"]),
            Paragraph(text(_("Förslag från siffrorna")), styles["head"]),
            Paragraph(text(_("Kommentar")), styles["head"]),
        ]
    ]
    for area in sorted(content["areas"], key=lambda a: a["name"]):
        entry = content["assessments"][str(area["id"])]
        proposal = f"{entry['proposed_level'] or '–'}: {entry['proposed_reason']}"
        rows.append(
            [
                Paragraph(text(area["name"]), styles["cell"]),
                Paragraph(
                    text(scale_name(content, entry["level"]) or _("Ej bedömd")), styles["cell"]
                ),
                Paragraph(text(proposal), styles["cell"]),
                Paragraph(text(entry["comment"]), styles["cell"]),
            ]
        )
    table = grid_table(rows, [30 * mm, 28 * mm, 50 * mm, WIDTH - 108 * mm])
    return [
        Paragraph(text(_("Bedömning")), styles["h2"]),
        Paragraph(text(_("Skala: %(s)s.") % {"s": scale}), styles["small"]),
        table,
    ]


def _clusters(content: dict) -> list:
    heading = Paragraph(text(_("Kluster i tid och rum")), paragraph_styles()["h2"])
    if not content["clusters"]:
        return [
            heading,
            Paragraph(text(_("Inga kluster denna vecka.")), paragraph_styles()["body"]),
        ]
    return [heading, bullets([c["text"] for c in content["clusters"]])]
