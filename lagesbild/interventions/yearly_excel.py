"""The yearly deepened picture as an Excel workbook, one sheet per heading."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from lagesbild.interventions.yearly import CODES, OUTCOME_LABELS, byline
from lagesbild.pictures.exports.excel import append_row

BOLD = Font(bold=True)


def _sheet(book, title: str, header: list[str], rows: list[list]) -> None:
    sheet = book.create_sheet(title)
    append_row(sheet, header)
    for cell in sheet[1]:
        cell.font = BOLD
    for row in rows:
        append_row(sheet, row)
    for column, name in zip(sheet.columns, header, strict=False):
        width = max([len(str(name)), *(len(str(c.value or "")) for c in column)])
        sheet.column_dimensions[column[0].column_letter].width = min(width + 2, 60)


def build(data: dict) -> bytes:
    book = Workbook()
    book.remove(book.active)
    _sheet(
        book,
        "Problem",
        ["Område", "Kategorigrupp", "Veckor med avvikelse", "Veckor"],
        [[f["area"], f["group"], len(f["weeks"]), ", ".join(f["weeks"])] for f in data["flags"]],
    )
    _sheet(
        book,
        "Bedömningar",
        ["Område", "Bedömda veckor", "Högsta nivå", "Senaste nivå"],
        [[a["area"], a["weeks"], a["highest"], a["last"]] for a in data["assessments"]],
    )
    _sheet(
        book,
        "Insatser",
        ["Insats", "Typ", "Område", "Status", "Start", "Slut", "Utfall", "Slutsats"],
        [
            [
                r["item"].title,
                r["item"].kind.name if r["item"].kind else "",
                r["item"].area_names,
                r["item"].get_status_display(),
                r["item"].start_date,
                r["item"].end_date,
                r["outcome"],
                r["sentence"],
            ]
            for r in data["interventions"]
        ],
    )
    for title, label, key in (("Per typ", "Typ", "by_type"), ("Per område", "Område", "by_area")):
        _sheet(
            book,
            title,
            [label, "Insatser", *map(str, OUTCOME_LABELS)],
            [[r["name"], r["total"], *(r[c] for c in CODES)] for r in data[key]],
        )
    _sheet(
        book,
        "Utan insats",
        ["Område", "Kategorigrupp", "Veckor med avvikelse"],
        [[f["area"], f["group"], len(f["weeks"])] for f in data["unaddressed"]],
    )
    _sheet(
        book,
        "Utan utvärdering",
        ["Insats", "Status", "Slutsats"],
        [
            [r["item"].title, r["item"].get_status_display(), r["note"]]
            for r in data["not_evaluable"]
        ],
    )
    _sheet(
        book,
        "Reflektioner",
        ["Rubrik", "Gruppens reflektion", "Version"],
        [
            [
                f"{number}. {s['title']}",
                s["reflections"][0].text if s["reflections"] else "",
                byline(s["reflections"][0]) if s["reflections"] else "",
            ]
            for number, s in enumerate(data["sections"], start=1)
        ],
    )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
