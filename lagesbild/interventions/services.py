"""Meetings, agendas, decisions and interventions. Every write is audited."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lagesbild.audit.record import record
from lagesbild.incidents import coverage, weeks
from lagesbild.incidents.privacy import validate_no_identity_numbers
from lagesbild.interventions import constants, evaluation
from lagesbild.interventions.models import (
    Decision,
    Intervention,
    InterventionType,
    Meeting,
    ProgressNote,
    YearlyReflection,
)
from lagesbild.partnerships.access import Role, has_role

OPEN = (Intervention.Status.PLANNED, Intervention.Status.ONGOING)
CLOSED = (Intervention.Status.DONE, Intervention.Status.CANCELLED)
# The fields of an intervention a coordinator sets (create and edit alike).
FIELDS = (
    "title",
    "kind",
    "areas",
    "places",
    "categories",
    "responsible",
    "contributors",
    "start_date",
    "end_date",
    "due_date",
    "description",
)
# The fields among them that are sets (many-to-many).
SETS = ("areas", "places", "categories", "contributors")


def intervention_types(partnership):
    """The partnership's taxonomy of intervention types; a partnership without one gets
    the EST defaults (`constants.DEFAULT_TYPES`) the first time it is asked for."""
    types = InterventionType.objects.filter(partnership=partnership)
    if not types.exists():
        InterventionType.objects.bulk_create(
            InterventionType(partnership=partnership, name=name, description=examples, sort_order=i)
            for i, (name, examples) in enumerate(constants.DEFAULT_TYPES)
        )
    return types


@transaction.atomic
def save_intervention_type(
    *,
    actor,
    partnership,
    name: str,
    description: str = "",
    active: bool = True,
    pk=None,
    request=None,
) -> InterventionType:
    """Add a type to the taxonomy, or rename or retire one (types in use are never deleted)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Ange ett namn.")})
    same = InterventionType.objects.filter(partnership=partnership, name__iexact=name)
    if pk is not None:
        same = same.exclude(pk=pk)
    if same.exists():
        raise ValidationError({"name": _("Det finns redan en insatstyp med det namnet.")})
    if pk is None:
        last = InterventionType.objects.filter(partnership=partnership).count()
        kind = InterventionType(partnership=partnership, sort_order=last)
    else:
        kind = InterventionType.objects.get(partnership=partnership, pk=pk)
    kind.name, kind.description, kind.active = name, description.strip(), active
    kind.save()
    record(actor=actor, action="intervention_type.save", obj=kind, request=request, summary=name)
    return kind


def due_interventions(partnership, until: date):
    """Open interventions due on or before `until`, overdue first."""
    return (
        Intervention.objects.filter(partnership=partnership, status__in=OPEN, due_date__lte=until)
        .select_related("responsible")
        .prefetch_related("areas")
        .order_by("due_date")
    )


def series_flags(series: dict) -> list[dict]:
    """Deviations (the most certain first) and sustained rises of area x category group."""
    items = []
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
                {"kind": "rising", "text": s["rising_text"], "area": s["area"], "group": s["group"]}
            )
    return items


def build_agenda(
    partnership, iso: str, current: dict | None, previous: dict | None, held_on: date
) -> list[dict]:
    """Agenda items from the week's picture: deviations, sustained rises, areas whose
    assessment worsened, new clusters, and interventions due or overdue."""
    items = []
    if current is not None:
        items += series_flags(current["series"])
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
                    "a": intervention.area_names,
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
    """A meeting about the week `iso`, which must have begun: a week still to come has no
    figures yet, so its meeting would open on a picture that cannot be shown."""
    if coverage.week_state(partnership, weeks.parse(iso)).state == coverage.FUTURE:
        raise ValidationError(
            {
                "week": _(
                    "Vecka %(w)s har inte börjat ännu. Ett möte kan bara gälla en vecka som "
                    "har börjat; välj den vecka mötet ska gå igenom, oftast förra veckan."
                )
                % {"w": iso}
            }
        )
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


def _check_intervention(
    partnership,
    *,
    areas,
    responsible,
    places=(),
    categories,
    due_date,
    kind=None,
    contributors=(),
    start_date=None,
    end_date=None,
) -> None:
    errors = {}
    if not areas:
        errors["areas"] = _("Välj minst ett område som insatsen riktar sig mot.")
    elif any(a.partnership_id != partnership.pk for a in areas):
        errors["areas"] = _("Välj områden i samverkan.")
    elif not all(_place_within(p, areas) for p in places):
        errors["places"] = _("Välj platser som ligger i insatsens områden.")
    if responsible.partnership_id != partnership.pk or not responsible.active:
        errors["responsible"] = _("Välj en aktiv organisation i samverkan.")
    if any(c.partnership_id != partnership.pk for c in categories):
        errors["categories"] = _("Välj kategorier ur samverkans checklista.")
    if kind is not None and kind.partnership_id != partnership.pk:
        errors["kind"] = _("Välj en insatstyp ur samverkans lista.")
    if any(o.partnership_id != partnership.pk for o in contributors):
        errors["contributors"] = _("Välj organisationer i samverkan.")
    elif any(o.pk == responsible.pk for o in contributors):
        errors["contributors"] = _("Den ansvariga organisationen är inte också medverkande.")
    if due_date is None:
        errors["due_date"] = _("Ange när insatsen ska vara klar.")
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = _("Slutdatum kan inte ligga före startdatum.")
    if errors:
        raise ValidationError(errors)


def _place_within(place, areas) -> bool:
    """A place lies in a target area when its area is one of them or inside one."""
    ids = {a.pk for a in areas}
    return place.area_id in ids or place.area.parent_id in ids


def _origin_item(meeting: Meeting, index) -> dict:
    """A copy of the meeting's agenda item `index` (with the week it is about), or {}."""
    if index is None or index == "":
        return {}
    try:
        item = meeting.agenda[int(index)]
    except (ValueError, TypeError, IndexError) as exc:
        raise ValidationError({"origin_item": _("Välj en punkt på dagordningen.")}) from exc
    return {**item, "period": meeting.period, "meeting": meeting.pk}


@transaction.atomic
def add_decision(
    *,
    actor,
    meeting: Meeting,
    text: str,
    intervention: dict | None = None,
    shared_with_guests: bool = False,
    request=None,
) -> Decision:
    """Record a decision; with `intervention` (title, areas, categories, responsible,
    due_date, description) it also creates the intervention it decides. A decision
    `shared_with_guests` is shown to the partnership's guest organisations."""
    if meeting.closed:
        raise ValidationError(_("Mötet är avslutat; öppna det igen för att lägga till beslut."))
    if not text.strip():
        raise ValidationError({"text": _("Skriv beslutet.")})
    validate_no_identity_numbers(text)
    created = None
    if intervention is not None:
        intervention = dict(intervention)
        origin = _origin_item(meeting, intervention.pop("origin_item", None))
        created = create_intervention(
            actor=actor,
            partnership=meeting.partnership,
            request=request,
            origin=origin,
            origin_meeting=meeting,
            **intervention,
        )
    decision = Decision.objects.create(
        meeting=meeting,
        text=text.strip(),
        intervention=created,
        shared_with_guests=shared_with_guests,
        created_by=actor,
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
    areas,
    responsible,
    places=(),
    due_date,
    categories=(),
    description: str = "",
    start_date=None,
    end_date=None,
    kind=None,
    contributors=(),
    origin: dict | None = None,
    origin_meeting: Meeting | None = None,
    origin_picture=None,
    request=None,
) -> Intervention:
    start_date = start_date or timezone.localdate()
    _check_intervention(
        partnership,
        areas=areas,
        places=places,
        responsible=responsible,
        categories=categories,
        due_date=due_date,
        kind=kind,
        contributors=contributors,
        start_date=start_date,
        end_date=end_date,
    )
    validate_no_identity_numbers(f"{title}\n{description}")
    intervention = Intervention.objects.create(
        partnership=partnership,
        title=title.strip(),
        kind=kind,
        responsible=responsible,
        due_date=due_date,
        description=description.strip(),
        start_date=start_date,
        end_date=end_date,
        origin=origin or {},
        origin_meeting=origin_meeting,
        origin_picture=origin_picture,
        created_by=actor,
    )
    intervention.areas.set(areas)
    intervention.places.set(places)
    intervention.categories.set(categories)
    intervention.contributors.set(contributors)
    record(
        actor=actor,
        action="intervention.create",
        obj=intervention,
        request=request,
        summary=intervention.title,
    )
    return intervention


def register_entry(intervention: Intervention) -> dict:
    """The intervention's `FIELDS` as they stand, each set as a list in id order."""
    return {
        name: sorted(getattr(intervention, name).all(), key=lambda o: o.pk)
        if name in SETS
        else getattr(intervention, name)
        for name in FIELDS
    }


@transaction.atomic
def change_intervention(
    *, actor, membership, intervention: Intervention, request=None, **fields
) -> Intervention:
    """A coordinator corrects an intervention's register entry (any of `FIELDS`)."""
    if not has_role(membership, Role.COORDINATOR):
        raise PermissionDenied
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {unknown}")
    current = register_entry(intervention)
    fields = {
        name: sorted(value, key=lambda o: o.pk) if name in SETS else value
        for name, value in fields.items()
    }
    new = {**current, **fields}
    _check_intervention(
        intervention.partnership,
        areas=new["areas"],
        places=new["places"],
        responsible=new["responsible"],
        categories=new["categories"],
        due_date=new["due_date"],
        kind=new["kind"],
        contributors=new["contributors"],
        start_date=new["start_date"],
        end_date=new["end_date"],
    )
    if not (new["title"] or "").strip():
        raise ValidationError({"title": _("Ange vad insatsen är.")})
    set_up = set(intervention.comparison_areas.all())
    if intervention.buffer_chosen:
        set_up |= set(intervention.buffer_areas.all())
    if set_up & set(new["areas"]):
        raise ValidationError(
            {
                "areas": _(
                    "Ett av områdena är valt som jämförelse eller buffert i utvärderingens "
                    "upplägg; ändra upplägget först."
                )
            }
        )
    validate_no_identity_numbers(f"{new['title']}\n{new['description']}")
    for name in FIELDS:
        if name not in SETS:
            value = new[name].strip() if name in ("title", "description") else new[name]
            setattr(intervention, name, value)
    intervention.save()
    for name in SETS:
        getattr(intervention, name).set(new[name])
    changed = sorted(name for name in FIELDS if new[name] != current[name])
    record(
        actor=actor,
        action="intervention.change",
        obj=intervention,
        request=request,
        summary=intervention.title,
        fields=changed,
    )
    return intervention


def takes_part(membership, intervention: Intervention) -> bool:
    """The member's organisation is responsible for or contributes to the intervention."""
    return membership is not None and (
        membership.organisation_id == intervention.responsible_id
        or intervention.contributors.filter(pk=membership.organisation_id).exists()
    )


def can_update(membership, intervention: Intervention) -> bool:
    """Coordinators, and members of the responsible organisation, move the status."""
    return has_role(membership, Role.COORDINATOR) or (
        has_role(membership, Role.MEMBER)
        and membership.organisation_id == intervention.responsible_id
    )


def can_log(membership, intervention: Intervention) -> bool:
    """Coordinators, and members or guests of the responsible or a contributing
    organisation (a joint effort), write in the progress log."""
    if has_role(membership, Role.COORDINATOR):
        return True
    may_write = has_role(membership, Role.MEMBER) or (
        membership is not None and membership.role == Role.GUEST
    )
    return may_write and takes_part(membership, intervention)


@transaction.atomic
def update_status(
    *, actor, membership, intervention: Intervention, status: str, request=None
) -> Intervention:
    """Move the status. Done or cancelled closes the intervention (its end date defaults to
    today); closing a done one queues its evaluation, which the worker freezes as a stored
    version."""
    if not can_update(membership, intervention):
        raise PermissionDenied
    if status not in Intervention.Status.values:
        raise ValidationError({"status": _("Välj en status.")})
    old = intervention.status
    intervention.status = status
    closing = status in CLOSED and intervention.closed_at is None
    if closing:
        intervention.closed_at = timezone.now()
        intervention.end_date = intervention.end_date or timezone.localdate()
    elif status in OPEN:
        intervention.closed_at = None
    intervention.save(update_fields=["status", "closed_at", "end_date"])
    record(
        actor=actor,
        action="intervention.status",
        obj=intervention,
        request=request,
        old=old,
        new=status,
    )
    if closing and status == Intervention.Status.DONE:
        evaluation.request_evaluation(actor=actor, intervention=intervention)
    return intervention


@transaction.atomic
def add_progress_note(
    *,
    actor,
    membership,
    intervention: Intervention,
    done_on: date,
    text: str,
    amount: str = "",
    request=None,
) -> ProgressNote:
    """A dated note in the progress log, in the name of the writer's organisation."""
    if not can_log(membership, intervention):
        raise PermissionDenied
    errors = {}
    if not text.strip():
        errors["text"] = _("Skriv vad som gjordes.")
    if done_on is None:
        errors["done_on"] = _("Ange datum.")
    elif done_on > timezone.localdate():
        errors["done_on"] = _("Datumet kan inte ligga i framtiden.")
    if errors:
        raise ValidationError(errors)
    validate_no_identity_numbers(f"{text}\n{amount}")
    note = ProgressNote.objects.create(
        partnership=intervention.partnership,
        intervention=intervention,
        done_on=done_on,
        text=text.strip(),
        amount=amount.strip(),
        organisation=membership.organisation,
        author=actor,
    )
    record(
        actor=actor,
        action="intervention.progress",
        obj=intervention,
        request=request,
        summary=note.text[:200],
    )
    return note


@transaction.atomic
def set_evaluation_setup(
    *,
    actor,
    membership,
    intervention: Intervention,
    comparison_areas,
    buffer_areas,
    buffer_chosen: bool,
    weeks_before: int,
    weeks_after: int | None,
    request=None,
) -> Intervention:
    """The coordinator's (or analyst's) choice of comparison areas, buffer and periods.

    No comparison areas means "the proposal"; `buffer_chosen` False means "the areas next
    to the treated one". A frozen evaluation does not change: recomputing makes a new
    version."""
    if not has_role(membership, Role.ANALYST):
        raise PermissionDenied
    partnership_id = intervention.partnership_id
    errors = {}
    comparison_ids = {a.pk for a in comparison_areas}
    buffer_ids = {a.pk for a in buffer_areas}
    if any(a.partnership_id != partnership_id for a in [*comparison_areas, *buffer_areas]):
        errors["comparison_areas"] = _("Välj områden i samverkan.")
    elif {a.pk for a in intervention.areas.all()} & (comparison_ids | buffer_ids):
        errors["comparison_areas"] = _(
            "Insatsens egna områden kan inte vara jämförelse eller buffert."
        )
    elif comparison_ids & buffer_ids:
        errors["buffer_areas"] = _("Ett område kan inte vara både jämförelse och buffert.")
    if not 4 <= weeks_before <= 156:
        errors["weeks_before"] = _("Välj mellan 4 och 156 veckor före start.")
    if weeks_after is not None and not 1 <= weeks_after <= 104:
        errors["weeks_after"] = _("Välj mellan 1 och 104 veckor efter start.")
    if errors:
        raise ValidationError(errors)
    intervention.weeks_before, intervention.weeks_after = weeks_before, weeks_after
    intervention.buffer_chosen = buffer_chosen
    intervention.save(update_fields=["weeks_before", "weeks_after", "buffer_chosen"])
    intervention.comparison_areas.set(comparison_areas)
    intervention.buffer_areas.set(buffer_areas if buffer_chosen else [])
    record(
        actor=actor,
        action="intervention.evaluation_setup",
        obj=intervention,
        request=request,
        summary=intervention.title,
        comparison=sorted(comparison_ids),
        buffer=sorted(buffer_ids) if buffer_chosen else None,
        weeks=[weeks_before, weeks_after],
    )
    return intervention


def next_meeting_date(today: date) -> date:
    """The coming Tuesday (today if it is Tuesday): when EST groups usually meet."""
    return today + timedelta(days=(1 - today.weekday()) % 7)


def week_before(day: date) -> str:
    """The ISO week before the one `day` is in: the week a Tuesday meeting looks at."""
    return weeks.iso(weeks.shift(weeks.week_of_date(day), -1))


@transaction.atomic
def save_reflection(
    *, actor, membership, year: int, heading: str, text: str, request=None
) -> YearlyReflection | None:
    """A coordinator writes the group's reflection under one heading of the year's deepened
    picture. Stored as the next version (earlier ones are kept) and audited; an unchanged
    text stores nothing and gives None."""
    if not has_role(membership, Role.COORDINATOR):
        raise PermissionDenied
    if heading not in YearlyReflection.Heading.values:
        raise ValidationError({"heading": _("Välj en rubrik i den fördjupade lägesbilden.")})
    text = text.strip()
    validate_no_identity_numbers(text)
    partnership = membership.partnership
    current = (
        YearlyReflection.objects.select_for_update()
        .filter(partnership=partnership, year=year, heading=heading)
        .order_by("-version")
        .first()
    )
    if (current.text if current else "") == text:
        return None
    reflection = YearlyReflection.objects.create(
        partnership=partnership,
        year=year,
        heading=heading,
        text=text,
        version=current.version + 1 if current else 1,
        written_by=actor,
        written_at=timezone.now(),
    )
    record(
        actor=actor,
        action="intervention.yearly_reflection",
        obj=reflection,
        request=request,
        summary=f"{year} {heading}",
        version=reflection.version,
    )
    return reflection
