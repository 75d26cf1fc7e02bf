"""Hostile import files, made on the spot: used by tests/incidents/test_import_limits.py and
benchmarks/import_limits.py (which makes them at the sizes of the security test).

Every .xlsx starts from a real one-row workbook written by openpyxl, whose first sheet is then
replaced by XML streamed into the zip, so millions of rows cost seconds and a few hundred KB.
"""

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

HEADER = ["Externt id", "Inträffade", "Kategori", "Longitud", "Latitud", "Beskrivning"]
SHEET = "xl/worksheets/sheet1.xml"
_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
_CLOSE = "</sheetData></worksheet>"


def _inline(value: str) -> str:
    return f'<c t="inlineStr"><is><t>{value}</t></is></c>'


def _row(values: list[str]) -> str:
    return "<row>" + "".join(_inline(v) for v in values) + "</row>"


def _template() -> bytes:
    workbook = Workbook()
    workbook.active.append(HEADER)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xlsx(path: Path, chunks, *, tail: str = _CLOSE, dimension: str = "") -> Path:
    """An .xlsx whose first sheet is the header row and then the XML text of `chunks`
    (an iterable of str), streamed into the zip (deflated), then `tail`. Without a
    `dimension` (such as "A1:F3") openpyxl reads the whole sheet when it opens the file."""
    start = _OPEN + (f'<dimension ref="{dimension}"/>' if dimension else "") + "<sheetData>"
    with (
        zipfile.ZipFile(io.BytesIO(_template())) as template,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out,
    ):
        for entry in template.infolist():
            if entry.filename != SHEET:
                out.writestr(entry, template.read(entry.filename))
        with out.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write((start + _row(HEADER)).encode())
            for chunk in chunks:
                sheet.write(chunk.encode())
            sheet.write(tail.encode())
    return path


def valid_row(number: int) -> list[str]:
    return [f"H-{number}", "2025-03-01 21:30", "klotter", "17,905", "59,435", "Klotter"]


def many_rows(path: Path, rows: int, *, broken_end: bool = False) -> Path:
    """`rows` identical short rows (one number each), as in the security test's 432 KB file
    with 3 million rows. With `broken_end` the sheet ends in XML that no parser accepts: a
    reader that gets there has read the whole file."""
    row = "<row><c><v>1</v></c></row>"
    block_rows = 100_000

    def chunks():
        left = rows
        while left > 0:
            yield row * min(left, block_rows)
            left -= block_rows

    return write_xlsx(path, chunks(), tail="<row><c><<<" if broken_end else _CLOSE)


def huge_cell(path: Path, chars: int, *, rows_after: int = 1) -> Path:
    """One row whose description is `chars` characters long, then `rows_after` valid rows."""

    def chunks():
        yield "<row>" + "".join(_inline(v) for v in valid_row(1)[:-1]) + '<c t="inlineStr"><is><t>'
        piece = "a" * (1024 * 1024)
        left = chars
        while left > 0:
            yield piece[: min(left, len(piece))]
            left -= len(piece)
        yield "</t></is></c></row>"
        for number in range(2, rows_after + 2):
            yield _row(valid_row(number))

    return write_xlsx(path, chunks())


def not_an_xlsx_zip(path: Path) -> Path:
    """A genuine zip with a text file in it, named .xlsx."""
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("readme.txt", "Det här är ingen arbetsbok.")
    return path


def csv_file(path: Path, descriptions: list[str]) -> Path:
    """A Swedish CSV with one valid row per description."""
    lines = [";".join(HEADER)]
    for number, description in enumerate(descriptions, start=1):
        lines.append(";".join([*valid_row(number)[:-1], description]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
