"""Writes for area indicators: defining them, and their values by form or by file.

Both ways of entering values end in `save_values`, one transaction that creates or replaces
values and writes the audit trail: a replaced value leaves an audit entry with its old and
new figure, so a re-upload never loses what was there. A file goes through `plan_upload`
first (the preview and dry run: every row parsed and checked, nothing written); `import_values`
saves it all or nothing, like the incident import.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from lagesbild.audit.record import record
from lagesbild.geography.models import Area
from lagesbild.geography.services import bump_geography
from lagesbild.incidents.importers.tabular import Layout
from lagesbild.indicators import periods
from lagesbild.indicators.models import Indicator, IndicatorValue
from lagesbild.partnerships.models import Membership, Partnership

# The columns of a value file (docs/user-guide.md): area code, period, value, sample size.
# SCB's own headers are accepted too (region, kommun_kod, folkmängd, år), so a population
# table goes in as SCB publishes it; without a period column the upload names one period for
# every row.
LAYOUT = Layout(
    {
        "area": (
            "area",
            "område",
            "omrade",
            "områdeskod",
            "kod",
            "area code",
            "region",
            "regionkod",
            "deso",
            "regso",
            "kommun_kod",
            "kommunkod",
        ),
        "period": ("period", "år", "ar", "year"),
        "value": (
            "value",
            "värde",
            "varde",
            "folkmängd",
            "folkmangd",
            "population",
            "antal invånare",
        ),
        "sample_size": ("sample_size", "sample size", "antal svarande", "urval", "n"),
    },
    frozenset({"area", "value"}),
)
# A refused file lists this many rows with their messages; the rest are counted.
MAX_REPORTED_ROWS = 1000
# Fields that cannot change once the indicator has values: the values would change meaning.
FIXED_WITH_VALUES = ("period", "scale")
# Fields of a counted indicator (police.py) that say what is counted: never changed.
FIXED_WHEN_COUNTED = ("unit", "period", "scale", "source", "measures_population")
DEFINITION_FIELDS = (
    "name",
    "unit",
    "period",
    "scale",
    "direction",
    "source",
    "description",
    "visibility",
    "active",
    "measures_population",
    "need_weight",
)


# The police indicator's choice of event types (police.py): at most this many, each at most
# as long as a stored notice's type. The feed has some 70 types; a choice of more than 50 is
# nearly all of them, which the empty choice ("every type") says better.
MAX_EVENT_TYPES = 50
MAX_EVENT_TYPE_LENGTH = 100


# --- definitions -------------------------------------------------------------------------------


def check_event_types(counted_from: str, chosen) -> list[str]:
    """The police event types an indicator counted from `counted_from` is to count, cleaned
    (stripped, without repeats, sorted), or a ValidationError on the field saying what is
    wrong. Only the police indicator counts types; for it an empty list means every type.
    It takes the indicator's source, not the indicator, so a new one is checked before it
    exists."""
    field = "police_event_types"
    if not isinstance(chosen, list | tuple) or not all(isinstance(t, str) for t in chosen):
        raise ValidationError({field: _("Händelsetyperna ska vara en lista med namn.")})
    cleaned = sorted({t.strip() for t in chosen if t.strip()}, key=str.casefold)
    if cleaned and counted_from != Indicator.CountedFrom.POLICE_EVENTS:
        raise ValidationError({field: _("Bara Polisens händelser räknar händelsetyper.")})
    if len(cleaned) > MAX_EVENT_TYPES:
        raise ValidationError(
            {
                field: _("Välj högst %(max)s händelsetyper, eller ingen för att räkna alla typer.")
                % {"max": MAX_EVENT_TYPES}
            }
        )
    if any(len(t) > MAX_EVENT_TYPE_LENGTH for t in cleaned):
        raise ValidationError(
            {
                field: _("En händelsetyp är högst %(max)s tecken lång.")
                % {"max": MAX_EVENT_TYPE_LENGTH}
            }
        )
    return cleaned


def _check_need_weight(fields: dict) -> None:
    """The combined need is shown to every member, so only an indicator every member sees
    may weigh in it (its values would otherwise show through the ranking)."""
    hidden = fields.get("visibility") == Indicator.Visibility.ANALYSTS
    if fields.get("need_weight") and hidden:
        raise ValidationError(
            {
                "need_weight": _(
                    "Bara en indikator som alla medlemmar får se kan vägas in i behovet, "
                    "eftersom den periodiska lägesbilden visas för alla medlemmar."
                )
            }
        )


def _check_name(partnership: Partnership, name: str, exclude: int | None = None) -> None:
    taken = Indicator.objects.filter(partnership=partnership, name__iexact=name.strip())
    if taken.exclude(pk=exclude).exists():
        raise ValidationError({"name": _("Det finns redan en indikator med det namnet.")})


def _check_population(partnership: Partnership, fields: dict, exclude: int | None = None) -> None:
    """The population is one yearly count per area, and one indicator holds it."""
    if not fields.get("measures_population"):
        return
    yearly_count = (fields.get("period"), fields.get("scale")) == (
        Indicator.Period.YEAR,
        Indicator.Scale.COUNT,
    )
    problems = [] if yearly_count else [_("Folkmängden ska vara ett antal per år.")]
    other = Indicator.objects.filter(partnership=partnership, measures_population=True)
    if other.exclude(pk=exclude).exists():
        problems.append(_("En annan indikator anger redan folkmängden."))
    if problems:
        raise ValidationError({"measures_population": problems})


@transaction.atomic
def define_indicator(*, actor, partnership: Partnership, request=None, **fields) -> Indicator:
    """A new indicator of the partnership (a coordinator's decision)."""
    if "police_event_types" in fields:
        fields["police_event_types"] = check_event_types(
            fields.get("counted_from", ""), fields["police_event_types"]
        )
    _check_name(partnership, fields["name"])
    _check_population(partnership, fields)
    _check_need_weight(fields)
    indicator = Indicator.objects.create(partnership=partnership, created_by=actor, **fields)
    record(
        actor=actor,
        action="indicator.create",
        obj=indicator,
        summary=indicator.name,
        request=request,
    )
    return indicator


@transaction.atomic
def change_indicator(*, actor, indicator: Indicator, request=None, **fields) -> Indicator:
    """Change an indicator's definition; its period kind and scale stay once it has values.
    A new choice of police event types (`police_event_types`) recounts the police
    indicator's values at once, as an import of the feed does."""
    if "police_event_types" in fields:
        fields["police_event_types"] = check_event_types(
            indicator.counted_from, fields["police_event_types"]
        )
    _check_name(indicator.partnership, fields.get("name", indicator.name), exclude=indicator.pk)
    merged = {name: fields.get(name, getattr(indicator, name)) for name in DEFINITION_FIELDS}
    _check_population(indicator.partnership, merged, exclude=indicator.pk)
    _check_need_weight(merged)
    if indicator.counted_from:
        fixed = {
            name: _("Räknas av Lägesbild och kan inte ändras.")
            for name in FIXED_WHEN_COUNTED
            if name in fields and fields[name] != getattr(indicator, name)
        }
        if fixed:
            raise ValidationError(fixed)
    if indicator.values.exists():
        fixed = {
            name: _("Kan inte ändras när indikatorn har värden.")
            for name in FIXED_WITH_VALUES
            if name in fields and fields[name] != getattr(indicator, name)
        }
        if fixed:
            raise ValidationError(fixed)
    changes = {
        name: [getattr(indicator, name), value]
        for name, value in fields.items()
        if getattr(indicator, name) != value
    }
    for name, value in fields.items():
        setattr(indicator, name, value)
    indicator.save()
    record(
        actor=actor,
        action="indicator.change",
        obj=indicator,
        summary=indicator.name,
        request=request,
        changes=changes,
    )
    if "police_event_types" in changes:
        # Imported here: police.py builds on this module (define_indicator).
        from lagesbild.indicators import police

        police.recount(indicator.partnership)
    return indicator


# --- one value ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One value to save: the area, the period's first day, the value and its sample size."""

    area: Area
    period_start: date
    value: float
    sample_size: int | None = None


def parse_number(text: str) -> float:
    """A number as Swedes write it: decimal comma, spaces between thousands, a real minus."""
    cleaned = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    cleaned = cleaned.replace(",", ".").replace("\u2212", "-")
    number = float(cleaned)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def check_value(indicator: Indicator, value: float, sample_size: int | None) -> list[str]:
    """What is wrong with a value for this indicator, in Swedish (empty if nothing)."""
    problems = []
    if not math.isfinite(value) or abs(value) > 1e15:
        problems.append(_("Värdet är inte ett rimligt tal."))
    elif indicator.scale == Indicator.Scale.COUNT and (value < 0 or value != int(value)):
        problems.append(_("Ett antal är ett heltal, 0 eller mer."))
    elif indicator.scale == Indicator.Scale.SHARE and not 0 <= value <= 100:
        problems.append(_("En andel anges i procent, mellan 0 och 100."))
    if sample_size is not None:
        if indicator.scale != Indicator.Scale.SHARE:
            problems.append(_("Antal svarande anges bara för andelar i en enkät."))
        elif sample_size < 1:
            problems.append(_("Antal svarande är minst 1."))
    return problems


def check_entered(indicator: Indicator) -> None:
    """Values are entered only for an indicator the app does not count itself."""
    if indicator.counted_from:
        raise ValidationError(
            _("Värdena räknas av Lägesbild från %(source)s och kan inte matas in.")
            % {"source": indicator.get_counted_from_display().lower()}
        )


def check_period(start: date) -> list[str]:
    """A value is for a period that has begun: a figure for next month is a typing error."""
    if start > timezone.localdate():
        return [_("Perioden har inte börjat än.")]
    return []


# --- saving ------------------------------------------------------------------------------------


@dataclass
class SaveResult:
    created: int = 0
    replaced: int = 0
    unchanged: int = 0


def save_values(
    *,
    membership: Membership,
    indicator: Indicator,
    entries: Iterable[Entry],
    source_note: str = "",
    how: str = "form",
    request=None,
) -> SaveResult:
    """Create or replace values in one transaction. A replaced value is audited with its old
    and new figure; an identical one is left as it was (with its first enterer). A counted
    indicator's values are never entered."""
    check_entered(indicator)
    entries = list(entries)
    problems = [
        message
        for e in entries
        for message in [
            *check_value(indicator, e.value, e.sample_size),
            *check_period(e.period_start),
        ]
    ]
    if problems:
        raise ValidationError(sorted(set(problems)))
    result = SaveResult()
    now = timezone.now()
    with transaction.atomic():
        existing = {
            (v.area_id, v.period_start): v
            for v in IndicatorValue.objects.select_for_update().filter(
                indicator=indicator,
                area__in={e.area.pk for e in entries},
                period_start__in={e.period_start for e in entries},
            )
        }
        new = []
        for entry in entries:
            old = existing.get((entry.area.pk, entry.period_start))
            if old is None:
                new.append(
                    IndicatorValue(
                        indicator=indicator,
                        area=entry.area,
                        period_kind=indicator.period,
                        period_start=entry.period_start,
                        value=entry.value,
                        sample_size=entry.sample_size,
                        source_note=source_note,
                        entered_by=membership.user,
                        entered_at=now,
                    )
                )
            elif (old.value, old.sample_size) == (entry.value, entry.sample_size):
                result.unchanged += 1
            else:
                _replace(membership, old, entry, source_note, now, request)
                result.replaced += 1
        IndicatorValue.objects.bulk_create(new)
        result.created = len(new)
        if indicator.measures_population and (result.created or result.replaced):
            bump_geography(indicator.partnership)  # figures per 1,000 change: recompute
        record(
            actor=membership.user,
            action="indicator.values",
            obj=indicator,
            summary=indicator.name,
            request=request,
            how=how,
            created=result.created,
            replaced=result.replaced,
            unchanged=result.unchanged,
            source=source_note,
        )
    return result


def _replace(membership, old: IndicatorValue, entry: Entry, source_note, now, request) -> None:
    record(
        actor=membership.user,
        action="indicator.value_replaced",
        obj=old,
        partnership=membership.partnership,
        request=request,
        indicator=old.indicator_id,
        area=old.area.code,
        period=periods.label(old.period_kind, old.period_start),
        old=[old.value, old.sample_size, old.source_note],
        new=[entry.value, entry.sample_size, source_note],
    )
    old.value = entry.value
    old.sample_size = entry.sample_size
    old.source_note = source_note
    old.entered_by = membership.user
    old.entered_at = now
    old.save()


# --- files -------------------------------------------------------------------------------------


@dataclass
class PlannedRow:
    """One row of a value file as it would be saved, or why it cannot be."""

    number: int
    area: Area | None = None
    period_start: date | None = None
    value: float | None = None
    sample_size: int | None = None
    previous: float | None = None  # the value it would replace
    errors: list[str] = field(default_factory=list)
    # A population table's row for a region outside the partnership (SCB's tables cover the
    # country): passed over, not an error.
    skipped: bool = False

    @property
    def state(self) -> str:
        if self.errors:
            return "error"
        if self.previous is None:
            return "new"
        return "same" if self.previous == self.value else "replaced"


@dataclass
class Plan:
    """What an upload would do: its rows (the first MAX_REPORTED_ROWS), and counts."""

    rows: list[PlannedRow] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    total: int = 0
    refused: int = 0
    new: int = 0
    replaced: int = 0
    skipped: int = 0
    missing: list[str] = field(default_factory=list)  # a population's areas without a value

    @property
    def ok(self) -> bool:
        return self.total > self.skipped and not self.refused


def _areas(partnership: Partnership) -> dict[str, Area]:
    """The partnership's active areas by name, code and SCB code (DeSO, RegSO), lower case;
    a code wins over another area's name."""
    areas = list(
        Area.objects.filter(partnership=partnership, active=True).annotate(
            has_active_children=Exists(Area.objects.filter(parent=OuterRef("pk"), active=True))
        )
    )
    found = {}
    for area in areas:
        found.setdefault(area.name.lower(), area)
    for area in areas:
        found[area.code.lower()] = area
        if area.scb_code:
            found[area.scb_code.lower()] = area
    return found


def _area_of(text: str, areas: dict[str, Area]) -> Area | None:
    """The area a cell names: its code or name, or, as SCB writes a region ("0163A0010
    Sollentuna"), the code before the name."""
    wanted = text.strip().lower()
    if wanted in areas:
        return areas[wanted]
    return areas.get(wanted.split(" ", 1)[0]) if " " in wanted else None


def _shorten(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"


def _plan_row(
    indicator, number: int, row: dict, areas: dict, seen: dict, period: str
) -> PlannedRow:
    planned = PlannedRow(number)
    area_text = row.get("area", "").strip()
    planned.area = _area_of(area_text, areas)
    if planned.area is None and indicator.measures_population:
        planned.skipped = True
        return planned
    if planned.area is None:
        planned.errors.append(_("Okänt område: %(a)s.") % {"a": _shorten(area_text) or "–"})
    try:
        planned.period_start = periods.parse(indicator.period, row.get("period") or period)
        planned.errors.extend(check_period(planned.period_start))
    except ValueError:
        if not (row.get("period") or period).strip():
            planned.errors.append(_("Perioden saknas: ange den i filen eller för alla rader."))
        else:
            planned.errors.append(
                _("Perioden ska skrivas som %(example)s.")
                % {"example": periods.example(indicator.period)}
            )
    try:
        planned.value = parse_number(row.get("value", ""))
    except ValueError:
        planned.errors.append(_("Värdet är inte ett tal."))
    if row.get("sample_size", "").strip():
        try:
            size = parse_number(row["sample_size"])
            if size != int(size):
                raise ValueError(size)
            planned.sample_size = int(size)
        except (ValueError, OverflowError):
            planned.errors.append(_("Antal svarande är inte ett heltal."))
    if planned.value is not None:
        planned.errors.extend(check_value(indicator, planned.value, planned.sample_size))
    if planned.area is not None and planned.period_start is not None:
        first = seen.setdefault((planned.area.pk, planned.period_start), number)
        if first != number:
            planned.errors.append(
                _("Samma område och period finns redan på rad %(n)s.") % {"n": first}
            )
    return planned


def plan_upload(*, indicator: Indicator, rows: Iterable, period: str = "") -> Plan:
    """The dry run: every row of a value file (as `tabular.open_file` reads it with `LAYOUT`)
    parsed and checked against the partnership's areas and the indicator's period and scale,
    with the value it would replace. `period` is the period of rows without one (a file
    without a period column, as SCB's table of one year). Nothing is written."""
    areas = _areas(indicator.partnership)
    existing = {
        (v["area_id"], v["period_start"]): v["value"]
        for v in indicator.values.values("area_id", "period_start", "value")
    }
    plan = Plan()
    seen: dict = {}
    for number, row in rows:
        planned = _plan_row(indicator, number, row, areas, seen, period)
        plan.total += 1
        if planned.skipped:
            plan.skipped += 1
            continue
        if planned.errors:
            plan.refused += 1
        else:
            planned.previous = existing.get((planned.area.pk, planned.period_start))
            plan.new += planned.previous is None
            plan.replaced += planned.previous not in (None, planned.value)
            plan.entries.append(
                Entry(planned.area, planned.period_start, planned.value, planned.sample_size)
            )
        if len(plan.rows) < MAX_REPORTED_ROWS:
            plan.rows.append(planned)
    if indicator.measures_population:
        given = {e.area.pk for e in plan.entries}
        plan.missing = sorted(
            a.name for a in set(areas.values()) if a.pk not in given and not a.has_active_children
        )
    return plan


def import_values(
    *,
    membership: Membership,
    indicator: Indicator,
    rows: Iterable,
    source_note: str,
    period: str = "",
    request=None,
) -> tuple[Plan, SaveResult | None]:
    """Save a value file all or nothing: with one refused row (or no rows) nothing is saved
    and the plan says why; the refusal is audited too."""
    plan = plan_upload(indicator=indicator, rows=rows, period=period)
    if not plan.ok:
        record(
            actor=membership.user,
            action="indicator.import_refused",
            obj=indicator,
            summary=indicator.name,
            request=request,
            rows=plan.total,
            errors=plan.refused,
        )
        return plan, None
    result = save_values(
        membership=membership,
        indicator=indicator,
        entries=plan.entries,
        source_note=source_note,
        how="file",
        request=request,
    )
    return plan, result
