"""Importing incident history: every row checked by the form's rules (the privacy guard
included), located in the partnership's areas and written in batches.

A city's history is hundreds of thousands of rows, so the import works on batches: a batch
of rows is parsed into plain values, its positions transformed to WGS 84 in one call when the
file gives them in a metric grid (SWEREF 99 TM, `importers/coordinates.py`), located with one
vectorised query of the prepared area index (`AreaIndex.locate_many`, loaded once), checked
against what is already stored with one query and written with one `bulk_create`. No row
holds an Area (whose outline is the bulk of its weight) or any other model beyond the
Incident being written, so memory stays flat.

The whole import is one transaction: all or nothing unless `skip_invalid`. It is idempotent
by (source, external id): each row's client id is derived from them (or from the row's cells
when it has no external id), so importing the same file again creates nothing new. An
external id is unique within its source only (the database says so too): two registers may
both number their events K-1, and both are kept.

An import is audited as one entry with its counts and source (a form report writes its own
history row and audit entry; a million of each would double the import's writes and say no
more than "imported by X from source Y", which every imported incident already shows).

A refused row is counted by reason (`ImportResult.reasons`), so a file with one systematic
fault reads as one line with a count and a few example rows, not as a line per row; the first
MAX_REPORTED_ROWS refusals are kept with their messages, and `on_error` receives every one
(the wizard writes them to a downloadable CSV).
"""

import math
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from lagesbild.audit.record import record
from lagesbild.geography import geometry
from lagesbild.geography.models import Place
from lagesbild.geography.services import area_index
from lagesbild.incidents import privacy, weeks
from lagesbild.incidents.importers import coordinates
from lagesbild.incidents.importers.tabular import LABELS
from lagesbild.incidents.models import Category, Incident
from lagesbild.incidents.services import CLOCK_SKEW
from lagesbild.partnerships.models import Membership
from lagesbild.policeevents import feed

IMPORT_NAMESPACE = uuid.UUID("0b7c2f4e-6a52-4d1b-9d8e-2f1c7a7d9e10")
BATCH_ROWS = 2000
# The per-row report keeps this many refused rows with their messages; the rest are counted.
MAX_REPORTED_ROWS = 1000
EXAMPLES_PER_REASON = 5

_SEVERITY_WORDS = {"lindrig": 1, "allvarlig": 2, "mycket allvarlig": 3}
# 24/11/2026, 24.11.2026 or 24-11-2026, optionally with a time (21:30, 21.30, kl. 21.30).
_SWEDISH_DATE = re.compile(
    r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})"
    r"(?:[ T]+(?:kl\.?\s*)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?"
)


class Reason:
    """Why a row was refused: a code per kind of fault, so refusals are counted by kind."""

    CELL = "cell"
    TIME = "time"
    CATEGORY = "category"
    SEVERITY = "severity"
    NUMBER = "number"
    PLACE = "place"
    NO_LOCATION = "no_location"
    OUTSIDE_SWEDEN = "outside_sweden"
    METRES = "metres"
    OUTSIDE_AREAS = "outside_areas"
    PRIVACY = "privacy"
    PRIVACY_WARNING = "privacy_warning"

    @staticmethod
    def label(code: str) -> str:
        return {
            Reason.CELL: _("Otillåtet tecken eller för lång cell"),
            Reason.TIME: _("Tidpunkten saknas, går inte att läsa eller är orimlig"),
            Reason.CATEGORY: _("Kategorin finns inte i checklistan"),
            Reason.SEVERITY: _("Allvarlighetsgraden är inte 1–3"),
            Reason.NUMBER: _("En koordinat är inte ett tal"),
            Reason.PLACE: _("Platsen finns inte bland samverkans platser"),
            Reason.NO_LOCATION: _("Varken koordinater eller plats"),
            Reason.OUTSIDE_SWEDEN: _("Positionen ligger utanför Sverige"),
            Reason.METRES: _("Koordinaterna ser ut som meter, inte grader"),
            Reason.OUTSIDE_AREAS: _("Positionen ligger utanför samverkans områden"),
            Reason.PRIVACY: _("Personnummer eller samordningsnummer i texten"),
            Reason.PRIVACY_WARNING: _("Telefonnummer, e-post eller registreringsnummer i texten"),
        }[code]


class RowError(Exception):
    """A row refused, with its reason code and a message for the user."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass
class ReasonCount:
    count: int = 0
    examples: list[int] = field(default_factory=list)  # the first few row numbers


@dataclass
class ImportResult:
    created: int = 0
    already_imported: int = 0
    rows: int = 0
    refused: int = 0  # rows refused, all of them (errors lists the first MAX_REPORTED_ROWS)
    errors: list[tuple[int, list[str]]] = field(default_factory=list)  # (row number, messages)
    reasons: dict[str, ReasonCount] = field(default_factory=dict)
    first_week: int | None = None
    last_week: int | None = None

    @property
    def ok(self) -> bool:
        return not self.refused

    def refuse(self, number: int, error: RowError) -> None:
        self.refused += 1
        if len(self.errors) < MAX_REPORTED_ROWS:
            self.errors.append((number, [str(error)]))
        counted = self.reasons.setdefault(error.reason, ReasonCount())
        counted.count += 1
        if len(counted.examples) < EXAMPLES_PER_REASON:
            counted.examples.append(number)

    def summary(self) -> list[tuple[str, int, list[int]]]:
        """(reason in words, rows, example row numbers), the commonest reason first."""
        ordered = sorted(self.reasons.items(), key=lambda item: -item[1].count)
        return [(Reason.label(code), c.count, c.examples) for code, c in ordered]

    def week(self, code: int) -> None:
        self.first_week = code if self.first_week is None else min(self.first_week, code)
        self.last_week = code if self.last_week is None else max(self.last_week, code)


@dataclass(frozen=True)
class Options:
    """How the rows are read: what the file's category values mean (lower-case value ->
    category id, on top of the checklist's own codes and names), which import source they
    come from, and how warnings and review are handled."""

    category_map: dict[str, int] = field(default_factory=dict)
    coordinate_system: str = coordinates.WGS84  # the file's x and y (importers/coordinates)
    source_id: int | None = None  # the ImportSource; None for an import without one
    accept_warnings: bool = False
    review: str = Incident.Status.ACCEPTED


@dataclass(slots=True)
class _Checked:
    """A row's values once parsed, waiting for its area (plain values, no model objects)."""

    number: int
    client_id: uuid.UUID
    external_id: str
    occurred_at: datetime
    category_id: int
    severity: int
    lon: float  # x and y in the file's coordinate system until `_Parser.placed`
    lat: float
    place_id: int | None
    description: str
    flagged: bool
    projected: bool  # the position is the file's, not yet transformed to WGS 84


def leaf_categories(partnership) -> dict[str, int]:
    """The checklist's active categories an incident may have (not a group with members),
    by lower-case code and name."""
    found: dict[str, int] = {}
    for category in Category.objects.filter(partnership=partnership, active=True).annotate(
        members=Count("children")
    ):
        if category.parent_id is None and category.members:
            continue
        found[category.code.lower()] = category.pk
        found[category.name.lower()] = category.pk
    return found


class _Parser:
    """Turns a row of strings into `_Checked` values or a RowError; holds what every row
    looks up (categories, places, the time zone), loaded once."""

    def __init__(self, partnership, options: Options):
        self.partnership = partnership
        self.options = options
        own = leaf_categories(partnership)
        allowed = set(own.values())
        # A remembered mapping to a category deactivated since then no longer counts.
        mapped = {k: v for k, v in options.category_map.items() if v in allowed}
        self.categories = {**own, **mapped}
        self.places = {
            name.lower(): (pk, lon, lat)
            for pk, name, lon, lat in Place.objects.filter(partnership=partnership).values_list(
                "id", "name", "lon", "lat"
            )
        }
        self.zone = ZoneInfo(partnership.time_zone)
        self.latest = timezone.now() + CLOCK_SKEW

    def parse(self, number: int, row: dict) -> _Checked:
        _check_cells(row)
        external_id = row.get("external_id", "").strip()[:100]
        description = row.get("description", "").strip()
        flagged = _check_privacy(external_id, description, self.options.accept_warnings)
        category_id = self.categories.get(row.get("category", "").strip().lower())
        if category_id is None:
            raise RowError(
                Reason.CATEGORY, _("Okänd kategori: %(c)s.") % {"c": row.get("category", "")}
            )
        lon = _number(row.get("lon", ""), _("Longituden"))
        lat = _number(row.get("lat", ""), _("Latituden"))
        place_id, from_file = None, lon is not None and lat is not None
        if row.get("place", "").strip():
            place = self.places.get(row["place"].strip().lower())
            if place is None:
                raise RowError(Reason.PLACE, _("Okänd plats: %(p)s.") % {"p": row["place"]})
            place_id = place[0]
            if not from_file:
                lon, lat = place[1], place[2]
        if lon is None or lat is None:
            raise RowError(Reason.NO_LOCATION, _("Ange var det hände: koordinater eller en plats."))
        if (
            from_file
            and self.options.coordinate_system == coordinates.WGS84
            and coordinates.swedish_metres(lon, lat)
        ):
            raise RowError(
                Reason.METRES,
                _(
                    "Koordinaterna %(x)s, %(y)s ser ut som meter, inte grader: välj SWEREF 99 "
                    "TM eller filens andra koordinatsystem."
                )
                % {"x": f"{lon:.0f}", "y": f"{lat:.0f}"},
            )
        projected = from_file and self.options.coordinate_system != coordinates.WGS84
        if not projected and not _in_sweden(lon, lat):
            raise _outside_sweden(lon, lat)
        key = external_id or "|".join(str(row.get(k, "")) for k in sorted(row))
        return _Checked(
            number=number,
            client_id=uuid.uuid5(IMPORT_NAMESPACE, self._client_key(key)),
            external_id=external_id,
            occurred_at=self.time(row.get("occurred_at", "").strip()),
            category_id=category_id,
            severity=_severity(row.get("severity", "")),
            lon=lon,
            lat=lat,
            place_id=place_id,
            description=description,
            flagged=flagged,
            projected=projected,
        )

    def placed(self, parsed: list[_Checked]) -> list[_Checked | RowError]:
        """The rows with their file's positions transformed to WGS 84 in one call, each row
        or why it is refused (a position outside Sweden). Positions in WGS 84 were checked
        as their rows were parsed."""
        projected = [c for c in parsed if c.projected]
        if projected:
            lons, lats = geometry.to_wgs84(
                [c.lon for c in projected],
                [c.lat for c in projected],
                self.options.coordinate_system,
            )
            for item, lon, lat in zip(projected, lons, lats, strict=True):
                item.lon, item.lat, item.projected = float(lon), float(lat), False
        return [c if _in_sweden(c.lon, c.lat) else _outside_sweden(c.lon, c.lat) for c in parsed]

    def _client_key(self, key: str) -> str:
        # Without a named source the key is what imports before sources used, so a file
        # imported then is still recognised now.
        if self.options.source_id is not None:
            return f"{self.partnership.pk}:{self.options.source_id}:{key}"
        return f"{self.partnership.pk}:{key}"

    def time(self, text: str) -> datetime:
        moment = parse_time(text)
        if moment is None:
            raise RowError(
                Reason.TIME,
                _("Tidpunkten ska skrivas som 2026-11-24 21:30 eller 24/11/2026 21:30."),
            )
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=self.zone)
        if moment > self.latest:
            raise RowError(Reason.TIME, _("Tidpunkten ligger i framtiden."))
        if moment.year < weeks.FIRST_YEAR:
            raise RowError(Reason.TIME, _("Tidpunkten är orimligt långt tillbaka."))
        return moment


def _in_sweden(lon: float, lat: float) -> bool:
    return math.isfinite(lon) and math.isfinite(lat) and geometry.in_sweden(lon, lat)


def _outside_sweden(lon: float, lat: float) -> RowError:
    return RowError(
        Reason.OUTSIDE_SWEDEN,
        _("Positionen %(lat)s, %(lon)s ligger inte i Sverige.")
        % {"lat": f"{lat:.5f}", "lon": f"{lon:.5f}"},
    )


def parse_time(text: str) -> datetime | None:
    """An ISO date and time (2026-11-24 21:30, 2026-11-24T21:30:00, 2026-11-24, also with a
    one-digit hour and an offset: 2026-11-24 0:49:20 +01:00) or a Swedish one (24/11/2026
    21:30, 24.11.2026 kl. 21.30); None if it is neither."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return feed.parse_datetime(text)
    except ValueError:
        pass
    match = _SWEDISH_DATE.fullmatch(text)
    if match is None:
        return None
    day, month, year, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def _check_cells(row: dict) -> None:
    """Refuse a row with a NUL character (no database text can hold one) or a cell longer
    than IMPORT_MAX_CELL_CHARS, naming the column, before anything else reads it."""
    limit = settings.IMPORT_MAX_CELL_CHARS
    for column, value in row.items():
        label = LABELS.get(column, column)
        if "\x00" in value:
            raise RowError(
                Reason.CELL,
                _("Kolumnen %(c)s innehåller ett otillåtet tecken (NUL).") % {"c": label},
            )
        if len(value) > limit:
            raise RowError(
                Reason.CELL,
                _("Kolumnen %(c)s är %(n)s tecken lång; högst %(max)s tecken går att importera.")
                % {"c": label, "n": len(value), "max": limit},
            )


def _check_privacy(external_id: str, description: str, accept_warnings: bool) -> bool:
    """The form's privacy guard on every text the row stores: identity numbers refuse the
    row; phone numbers, e-mail addresses and plates refuse it unless accepted, and then
    flag it. True when flagged."""
    flagged = False
    for text in (external_id, description):
        if not text:
            continue
        report = privacy.check_text(text)
        if report.blocking:
            raise RowError(Reason.PRIVACY, " ".join(str(f.message) for f in report.blocking))
        if report.warnings and not accept_warnings:
            raise RowError(
                Reason.PRIVACY_WARNING, " ".join(str(f.message) for f in report.warnings)
            )
        flagged = flagged or bool(report.warnings)
    return flagged


def parse_decimal(text: str) -> float:
    """A number as files write it: a decimal comma or point, a minus sign or a hyphen.
    ValueError when it is none."""
    return float(text.strip().replace(",", ".").replace("\u2212", "-"))


def _number(text: str, what: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = parse_decimal(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise RowError(Reason.NUMBER, _("%(what)s är inte ett tal.") % {"what": what})
    return value


def _severity(text: str) -> int:
    text = text.strip().lower() or "1"
    severity = _SEVERITY_WORDS.get(text)
    if severity is None:
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            value = math.nan
        severity = int(value) if value in (1, 2, 3) else None
    if severity is None:
        raise RowError(
            Reason.SEVERITY,
            _("Allvarlighetsgraden ska vara 1, 2 eller 3 (lindrig, allvarlig, mycket allvarlig)."),
        )
    return severity


def _numbered(rows: Iterable) -> Iterator[tuple[int, dict]]:
    """(row number, row): as the readers number them, or counted from 2 (row 1 is the
    header) for plain dicts."""
    for index, item in enumerate(rows, start=2):
        yield item if isinstance(item, tuple) else (index, item)


def _batches(rows: Iterable, size: int) -> Iterator[list[tuple[int, dict]]]:
    batch: list[tuple[int, dict]] = []
    for item in _numbered(rows):
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Batch:
    """One batch's journey: parse, place, locate, compare with what is stored, (write).
    Its refusals are reported in row order once the batch is checked."""

    def __init__(self, context: "_Import", rows: list[tuple[int, dict]]):
        self.context = context
        self.rows = rows
        self.refused: list[tuple[int, RowError]] = []

    def checked(self) -> list[_Checked]:
        result = self.context.result
        parsed = []
        for number, row in self.rows:
            result.rows += 1
            try:
                parsed.append(self.context.parser.parse(number, row))
            except RowError as exc:
                self.refused.append((number, exc))
        fresh = self._located(parsed)
        for number, error in sorted(self.refused, key=lambda refusal: refusal[0]):
            self.context.refuse(number, error)
        return fresh

    def _located(self, parsed: list[_Checked]) -> list[_Checked]:
        placed = []
        for item, outcome in zip(parsed, self.context.parser.placed(parsed), strict=True):
            if isinstance(outcome, RowError):
                self.refused.append((item.number, outcome))
            else:
                placed.append(item)
        if not placed:
            return []
        area_ids = self.context.index.locate_many([c.lon for c in placed], [c.lat for c in placed])
        located = []
        for item, area_id in zip(placed, area_ids, strict=True):
            if area_id < 0:
                error = RowError(
                    Reason.OUTSIDE_AREAS, _("Platsen ligger utanför samverkans områden.")
                )
                self.refused.append((item.number, error))
            else:
                located.append((item, int(area_id)))
        return self._new(located)

    def _new(self, located: list) -> list:
        """The rows not stored yet (nor earlier in this file). The client id is derived from
        (source, external id), so this one look-up by the client id's unique index is the
        per-source check of the external id too; the database's constraints back it."""
        context = self.context
        ids = [item.client_id for item, _area in located]
        known = set(
            Incident.objects.filter(partnership=context.partnership, client_id__in=ids)
            .order_by()
            .values_list("client_id", flat=True)
        )
        fresh = []
        for item, area_id in located:
            if item.client_id in known or item.client_id.int in context.seen:
                context.result.already_imported += 1
            else:
                context.seen.add(item.client_id.int)
                fresh.append((item, area_id))
        return fresh


class _Import:
    """The state of one import run: what every batch needs and what it found."""

    def __init__(self, membership: Membership, options: Options, on_error):
        self.membership = membership
        self.partnership = membership.partnership
        self.options = options
        self.parser = _Parser(self.partnership, options)
        self.index = area_index(self.partnership)
        self.result = ImportResult()
        # Client ids of this file's new rows not yet written, as integers (the file's own
        # duplicates): the whole file's in the dry run, one batch's in the import.
        self.seen: set[int] = set()
        self.on_error = on_error

    def refuse(self, number: int, error: RowError) -> None:
        self.result.refuse(number, error)
        if self.on_error is not None:
            self.on_error(number, error)

    def write(self, fresh: list) -> None:
        membership, options, zone = self.membership, self.options, self.partnership.time_zone
        incidents = []
        for item, area_id in fresh:
            week = weeks.week_code(item.occurred_at, zone)
            self.result.week(week)
            incidents.append(
                Incident(
                    partnership_id=self.partnership.pk,
                    client_id=item.client_id,
                    occurred_at=item.occurred_at,
                    iso_week=week,
                    reporter_id=membership.user_id,
                    organisation_id=membership.organisation_id,
                    category_id=item.category_id,
                    severity=item.severity,
                    area_id=area_id,
                    place_id=item.place_id,
                    lon=item.lon,
                    lat=item.lat,
                    description=item.description,
                    personal_data_flag=item.flagged,
                    source=Incident.Source.IMPORT,
                    external_id=item.external_id,
                    import_source_id=options.source_id,
                    status=options.review,
                )
            )
        Incident.objects.bulk_create(incidents, batch_size=500)
        self.result.created += len(incidents)


class _RollBack(Exception):
    """Raised inside the import's transaction to undo it when a row was refused."""


Progress = Callable[[int], None]
ErrorSink = Callable[[int, RowError], None]


def check_incidents(
    *,
    membership: Membership,
    rows: Iterable,
    options: Options | None = None,
    on_error: ErrorSink | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """The dry run: every row checked as the import would, against what is stored now;
    nothing is written. `created` counts the rows the import would create."""
    context = _Import(membership, options or Options(), on_error)
    for batch in _batches(rows, BATCH_ROWS):
        fresh = _Batch(context, batch).checked()
        context.result.created += len(fresh)
        for item, _area in fresh:
            context.result.week(weeks.week_code(item.occurred_at, context.partnership.time_zone))
        if progress is not None:
            progress(context.result.rows)
    return context.result


def import_incidents(
    *,
    membership: Membership,
    rows: Iterable,
    accept_warnings: bool = False,
    skip_invalid: bool = False,
    review: str = Incident.Status.ACCEPTED,
    options: Options | None = None,
    on_error: ErrorSink | None = None,
    progress: Progress | None = None,
    request=None,
) -> ImportResult:
    """Import rows read by `importers.tabular` (dicts, or (number, dict) as `open_file`
    streams them; consumed a batch at a time). All or nothing unless `skip_invalid`;
    re-importing the same rows creates nothing new. `options` (the wizard's) overrides
    `accept_warnings` and `review`.

    Imported history is ACCEPTED by default (it was reviewed where it came from) and never
    fills the review queue; NEW puts every row in the queue. After the import commits, the
    weeks it touched are analysed by one background job.

    Raises ImportFormatError (nothing saved) if the file turns out unreadable halfway."""
    options = options or Options(accept_warnings=accept_warnings, review=review)
    if options.review not in (Incident.Status.ACCEPTED, Incident.Status.NEW):
        raise ValueError(f"an import is accepted or waits for review, not {options.review!r}")
    partnership = membership.partnership
    context = _Import(membership, options, on_error)
    result = context.result
    try:
        with transaction.atomic():
            for batch in _batches(rows, BATCH_ROWS):
                context.write(_Batch(context, batch).checked())
                # What is written, the next batch's look-up finds (in this transaction):
                # only the dry run, which writes nothing, must remember every new row.
                context.seen.clear()
                if progress is not None:
                    progress(result.rows)
            if result.refused and not skip_invalid:
                raise _RollBack
            if result.created:
                first, last = result.first_week, result.last_week
                transaction.on_commit(lambda: history_changed(partnership, first, last))
    except _RollBack:
        result.created = 0
    # Outside the transaction, so a refused import is recorded too.
    record(
        actor=membership.user,
        action="incident.import",
        partnership=partnership,
        request=request,
        created=result.created,
        errors=result.refused,
        rows=result.rows,
        review=options.review,
        source=options.source_id,
    )
    return result


def history_changed(partnership, first: int, last: int) -> None:
    """Have the weeks from `first` to `last` (YYYYWW) analysed again as one background job,
    after many incidents at once changed (an import, a relocation after an area import)."""
    if not settings.ANALYSIS_ON_CHANGE:
        return
    # Imported here: the picture builds on incidents, not the other way round.
    from lagesbild.pictures.runs import request_weeks

    request_weeks(partnership, first, last)


@dataclass
class PreviewRow:
    """A row as the import would store it, or why it would be refused."""

    number: int
    occurred_at: datetime | None = None
    category: str = ""
    severity: int | None = None
    lon: float | None = None
    lat: float | None = None
    area: str = ""
    place: str = ""
    description: str = ""
    external_id: str = ""
    error: str = ""


def preview(*, membership: Membership, rows: Iterable, options: Options) -> list[PreviewRow]:
    """The first rows of a file as they will be stored (the mapping step shows them)."""
    from lagesbild.geography.models import Area

    parser = _Parser(membership.partnership, options)
    index = area_index(membership.partnership)
    names = dict(
        Category.objects.filter(partnership=membership.partnership).values_list("id", "name")
    )
    shown = []
    for number, row in _numbered(rows):
        try:
            item = parser.parse(number, row)
            outcome = parser.placed([item])[0]
            if isinstance(outcome, RowError):
                raise outcome
        except RowError as exc:
            shown.append(PreviewRow(number, error=str(exc)))
            continue
        area_id = index.locate(item.lon, item.lat)
        area = Area.objects.filter(pk=area_id).values_list("name", flat=True).first()
        shown.append(
            PreviewRow(
                number,
                occurred_at=item.occurred_at,
                category=names.get(item.category_id, ""),
                severity=item.severity,
                lon=item.lon,
                lat=item.lat,
                area=area or "",
                place=row.get("place", "").strip(),
                description=item.description,
                external_id=item.external_id,
                error="" if area else _("Platsen ligger utanför samverkans områden."),
            )
        )
    return shown
