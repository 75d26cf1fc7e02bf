"""The situation picture as an Excel workbook (.xlsx) with Swedish headers and formats.

Sheets: "Sammanfattning" (the sentences), "Matris" (areas x category groups: count, expected
count and flags, with the partnership's small-count suppression), "Händelser" (the counted
incidents the reader may see), "Bedömningar" (the group's assessments), where the reader
sees any, "Indikatorer" (each area's latest value, change and flag) and, apart from the
partners' reports, "Polisens notiser" (the police's public notices of the week). Numbers are
stored as numbers and times as real Excel date-times in the partnership's time zone; the
number formats are Excel's locale-neutral codes, which a Swedish Excel or LibreOffice shows
with a decimal comma and a space between thousands.
"""

from io import BytesIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from lagesbild.indicators import periods as indicator_periods
from lagesbild.indicators import presenters as indicator_presenters
from lagesbild.pictures import presenters
from lagesbild.pictures.exports.edition import (
    Edition,
    PoliceSection,
    counted_incidents,
    flag_words,
    indicator_note,
    indicator_sections,
    police_section,
    scale_name,
    shown_count,
)

INTEGER = "#,##0"
DECIMAL = "#,##0.0"
DATETIME = "yyyy-mm-dd hh:mm"
BOLD = Font(bold=True)
MAX_WIDTH = 60


def build(edition: Edition) -> bytes:
    """The workbook as .xlsx bytes."""
    book = Workbook()
    summary = book.active
    summary.title = "Sammanfattning"
    incidents = list(counted_incidents(edition))
    _summary_sheet(summary, edition, shown=len(incidents))
    _matrix_sheet(book.create_sheet("Matris"), edition)
    _incident_sheet(book.create_sheet("Händelser"), edition, incidents)
    _assessment_sheet(book.create_sheet("Bedömningar"), edition)
    sections = indicator_sections(edition)
    if sections:
        _indicator_sheet(book.create_sheet("Indikatorer"), sections, indicator_note(edition))
    police = police_section(edition)
    if police is not None:
        _police_sheet(book.create_sheet("Polisens notiser"), police)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def append_row(sheet: Worksheet, values: list, formats: list[str | None] | None = None) -> None:
    """Add a row. Text is kept as text: a description that starts with '=' must not become a
    formula in the reader's spreadsheet, and control characters are not allowed in xlsx."""
    sheet.append([_clean(v) for v in values])
    for cell, number_format in zip(sheet[sheet.max_row], formats or [], strict=False):
        if number_format and not isinstance(cell.value, str):
            cell.number_format = number_format
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if cell.value.startswith("<"):  # a suppressed count sits right, like the numbers
                cell.alignment = Alignment(horizontal="right")


def _clean(value):
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def table_header(sheet: Worksheet, headers: list[str]) -> None:
    """A bold, frozen header row and column widths that fit the headers."""
    append_row(sheet, headers)
    for cell in sheet[1]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"


def fit_columns(sheet: Worksheet, minimum: int = 8) -> None:
    for index, column in enumerate(sheet.iter_cols(values_only=True), start=1):
        longest = max((len(str(v)) for v in column if v is not None), default=0)
        width = min(max(longest + 2, minimum), MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = width


def append_section(sheet: Worksheet, heading: str, lines: list[str]) -> None:
    """A blank row, a bold heading and one row per line; nothing when there are no lines."""
    if not lines:
        return
    append_row(sheet, [])
    append_row(sheet, [heading])
    sheet.cell(sheet.max_row, 1).font = BOLD
    for line in lines:
        append_row(sheet, [line])


def _summary_sheet(sheet: Worksheet, edition: Edition, shown: int) -> None:
    """The picture's heading and status, then its sentences in sections."""
    content = edition.content
    for line in (edition.title(), content["partnership"], edition.status(), edition.computed()):
        append_row(sheet, [line])
    sheet["A1"].font = Font(bold=True, size=14)
    sections = [
        (_("Sammanfattning"), content["summary"]),
        (_("Kluster i tid och rum"), [c["text"] for c in content["clusters"]]),
        (_("Ändrat mot föregående version"), edition.changes()),
        (_("Om exporten"), _export_notes(edition, shown)),
    ]
    for heading, lines in sections:
        append_section(sheet, heading, lines)
    for (cell,) in sheet.iter_rows(min_col=1, max_col=1):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 120


def _export_notes(edition: Edition, shown: int) -> list[str]:
    """What the reader should know about this file: how many of the counted incidents it
    lists, and whether small counts are hidden."""
    counted = len(edition.content["incident_ids"])
    if shown == counted:
        notes = [_("Fliken Händelser visar alla %(n)s händelser som räknades.") % {"n": counted}]
    else:
        notes = [
            _(
                "Fliken Händelser visar %(shown)s av de %(counted)s händelser som räknades; "
                "övriga får din roll inte se i detalj."
            )
            % {"shown": shown, "counted": counted}
        ]
    if edition.suppress_below > 1:
        notes.append(
            _('I matrisen visas antal från 1 till %(n)s som "<%(m)s".')
            % {"n": edition.suppress_below - 1, "m": edition.suppress_below}
        )
    return notes


def _matrix_sheet(sheet: Worksheet, edition: Edition) -> None:
    """Areas down, category groups across: count, expected count and flags per group."""
    content = edition.content
    matrix = presenters.matrix(content)
    below = edition.suppress_below
    headers = [_("Område")]
    formats: list[str | None] = [None]
    for name in [g["name"] for g in matrix["groups"]] + [_("Totalt")]:
        headers += [
            _("%(g)s – antal") % {"g": name},
            _("%(g)s – förväntat") % {"g": name},
            _("%(g)s – flagga") % {"g": name},
        ]
        formats += [INTEGER, DECIMAL, None]
    headers += [_("Poäng"), _("Poäng per 1 000 inv."), _("Invånare"), _("Bedömning")]
    formats += [DECIMAL, "#,##0.00", INTEGER, None]
    table_header(sheet, headers)

    def cells(series_list):
        values = []
        for s in series_list:
            flags = ", ".join(flag_words(s)) or None
            values += [shown_count(s["observed"], below), s["expected"], flags]
        return values

    for row in matrix["rows"]:
        points = row["points"]
        append_row(
            sheet,
            [
                row["area"]["name"],
                *cells([*row["cells"], row["total"]]),
                points["points"],
                points["per_1000"],
                row["area"]["population"],
                scale_name(content, row["assessment"]["level"]),
            ],
            formats,
        )
    append_row(sheet, [_("Totalt"), *cells([*matrix["footer"], matrix["grand"]])], formats)
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    fit_columns(sheet)
    sheet.column_dimensions["A"].width = 24


INCIDENT_HEADERS = [
    gettext_lazy("Nr"),
    gettext_lazy("Inträffade"),
    gettext_lazy("Vecka"),
    gettext_lazy("Kategori"),
    gettext_lazy("Grupp"),
    gettext_lazy("Område"),
    gettext_lazy("Plats"),
    gettext_lazy("Allvarlighetsgrad (1–3)"),
    gettext_lazy("Organisation"),
    gettext_lazy("Status"),
    gettext_lazy("Beskrivning"),
]


def _incident_sheet(sheet: Worksheet, edition: Edition, incidents: list) -> None:
    table_header(sheet, [str(h) for h in INCIDENT_HEADERS])
    formats = [INTEGER, DATETIME, None, None, None, None, None, INTEGER]
    for i in incidents:
        category = i.category
        append_row(
            sheet,
            [
                i.pk,
                # Excel has no time zones: the wall-clock time where the partnership is.
                i.occurred_at.astimezone(edition.time_zone).replace(tzinfo=None),
                i.iso_week % 100,
                category.name,
                category.parent.name if category.parent else category.name,
                i.area.name,
                i.place.name if i.place else "",
                i.severity,
                i.organisation.name if i.organisation else "",
                i.get_status_display(),
                i.description,
            ],
            formats,
        )
    fit_columns(sheet)
    sheet.column_dimensions["B"].width = 17
    sheet.column_dimensions["K"].width = MAX_WIDTH


def _assessment_sheet(sheet: Worksheet, edition: Edition) -> None:
    content = edition.content
    table_header(
        sheet,
        [
            _("Område"),
            _("Nivå"),
            _("Bedömning"),
            _("Kommentar"),
            _("Förslag"),
            _("Skäl för förslaget"),
            _("Bedömd av"),
        ],
    )
    for area in sorted(content["areas"], key=lambda a: a["name"]):
        entry = content["assessments"][str(area["id"])]
        append_row(
            sheet,
            [
                area["name"],
                entry["level"],
                scale_name(content, entry["level"]),
                entry["comment"],
                entry["proposed_level"],
                entry["proposed_reason"],
                entry["by"],
            ],
            [None, INTEGER, None, None, INTEGER],
        )
    fit_columns(sheet)


def _indicator_sheet(sheet: Worksheet, sections: list, note: str) -> None:
    """One row per indicator and area: the latest value and the change as numbers in the
    indicator's unit, the flag in words and the sentence that explains it."""
    table_header(
        sheet,
        [
            _("Indikator"),
            _("Enhet"),
            _("Källa"),
            _("Område"),
            _("Period"),
            _("Senaste värde"),
            _("Förändring"),
            _("Antal svarande"),
            _("Avvikelse"),
            _("Förklaring"),
        ],
    )
    formats = [None, None, None, None, None, "#,##0.0##", "#,##0.0##", INTEGER]
    for indicator, summaries in sections:
        for s in summaries:
            state = indicator_presenters.flag(indicator, s.deviation)
            append_row(
                sheet,
                [
                    indicator.name,
                    indicator.unit,
                    indicator.source,
                    s.area.name,
                    indicator_periods.label(indicator.period, s.latest.period_start),
                    s.latest.value,
                    s.change,
                    s.latest.sample_size,
                    str(indicator_presenters.FLAG_LABELS[state]),
                    indicator_presenters.sentence(indicator, s),
                ],
                formats,
            )
    append_row(sheet, [])
    for indicator, _summaries in sections:
        if counted := indicator_presenters.counted_note(indicator):
            append_row(sheet, [f"{indicator.name}: {counted}"])
    append_row(sheet, [note])
    fit_columns(sheet)


def _police_sheet(sheet: Worksheet, police: PoliceSection) -> None:
    """The police's notices, a source of its own: what to know, the counts per area and at
    municipality level and, for members and up, the notices themselves."""
    append_row(sheet, [_("Polisens händelsenotiser")])
    sheet["A1"].font = Font(bold=True, size=14)
    for note in police.notes:
        append_row(sheet, [note])
    if police.known:
        append_row(sheet, [])
        _bold_row(sheet, [_("Område"), _("Notiser")])
        for name, count in police.counts:
            append_row(sheet, [name, count], [None, INTEGER])
        _bold_row(sheet, [_("Totalt"), police.total])
    if police.events:
        append_row(sheet, [])
        _bold_row(
            sheet,
            [_("Inträffade"), _("Typ"), _("Rubrik"), _("Område"), _("Sammanfattning"), _("Länk")],
        )
        for e in police.events:
            row = [e["occurred_at"], e["event_type"], e["name"], e["area"], e["summary"], e["link"]]
            append_row(sheet, row, [DATETIME])
    sheet.column_dimensions["A"].width = 24
    for column in "BCDEF":
        sheet.column_dimensions[column].width = 30


def _bold_row(sheet: Worksheet, values: list) -> None:
    append_row(sheet, values, [None, INTEGER])
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
