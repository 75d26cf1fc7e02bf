"""Scoped reads of the police's notices: the filtered list, the map layer, the week's counts
for the situation picture and what the imported notices cover in time. Always apart from the
partners' reports."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max, Min, QuerySet
from django.utils import timezone
from shapely.geometry import shape

from lagesbild.geography.models import Area
from lagesbild.incidents import weeks
from lagesbild.partnerships.access import Role, has_role, scoped
from lagesbild.policeevents import locate
from lagesbild.policeevents.models import FeedCall, PoliceEvent, TypeCategory

# The area filter's value for notices counted at municipality level.
MUNICIPALITY = "kommun"


def police_events(membership) -> QuerySet[PoliceEvent]:
    return scoped(PoliceEvent.objects.all(), membership)


def event_types(membership) -> list[str]:
    rows = scoped(TypeCategory.objects.all(), membership)
    return list(rows.order_by("event_type").values_list("event_type", flat=True))


def type_counts(membership) -> dict[str, int]:
    """The partnership's stored notices per event type, in one GROUP BY."""
    rows = police_events(membership).order_by().values("event_type").annotate(n=Count("pk"))
    return {row["event_type"]: row["n"] for row in rows}


def type_categories(membership) -> QuerySet[TypeCategory]:
    return scoped(TypeCategory.objects.all(), membership).select_related("category")


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_events(membership, filters: dict) -> QuerySet[PoliceEvent]:
    """The partnership's notices narrowed by the cleaned filters of the list form."""
    qs = police_events(membership).select_related("area", "category")
    if filters.get("week"):
        start, end = weeks.bounds(filters["week"], membership.partnership.time_zone)
        qs = qs.filter(occurred_at__gte=start, occurred_at__lt=end)
    if filters.get("date_from"):
        qs = qs.filter(occurred_at__gte=_local_midnight(filters["date_from"]))
    if filters.get("date_to"):
        qs = qs.filter(occurred_at__lt=_local_midnight(filters["date_to"] + timedelta(days=1)))
    if filters.get("event_type"):
        qs = qs.filter(event_type=filters["event_type"])
    area = filters.get("area")
    if area == MUNICIPALITY:
        qs = qs.filter(level=PoliceEvent.Level.MUNICIPALITY)
    elif area:
        children = Area.objects.filter(parent_id=area).values_list("pk", flat=True)
        qs = qs.filter(area_id__in=[int(area), *children])
    return qs.order_by("-occurred_at", "-event_id")


@dataclass(frozen=True)
class Coverage:
    """From the first notice to the newer of the newest notice and the last successful call
    to the feed; outside it the app does not know what the police published."""

    first: datetime | None
    until: datetime | None

    def state(self, start: datetime, end: datetime) -> str:
        if self.first is None or end <= self.first or start > self.until:
            return "unknown"
        return "partial" if self.until < end else "complete"


def coverage(membership) -> Coverage:
    return coverage_of(police_events(membership))


def coverage_of(events: QuerySet[PoliceEvent]) -> Coverage:
    """What these notices cover; the one rule for the list, the picture's section and the
    police indicator (indicators/police.py)."""
    span = events.aggregate(first=Min("occurred_at"), newest=Max("published_at"))
    call = last_good_call()
    called = call.finished_at if call else None
    until = max((m for m in (span["newest"], called) if m is not None), default=None)
    return Coverage(span["first"], until if span["first"] else None)


def last_good_call() -> FeedCall | None:
    """The last call to the feed that finished without an error: when the feed was last read
    (kept when old calls are deleted, polling.forget_old_calls)."""
    return (
        FeedCall.objects.filter(error="", finished_at__isnull=False)
        .order_by("-finished_at")
        .first()
    )


def week_section(partnership, code: int) -> dict | None:
    """The week's notices per area and at municipality level, and the notices themselves,
    for the picture's own section (never added to the report counts). Plain JSON, because an
    approval freezes it with the picture's content: a later import (a new version of a
    notice, a late notice) must not change what the group saw. None for a partnership
    without a municipality, which gets no notices."""
    if not partnership.municipality_code:
        return None
    start, end = weeks.bounds(code, partnership.time_zone)
    everything = PoliceEvent.objects.filter(partnership=partnership)
    covered = coverage_of(everything)
    week = everything.filter(occurred_at__gte=start, occurred_at__lt=end)
    per_area = week.exclude(area=None).values("area_id", "area__name").annotate(n=Count("id"))
    rows = sorted(
        ({"area_id": r["area_id"], "name": r["area__name"], "count": r["n"]} for r in per_area),
        key=lambda r: r["name"],
    )
    municipality = week.filter(area=None).count()
    return {
        "state": covered.state(start, end),
        "until": covered.until.isoformat() if covered.until else None,
        "rows": rows,
        "municipality": municipality,
        "total": municipality + sum(r["count"] for r in rows),
        "week_iso": weeks.iso(code),
        "events": [_frozen(e) for e in week.select_related("area").order_by("occurred_at", "pk")],
    }


def section_for(section: dict | None, membership) -> dict | None:
    """A picture's police section as `membership` may see it: the counts for every reader of
    the picture, the notices themselves for those who may open the notice list (members and
    up), on the page, in the files and through the API alike."""
    if section is None or has_role(membership, Role.MEMBER):
        return section
    return {**section, "events": []}


def _frozen(event: PoliceEvent) -> dict:
    """One notice as the picture shows it, in the version the app held at the time."""
    return {
        "event_id": event.event_id,
        "occurred_at": event.occurred_at.isoformat(),
        "name": event.name,
        "event_type": event.event_type,
        "summary": event.summary,
        "location_name": event.location_name,
        "url": event.url,
        "area": event.area.name if event.area else None,
        "versions": event.versions,
    }


def map_groups(membership, queryset: QuerySet[PoliceEvent]) -> list[dict]:
    """The notices as map markers with their counts: one per area they were placed in (at a
    point inside it) and one at the feed's point for the municipality for those counted at
    municipality level. No marker is finer than what the notices say."""
    counts = dict(queryset.values_list("area_id").annotate(n=Count("id")).order_by())
    groups = []
    for area in Area.objects.filter(pk__in=[pk for pk in counts if pk is not None]):
        centre = shape(area.geometry).representative_point()
        groups.append(_group(centre.y, centre.x, area.name, area.pk, counts[area.pk]))
    name = locate.municipality_name(membership.partnership) or ""
    point = locate.feed_points().get(name.casefold())
    if counts.get(None) and point is not None:
        groups.append(_group(*point, name, MUNICIPALITY, counts[None]))
    return groups


def _group(lat: float, lon: float, label: str, area, count: int) -> dict:
    return {"lat": lat, "lon": lon, "label": label, "area": area, "count": count}
