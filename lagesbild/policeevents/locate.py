"""Where a police notice belongs: its municipality, and an area of the partnership only where
the notice allows it.

The feed's point is the centre of the municipality (or county) it names, the same point for
every notice there (`data/feed_points.json`, read from four years of the feed). Such a point
says nothing about where in the municipality it happened, so it is never located in an area;
the notice counts at municipality level unless its text names one of the partnership's
places or areas.
"""

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from lagesbild.geography.models import Area, Place
from lagesbild.geography.services import area_index
from lagesbild.partnerships import municipalities as sweden
from lagesbild.partnerships.models import Partnership
from lagesbild.policeevents.feed import FeedEvent
from lagesbild.policeevents.models import PoliceEvent

# The feed writes its points with 4-6 decimals; 0.0005° is about 50 m.
SAME_POINT_DEGREES = 0.0005


# Names are compared case-folded: the feed writes "Upplands väsby", SCB "Upplands Väsby".


@cache
def feed_points() -> dict[str, tuple[float, float]]:
    """The feed's usual (lat, lon) for each (case-folded) location name."""
    path = resources.files("lagesbild.policeevents").joinpath("data", "feed_points.json")
    table = json.loads(path.read_text(encoding="utf-8"))
    return {n.casefold(): tuple(float(x) for x in gps.split(",")) for n, gps in table.items()}


@cache
def municipalities() -> dict[str, tuple[str, str]]:
    """Case-folded municipality name -> (code, name as SCB writes it)."""
    return {m.name.casefold(): (m.code, m.name) for m in sweden.municipalities().values()}


def municipality_name(partnership: Partnership) -> str | None:
    found = sweden.municipality(partnership.municipality_code)
    return found.name if found else None


def municipality_of(event: FeedEvent) -> str | None:
    """The code of the municipality the notice concerns: its location when that is a
    municipality, else the last part of its heading ('..., Sollentuna'), which is where the
    feed names the municipality since it gives only counties (2026)."""
    known = municipalities()
    found = known.get(event.location_name.casefold()) or known.get(
        event.name.rsplit(",", 1)[-1].strip().casefold()
    )
    return found[0] if found else None


def at_feed_centre(event: FeedEvent) -> bool:
    """True when the notice's point is the feed's usual point for its location name (or it
    has none): a municipality- or county-level position, not a place."""
    usual = feed_points().get(event.location_name.casefold())
    if event.lat is None or event.lon is None:
        return True
    if usual is None:
        return False
    return (
        abs(event.lat - usual[0]) <= SAME_POINT_DEGREES
        and abs(event.lon - usual[1]) <= SAME_POINT_DEGREES
    )


@dataclass
class Placement:
    level: str
    area_id: int | None = None


class Locator:
    """Places notices in one partnership's areas: by a place or area named in the text, or
    by the feed's own point where it is not a centre point."""

    def __init__(self, partnership: Partnership):
        self.partnership = partnership
        areas = Area.objects.filter(partnership=partnership, active=True).exclude(
            kind=Area.Kind.MUNICIPALITY
        )
        self.parents = dict(areas.values_list("pk", "parent_id"))
        names: dict[str, set[int]] = {}
        for pk, name in areas.values_list("pk", "name"):
            names.setdefault(name, set()).add(pk)
        places = Place.objects.filter(partnership=partnership, active=True, area__in=self.parents)
        for name, area_id in places.values_list("name", "area_id"):
            names.setdefault(name, set()).add(area_id)
        # The municipality's own name (in every heading) names no area of it.
        for _code, municipality in municipalities().values():
            names.pop(municipality, None)
        # Whole words, as written: "Tureberg" is a place, "tureberg" inside a word is not.
        self.patterns = [
            (re.compile(rf"(?<!\w){re.escape(name)}(?!\w)"), ids)
            for name, ids in names.items()
            if len(name) >= 3
        ]

    def _ancestors(self, area_id: int) -> set[int]:
        seen = set()
        parent = self.parents.get(area_id)
        while parent is not None and parent not in seen:
            seen.add(parent)
            parent = self.parents.get(parent)
        return seen

    def by_name(self, text: str) -> int | None:
        """The one area the text names (the innermost where it names an area and a place in
        it); None when it names none, or several apart."""
        found = set()
        for pattern, ids in self.patterns:
            if pattern.search(text):
                found |= ids
        inner = {pk for pk in found if not any(pk in self._ancestors(o) for o in found)}
        return inner.pop() if len(inner) == 1 else None

    def place(self, event: FeedEvent) -> Placement:
        area_id = self.by_name(event.text)
        if area_id is not None:
            return Placement(PoliceEvent.Level.PLACE_NAME, area_id)
        if not at_feed_centre(event):
            area_id = area_index(self.partnership).locate(event.lon, event.lat)
            if area_id in self.parents:
                return Placement(PoliceEvent.Level.POINT, area_id)
        return Placement(PoliceEvent.Level.MUNICIPALITY)
