"""Meetings, agendas, decisions and interventions. Every write is audited."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lagesbild.audit.record import record
from lagesbild.incidents import weeks
from lagesbild.incidents.privacy import validate_no_identity_numbers
from lagesbild.interventions.models import Decision, Intervention, Meeting
from lagesbild.partnerships.access import Role, has_role

OPEN = (Intervention.Status.PLANNED, Intervention.Status.ONGOING)


def due_interventions(partnership, until: date):
    """Open interventions due on or before `until`, overdue first."""
    return (
        Intervention.objects.filter(partnership=partnership, status__in=OPEN, due_date__lte=until)
        .select_related("area", "responsible")
        .order_by("due_date")
    )


def build_agenda(
    partnership, iso: str, current: dict | None, previous: dict | None, held_on: date
) -> list[dict]:
    """Agenda items from the week's picture: deviations, sustained rises, areas whose
    assessment worsened, new clusters, and interventions due or overdue."""
    items = []
    if current is not None:
        series = current["series"]
        for s in sorted(series.values(), key=lambda s: s["p"] if s["p"] is not None else 1):
            if s["level"] == "avvikelse" and s["area"] and s["group"]:
                items.append(
                    {
                        "kind": "deviation",
                        "text": s["explanation"],
                        "area": s["area"],
                        "group": s["group"],
                    }
                )
        for s in series.values():
            if s.get("rising") and s["area"] and s["group"]:
                items.append(
                    {
                        "kind": "rising",
                        "text": s["rising_text"],
                        "area": s["area"],
                        "group": s["group"],
                    }
                )
        names = {str(a["id"]): a["name"] for a in current["areas"]}
        before = previous["assessments"] if previous else {}
        for area_id, entry in current["assessments"].items():
            old = before.get(area_id, {}).get("level")
            if entry["level"] and old and entry["level"] > old:
                items.append(
                    {
                        "kind": "worse",
                        "area": int(area_id),
                        "text": _("Bedömningen av %(a)s har försämrats från %(o)s till %(n)s.")
                        % {"a": names.get(area_id, ""), "o": old, "n": entry["level"]},
                    }
                )
        for c in current["clusters"]:
            items.append({"kind": "cluster", "text": c["text"]})
    for intervention in due_interventions(partnership, held_on):
        overdue = intervention.due_date < held_on
        items.append(
            {
                "kind": "overdue" if overdue else "due",
                "intervention": intervention.pk,
                "text": _("%(t)s (%(a)s, %(o)s) – %(s)s %(d)s.")
                % {
                    "t": intervention.title,
                    "a": intervention.area.name,
                    "o": intervention.responsible.name,
                    "s": _("försenad, skulle vara klar") if overdue else _("ska vara klar"),
                    "d": intervention.due_date.isoformat(),
                },
            }
        )
    return items


@transaction.atomic
def create_meeting(
    *, actor, partnership, iso: str, held_on: date, agenda: list[dict], request=None
) -> Meeting:
    meeting = Meeting.objects.create(
        partnership=partnership,
        held_on=held_on,
        period=iso,
        agenda=agenda,
        created_by=actor,
        title=_("Veckomöte om %(w)s") % {"w": iso},
    )
    record(actor=actor, action="meeting.create", obj=meeting, request=request, summary=iso)
    return meeting


@transaction.atomic
def save_minutes(
    *, actor, meeting: Meeting, minutes: str, attendees: str, closed: bool, request=None
) -> Meeting:
    validate_no_identity_numbers(minutes)
    meeting.minutes, meeting.attendees, meeting.closed = minutes.strip(), attendees.strip(), closed
    meeting.save(update_fields=["minutes", "attendees", "closed"])
    record(actor=actor, action="meeting.minutes", obj=meeting, request=request, closed=closed)
    return meeting


def _check_intervention(partnership, *, area, responsible, categories, due_date) -> None:
    errors = {}
    if area.partnership_id != partnership.pk:
        errors["area"] = _("Välj ett område i samverkan.")
    if responsible.partnership_id != partnership.pk or not responsible.active:
        errors["responsible"] = _("Välj en aktiv organisation i samverkan.")
    if any(c.partnership_id != partnership.pk for c in categories):
        errors["categories"] = _("Välj kategorier ur samverkans checklista.")
    if due_date is None:
        errors["due_date"] = _("Ange när insatsen ska vara klar.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_decision(
    *, actor, meeting: Meeting, text: str, intervention: dict | None = None, request=None
) -> Decision:
    """Record a decision; with `intervention` (title, area, categories, responsible,
    due_date, description) it also creates the intervention it decides."""
    if meeting.closed:
        raise ValidationError(_("Mötet är avslutat; öppna det igen för att lägga till beslut."))
    if not text.strip():
        raise ValidationError({"text": _("Skriv beslutet.")})
    validate_no_identity_numbers(text)
    created = None
    if intervention is not None:
        created = create_intervention(
            actor=actor, partnership=meeting.partnership, request=request, **intervention
        )
    decision = Decision.objects.create(
        meeting=meeting, text=text.strip(), intervention=created, created_by=actor
    )
    record(
        actor=actor,
        action="meeting.decision",
        obj=decision,
        partnership=meeting.partnership,
        request=request,
        summary=text[:200],
        intervention=created.pk if created else None,
    )
    return decision


@transaction.atomic
def create_intervention(
    *,
    actor,
    partnership,
    title: str,
    area,
    responsible,
    due_date,
    categories=(),
    description: str = "",
    start_date=None,
    request=None,
) -> Intervention:
    _check_intervention(
        partnership, area=area, responsible=responsible, categories=categories, due_date=due_date
    )
    validate_no_identity_numbers(f"{title}\n{description}")
    intervention = Intervention.objects.create(
        partnership=partnership,
        title=title.strip(),
        area=area,
        responsible=responsible,
        due_date=due_date,
        description=description.strip(),
        start_date=start_date or timezone.localdate(),
        created_by=actor,
    )
    intervention.categories.set(categories)
    record(
        actor=actor,
        action="intervention.create",
        obj=intervention,
        request=request,
        summary=intervention.title,
    )
    return intervention


def can_update(membership, intervention: Intervention) -> bool:
    """Coordinators, and members of the responsible organisation, report progress."""
    return has_role(membership, Role.COORDINATOR) or (
        has_role(membership, Role.MEMBER)
        and membership.organisation_id == intervention.responsible_id
    )


@transaction.atomic
def update_status(
    *, actor, membership, intervention: Intervention, status: str, request=None
) -> Intervention:
    if not can_update(membership, intervention):
        raise PermissionDenied
    if status not in Intervention.Status.values:
        raise ValidationError({"status": _("Välj en status.")})
    old = intervention.status
    intervention.status = status
    intervention.save(update_fields=["status"])
    record(
        actor=actor,
        action="intervention.status",
        obj=intervention,
        request=request,
        old=old,
        new=status,
    )
    return intervention


def next_meeting_date(today: date) -> date:
    """The coming Tuesday (today if it is Tuesday): when EST groups usually meet."""
    return today + timedelta(days=(1 - today.weekday()) % 7)


def week_before(day: date) -> str:
    """The ISO week before the one `day` is in: the week a Tuesday meeting looks at."""
    return weeks.iso(weeks.shift(weeks.week_of_date(day), -1))
