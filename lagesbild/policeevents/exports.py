"""The police's notice list as CSV and Excel files, with the list's filters, written by the
incident list's streaming writers (incidents/exports.py): rows read in chunks, never all in
memory. Labelled as the police's public notices, a source of its own."""

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lagesbild.incidents import weeks
from lagesbild.incidents.exports import CHUNK_ROWS, Layout
from lagesbild.policeevents.constants import POLICE_SITE
from lagesbild.policeevents.models import PoliceEvent

# (header, values_list field)
COLUMNS = [
    (_("Polisens id"), "event_id"),
    (_("Inträffade"), "occurred_at"),
    (_("Vecka"), "occurred_at"),
    (_("Publicerad"), "published_at"),
    (_("Typ"), "event_type"),
    (_("Kategori"), "category__name"),
    (_("Rubrik"), "name"),
    (_("Sammanfattning"), "summary"),
    (_("Plats enligt polisen"), "location_name"),
    (_("Placering"), "level"),
    (_("Område"), "area__name"),
    (_("Länk"), "url"),
    (_("Latitud"), "lat"),
    (_("Longitud"), "lon"),
    (_("Versioner"), "versions"),
]
FIELDS = [field for _header, field in COLUMNS]
WHEN, WEEK, PUBLISHED, CATEGORY, LEVEL, AREA, LINK, LAT, LON = 1, 2, 3, 5, 9, 10, 11, 12, 13

LAYOUT = Layout(
    [header for header, _field in COLUMNS],
    _("Polisens notiser"),
    times=(WHEN, PUBLISHED),
    coordinates=(LAT, LON),
)


def rows(queryset: QuerySet[PoliceEvent], time_zone: str) -> Iterator[list]:
    """The rows in the list's order as plain values: times as the wall clock where the
    partnership is, the week as 2026-W47, the level in words, the link in full."""
    zone = ZoneInfo(time_zone)
    levels = dict(PoliceEvent.Level.choices)
    for row in queryset.values_list(*FIELDS).iterator(chunk_size=CHUNK_ROWS):
        row = list(row)
        for at in (WHEN, PUBLISHED):
            row[at] = row[at].astimezone(zone).replace(tzinfo=None)
        row[WEEK] = weeks.iso(weeks.week_code(row[WHEN]))  # already the local wall clock
        row[LEVEL] = str(levels.get(row[LEVEL], row[LEVEL]))
        row[CATEGORY] = row[CATEGORY] or ""
        row[AREA] = row[AREA] or ""
        row[LINK] = POLICE_SITE + row[LINK] if row[LINK] else ""
        yield row
