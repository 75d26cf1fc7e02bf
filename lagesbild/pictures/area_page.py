"""The area page: everything known about one area on one screen. The incidents by category
group over the last weeks, the area's indicators beside them, the flags of the approved
weekly pictures, the group's assessments over time and the interventions aimed at it with
their verdicts. A fixed number of queries whatever the number of weeks, indicators or
interventions (tests/pictures/test_area_page.py counts them)."""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from lagesbild.geography.models import Area
from lagesbild.geography.queries import areas
from lagesbild.incidents import coverage, weeks
from lagesbild.incidents.models import Incident
from lagesbild.incidents.queries import COUNTED, categories
from lagesbild.indicators import presenters as indicator_presenters
from lagesbild.indicators import queries as indicator_queries
from lagesbild.interventions import presenters as intervention_presenters
from lagesbild.interventions.queries import interventions, latest_evaluations
from lagesbild.partnerships.access import get_for_member, partnership_rows
from lagesbild.pictures import presenters, runs
from lagesbild.pictures.models import Assessment, PeriodKind, Picture
from lagesbild.web.numbers import MISSING

# How many complete weeks of incidents, flags and assessments the page shows.
WEEKS = 12
FLAG_LEVELS = {"avvikelse": "deviation", "bevaka": "watch"}


def get_area(membership, pk) -> Area:
    """An area of the member's partnership, also an inactive one (old pictures name it)."""
    return get_for_member(areas(membership, active_only=False), membership, pk)


@dataclass
class GroupRow:
    """One category group's weekly counts in the area; None for a week not covered."""

    name: str
    counts: list[int | None]
    total: int
    spark: dict = field(default_factory=dict)


def _week_codes(partnership) -> list[int]:
    last = coverage.last_complete_week(partnership)
    return [weeks.shift(last, -k) for k in range(WEEKS - 1, -1, -1)]


def _with_children(area: Area):
    """The area and the areas directly inside it, as a subquery (the incident index on area
    then applies, which an OR across a join would not)."""
    return Area.objects.filter(Q(pk=area.pk) | Q(parent=area)).values("pk")


def incident_rows(membership, area: Area, codes: list[int]) -> list[GroupRow]:
    """Counted incidents of the area (and the areas inside it) per category group and week.
    Counts, like the weekly table, include every counted incident of the partnership, so
    every member sees the same figures; the incident list shows what each may open."""
    partnership = membership.partnership
    covered = set(coverage.covered_weeks(partnership, codes))
    all_categories = list(categories(membership, active_only=False))
    group_of = {c.pk: c.parent_id or c.pk for c in all_categories}
    groups = [c for c in all_categories if c.parent_id is None]
    counts: dict[tuple[int, int], int] = {}
    rows = (
        partnership_rows(Incident.objects.all(), membership)
        .filter(area__in=_with_children(area), iso_week__in=codes, status__in=COUNTED)
        .values("category_id", "iso_week")
        .annotate(n=Count("id"))
    )
    for r in rows:
        key = (group_of.get(r["category_id"]), r["iso_week"])
        counts[key] = counts.get(key, 0) + r["n"]
    result = []
    for group in sorted(groups, key=lambda g: (g.sort_order, g.name)):
        series = [counts.get((group.pk, c), 0) if c in covered else None for c in codes]
        known = [n for n in series if n is not None]
        if not any(known) and not group.active:
            continue
        result.append(GroupRow(group.name, series, sum(known), presenters.sparkline(known)))
    return result


@dataclass
class IndicatorLine:
    indicator: object
    row: indicator_presenters.Row
    spark: dict


def indicator_lines(membership, area: Area) -> list[IndicatorLine]:
    """The indicators the member may see with the area's latest value, change, flag and the
    line of its values (the same figures as the pictures' "Indikatorer" section)."""
    lines = []
    for indicator, summary, history in indicator_queries.area_summaries(membership, area):
        row = indicator_presenters.rows(indicator, [summary])[0]
        spark = presenters.sparkline([v.value for v in history[-WEEKS:]])
        lines.append(IndicatorLine(indicator, row, spark))
    return lines


def _flag(s: dict, iso: str, version: int | None, text: str) -> dict:
    return {"iso": iso, "version": version, "kind": FLAG_LEVELS[s["level"]], "text": text}


def _is_flag(s: dict, area: Area) -> bool:
    return s.get("area") == area.pk and bool(s.get("group")) and s.get("level") in FLAG_LEVELS


def picture_flags(partnership, area: Area, codes: list[int]) -> list[dict]:
    """The deviations and watch flags of the area in the approved weekly pictures of these
    weeks (the newest version of each), newest week first, as the group saw them; and, while
    the last week has no approved version, its draft's flags (version None), which the
    group is about to discuss."""
    isos = [weeks.iso(c) for c in codes]
    seen: set[str] = set()
    flags = []
    rows = (
        Picture.objects.filter(
            partnership=partnership, period_kind=PeriodKind.WEEK, period__in=isos
        )
        .order_by("-period", "-version")
        .values_list("period", "version", "content__series")
    )
    for period, version, series in rows:
        if period in seen:
            continue
        seen.add(period)
        flags += [
            _flag(s, period, version, s.get("explanation", ""))
            for s in (series or {}).values()
            if _is_flag(s, area)
        ]
    if isos[-1] not in seen:
        flags = _draft_flags(partnership, area, isos[-1]) + flags
    return flags


def _draft_flags(partnership, area: Area, iso: str) -> list[dict]:
    run = runs.latest_run(partnership, iso)
    if run is None:
        return []
    groups = {g["id"]: g["name"] for g in run.results.get("groups", [])}
    return [
        _flag(s, iso, None, presenters.explain(s, area.name, groups.get(s["group"], ""), iso))
        for s in run.results.get("series", [])
        if _is_flag(s, area)
    ]


def assessment_rows(partnership, area: Area) -> list[dict]:
    """The group's assessments of the area, newest period first (weekly and periodic)."""
    names = {entry["level"]: entry["name"] for entry in partnership.assessment_scale}
    found = (
        Assessment.objects.filter(partnership=partnership, area=area, level__isnull=False)
        .select_related("updated_by")
        .order_by("-period")[: 2 * WEEKS]
    )
    return [
        {
            "period": a.period,
            "kind": a.period_kind,
            "level": a.level,
            "name": names.get(a.level, ""),
            "comment": a.comment,
            "by": a.updated_by.get_full_name() or a.updated_by.username if a.updated_by else "",
        }
        for a in found
    ]


def intervention_rows(membership, area: Area) -> list[dict]:
    """Interventions aimed at the area (or an area inside it), with the short verdict of
    their newest stored evaluation where there is one."""
    items = list(
        interventions(membership)
        .filter(Q(areas=area) | Q(areas__parent=area))
        .distinct()
        .order_by("-due_date", "-id")
    )
    evaluations = latest_evaluations(membership, items)
    rows = []
    for item in items:
        evaluation = evaluations.get(item.pk)
        rows.append(
            {
                "item": item,
                "verdict": intervention_presenters.short_verdict(evaluation.result)
                if evaluation
                else MISSING,
                "evaluated": evaluation is not None,
            }
        )
    return rows


def overview(membership, area: Area) -> dict:
    """The area page's content."""
    partnership = membership.partnership
    codes = _week_codes(partnership)
    return {
        "area": area,
        "isos": [weeks.iso(c) for c in codes],
        "last_iso": weeks.iso(codes[-1]),
        "groups": incident_rows(membership, area, codes),
        "indicators": indicator_lines(membership, area),
        "flags": picture_flags(partnership, area, codes),
        "assessments": assessment_rows(partnership, area),
        "interventions": intervention_rows(membership, area),
        "weeks": WEEKS,
    }
