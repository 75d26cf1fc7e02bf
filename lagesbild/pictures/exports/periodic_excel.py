"""A periodic picture (quarter, tertial, year) as an Excel workbook (.xlsx).

Sheets: "Sammanfattning" (the title, with "pågående period" while the period runs, what
the figures cover and, for an approved version after the first, what changed against the one
before it, as the reader may see it), "Rangordning" (areas by need with intervals and trend),
"Utveckling" (each category group against the same period a year earlier, and per month),
"Påverkbarhet" (the group's view of what can be influenced) and, where the group weighs
indicators in, "Sammanvägt behov" (every part's value, place 0-1 and weight). Everything
but the changes comes from the periodic content alone (the live draft from
`periodic.compute_period` or an approved version's frozen content), so a version exports
exactly as it was approved. Changes are stored as fractions (0.12 for +12 %) in a percent
format, so they stay numbers a reader can compute with.
"""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from lagesbild.pictures import presenters
from lagesbild.pictures.exports.edition import Edition
from lagesbild.pictures.exports.excel import (
    DECIMAL,
    INTEGER,
    append_row,
    append_section,
    fit_columns,
    table_header,
)
from lagesbild.pictures.periodic import INFLUENCE_SCALE
from lagesbild.pictures.periods import Period

CHANGE = "+0%;-0%;0%"
PLACE = "0.00"


def build(edition: Edition) -> bytes:
    """The workbook as .xlsx bytes."""
    content = edition.content
    book = Workbook()
    summary = book.active
    summary.title = "Sammanfattning"
    _summary_sheet(summary, content, edition.changes())
    _ranking_sheet(book.create_sheet("Rangordning"), content)
    _development_sheet(book.create_sheet("Utveckling"), content)
    _influence_sheet(book.create_sheet("Påverkbarhet"), content)
    if content.get("need"):
        _need_sheet(book.create_sheet("Sammanvägt behov"), content["need"])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _change(ratio: float | None) -> float | None:
    """A rate ratio as a change: 1.12 -> 0.12 (shown +12 %); None stays an empty cell."""
    return None if ratio is None else ratio - 1


def _summary_sheet(sheet: Worksheet, content: dict, changes: list[str]) -> None:
    """The title and the notes the page shows before any figure: a period still running
    (its counts are so far, its trend and comparison withheld) or only partly covered; then
    a version's changes against the one before it, under the weekly workbook's heading."""
    title, notes = presenters.periodic_title(content), presenters.periodic_notes(content)
    for line in (title, *notes):
        append_row(sheet, [line])
    sheet["A1"].font = Font(bold=True, size=14)
    append_section(sheet, _("Ändrat mot föregående version"), changes)
    fit_columns(sheet)


def _ranking_sheet(sheet: Worksheet, content: dict) -> None:
    first, last = content["trend_periods"][0], content["trend_periods"][-1]
    trend = _("Trend per period %(a)s–%(b)s") % {"a": first, "b": last}
    table_header(
        sheet,
        [
            _("Rang"),
            _("Område"),
            _("Index"),
            _("Index 95 %-intervall, lägst"),
            _("Index 95 %-intervall, högst"),
            _("Rangintervall, bästa"),
            _("Rangintervall, sämsta"),
            _("Händelser"),
            trend,
            _("Trend 95 %-intervall, lägst"),
            _("Trend 95 %-intervall, högst"),
            _("Trend saknas"),
        ],
    )
    formats = [INTEGER, None, DECIMAL, DECIMAL, DECIMAL, INTEGER, INTEGER, INTEGER]
    formats += [CHANGE] * 3
    for r in content["ranking"]:
        append_row(
            sheet,
            [
                r["rank"],
                r["name"],
                r["index"],
                r["low"],
                r["high"],
                r["rank_low"],
                r["rank_high"],
                r["events"],
                _change(r["trend"]),
                _change(r["trend_low"]),
                _change(r["trend_high"]),
                r.get("trend_reason", ""),
            ],
            formats,
        )
    fit_columns(sheet)


def _development_sheet(sheet: Worksheet, content: dict) -> None:
    period = Period.parse(content["period"])
    first = period.first_month  # a period never crosses a new year
    months = [first.replace(month=first.month + k) for k in range(period.months)]
    table_header(
        sheet,
        [
            _("Kategorigrupp"),
            _("Perioden"),
            _("Samma period året före"),
            _("Förändring"),
            _("Förändring 95 %-intervall, lägst"),
            _("Förändring 95 %-intervall, högst"),
            _("Jämförelse saknas"),
            *[m.strftime("%Y-%m") for m in months],
        ],
    )
    formats = [None, INTEGER, INTEGER, CHANGE, CHANGE, CHANGE, None, *[INTEGER] * period.months]
    for g in content["groups"]:
        append_row(
            sheet,
            [
                g["name"],
                g["now"],
                g["year_before"],
                _change(g["ratio"]),
                _change(g["low"]),
                _change(g["high"]),
                g.get("reason", ""),
                *g["monthly"],
            ],
            formats,
        )
    fit_columns(sheet)


def _influence_sheet(sheet: Worksheet, content: dict) -> None:
    """Every ranked area, judged or not, in the order of the ranking."""
    names = {s["level"]: s["name"] for s in INFLUENCE_SCALE}
    table_header(sheet, [_("Område"), _("Nivå"), _("Möjlighet att påverka"), _("Kommentar")])
    for r in content["ranking"]:
        judged = content["influence"].get(str(r["area"]), {})
        level = judged.get("level")
        append_row(
            sheet,
            [r["name"], level, names.get(level, ""), judged.get("comment", "")],
            [None, INTEGER],
        )
    fit_columns(sheet)


def _need_sheet(sheet: Worksheet, need: dict) -> None:
    """The combined need with its parts: per part its value as text (with unit and period)
    and its place between the areas as a number, the weight in the part's header."""
    headers = [_("Rang"), _("Område"), _("Sammanvägt behov (0–1)")]
    for part in need["parts"]:
        name = _("%(p)s (vikt %(w)s)") % {"p": part["name"], "w": part["weight"]}
        headers += [_("%(p)s – värde") % {"p": name}, _("%(p)s – plats 0–1") % {"p": name}]
    table_header(sheet, headers)
    formats = [INTEGER, None, PLACE, *[None, PLACE] * len(need["parts"])]
    for row in need["rows"]:
        cells = [row["rank"], row["name"], row["need"]]
        for part in row["parts"]:
            cells += [part["value"], part["score"]]
        append_row(sheet, cells, formats)
    fit_columns(sheet)
