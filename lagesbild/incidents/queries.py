"""Scoped reads of incidents: the filtered list, map points, the weekly table, the start page."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from lagesbild.geography.models import Area
from lagesbild.geography.queries import leaf_areas
from lagesbild.incidents import coverage, weeks
from lagesbild.incidents.models import Category, Incident
from lagesbild.partnerships.access import Role, has_role, partnership_rows, scoped

# Incidents that count in figures: rejected and merged ones do not.
COUNTED = (Incident.Status.NEW, Incident.Status.ACCEPTED)
# The status filter's value for every status, the rejected included.
ALL_STATUSES = "all"

SORTS = {
    "occurred": "occurred_at",
    "-occurred": "-occurred_at",
    "reported": "reported_at",
    "-reported": "-reported_at",
    "category": "category__name",
    "-category": "-category__name",
    "area": "area__name",
    "-area": "-area__name",
    "severity": "severity",
    "-severity": "-severity",
    "status": "status",
    "-status": "-status",
}
DEFAULT_SORT = "-occurred"


def categories(membership, *, active_only: bool = True) -> QuerySet[Category]:
    qs = scoped(Category.objects.all(), membership)
    return qs.filter(active=True) if active_only else qs


def reportable_categories(membership, *, most_used_first: bool = True) -> list[Category]:
    """Active categories a reporter can choose (not the groups), the partnership's most used
    of the last 90 days first (unless `most_used_first` is False), then in checklist order."""
    active = list(categories(membership).select_related("parent"))
    # A group stays a group when all its categories are disabled: never reportable itself.
    groups = set(
        categories(membership, active_only=False)
        .filter(parent__isnull=False)
        .values_list("parent_id", flat=True)
    )
    leaves = [c for c in active if c.pk not in groups]
    if not most_used_first:
        return sorted(leaves, key=_checklist_order)
    since = timezone.now() - timedelta(days=90)
    recent = dict(
        partnership_rows(Incident.objects.all(), membership)
        .filter(occurred_at__gte=since)
        .values_list("category_id")
        .annotate(n=Count("id"))
    )
    for c in leaves:
        c.recent = recent.get(c.pk, 0)
    return sorted(leaves, key=lambda c: (-c.recent, *_checklist_order(c)))


def _checklist_order(category: Category) -> tuple[int, int]:
    return (
        category.parent.sort_order if category.parent else category.sort_order,
        category.sort_order,
    )


def filter_incidents(membership, filters: dict) -> QuerySet[Incident]:
    """The incidents `membership` may see, narrowed by the cleaned filters of the list form.
    Without a status filter the rejected ones are left out."""
    qs = scoped(Incident.objects.all(), membership).select_related(
        "category", "area", "place", "organisation"
    )
    if filters.get("week"):
        qs = qs.filter(iso_week=filters["week"], **_week_range(filters["week"], membership))
    if filters.get("date_from"):
        qs = qs.filter(occurred_at__gte=_local_midnight(filters["date_from"]))
    if filters.get("date_to"):
        qs = qs.filter(occurred_at__lt=_local_midnight(filters["date_to"] + timedelta(days=1)))
    if filters.get("area"):
        qs = qs.filter(area_id__in=_with_children(Area, filters["area"]))
    if filters.get("category"):
        qs = qs.filter(category_id__in=_with_children(Category, filters["category"]))
    if filters.get("organisation"):
        qs = qs.filter(organisation=filters["organisation"])
    status = filters.get("status")
    if status == "counted":
        qs = qs.filter(status__in=COUNTED)
    elif not status:
        # A rejected report leaves the list and the map; asking for it by status finds it.
        qs = qs.exclude(status=Incident.Status.REJECTED)
    elif status != ALL_STATUSES:
        qs = qs.filter(status=status)
    if filters.get("severity"):
        qs = qs.filter(severity=filters["severity"])
    if filters.get("q"):
        text = filters["q"]
        qs = qs.filter(Q(description__icontains=text) | Q(place__name__icontains=text))
    return qs.order_by(SORTS.get(filters.get("sort") or DEFAULT_SORT, "-occurred_at"), "-id")


def _week_range(code: int, membership) -> dict:
    """The week as a range of occurred_at too: then the (partnership, occurred_at) index finds
    and orders the week's rows itself instead of walking back from the newest incident
    (0.4 s for a week a year back among a million on SQLite, see docs/benchmarks.md). {} for
    a code that is no real week (the API's "match nothing"), which the code alone handles."""
    try:
        start, end = weeks.bounds(code, membership.partnership.time_zone)
    except ValueError:
        return {}
    return {"occurred_at__gte": start, "occurred_at__lt": end}


def _local_midnight(day: date) -> datetime:
    """The start of `day` in the current time zone, where a __date lookup compares: a plain
    range on occurred_at can use the index, a date cast of the column cannot."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _with_children(model, node) -> list[int]:
    """The ids of an area or category (an object or its id) and of its direct children: an IN
    list on the incident's own column, where an OR over the parent needed a join and a scan."""
    pk = getattr(node, "pk", node)
    return [pk, *model.objects.filter(parent_id=pk).values_list("pk", flat=True)]


def map_points(queryset: QuerySet[Incident], limit: int) -> list[list]:
    """[id, lat, lon, category, iso date] for up to `limit` incidents, for the map layer; the
    date in the current (the partnership's) time zone, as the list shows it."""
    rows = queryset.values_list("id", "lat", "lon", "category__name", "occurred_at")[:limit]
    return [
        [pk, lat, lon, name, timezone.localdate(at).isoformat()] for pk, lat, lon, name, at in rows
    ]


# The review queue's orders: the oldest report first (the default), the newest, or grouped
# by area or category name and oldest first within each.
REVIEW_SORTS = {
    "reported": ("reported_at", "id"),
    "-reported": ("-reported_at", "-id"),
    "area": ("area__name", "reported_at", "id"),
    "category": ("category__name", "reported_at", "id"),
}
DEFAULT_REVIEW_SORT = "reported"
# The filters of the queue, each with the incident column it narrows and counts.
REVIEW_FACETS = {
    "area": "area_id",
    "organisation": "organisation_id",
    "category": "category_id",
    "source": "source",
    "flagged": "personal_data_flag",
}


def review_queue(membership, filters: dict | None = None) -> QuerySet[Incident]:
    """The reports waiting for review that `membership` may see, narrowed by the cleaned
    filters of the queue (area, organisation, category, source, flagged) and in the chosen
    order, oldest first by default."""
    filters = filters or {}
    order = REVIEW_SORTS.get(filters.get("sort") or DEFAULT_REVIEW_SORT)
    return (
        _waiting(membership, filters)
        .select_related("category", "area", "place", "organisation")
        .order_by(*order)
    )


def _waiting(membership, filters: dict) -> QuerySet[Incident]:
    """The waiting reports with the filters applied. An area or a category group includes
    its children, as in the incident list; the lists of ids keep every filter on the
    incident's own columns, where the queue's partial indexes find them."""
    qs = scoped(Incident.objects.all(), membership).filter(status=Incident.Status.NEW)
    if filters.get("area"):
        qs = qs.filter(area_id__in=_with_children(Area, filters["area"]))
    if filters.get("organisation"):
        qs = qs.filter(organisation=filters["organisation"])
    if filters.get("category"):
        qs = qs.filter(category_id__in=_with_children(Category, filters["category"]))
    if filters.get("source"):
        qs = qs.filter(source=filters["source"])
    if filters.get("flagged") is not None:
        qs = qs.filter(personal_data_flag=filters["flagged"])
    return qs


def review_counts(membership, filters: dict) -> dict[str, dict]:
    """How many waiting reports each choice of each filter would show, given the other
    filters: {"area": {area id: n}, ..., "flagged": {True: n, False: n}}. An area or a
    category group counts its direct children too, as the filter takes them.

    One grouped query over the waiting reports (an index-only scan of the partial index
    `incident_waiting_facets` on PostgreSQL) instead of a count per filter: the groups are
    then tallied here, each filter leaving itself out."""
    columns = list(REVIEW_FACETS.values())
    groups = (
        scoped(Incident.objects.all(), membership)
        .filter(status=Incident.Status.NEW)
        .order_by()
        .values_list(*columns)
        .annotate(n=Count("id"))
    )
    wanted = _wanted_values(filters)
    counts = {name: defaultdict(int) for name in REVIEW_FACETS}
    names = list(REVIEW_FACETS)
    for *values, n in groups:
        missed = [
            i for i, name in enumerate(names) if name in wanted and values[i] not in wanted[name]
        ]
        if not missed:  # shown: counts for every filter
            for name, value in zip(names, values, strict=True):
                counts[name][value] += n
        elif len(missed) == 1:  # only this filter hides it: counts for its other choices
            i = missed[0]
            counts[names[i]][values[i]] += n
    for name, model in (("area", Area), ("category", Category)):
        own = dict(counts[name])
        parents = model.objects.filter(
            pk__in=list(own), parent__isnull=False, partnership_id=membership.partnership_id
        ).values_list("pk", "parent_id")
        for pk, parent_id in parents:  # one level down, as the filter takes it
            counts[name][parent_id] += own[pk]
    return {name: dict(found) for name, found in counts.items()}


def _wanted_values(filters: dict) -> dict[str, set]:
    """For each filter in use, the column values it lets through."""
    wanted = {}
    if filters.get("area"):
        wanted["area"] = set(_with_children(Area, filters["area"]))
    if filters.get("organisation"):
        wanted["organisation"] = {filters["organisation"].pk}
    if filters.get("category"):
        wanted["category"] = set(_with_children(Category, filters["category"]))
    if filters.get("source"):
        wanted["source"] = {filters["source"]}
    if filters.get("flagged") is not None:
        wanted["flagged"] = {filters["flagged"]}
    return wanted


def duplicate_candidates(incidents, membership, hours: int = 24, limit: int = 5) -> dict:
    """For each of `incidents`: others of the same category in the same area within `hours`
    of it, in one query for the whole page (incident id -> list)."""
    incidents = list(incidents)
    if not incidents:
        return {}
    window = timedelta(hours=hours)
    nearby = (
        scoped(Incident.objects.all(), membership)
        .filter(
            category__in={i.category_id for i in incidents},
            area__in={i.area_id for i in incidents},
            occurred_at__range=(
                min(i.occurred_at for i in incidents) - window,
                max(i.occurred_at for i in incidents) + window,
            ),
            status__in=COUNTED,
        )
        .select_related("place")
        .order_by("occurred_at")
    )
    by_key = defaultdict(list)
    for other in nearby:
        by_key[(other.category_id, other.area_id)].append(other)
    result = {}
    for incident in incidents:
        matches = [
            other
            for other in by_key[(incident.category_id, incident.area_id)]
            if other.pk != incident.pk and abs(other.occurred_at - incident.occurred_at) <= window
        ]
        result[incident.pk] = matches[:limit]
    return result


@dataclass
class Cell:
    """One cell of the weekly table. `previous` and `mean8` are None where the comparison
    has no covered weeks (before the partnership reported), and the changes are None then
    and while the week is in progress (half a week is not compared with whole ones)."""

    column_id: int | None = None  # the category (or group) of the column; None for totals
    count: int = 0
    previous: int | None = 0
    mean8: float | None = 0.0
    points: int = 0
    in_progress: bool = False

    @property
    def change_previous(self) -> int | None:
        if self.in_progress or self.previous is None:
            return None
        return self.count - self.previous

    @property
    def change_mean8(self) -> float | None:
        if self.in_progress or self.mean8 is None:
            return None
        return self.count - self.mean8


@dataclass
class Row:
    area: object
    cells: list[Cell] = field(default_factory=list)
    total: Cell = field(default_factory=Cell)


@dataclass
class WeeklyTable:
    week: int
    columns: list[Category]
    rows: list[Row]
    totals: list[Cell]
    grand: Cell
    by_group: bool
    in_progress: bool = False
    days: int = 7  # days of the week begun so far
    covered_history: int = 8  # of the eight weeks before, those the partnership covers
    covered: bool = True  # False: a week before the partnership began reporting


def weekly_table(membership, week: int, *, by_group: bool = True) -> WeeklyTable:
    """Areas x categories for one ISO week: the week's count, the previous week's, the mean of
    the eight weeks before, and severity points (category weight x severity) per area.

    Counts include every counted incident of the partnership, also restricted ones, so every
    member sees the same figures; the drill-down list shows what each may open. The mean
    is over the weeks before that the partnership covers (none covered: no mean), and a
    week in progress gets no changes (`coverage`).
    """
    partnership = membership.partnership
    state = coverage.week_state(partnership, week)
    history = coverage.covered_weeks(partnership, [weeks.shift(week, -k) for k in range(8, 0, -1)])
    previous = weeks.shift(week, -1)
    known_previous = previous in history
    all_categories = list(categories(membership, active_only=False).select_related("parent"))
    column_of = {}
    if by_group:
        columns = [c for c in all_categories if c.parent_id is None and c.active]
        for c in all_categories:
            column_of[c.pk] = c.parent_id or c.pk
    else:
        columns = [c for c in all_categories if c.active and not _is_group(c, all_categories)]
        column_of = {c.pk: c.pk for c in all_categories}
    column_index = {c.pk: i for i, c in enumerate(columns)}

    areas = list(leaf_areas(membership).order_by("name"))
    area_index = {a.pk: i for i, a in enumerate(areas)}

    def empty(column_id=None) -> Cell:
        return Cell(
            column_id=column_id,
            previous=0 if known_previous else None,
            mean8=0.0 if history else None,
            in_progress=not state.complete,
        )

    grid = [[empty(c.pk) for c in columns] for _ in areas]

    rows = (
        partnership_rows(Incident.objects.all(), membership)
        .filter(iso_week__in=[*history, week], status__in=COUNTED)
        .values("area_id", "category_id", "iso_week")
        .annotate(n=Count("id"), points=Sum(F("severity") * F("category__weight")))
    )
    for r in rows:
        a = area_index.get(r["area_id"])
        c = column_index.get(column_of.get(r["category_id"]))
        if a is None or c is None:
            continue
        cell = grid[a][c]
        if r["iso_week"] == week:
            cell.count += r["n"]
            cell.points += r["points"] or 0
        elif r["iso_week"] in history:
            cell.mean8 += r["n"] / len(history)
            if r["iso_week"] == previous:
                cell.previous += r["n"]

    table_rows = []
    for area, cells in zip(areas, grid, strict=True):
        table_rows.append(Row(area=area, cells=cells, total=_sum(cells, empty())))
    totals = [
        _sum([grid[a][c] for a in range(len(areas))], empty(column.pk))
        for c, column in enumerate(columns)
    ]
    return WeeklyTable(
        week,
        columns,
        table_rows,
        totals,
        _sum(totals, empty()),
        by_group,
        in_progress=not state.complete,
        days=state.days,
        covered_history=len(history),
        covered=bool(coverage.covered_weeks(partnership, [week])),
    )


def _is_group(category: Category, all_categories: list[Category]) -> bool:
    return category.parent_id is None and any(c.parent_id == category.pk for c in all_categories)


def _sum(cells: list[Cell], into: Cell) -> Cell:
    """`into` (an empty cell of the right column and coverage) with the cells added up."""
    into.count = sum(c.count for c in cells)
    into.points = sum(c.points for c in cells)
    if into.previous is not None:
        into.previous = sum(c.previous for c in cells)
    if into.mean8 is not None:
        into.mean8 = sum(c.mean8 for c in cells)
    return into


def home_summary(membership) -> dict:
    """Figures for the start page of members, analysts and coordinators."""
    this_week = weeks.week_code(timezone.now(), membership.partnership.time_zone)
    counted = partnership_rows(Incident.objects.all(), membership).filter(status__in=COUNTED)
    by_week = dict(
        counted.filter(iso_week__in=[this_week, weeks.shift(this_week, -1)])
        .values_list("iso_week")
        .annotate(n=Count("id"))
    )
    summary = {
        "week": this_week,
        "last_week": weeks.shift(this_week, -1),
        "this_week_count": by_week.get(this_week, 0),
        "last_week_count": by_week.get(weeks.shift(this_week, -1), 0),
    }
    if has_role(membership, Role.COORDINATOR):
        summary["queue"] = review_queue(membership).count()
    return summary
