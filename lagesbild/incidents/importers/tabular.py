"""Read incident rows from CSV or Excel files with Swedish conventions.

Accepts UTF-8 (with or without BOM) CSV separated by semicolons (as Swedish Excel writes it)
or commas, and .xlsx workbooks (first sheet). Headers are matched case-insensitively, in
Swedish or English. Numbers may use a decimal comma. Every row becomes a dict of strings
keyed by the canonical column names below; the service does the validation.
"""

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

COLUMNS = {
    "external_id": ("external_id", "externt id", "id", "ärendenummer"),
    "occurred_at": ("occurred_at", "inträffade", "tidpunkt", "datum"),
    "category": ("category", "kategori"),
    "severity": ("severity", "allvarlighetsgrad", "allvar"),
    "lon": ("lon", "longitud", "longitude"),
    "lat": ("lat", "latitud", "latitude"),
    "place": ("place", "plats"),
    "description": ("description", "beskrivning"),
}
_HEADER_TO_COLUMN = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}


class ImportFormatError(ValueError):
    """The file cannot be read as incident rows; the message says why, in Swedish."""


def _canonical(headers: list) -> list[str | None]:
    names = [_HEADER_TO_COLUMN.get(str(h or "").strip().lower()) for h in headers]
    missing = {"occurred_at", "category"} - set(names)
    if missing:
        raise ImportFormatError(
            "Filen saknar kolumnerna " + ", ".join(sorted(missing)) + " (se dokumentationen)."
        )
    return names


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value).strip()


def _rows(header: list, body) -> list[dict]:
    names = _canonical(header)
    rows = []
    for values in body:
        if not any(_cell(v) for v in values):
            continue
        row = {name: _cell(v) for name, v in zip(names, values, strict=False) if name}
        rows.append(row)
    return rows


def read_csv(text: str) -> list[dict]:
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportFormatError("Filen är tom.")
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader)
    return _rows(header, reader)


def read_xlsx(data: bytes) -> list[dict]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for files that are not xlsx
        raise ImportFormatError("Filen kunde inte läsas som en Excel-fil (.xlsx).") from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = list(next(rows))
    except StopIteration as exc:
        raise ImportFormatError("Filen är tom.") from exc
    return _rows(header, rows)


def read_file(path: Path) -> list[dict]:
    """Rows of a .csv or .xlsx file."""
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(path.read_bytes())
    try:
        return read_csv(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ImportFormatError("Filen måste vara sparad som UTF-8.") from exc
