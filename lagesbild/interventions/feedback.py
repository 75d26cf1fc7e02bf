"""Feedback to reporters: what became of each of their own reports.

For a reporter's own report: whether it has been reviewed, which approved weekly picture it
was counted in, and which interventions target its area and category around its time. Only
the reporter's own reports get an outcome, and an outcome names an intervention's title,
type and status, never anything about other people's reports.
"""

from datetime import timedelta

from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident
from lagesbild.interventions.models import Intervention
from lagesbild.pictures.models import PeriodKind, Picture

# A report is linked to an intervention started up to this long after it (the report may
# be part of what led to it), or while the intervention runs.
LINK_BEFORE_START = timedelta(weeks=12)


def _latest_pictures(partnership_id: int, periods: set[str]) -> dict[str, Picture]:
    latest = {}
    pictures = Picture.objects.filter(
        partnership=partnership_id, period_kind=PeriodKind.WEEK, period__in=periods
    ).order_by("period", "-version")
    for picture in pictures:
        latest.setdefault(picture.period, picture)
    return latest


def _linked(incident: Incident, interventions: list[Intervention]) -> list[Intervention]:
    day = incident.occurred_at.date()
    found = []
    for intervention in interventions:
        if incident.area_id not in {a.pk for a in intervention.areas.all()}:
            continue
        targeted = {c.pk for c in intervention.categories.all()}
        if targeted and not {incident.category_id, incident.category.parent_id} & targeted:
            continue
        start = intervention.start_date or intervention.created_at.date()
        if not start - LINK_BEFORE_START <= day:
            continue
        if intervention.end_date is not None and day > intervention.end_date:
            continue
        found.append(intervention)
    return found


def report_outcomes(membership, incidents) -> dict[int, dict]:
    """Outcome of each of the membership's own reports among `incidents`, by incident id."""
    own = [i for i in incidents if i.reporter_id == membership.user_id]
    if not own:
        return {}
    periods = {weeks.iso(i.iso_week) for i in own}
    pictures = _latest_pictures(membership.partnership_id, periods)
    counted = {period: set(p.content.get("incident_ids", [])) for period, p in pictures.items()}
    interventions = list(
        Intervention.objects.filter(
            partnership=membership.partnership_id, areas__in={i.area_id for i in own}
        )
        .distinct()
        .select_related("kind")
        .prefetch_related("areas", "categories")
    )
    outcomes = {}
    for incident in own:
        period = weeks.iso(incident.iso_week)
        picture = pictures.get(period)
        outcomes[incident.pk] = {
            "reviewed": incident.status != Incident.Status.NEW,
            "picture": period if picture is not None else None,
            "counted": picture is not None and incident.pk in counted[period],
            "interventions": [
                {
                    "title": i.title,
                    "kind": i.kind.name if i.kind else "",
                    "status": i.get_status_display(),
                }
                for i in _linked(incident, interventions)
            ],
        }
    return outcomes
