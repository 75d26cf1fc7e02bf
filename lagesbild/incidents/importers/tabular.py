"""Read rows from CSV or Excel files with Swedish conventions: incident lists, and any other
list described by a `Layout` (area indicators use their own).

Accepts CSV separated by semicolons (as Swedish Excel writes it), tabs or commas, in UTF-8 (with or
without BOM) or Windows-1252 (what older Swedish Excel saves as "CSV"), and .xlsx workbooks
(first sheet). Headers are matched case-insensitively, in
Swedish or English. Numbers may use a decimal comma. Every row becomes a dict of strings
keyed by the layout's canonical column names (for incidents, `COLUMNS` below); the service
does the validation.

A file is read as a stream: `open_file` checks everything that can refuse the whole file
(its size, for .xlsx the size it unpacks to, its header and its number of rows, counted
without parsing the cells) before the first row is handed out, and then reads one row at a
time, so memory stays flat whatever the file holds. The limits come from settings
(`IMPORT_MAX_*`, docs/operations.md).
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
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
# The column names the per-row report uses (the Swedish header of the documented template).
LABELS = {
    "external_id": "Externt id",
    "occurred_at": "Inträffade",
    "category": "Kategori",
    "severity": "Allvarlighetsgrad",
    "lon": "Longitud",
    "lat": "Latitud",
    "place": "Plats",
    "description": "Beskrivning",
}
# A header wider than this is not a list to import (and openpyxl would pad every row to it).
MAX_COLUMNS = 200
MB = 1024 * 1024

NumberedRow = tuple[int, dict]  # (the row's number in the file, counting the header as 1; row)


class ImportFormatError(ValueError):
    """The file cannot be read as rows of its kind; the message says why, in Swedish."""


@dataclass(frozen=True)
class Layout:
    """The columns of one kind of list: canonical name -> accepted headers (lower case), and
    the canonical names a file must have."""

    columns: dict[str, tuple[str, ...]]
    required: frozenset[str]

    def column(self, header: str) -> str | None:
        wanted = header.lower()
        return next((c for c, aliases in self.columns.items() if wanted in aliases), None)


INCIDENTS = Layout(COLUMNS, frozenset({"occurred_at", "category"}))


@dataclass(frozen=True)
class Limits:
    file_bytes: int
    unpacked_bytes: int
    rows: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            file_bytes=settings.IMPORT_MAX_FILE_MB * MB,
            unpacked_bytes=settings.IMPORT_MAX_UNPACKED_MB * MB,
            rows=settings.IMPORT_MAX_ROWS,
        )


def _too_many_rows(limits: Limits) -> ImportFormatError:
    rows = f"{limits.rows:,}".replace(",", " ")  # 250 000, as Swedish writes it
    return ImportFormatError(
        f"Filen har fler än {rows} rader, mer än en import får ta (IMPORT_MAX_ROWS). "
        "Dela upp den i flera filer."
    )


def _canonical(headers: list, layout: Layout) -> list[str | None]:
    if len(headers) > MAX_COLUMNS:
        raise ImportFormatError(
            f"Filen har {len(headers)} kolumner; en lista att importera har högst {MAX_COLUMNS}."
        )
    names = [layout.column(_cell(h)) for h in headers]
    missing = layout.required - set(names)
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


def _numbered(names: list[str | None], body: Iterable, first: int, limits: Limits):
    """(number, row) for every non-empty row of `body`, whose first row is number `first`."""
    last = first + limits.rows - 1
    for number, values in enumerate(body, start=first):
        if number > last:
            raise _too_many_rows(limits)
        cells = [_cell(v) for v in values]
        if not any(cells):
            continue
        yield number, {name: v for name, v in zip(names, cells, strict=False) if name}


# --- CSV ---------------------------------------------------------------------------------------


def _csv_reader(handle, delimiter: str):
    # The cell length is judged per row by the import (a long cell refuses its row, not the
    # file), so the csv module's own 128 KB limit, which raises mid-file, must not apply.
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))
    return csv.reader(handle, delimiter=delimiter)


# What a header line may be separated by; the one it holds most of wins (a tie: the first).
DELIMITERS = (";", "\t", ",")
# The names a delimited text file may have (Excel's "Text (tabbavgränsad)" saves .txt).
TEXT_SUFFIXES = (".csv", ".tsv", ".tab", ".txt")


def _delimiter(first_line: str) -> str:
    return max(DELIMITERS, key=first_line.count)


def read_csv_stream(
    handle: io.TextIOBase, limits: Limits | None = None, layout: Layout = INCIDENTS
) -> Iterator[NumberedRow]:
    """Rows of CSV text read from `handle`, one at a time. The header is checked before
    the first row is returned."""
    limits = limits or Limits.from_settings()
    first_line = handle.readline().lstrip("\ufeff")
    if not first_line.strip():
        raise ImportFormatError("Filen är tom.")
    reader = _csv_reader(io.StringIO(first_line), _delimiter(first_line))
    names = _canonical(next(reader), layout)
    return _numbered(names, _csv_reader(handle, _delimiter(first_line)), 2, limits)


# Older Swedish Excel saves "CSV" in Windows-1252; UTF-8 is tried first because a UTF-8 file
# never decodes as garbage-free cp1252 by accident in the letters that matter (å, ä, ö).
ENCODINGS = ("utf-8-sig", "cp1252")


def _count_csv_rows(path: Path, limits: Limits) -> str:
    """Refuse a CSV file with too many rows (or in neither UTF-8 nor Windows-1252) before
    importing any; the encoding it reads in."""
    for encoding in ENCODINGS:
        try:
            with path.open(encoding=encoding, newline="") as handle:
                first_line = handle.readline()
                reader = _csv_reader(handle, _delimiter(first_line))
                for count, _row in enumerate(reader, start=1):
                    if count > limits.rows:
                        raise _too_many_rows(limits)
            return encoding
        except UnicodeDecodeError:
            continue
        except csv.Error as exc:
            raise ImportFormatError(f"Filen kunde inte läsas som CSV: {exc}") from exc
    raise ImportFormatError("Filen måste vara sparad som UTF-8 eller Windows-1252.")


def _csv_rows(path: Path, limits: Limits, layout: Layout) -> Iterator[NumberedRow]:
    encoding = _count_csv_rows(path, limits)
    handle = path.open(encoding=encoding, newline="")
    try:
        rows = read_csv_stream(handle, limits, layout)
    except BaseException:
        handle.close()
        raise

    def stream():
        number = 1
        try:
            with handle:
                for number, row in rows:
                    yield number, row
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ImportFormatError(f"Filen kunde inte läsas efter rad {number}: {exc}") from exc

    return stream()


def read_csv(text: str) -> list[dict]:
    """Every row of CSV text held in memory (small files and tests)."""
    return [row for _number, row in read_csv_stream(io.StringIO(text.lstrip("\ufeff")))]


# --- Excel -------------------------------------------------------------------------------------

NOT_XLSX = "Filen kunde inte läsas som en Excel-fil (.xlsx)."
# A real sheet packs 5-15 times (a million-row export: 8); a zip bomb packs about 1,000 times
# (a 1 GiB cell of one letter fits in 1 MB). A part that unpacks more than this many times its
# packed size is refused, as Apache POI does (its ZipSecureFile minimum inflate ratio, 1 %),
# so the cap on the unpacked size can be large enough for a million rows without letting a
# few-MB file grow to a gigabyte in the cell parser. Parts under a megabyte do not count:
# small repetitive XML (styles) packs well and costs nothing.
MAX_PACKING_RATIO = 100
RATIO_GRACE_BYTES = MB
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s/>]")
_ROW_NUMBER = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"(\d+)\"")
_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml$")


def _check_archive(source, limits: Limits) -> None:
    """Refuse what is not an xlsx, a zip that unpacks to more than the limit (a 1 MB file can
    hold a 1 GiB cell), from the zip's table of contents alone, and a workbook with too many
    rows, before openpyxl opens it: without a <dimension> element openpyxl parses every sheet
    whole just to open the workbook."""
    try:
        with zipfile.ZipFile(source) as archive:
            entries = archive.infolist()
            if "xl/workbook.xml" not in {e.filename for e in entries}:
                raise ImportFormatError(NOT_XLSX)
            unpacked = sum(e.file_size for e in entries)
            if unpacked > limits.unpacked_bytes:
                raise ImportFormatError(
                    f"Filen packas upp till {unpacked // MB} MB, mer än de "
                    f"{limits.unpacked_bytes // MB} MB en import får ta (IMPORT_MAX_UNPACKED_MB)."
                )
            _count_sheet_rows(
                archive, [e for e in entries if _SHEET_PART.match(e.filename)], limits
            )
            _check_packing(entries)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        if isinstance(exc, ImportFormatError):
            raise
        raise ImportFormatError(NOT_XLSX) from exc


def _check_packing(entries: list[zipfile.ZipInfo]) -> None:
    """Refuse a part that unpacks far more than real sheets do (MAX_PACKING_RATIO). After the
    row count, which streams the sheets in small pieces and names too many rows, a clearer
    reason, when that is what the file holds."""
    for entry in entries:
        if entry.file_size > RATIO_GRACE_BYTES and entry.file_size > MAX_PACKING_RATIO * max(
            entry.compress_size, 1
        ):
            raise ImportFormatError(
                f"Filen packas upp till mer än {MAX_PACKING_RATIO} gånger sin storlek "
                f"({entry.file_size // MB} MB ur {max(entry.compress_size // 1024, 1)} KB), "
                "vilket ingen vanlig Excel-fil gör. Spara den på nytt i Excel eller som CSV."
            )


def _count_sheet_rows(archive: zipfile.ZipFile, sheets: list, limits: Limits) -> None:
    """Refuse a workbook with too many rows by scanning its sheets' XML for row tags, without
    parsing a cell, and stopping as soon as the limit is passed: a 432 KB file can hold 3
    million rows. A row numbered past the limit counts too (openpyxl would fill the gap)."""
    allowed = limits.rows + len(sheets)  # a header row in each sheet
    count = 0
    for entry in sheets:
        tail = b""
        with archive.open(entry) as source:
            while True:
                chunk = source.read(MB)
                data = tail + chunk
                # A tag cut at the chunk's end is counted with the next chunk.
                cut = max(len(tail), len(data) - 64) if chunk else len(data)
                count += sum(1 for m in _ROW_TAG.finditer(data) if m.start() < cut)
                numbers = [int(n) for n in _ROW_NUMBER.findall(data[:cut])]
                if count > allowed or (numbers and max(numbers) > allowed):
                    raise _too_many_rows(limits)
                if not chunk:
                    break
                tail = data[cut:]


def read_xlsx_stream(
    source, limits: Limits | None = None, layout: Layout = INCIDENTS
) -> Iterator[NumberedRow]:
    """Rows of the first sheet of an .xlsx file (a path or a binary file object), one at a
    time. Size, header and row count are checked before the first row is returned."""
    limits = limits or Limits.from_settings()
    _check_archive(source, limits)
    if hasattr(source, "seek"):
        source.seek(0)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise ImportFormatError(NOT_XLSX) from exc
    try:
        if not workbook.worksheets:
            raise ImportFormatError(NOT_XLSX)
        sheet = workbook.worksheets[0]
        # A <dimension> may claim a million rows; openpyxl would then add empty rows up to it.
        sheet.reset_dimensions()
        header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
        header = list(header or [])
        while header and _cell(header[-1]) == "":
            header.pop()
        if not header:
            raise ImportFormatError("Filen är tom.")
        names = _canonical(header, layout)
    except BaseException:
        workbook.close()
        raise

    def stream():
        number = 1
        try:
            body = sheet.iter_rows(min_row=2, max_col=len(names), values_only=True)
            for number, row in _numbered(names, body, 2, limits):
                yield number, row
        except ImportFormatError:
            raise
        except Exception as exc:  # the XML parser, zlib or a CRC check: the rest is unreadable
            raise ImportFormatError(
                f"Excel-filen är skadad efter rad {number} och kan inte läsas vidare."
            ) from exc
        finally:
            workbook.close()

    return stream()


def read_xlsx(data: bytes) -> list[dict]:
    """Every row of an .xlsx file held in memory (small files and tests)."""
    return [row for _number, row in read_xlsx_stream(io.BytesIO(data))]


# --- files -------------------------------------------------------------------------------------


def open_file(
    path: Path, limits: Limits | None = None, layout: Layout = INCIDENTS
) -> Iterator[NumberedRow]:
    """The rows of an .xlsx file or delimited text (any other name) as (number, row), read
    one at a time. Raises
    ImportFormatError now, before any row, for a file too large, with too many rows, in the
    wrong format or without the `layout`'s required columns."""
    limits = limits or Limits.from_settings()
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise ImportFormatError(
            f"Filen är {size / MB:.0f} MB, mer än de {limits.file_bytes // MB} MB en import "
            "får ta (IMPORT_MAX_FILE_MB). Dela upp den i flera filer."
        )
    if path.suffix.lower() == ".xlsx":
        return read_xlsx_stream(path, limits, layout)
    return _csv_rows(path, limits, layout)


class _EveryColumn:
    """A layout that keeps every column under its own header and remembers the headers: the
    import's mapping step shows a file as it is, whatever its columns are called."""

    required: frozenset[str] = frozenset()

    def __init__(self):
        self.headers: list[str] = []

    def column(self, header: str) -> str | None:
        self.headers.append(header)
        return header or None


def sample(path: Path, count: int, limits: Limits | None = None) -> tuple[list[str], list[dict]]:
    """The headers and the first `count` rows (keyed by header) of a file. Refuses what
    `open_file` refuses."""
    layout = _EveryColumn()
    rows: list[dict] = []
    stream = open_file(path, limits, layout)  # type: ignore[arg-type]
    try:
        for _number, row in stream:
            if len(rows) >= count:
                break
            rows.append(row)
    finally:
        stream.close()  # the file, now rather than when the generator is collected
    return layout.headers, rows


def read_file(path: Path) -> list[dict]:
    """Every row of a .csv or .xlsx file (small files and tests; imports use open_file)."""
    return [row for _number, row in open_file(path)]
