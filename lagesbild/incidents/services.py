"""Writes on incidents: reporting, review (accept, correct, reject, merge) and the history.

Every function here is keyword-only, runs in one transaction and records both the incident's
own history (IncidentChange) and the audit trail, so a write never happens unrecorded.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lagesbild.audit.record import record
from lagesbild.geography.models import Area, Place
from lagesbild.geography.services import locate_area
from lagesbild.incidents import privacy, weeks
from lagesbild.incidents.models import Category, Incident, IncidentChange
from lagesbild.partnerships.models import Membership

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
