"""Writes on incidents: reporting, review (accept, correct, reject, merge) and the history.

Every function here is keyword-only, runs in one transaction and records both the incident's
own history (IncidentChange) and the audit trail, so a write never happens unrecorded.
"""

import logging
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lagesbild.audit.record import record
from lagesbild.geography.models import Area, Place
from lagesbild.geography.services import locate_area
from lagesbild.incidents import privacy, weeks
from lagesbild.incidents.importers.tabular import LABELS
from lagesbild.incidents.models import Category, Incident, IncidentChange
from lagesbild.partnerships.models import Membership

logger = logging.getLogger(__name__)

# A phone's clock may run a little ahead of the server's; more than this is "in the future".
CLOCK_SKEW = timedelta(minutes=5)


def check_description(text: str, *, confirmed: bool) -> bool:
    """Refuse identity numbers; refuse unconfirmed warnings (phone, e-mail, licence plate).
    True when the text passes with confirmed warnings: the report is then flagged for
    personal data, so a coordinator looks at it before it is accepted."""
    report = privacy.check_text(text)
    if report.blocking:
        raise _description_error(report.blocking, "privacy_blocked")
    if report.warnings and not confirmed:
        raise _description_error(report.warnings, "privacy_warning")
    return bool(report.warnings)


def _description_error(findings, code: str) -> ValidationError:
    return ValidationError(
        {"description": [ValidationError(str(f.message), code=code) for f in findings]}
    )


def needs_confirmation(exc: ValidationError) -> bool:
    """True when the only thing standing in the way is a privacy warning to confirm."""
    errors = getattr(exc, "error_dict", {}).get("description", [])
    return any(e.code == "privacy_warning" for e in errors)


def check_occurred_at(occurred_at: datetime) -> None:
    now = timezone.now()
    if occurred_at > now + CLOCK_SKEW:
        raise ValidationError(
            {"occurred_at": _("Tidpunkten ligger i framtiden. Ange när händelsen inträffade.")}
        )
    if occurred_at.year < weeks.FIRST_YEAR:
        raise ValidationError({"occurred_at": _("Tidpunkten är orimligt långt tillbaka.")})


def _log(
    incident: Incident,
    *,
    actor,
    action: str,
    changes=None,
    reason="",
    request=None,
    notify: bool = True,
):
    """Write the incident's history and the audit trail, and have the week's picture
    recomputed once the transaction commits (unless the caller does that once for many, as
    an import does)."""
    if notify:
        transaction.on_commit(
            lambda: _data_changed(incident.partnership_id, weeks.iso(incident.iso_week))
        )
    IncidentChange.objects.create(
        incident=incident, actor=actor, action=action, changes=changes or {}, reason=reason
    )
    record(
        actor=actor,
        action=f"incident.{action}",
        obj=incident,
        summary=reason,
        request=request,
        changes=changes or {},
    )


def _category_for(membership: Membership, category: Category) -> Category:
    if category.partnership_id != membership.partnership_id or not category.active:
        raise ValidationError({"category": _("Välj en kategori ur samverkans checklista.")})
    if category.parent_id is None and category.children.exists():
        raise ValidationError({"category": _("Välj en kategori, inte en hel grupp.")})
    return category


def report_incident(
    *,
    membership: Membership,
    client_id: uuid.UUID,
    category: Category,
    occurred_at: datetime,
    severity: int,
    lon: float | None = None,
    lat: float | None = None,
    place: Place | None = None,
    description: str = "",
    confirmed_warnings: bool = False,
    source: str = Incident.Source.FORM,
    external_id: str = "",
    visibility: str = Incident.Visibility.PARTNERSHIP,
    status: str = Incident.Status.NEW,
    request=None,
    notify: bool = True,
) -> tuple[Incident, bool]:
    """File one incident. Idempotent on `client_id`: a retry returns the first incident and
    False instead of creating a second. Raises ValidationError (nothing saved) on bad input.
    It waits for review (NEW) unless `status` says it is accepted already (an import of
    history decides that up front)."""
    partnership = membership.partnership
    existing = _already_filed(partnership, client_id, source, external_id)
    if existing is not None:
        return _replayed(existing, membership, source, client_id), False

    category = _category_for(membership, category)
    check_occurred_at(occurred_at)
    flagged = check_description(description, confirmed=confirmed_warnings)
    if severity not in Incident.Severity.values:
        raise ValidationError({"severity": _("Välj hur allvarligt det var.")})
    if place is not None and place.partnership_id != partnership.pk:
        raise ValidationError({"place": _("Välj en plats i samverkans områden.")})
    if lon is None or lat is None:
        if place is None:
            raise ValidationError({"location": _("Ange var det hände: på kartan eller en plats.")})
        lon, lat = place.lon, place.lat
    try:
        area = locate_area(partnership, lon, lat)
    except ValidationError as exc:
        raise ValidationError({"location": exc.messages}) from exc

    incident = Incident(
        partnership=partnership,
        client_id=client_id,
        occurred_at=occurred_at,
        iso_week=weeks.week_code(occurred_at, partnership.time_zone),
        reporter=membership.user,
        organisation=membership.organisation,
        category=category,
        severity=severity,
        area=area,
        place=place,
        lon=lon,
        lat=lat,
        description=description.strip(),
        personal_data_flag=flagged,
        source=source,
        external_id=external_id,
        visibility=visibility,
        status=status,
    )
    try:
        with transaction.atomic():
            incident.save()
            _log(
                incident,
                actor=membership.user,
                action=IncidentChange.Action.CREATED,
                changes={"status": status} if status != Incident.Status.NEW else None,
                request=request,
                notify=notify,
            )
    except IntegrityError:
        # A concurrent request with the same client id (or external id) won the race: that
        # one is the incident, answered under the same rules as a retry that came later.
        existing = _already_filed(partnership, client_id, source, external_id)
        if existing is None:
            raise
        return _replayed(existing, membership, source, client_id), False
    return incident, True


def _already_filed(partnership, client_id, source: str, external_id: str) -> Incident | None:
    """The incident this report repeats: the same client id, or the same id in the
    sending system (unique per partnership and source)."""
    same = Q(client_id=client_id)
    if external_id:
        same |= Q(source=source, external_id=external_id)
    return Incident.objects.filter(same, partnership=partnership).first()


def _data_changed(partnership_id: int, iso_week: str) -> None:
    if not settings.ANALYSIS_ON_CHANGE:
        return
    # Imported here: the picture builds on incidents, not the other way round.
    from lagesbild.partnerships.models import Partnership
    from lagesbild.pictures.runs import request_run

    request_run(Partnership.objects.get(pk=partnership_id), iso_week)


def _replayed(existing: Incident, membership: Membership, source: str, client_id) -> Incident:
    """A retry returns the incident it filed; someone else's id is refused, so a guessed id
    never answers with another reporter's incident. Imports key their client id on the
    external id, so any importing member may see that a row is already there."""
    if existing.reporter_id == membership.user_id or source == Incident.Source.IMPORT:
        return existing
    if existing.client_id == client_id:
        raise ValidationError(
            {"client_id": _("Formulärets id används redan. Ladda om sidan och försök igen.")}
        )
    raise ValidationError(
        {
            "external_id": ValidationError(
                _("Det externa id:t är redan registrerat av någon annan."), code="conflict"
            )
        }
    )


def _require_open(incident: Incident) -> None:
    if incident.status == Incident.Status.MERGED:
        raise ValidationError(_("Händelsen är sammanslagen med en annan och kan inte ändras."))


def _describe(value) -> object:
    """A JSON-friendly value for the change history (names, not only ids)."""
    if value is None:
        return None
    if hasattr(value, "pk"):
        return {"id": value.pk, "name": str(value)}
    return value


@transaction.atomic
def accept_incident(*, actor, incident: Incident, request=None) -> Incident:
    _require_open(incident)
    old = incident.status
    incident.status = Incident.Status.ACCEPTED
    incident.rejection_reason = ""
    incident.save(update_fields=["status", "rejection_reason"])
    _log(
        incident,
        actor=actor,
        action=IncidentChange.Action.ACCEPTED,
        changes={"status": [old, incident.status]},
        request=request,
    )
    return incident


# The most reports one bulk accept takes: a few pages of the queue, one transaction.
BULK_ACCEPT_LIMIT = 200


@transaction.atomic
def accept_incidents(*, actor, membership: Membership, incidents, request=None) -> list[Incident]:
    """Accept several waiting reports at once, each recorded as if accepted one by one (its
    history, the audit trail) and each affected week's picture recomputed once. Reports
    flagged for personal data are never accepted this way: one among them and nothing is
    accepted. Reports that no longer wait (another coordinator got there first) are left as
    they are. Returns the reports accepted."""
    ids = sorted({incident.pk for incident in incidents})
    if not ids:
        raise ValidationError(_("Markera de händelser som ska godkännas."))
    if len(ids) > BULK_ACCEPT_LIMIT:
        raise ValidationError(
            _("Högst %(n)s händelser kan godkännas på en gång.") % {"n": BULK_ACCEPT_LIMIT}
        )
    waiting = list(
        Incident.objects.select_for_update()
        .filter(pk__in=ids, partnership=membership.partnership, status=Incident.Status.NEW)
        .order_by("pk")
    )
    flagged = [incident.pk for incident in waiting if incident.personal_data_flag]
    if flagged:
        raise ValidationError(
            _(
                "Nr %(ids)s är flaggade för personuppgifter och måste granskas en och en. "
                "Inget godkändes."
            )
            % {"ids": ", ".join(str(pk) for pk in flagged)}
        )
    Incident.objects.filter(pk__in=[i.pk for i in waiting]).update(
        status=Incident.Status.ACCEPTED, rejection_reason=""
    )
    change = {"status": [Incident.Status.NEW, Incident.Status.ACCEPTED]}
    IncidentChange.objects.bulk_create(
        IncidentChange(
            incident=incident,
            actor=actor,
            action=IncidentChange.Action.ACCEPTED,
            changes=change,
            reason=_("Godkänd i grupp"),
        )
        for incident in waiting
    )
    for incident in waiting:
        incident.status = Incident.Status.ACCEPTED
        record(
            actor=actor,
            action=f"incident.{IncidentChange.Action.ACCEPTED}",
            obj=incident,
            summary=_("Godkänd i grupp"),
            request=request,
            changes=change,
            bulk=len(waiting),
        )
    for partnership_id, week in {(i.partnership_id, i.iso_week) for i in waiting}:
        transaction.on_commit(lambda p=partnership_id, w=week: _data_changed(p, weeks.iso(w)))
    return waiting


@transaction.atomic
def correct_incident(
    *,
    actor,
    incident: Incident,
    category: Category | None = None,
    area: Area | None = None,
    place: Place | None = None,
    clear_place: bool = False,
    severity: int | None = None,
    reason: str = "",
    accept: bool = True,
    request=None,
) -> Incident:
    """Correct category, area, place or severity; records old and new values."""
    _require_open(incident)
    partnership_id = incident.partnership_id
    for obj in (category, area, place):
        if obj is not None and obj.partnership_id != partnership_id:
            raise ValidationError(_("Valet hör inte till samverkan."))
    if place is not None and area is not None and place.area_id != area.pk:
        raise ValidationError({"place": _("Platsen ligger inte i det valda området.")})
    if severity is not None and severity not in Incident.Severity.values:
        raise ValidationError({"severity": _("Välj hur allvarligt det var.")})
    proposed = {
        "category": category,
        "area": area or (place.area if place is not None else None),
        "place": place,
        "severity": severity,
    }
    changes = {}
    for name, new in proposed.items():
        if new is None:
            continue
        old = getattr(incident, name)
        if old != new:
            changes[name] = [_describe(old), _describe(new)]
            setattr(incident, name, new)
    if clear_place and incident.place is not None:
        changes["place"] = [_describe(incident.place), None]
        incident.place = None
    if accept and incident.status != Incident.Status.ACCEPTED:
        changes["status"] = [incident.status, Incident.Status.ACCEPTED]
        incident.status = Incident.Status.ACCEPTED
    if not changes:
        return incident
    incident.save()
    _log(
        incident,
        actor=actor,
        action=IncidentChange.Action.CORRECTED,
        changes=changes,
        reason=reason,
        request=request,
    )
    return incident


@transaction.atomic
def reject_incident(*, actor, incident: Incident, reason: str, request=None) -> Incident:
    _require_open(incident)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Skriv varför händelsen avvisas.")})
    old = incident.status
    incident.status = Incident.Status.REJECTED
    incident.rejection_reason = reason[:300]
    incident.save(update_fields=["status", "rejection_reason"])
    _log(
        incident,
        actor=actor,
        action=IncidentChange.Action.REJECTED,
        changes={"status": [old, incident.status]},
        reason=reason,
        request=request,
    )
    return incident


@transaction.atomic
def merge_incidents(
    *, actor, target: Incident, duplicates: list[Incident], request=None
) -> Incident:
    """Merge duplicates into `target`: they keep a link to it and leave the counts."""
    _require_open(target)
    duplicates = [d for d in duplicates if d.pk != target.pk]
    if not duplicates:
        raise ValidationError(_("Välj minst en annan händelse att slå samman med."))
    for duplicate in duplicates:
        if duplicate.partnership_id != target.partnership_id:
            raise ValidationError(_("Valet hör inte till samverkan."))
        _require_open(duplicate)
    for duplicate in duplicates:
        old = duplicate.status
        duplicate.status = Incident.Status.MERGED
        duplicate.merged_into = target
        duplicate.save(update_fields=["status", "merged_into"])
        _log(
            duplicate,
            actor=actor,
            action=IncidentChange.Action.MERGED,
            changes={"status": [old, duplicate.status], "merged_into": target.pk},
            request=request,
        )
    if target.status == Incident.Status.NEW:
        target.status = Incident.Status.ACCEPTED
        target.save(update_fields=["status"])
    _log(
        target,
        actor=actor,
        action=IncidentChange.Action.ABSORBED,
        changes={"absorbed": [d.pk for d in duplicates]},
        request=request,
    )
    return target


# Imports ---------------------------------------------------------------------------------

IMPORT_NAMESPACE = uuid.UUID("0b7c2f4e-6a52-4d1b-9d8e-2f1c7a7d9e10")
_SEVERITY_WORDS = {"lindrig": 1, "allvarlig": 2, "mycket allvarlig": 3}
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M")


# The per-row report keeps this many refused rows with their messages; the rest are counted.
MAX_REPORTED_ROWS = 1000


@dataclass
class ImportResult:
    created: int = 0
    already_imported: int = 0
    rows: int = 0
    refused: int = 0  # rows refused, all of them (errors lists the first MAX_REPORTED_ROWS)
    errors: list[tuple[int, list[str]]] = field(default_factory=list)  # (row number, messages)

    @property
    def ok(self) -> bool:
        return not self.refused

    def refuse(self, number: int, messages: list[str]) -> None:
        self.refused += 1
        if len(self.errors) < MAX_REPORTED_ROWS:
            self.errors.append((number, messages))


class _RowError(Exception):
    pass


class _RollBack(Exception):
    """Raised inside the import's transaction to undo it when a row was refused."""


def _check_cells(row: dict) -> None:
    """Refuse a row with a NUL character (no database text can hold one) or a cell longer
    than IMPORT_MAX_CELL_CHARS, naming the column, before anything else reads it."""
    limit = settings.IMPORT_MAX_CELL_CHARS
    for column, value in row.items():
        label = LABELS.get(column, column)
        if "\x00" in value:
            raise _RowError(
                _("Kolumnen %(c)s innehåller ett otillåtet tecken (NUL).") % {"c": label}
            )
        if len(value) > limit:
            raise _RowError(
                _("Kolumnen %(c)s är %(n)s tecken lång; högst %(max)s tecken går att importera.")
                % {"c": label, "n": len(value), "max": limit}
            )


def _import_one(membership, number, row, context, result) -> Incident | None:
    """Import one row in its own savepoint, counting the outcome in `result`. Every way a
    row can fail ends in the per-row report, never as an exception out of the import."""
    try:
        _check_cells(row)
        with transaction.atomic():
            incident, created = _import_row(membership, row, **context)
    except _RowError as exc:
        result.refuse(number, [str(exc)])
    except ValidationError as exc:
        result.refuse(number, exc.messages)
    except (ValueError, TypeError, ArithmeticError, DatabaseError) as exc:
        # What the checks above did not foresee (a value the database cannot store, a number
        # out of range): the savepoint is rolled back and the row reported, the rest goes on.
        logger.warning("Import row %s refused: %r", number, exc)
        result.refuse(number, [_("Raden kunde inte läsas: %(e)s") % {"e": _short(exc)}])
    else:
        if created:
            result.created += 1
            return incident
        result.already_imported += 1
    return None


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _parse_time(text: str, time_zone: str) -> datetime:
    for fmt in _TIME_FORMATS:
        try:
            moment = datetime.strptime(text, fmt)
            break
        except ValueError:
            continue
    else:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as exc:
            raise _RowError(_("Tidpunkten ska skrivas som 2026-11-24 21:30.")) from exc
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=ZoneInfo(time_zone))
    return moment


def _parse_number(text: str, what: str) -> float | None:
    if not text:
        return None
    try:
        return float(text.replace(",", ".").replace("\u2212", "-"))
    except ValueError as exc:
        raise _RowError(_("%(what)s är inte ett tal.") % {"what": what}) from exc


def _import_row(
    membership, row: dict, *, categories: dict, places: dict, accept_warnings: bool, status: str
):
    partnership = membership.partnership
    category = categories.get(row.get("category", "").strip().lower())
    if category is None:
        raise _RowError(_("Okänd kategori: %(c)s.") % {"c": row.get("category", "")})
    severity_text = row.get("severity", "").strip().lower() or "1"
    severity = _SEVERITY_WORDS.get(severity_text)
    if severity is None:
        severity = int(_parse_number(severity_text, _("Allvarlighetsgraden")) or 0)
    place = None
    if row.get("place"):
        place = places.get(row["place"].strip().lower())
        if place is None:
            raise _RowError(_("Okänd plats: %(p)s.") % {"p": row["place"]})
    external_id = row.get("external_id", "")[:100]
    key = external_id or "|".join(str(row.get(k, "")) for k in sorted(row))
    return report_incident(
        membership=membership,
        client_id=uuid.uuid5(IMPORT_NAMESPACE, f"{partnership.pk}:{key}"),
        category=category,
        occurred_at=_parse_time(row.get("occurred_at", "").strip(), partnership.time_zone),
        severity=severity,
        lon=_parse_number(row.get("lon", ""), _("Longituden")),
        lat=_parse_number(row.get("lat", ""), _("Latituden")),
        place=place,
        description=row.get("description", ""),
        confirmed_warnings=accept_warnings,
        source=Incident.Source.IMPORT,
        external_id=external_id,
        status=status,
        notify=False,
    )


def _numbered(rows: Iterable) -> Iterator[tuple[int, dict]]:
    """(row number, row): as the readers number them, or counted from 2 (row 1 is the
    header) for plain dicts."""
    for index, item in enumerate(rows, start=2):
        yield item if isinstance(item, tuple) else (index, item)


def import_incidents(
    *,
    membership: Membership,
    rows: Iterable,
    accept_warnings: bool = False,
    skip_invalid: bool = False,
    review: str = Incident.Status.ACCEPTED,
    request=None,
) -> ImportResult:
    """Import rows read by `importers.tabular` (dicts, or (number, dict) as `open_file`
    streams them; consumed one at a time). Every row passes the same rules as the form, the
    privacy guard included. By default the import is all or nothing: one bad row and nothing
    is saved. Re-importing the same rows creates nothing new.

    `review` decides the review state up front: imported history is ACCEPTED (it was
    reviewed where it came from) and never fills the review queue; NEW puts every row in the
    queue. The weeks' pictures are recomputed once per week the import touched.

    Raises ImportFormatError (nothing saved) if the file turns out unreadable halfway."""
    if review not in (Incident.Status.ACCEPTED, Incident.Status.NEW):
        raise ValueError(f"an import is accepted or waits for review, not {review!r}")
    partnership = membership.partnership
    categories = {}
    for category in Category.objects.filter(partnership=partnership, active=True):
        categories[category.code.lower()] = category
        categories[category.name.lower()] = category
    places = {p.name.lower(): p for p in Place.objects.filter(partnership=partnership)}
    context = {
        "categories": categories,
        "places": places,
        "accept_warnings": accept_warnings,
        "status": review,
    }
    result = ImportResult()
    touched: set[str] = set()
    try:
        with transaction.atomic():
            for number, row in _numbered(rows):
                result.rows += 1
                incident = _import_one(membership, number, row, context, result)
                if incident is not None:
                    touched.add(incident.iso_week)
            if result.refused and not skip_invalid:
                raise _RollBack
            for week in sorted(touched):
                transaction.on_commit(
                    lambda week=week: _data_changed(partnership.pk, weeks.iso(week))
                )
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
        review=review,
    )
    return result
