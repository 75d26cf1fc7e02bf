"""A guest's downloads of an approved picture, PDF and Excel: the invited areas' figures as
the guest's own page shows them (`queries.picture_areas`, `queries.periodic_areas`) and
nothing else. No incident row, free text (comments, change notes), position, map or outline,
no other area and no figure summed over areas the guest is not invited to, whatever grant the
organisation holds: granted detail is read on its own audited page.

The members' exports (`pictures.exports`) are built from the whole picture, so a guest never
gets one; the GIS files, whose point is every area's outline and figures, are not made for
guests at all. Counts from 1 to the partnership's limit are written "<n" as in every file the
partnership hands over."""

from dataclasses import dataclass
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from lagesbild.guests import queries
from lagesbild.incidents import weeks
from lagesbild.pictures import presenters
from lagesbild.pictures.exports.excel import DECIMAL, INTEGER, append_row, fit_columns, table_header
from lagesbild.pictures.exports.formats import FORMATS, Format
from lagesbild.pictures.models import PeriodKind, Picture

GUEST_FORMATS: dict[str, Format] = {fmt: FORMATS[fmt] for fmt in ("pdf", "xlsx")}


@dataclass(frozen=True)
class Table:
    """One table of the file: a section of the PDF, a sheet of the workbook."""

    name: str  # the section's heading and the sheet's name (at most 31 characters)
    header: list[str]
    rows: list[list]
    shares: list[float]  # each column's share of the PDF page's width
    formats: list[str | None]  # Excel number formats


@dataclass(frozen=True)
class GuestFile:
    title: str
    lines: list[str]
    tables: list[Table]
    footer: str


def build(membership, picture: Picture, fmt: str) -> bytes:
    """The guest's file of `picture` in `fmt` (one of GUEST_FORMATS)."""
    area_ids = queries.invited_area_ids(membership)
    below = membership.partnership.suppress_below
    if picture.period_kind == PeriodKind.WEEK:
        made = _weekly(picture, queries.picture_areas(picture.content, area_ids, below), below)
    else:
        made = _periodic(picture, queries.periodic_areas(picture.content, area_ids, below), below)
    return _pdf(made) if fmt == "pdf" else _xlsx(made)


def filename(picture: Picture, fmt: str) -> str:
    return f"lagesbild-{picture.period}-v{picture.version}-gast.{GUEST_FORMATS[fmt].extension}"


def _status(picture: Picture) -> str:
    """The version and day of approval (in the partnership's time zone); not the approver's
    name, which the guest's page does not show either."""
    zone = picture.partnership.time_zone
    return _(
        "Godkänd version %(v)s, %(at)s. Visar bara de områden er organisation är inbjuden till."
    ) % {"v": picture.version, "at": weeks.local_date(picture.approved_at, zone).isoformat()}


def _weekly(picture: Picture, areas: list[dict], below: int) -> GuestFile:
    content = picture.content
    title = _("Lägesbild %(week)s, %(year)s – %(name)s") % {
        "week": presenters.week_label(picture.period),
        "year": picture.period.split("-W")[0],
        "name": content["partnership"],
    }
    overview = Table(
        _("Områden"),
        [_("Område"), _("Händelser under veckan"), _("Gruppens bedömning")],
        [[a["name"], a["total"]["shown"], a["level"] or ""] for a in areas],
        [0.4, 0.25, 0.35],
        [None, INTEGER],
    )
    groups = Table(
        _("Per kategorigrupp"),
        [_("Område"), _("Kategorigrupp"), _("Antal"), _("Förväntat"), _("Signal")],
        [
            [
                a["name"],
                r["group"],
                r["shown"],
                r["expected"],
                r["level_word"],
            ]
            for a in areas
            for r in a["rows"]
        ],
        [0.25, 0.35, 0.12, 0.13, 0.15],
        [None, None, INTEGER, DECIMAL],
    )
    lines = [_status(picture), *queries.count_note(below)]
    return GuestFile(title, lines, [overview, groups], f"{title} – v{picture.version}")


def _periodic(picture: Picture, areas: list[dict], below: int) -> GuestFile:
    content = picture.content
    title = presenters.periodic_title(content)
    ranking = Table(
        _("Områden efter behov"),
        [
            _("Område"),
            _("Index"),
            _("95 %-intervall"),
            _("Händelser"),
            _("Trend per period"),
            _("Möjlighet att påverka"),
        ],
        [
            [
                a["name"],
                a["index"],
                a["interval"],
                a["events"],
                a["trend"],
                a["influence"],
            ]
            for a in areas
        ],
        [0.2, 0.1, 0.15, 0.1, 0.27, 0.18],
        [None, DECIMAL, None, INTEGER],
    )
    lines = [
        _status(picture),
        *presenters.periodic_notes(content),
        queries.periodic_explanation(content),
    ]
    lines += queries.count_note(below, weekly=False)
    return GuestFile(title, lines, [ranking], f"{title} – v{picture.version}")


def _pdf(made: GuestFile) -> bytes:
    # ReportLab is loaded on the first PDF, as for the members' exports (formats._pdf).
    from lagesbild.pictures.exports.pdf import WIDTH, para, render, simple_table

    story = [para(made.title, "title"), *[para(line) for line in made.lines]]
    for table in made.tables:
        rows = [["" if v is None else _pdf_value(v) for v in row] for row in table.rows]
        story += [para(table.name, "h2")]
        story += simple_table(table.header, rows, [WIDTH * s for s in table.shares])
    return render(
        story, title=made.title, author=made.title, subject=made.title, footer=made.footer
    )


def _pdf_value(value) -> str:
    return presenters.num(value) if isinstance(value, float) else str(value)


def _xlsx(made: GuestFile) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = _("Sammanfattning")
    for line in (made.title, *made.lines):
        append_row(summary, [line])
    summary["A1"].font = Font(bold=True, size=14)
    summary.column_dimensions["A"].width = 120
    for table in made.tables:
        sheet = book.create_sheet(table.name[:31])
        table_header(sheet, table.header)
        for row in table.rows:
            append_row(sheet, row, table.formats)
        fit_columns(sheet)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
