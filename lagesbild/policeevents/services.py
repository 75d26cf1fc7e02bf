"""Writes for the police's notices: importing feed records for the partnerships they
concern, and a coordinator's choice of category for an event type."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lagesbild.audit.record import record
from lagesbild.incidents.models import Category
from lagesbild.indicators import police as police_indicator
from lagesbild.partnerships.models import Membership, Partnership
from lagesbild.policeevents import feed, locate
from lagesbild.policeevents.constants import DEFAULT_CATEGORY_CODES
from lagesbild.policeevents.models import PoliceEvent, TypeCategory

# The feed's fields a later version may change (SOURCE.md of the archive: url, summary, name,
# type and location were all seen to change after publication).
CONTENT_FIELDS = (
    "published_at",
    "occurred_at",
    "name",
    "summary",
    "url",
    "event_type",
    "location_name",
    "lat",
    "lon",
)


@dataclass
class ImportResult:
    received: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Notices of municipalities no partnership covers (or of a county, naming none).
    elsewhere: int = 0
    invalid: list[str] = field(default_factory=list)


def type_categories(partnership: Partnership, types: Iterable[str]) -> dict[str, int | None]:
    """Category id per event type; a type seen for the first time gets the default checklist's
    proposal (or none) and is then the coordinator's to change."""
    known = dict(
        TypeCategory.objects.filter(partnership=partnership).values_list(
            "event_type", "category_id"
        )
    )
    new = sorted(set(types) - set(known))
    if new:
        by_code = dict(
            Category.objects.filter(partnership=partnership, active=True).values_list("code", "pk")
        )
        rows = [
            TypeCategory(
                partnership=partnership,
                event_type=t,
                category_id=by_code.get(DEFAULT_CATEGORY_CODES.get(t, "")),
            )
            for t in new
        ]
        TypeCategory.objects.bulk_create(rows, ignore_conflicts=True)
        known.update({row.event_type: row.category_id for row in rows})
    return known


def _store(partnership: Partnership, events: list[feed.FeedEvent], now, result: ImportResult):
    """Create or update the partnership's copies of `events` (one version per id, the last
    one given)."""
    locator = locate.Locator(partnership)
    categories = type_categories(partnership, {e.event_type for e in events})
    existing = {
        row.event_id: row
        for row in PoliceEvent.objects.filter(
            partnership=partnership, event_id__in=[e.event_id for e in events]
        )
    }
    new, changed = [], []
    for event in events:
        values = {name: getattr(event, name) for name in CONTENT_FIELDS}
        row = existing.get(event.event_id)
        if row is not None and all(getattr(row, k) == v for k, v in values.items()):
            result.unchanged += 1
            continue
        placement = locator.place(event)
        values.update(
            municipality_code=partnership.municipality_code,
            level=placement.level,
            area_id=placement.area_id,
            category_id=categories.get(event.event_type),
            updated_at=now,
        )
        if row is None:
            new.append(
                PoliceEvent(
                    partnership=partnership, event_id=event.event_id, first_seen_at=now, **values
                )
            )
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.versions += 1
            changed.append(row)
    PoliceEvent.objects.bulk_create(new)
    PoliceEvent.objects.bulk_update(
        changed, [*CONTENT_FIELDS, "level", "area", "category", "updated_at", "versions"]
    )
    result.created += len(new)
    result.updated += len(changed)


def import_records(records: Iterable[dict], *, now=None) -> ImportResult:
    """Store feed records for every partnership whose municipality they concern. A record
    whose id is already stored replaces the stored version when it differs (the feed's later
    version wins; give files oldest first); an identical one changes nothing."""
    now = now or timezone.now()
    result = ImportResult()
    latest: dict[int, feed.FeedEvent] = {}
    for item in records:
        result.received += 1
        try:
            event = feed.parse_record(item)
        except ValueError as exc:
            result.invalid.append(str(exc))
            continue
        latest[event.event_id] = event
    by_municipality: dict[str, list[feed.FeedEvent]] = {}
    for event in latest.values():
        code = locate.municipality_of(event)
        by_municipality.setdefault(code, []).append(event)
    covered = Partnership.objects.filter(municipality_code__in=[c for c in by_municipality if c])
    with transaction.atomic():
        for partnership in covered:
            _store(partnership, by_municipality[partnership.municipality_code], now, result)
            police_indicator.recount(partnership, now)
    codes = {p.municipality_code for p in covered}
    result.elsewhere = sum(len(v) for k, v in by_municipality.items() if k not in codes)
    return result


def _as_feed_event(row: PoliceEvent) -> feed.FeedEvent:
    return feed.FeedEvent(
        event_id=row.event_id, **{name: getattr(row, name) for name in CONTENT_FIELDS}
    )


@transaction.atomic
def relocate(partnership: Partnership) -> int:
    """Place the partnership's stored notices again, after its areas or places changed (a
    notice is placed when it arrives, against the areas of that day). Returns the notices
    whose area changed."""
    locator = locate.Locator(partnership)
    changed = []
    for row in PoliceEvent.objects.filter(partnership=partnership):
        placement = locator.place(_as_feed_event(row))
        if (row.level, row.area_id) != (placement.level, placement.area_id):
            row.level, row.area_id = placement.level, placement.area_id
            changed.append(row)
    PoliceEvent.objects.bulk_update(changed, ["level", "area"], batch_size=1000)
    return len(changed)


@transaction.atomic
def set_type_category(
    *, membership: Membership, event_type: str, category: Category | None, request=None
):
    """A coordinator's category for an event type; the partnership's notices of that type
    follow at once."""
    partnership = membership.partnership
    mapping, _created = TypeCategory.objects.update_or_create(
        partnership=partnership, event_type=event_type, defaults={"category": category}
    )
    changed = PoliceEvent.objects.filter(partnership=partnership, event_type=event_type).update(
        category=category
    )
    record(
        actor=membership.user,
        action="policeevents.type_category",
        partnership=partnership,
        obj=mapping,
        summary=_("Kategori för polisens typ %(t)s: %(c)s")
        % {"t": event_type, "c": category.name if category else _("ingen")},
        request=request,
        events=changed,
    )
    return mapping
