"""The incident list as files to take away: CSV, Excel (XLSX) and GeoJSON, with the list's
filters, in constant memory whatever the number of rows.

The rows are read with values_list(...).iterator(chunk_size=...) (a server-side cursor on
PostgreSQL), so no model objects are built and only one chunk is in memory at a time; CSV
and GeoJSON are written as the rows arrive (a streamed response), XLSX by openpyxl's
write-only workbook into a temporary file, which is then sent. The columns are those of the
situation picture's Excel file: events and places, never the reporter.

The CSV and XLSX writers take the `Layout` of any such table, so other lists (the police's
notices) are written the same way.
"""

import csv
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident

# Rows fetched per round trip: large enough that the fetching is not the cost, small enough
# that a chunk stays a few megabytes.
CHUNK_ROWS = 2000

# An Excel sheet holds 1,048,576 rows, the header included: a larger selection would give a
# file Excel cannot open whole.
XLSX_MAX_ROWS = 1_048_575

# (header, GeoJSON property, values_list field)
COLUMNS = [
    (_("Nr"), "nr", "id"),
    (_("Inträffade"), "intraffade", "occurred_at"),
    (_("Vecka"), "vecka", "iso_week"),
    (_("Kategori"), "kategori", "category__name"),
    (_("Grupp"), "grupp", "category__parent__name"),
    (_("Område"), "omrade", "area__name"),
    (_("Plats"), "plats", "place__name"),
    (_("Allvarlighetsgrad (1–3)"), "allvar", "severity"),
    (_("Organisation"), "organisation", "organisation__name"),
    (_("Källa"), "kalla", "source"),
    (_("Status"), "status", "status"),
    (_("Beskrivning"), "beskrivning", "description"),
    (_("Latitud"), "lat", "lat"),
    (_("Longitud"), "lon", "lon"),
]
FIELDS = [field for _header, _key, field in COLUMNS]
AT = {field: i for i, field in enumerate(FIELDS)}
WHEN, LAT, LON = AT["occurred_at"], AT["lat"], AT["lon"]


def rows(queryset: QuerySet[Incident], time_zone: str) -> Iterator[list]:
    """The export's rows in the list's order, as plain values: the time as the wall clock
    where the partnership is (files have no time zones), the week as 2026-W47, choices as
    their Swedish names, a category without a group as its own group."""
    zone = ZoneInfo(time_zone)
    statuses = dict(Incident.Status.choices)
    sources = dict(Incident.Source.choices)
    for row in queryset.values_list(*FIELDS).iterator(chunk_size=CHUNK_ROWS):
        row = list(row)
        row[WHEN] = row[WHEN].astimezone(zone).replace(tzinfo=None)
        row[AT["iso_week"]] = weeks.iso(row[AT["iso_week"]])
        group = AT["category__parent__name"]
        row[group] = row[group] or row[AT["category__name"]]
        for optional in (AT["place__name"], AT["organisation__name"]):
            row[optional] = row[optional] or ""
        row[AT["source"]] = str(sources.get(row[AT["source"]], row[AT["source"]]))
        row[AT["status"]] = str(statuses.get(row[AT["status"]], row[AT["status"]]))
        yield row


@dataclass(frozen=True)
class Layout:
    """How a table's rows are written to a file: its header, its sheet's name and which
    columns hold a time (wall clock, no zone) or a coordinate (WGS 84 degrees, or None)."""

    headers: list
    sheet: str
    times: tuple[int, ...] = ()
    coordinates: tuple[int, ...] = ()


INCIDENTS = Layout([h for h, _key, _field in COLUMNS], _("Händelser"), (WHEN,), (LAT, LON))


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """csv.writer's file: hands back the line just written."""

    def write(self, text: str) -> str:
        return text


def csv_text(value):
    """A text that a spreadsheet opening the CSV would take for a formula (=, +, -, @, or a
    tab or carriage return before one) gets a leading apostrophe, so it is shown, never run:
    descriptions are written by anyone who may report, and the police's texts come from
    outside (OWASP's advice on CSV injection). Numbers and times are not text here."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def text_cell(sheet, value: str) -> WriteOnlyCell:
    """A text cell of a write-only sheet: kept as text even when it starts with '=' (openpyxl
    would store a formula), without the control characters an xlsx file may not hold."""
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def _degrees(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}".replace(".", ",")


def csv_chunks(table: Iterable[list], layout: Layout = INCIDENTS) -> Iterator[str]:
    """CSV as Swedish Excel opens it: UTF-8 with a byte-order mark, semicolons, decimal
    commas in the coordinates, times as 2026-11-24 21:30."""
    writer = csv.writer(_Line(), delimiter=";")
    yield "\ufeff" + writer.writerow([str(h) for h in layout.headers])
    for row in table:
        row = [csv_text(value) for value in row]
        for at in layout.times:
            row[at] = row[at].strftime("%Y-%m-%d %H:%M")
        for at in layout.coordinates:
            row[at] = _degrees(row[at])
        yield writer.writerow(row)


def geojson_chunks(table: Iterable[list]) -> Iterator[str]:
    """A FeatureCollection of points in WGS 84 (RFC 7946), one feature per incident."""
    keys = [key for _header, key, _field in COLUMNS]
    yield '{"type": "FeatureCollection", "features": ['
    separator = "\n"
    for row in table:
        properties = dict(zip(keys, row, strict=True))
        properties["intraffade"] = row[WHEN].isoformat(timespec="minutes")
        feature = {
            "type": "Feature",
            "id": properties["nr"],
            "geometry": {"type": "Point", "coordinates": [row[LON], row[LAT]]},
            "properties": properties,
        }
        yield separator + json.dumps(feature, ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


def xlsx_file(table: Iterable[list], layout: Layout = INCIDENTS) -> IO[bytes]:
    """The rows as an Excel workbook, in openpyxl's write-only mode: each row goes to the
    sheet's XML on disk as it is appended, so memory stays flat. The workbook is a temporary
    file, open at its start, deleted once closed (the response closes it when sent)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(layout.sheet))
    sheet.freeze_panes = "A2"
    sheet.append([str(h) for h in layout.headers])
    for row in table:
        row = [text_cell(sheet, value) if isinstance(value, str) else value for value in row]
        for at in layout.times:
            when = WriteOnlyCell(sheet, value=row[at])
            when.number_format = "yyyy-mm-dd hh:mm"
            row[at] = when
        sheet.append(row)
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    book.save(output)
    output.seek(0)
    return output


def filename(extension: str, now: datetime, stem: str = "handelser") -> str:
    """'handelser-2026-12-04-2130.csv'."""
    return f"{stem}-{now.strftime('%Y-%m-%d-%H%M')}.{extension}"
