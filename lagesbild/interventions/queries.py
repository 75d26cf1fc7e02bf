"""Scoped reads of interventions for pages: every query starts from `access.scoped`."""

from django.db.models import Q, QuerySet

from lagesbild.interventions.models import Evaluation, Intervention, YearlyReflection
from lagesbild.partnerships.access import scoped


def interventions(membership) -> QuerySet[Intervention]:
    return scoped(
        Intervention.objects.select_related("responsible", "kind").prefetch_related("areas"),
        membership,
    )


def mine(membership) -> QuerySet[Intervention]:
    """Interventions the member's organisation is responsible for or contributes to."""
    organisation = membership.organisation_id
    return (
        interventions(membership)
        .filter(Q(responsible=organisation) | Q(contributors=organisation))
        .distinct()
        .order_by("due_date", "id")
    )


def latest_evaluations(membership, items) -> dict[int, Evaluation]:
    """The newest stored evaluation of each intervention in `items`, by intervention id."""
    found = {}
    rows = scoped(Evaluation.objects.all(), membership).filter(intervention__in=items)
    for evaluation in rows.order_by("intervention", "-version"):
        found.setdefault(evaluation.intervention_id, evaluation)
    return found


def closed_with_verdicts(membership, *, kind=None, area=None, category=None) -> list[dict]:
    """Closed interventions with the verdict of their newest stored evaluation, newest
    closing first; filtered by type, area (any target area or one inside it) and targeted
    category (or its group)."""
    items = interventions(membership).filter(closed_at__isnull=False)
    if kind is not None:
        items = items.filter(kind=kind)
    if area is not None:
        items = items.filter(Q(areas=area) | Q(areas__parent=area))
    if category is not None:
        items = items.filter(
            Q(categories=category)
            | Q(categories__parent=category)
            | Q(categories=category.parent_id)
        )
    items = list(items.distinct().order_by("-closed_at", "-id").prefetch_related("categories"))
    evaluations = latest_evaluations(membership, items)
    return [{"item": i, "evaluation": evaluations.get(i.pk)} for i in items]


def reflections(membership, year: int) -> dict[str, list[YearlyReflection]]:
    """The group's reflections on `year` by heading, newest version first."""
    found: dict[str, list[YearlyReflection]] = {}
    rows = scoped(YearlyReflection.objects.select_related("written_by"), membership)
    for reflection in rows.filter(year=year).order_by("heading", "-version"):
        found.setdefault(reflection.heading, []).append(reflection)
    return found
