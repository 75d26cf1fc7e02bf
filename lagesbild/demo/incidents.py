"""Seeded synthetic incidents for the demo partnership, vectorised with numpy.

The model is a Poisson intensity on a grid of local days x areas x categories:

    expected = scale * annual rate / 365.25 * season(day) * weekday(day) * area weight
               * planted episodes

Counts are drawn per cell, then each incident gets an hour from its category's weekday/hour
rhythm, a place or a random point inside its area, a severity, a reporting organisation and a
templated Swedish description. Everything is drawn from one seeded generator, so the same seed
and arguments give identical output. No Django here: the management command that loads the
demo and the analysis benchmarks both call generate_incidents(). See docs/demo-data.md.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
import shapely

from lagesbild.demo.areas import DemoArea
from lagesbild.demo.places import DemoPlace
from lagesbild.incidents.checklist import DEFAULT_CHECKLIST, all_items

TIMEZONE = ZoneInfo("Europe/Stockholm")
CATEGORY_CODES: tuple[str, ...] = tuple(item.code for item in all_items())
GROUP_CODES: tuple[str, ...] = tuple(group.code for group in DEFAULT_CHECKLIST)
ORGANISATION_KINDS: tuple[str, ...] = ("kommun", "polis", "bostadsbolag", "vaktbolag")
SEVERITY_NAMES = {1: "lindrig", 2: "allvarlig", 3: "mycket allvarlig"}
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class CategoryModel:
    """How often a category is reported, when in the week and day, and in which season."""

    annual: float  # expected reports a year for the whole demo municipality at scale 1.0
    rhythm: str  # key of RHYTHMS
    season: str  # key of season_curves()


# About 3,200 reports a year for 78,000 inhabitants. The level and mix are assumptions for the
# demo (vandalism, litter and disorder most common; shootings rare), not measured figures.
CATEGORY_MODELS: dict[str, CategoryModel] = {
    "klotter": CategoryModel(450, "natt", "flat"),
    "skadegorelse": CategoryModel(300, "kvall", "flat"),
    "krossade-rutor": CategoryModel(80, "natt", "flat"),
    "brand-soprum": CategoryModel(90, "natt", "eld"),
    "bilbrand": CategoryModel(25, "natt", "eld"),
    "anlagd-brand-byggnad": CategoryModel(10, "natt", "eld"),
    "nedskrapning": CategoryModel(350, "kontorstid", "varsommar"),
    "dumpade-foremal": CategoryModel(150, "kontorstid", "varsommar"),
    "sprutor-farligt-avfall": CategoryModel(20, "kontorstid", "flat"),
    "storande-grupper": CategoryModel(300, "kvall", "sommarkvall"),
    "brak-ordningsstorning": CategoryModel(90, "kvall", "sommarkvall"),
    "berusning": CategoryModel(70, "kvall", "sommarkvall"),
    "farlig-korning": CategoryModel(110, "kvall", "sommarkvall"),
    "fyrverkerier": CategoryModel(60, "kvall", "fyrverkeri"),
    "narkotikaforsaljning": CategoryModel(60, "kvall", "flat"),
    "narkotikabruk": CategoryModel(70, "kvall", "flat"),
    "langning": CategoryModel(15, "kvall", "sommarkvall"),
    "hot": CategoryModel(45, "kvall", "flat"),
    "vald": CategoryModel(30, "kvall", "flat"),
    "angrepp-personal": CategoryModel(12, "kvall", "flat"),
    "skottlossning": CategoryModel(3, "natt", "flat"),
    "inbrott-forrad": CategoryModel(90, "natt", "morker"),
    "inbrott-bostad": CategoryModel(40, "dag", "morker"),
    "stold": CategoryModel(110, "dag", "flat"),
    "trasig-belysning": CategoryModel(180, "kontorstid", "morker"),
    "otrygg-plats": CategoryModel(80, "kontorstid", "varsommar"),
    "obehoriga-trapphus": CategoryModel(90, "kvall", "morker"),
    "rykten-sociala-medier": CategoryModel(40, "dag", "flat"),
    "oro-boende": CategoryModel(50, "dag", "flat"),
    "annat-otrygghet": CategoryModel(60, "dag", "flat"),
    "trygghetsaktivitet": CategoryModel(80, "kvall", "sommarkvall"),
    "positiv-handelse": CategoryModel(40, "dag", "flat"),
}

# Short synthetic descriptions: events and places only, never persons, and no digits at all, so
# nothing can look like a personal identity number or a phone number. "{plats}" becomes
# "vid <place>" or "i <area>".
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "klotter": (
        "Klotter på fasad {plats}.",
        "Nytt klotter på elskåp och skyltar {plats}.",
        "Taggar sprejade på väggen {plats}.",
    ),
    "skadegorelse": (
        "Skadegörelse på parkbänkar {plats}.",
        "Sönderslagen papperskorg och skylt {plats}.",
        "Repade och skadade bilar {plats}.",
    ),
    "krossade-rutor": ("Krossad ruta i busskur {plats}.", "Krossade fönster {plats}."),
    "brand-soprum": (
        "Brand i papperskorg {plats}.",
        "Brand i container {plats}, släckt av räddningstjänsten.",
        "Rökutveckling från soprum {plats}.",
    ),
    "bilbrand": ("Bilbrand {plats}.", "Brinnande bil {plats}, räddningstjänsten på plats."),
    "anlagd-brand-byggnad": (
        "Anlagd brand i trapphus {plats}.",
        "Misstänkt anlagd brand i förråd {plats}.",
    ),
    "nedskrapning": (
        "Mycket skräp {plats}.",
        "Nedskräpning efter helgen {plats}.",
        "Överfulla papperskorgar och skräp {plats}.",
    ),
    "dumpade-foremal": ("Dumpade möbler {plats}.", "Dumpade sopsäckar {plats}."),
    "sprutor-farligt-avfall": ("Sprutor hittade {plats}.", "Farligt avfall lämnat {plats}."),
    "storande-grupper": (
        "Grupp ungdomar samlas och stör {plats}.",
        "Större samling sent på kvällen {plats}.",
        "Högljudd samling {plats}, boende oroliga.",
    ),
    "brak-ordningsstorning": ("Bråk {plats}.", "Ordningsstörning {plats}, polis tillkallad."),
    "berusning": ("Berusning på allmän plats {plats}.", "Fylla och oväsen {plats}."),
    "farlig-korning": ("Mopeder kör vårdslöst {plats}.", "Farlig bilkörning {plats}."),
    "fyrverkerier": ("Fyrverkerier avfyras mot fasader {plats}.", "Smällare och raketer {plats}."),
    "narkotikaforsaljning": (
        "Misstänkt narkotikaförsäljning {plats}.",
        "Misstänkt langning av narkotika {plats}.",
    ),
    "narkotikabruk": ("Narkotikabruk på allmän plats {plats}.", "Lukt av cannabis {plats}."),
    "langning": ("Misstänkt langning av alkohol till ungdomar {plats}.",),
    "hot": ("Hotfull stämning {plats}.", "Hot mot personal {plats}."),
    "vald": ("Misshandel {plats}.", "Slagsmål {plats}."),
    "angrepp-personal": (
        "Stenkastning mot buss {plats}.",
        "Angrepp mot räddningstjänsten {plats}.",
    ),
    "skottlossning": ("Skottlossning rapporterad {plats}.", "Explosion {plats}."),
    "inbrott-forrad": ("Inbrott i källarförråd {plats}.", "Uppbrutna förrådsdörrar {plats}."),
    "inbrott-bostad": ("Inbrott i lokal {plats}.", "Inbrott i bostad {plats}."),
    "stold": ("Cykelstölder {plats}.", "Stöld {plats}."),
    "trasig-belysning": ("Trasig belysning {plats}.", "Släckta gatlyktor {plats}."),
    "otrygg-plats": (
        "Igenvuxna buskar skymmer sikten {plats}.",
        "Mörk och otrygg passage {plats}.",
    ),
    "obehoriga-trapphus": (
        "Obehöriga i trapphus {plats}.",
        "Obehöriga har övernattat i källare {plats}.",
    ),
    "rykten-sociala-medier": ("Oro i sociala medier om händelser {plats}.",),
    "oro-boende": ("Boende hör av sig om oro {plats}.", "Oro bland boende {plats}."),
    "annat-otrygghet": ("Otrygg stämning {plats}.", "Annat som skapar otrygghet {plats}."),
    "trygghetsaktivitet": (
        "Nattvandring {plats}.",
        "Trygghetsvandring {plats}.",
        "Aktivitet för ungdomar {plats}.",
    ),
    "positiv-handelse": ("Lugnt och tryggt {plats}.", "Städdag med boende {plats}."),
}

# Relative weights per hour 0-23 and per weekday Monday-Sunday (only ratios matter). Hours
# before NIGHT_ENDS_AT_HOUR take the previous day's weight: Friday night runs into Saturday.
# fmt: off
RHYTHMS: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    # hours 00-11 on the first line, 12-23 on the second; then Monday-Sunday
    "kvall": (
        (50, 30, 20, 10, 5, 3, 3, 5, 10, 10, 15, 20,
         25, 25, 30, 40, 50, 60, 70, 80, 90, 90, 80, 70),
        (0.8, 0.8, 0.9, 1.0, 1.5, 1.7, 1.0),
    ),
    "natt": (
        (70, 70, 60, 50, 40, 20, 10, 5, 5, 5, 5, 5,
         5, 5, 5, 7, 10, 15, 20, 30, 40, 50, 60, 70),
        (0.9, 0.9, 0.9, 1.0, 1.3, 1.4, 1.0),
    ),
    "kontorstid": (
        (1, 1, 1, 1, 1, 2, 5, 20, 50, 70, 70, 60,
         50, 60, 60, 50, 30, 15, 10, 6, 4, 3, 2, 1),
        (1.2, 1.2, 1.2, 1.2, 1.1, 0.3, 0.2),
    ),
    "dag": (
        (3, 2, 1, 1, 1, 2, 5, 15, 30, 40, 50, 50,
         50, 50, 50, 50, 50, 50, 45, 40, 30, 20, 10, 6),
        (1.0, 1.0, 1.0, 1.0, 1.1, 1.0, 0.8),
    ),
}
# fmt: on

# Hours before this take the previous day's weekday weight (the night belongs to the evening).
NIGHT_ENDS_AT_HOUR = 5

# Relative incident level per inhabitant (1.0 = municipal average): the station and shopping
# centre draw more reports than villa districts. Areas not listed get 1.0.
AREA_LEVELS: dict[str, float] = {
    "Sollentuna centrum": 1.8,
    "Tureberg": 1.3,
    "Helenelund": 1.3,
    "Rotebro": 1.1,
    "Häggvik": 1.0,
    "Vaxmora": 0.9,
    "Norrviken": 0.9,
    "Edsberg": 0.8,
    "Sjöberg": 0.6,
    "Viby": 0.6,
}
# Spread of the seeded per-area, per-group variation around AREA_LEVELS (log scale), so each
# area has its own mix of problems.
AREA_GROUP_SPREAD = 0.3

# Chance that a report is tied to a named place rather than a spot somewhere in the area.
NEAR_PLACE: dict[str, float] = {
    "skadegorelse": 0.6,
    "brand": 0.5,
    "nedskrapning": 0.6,
    "ordning": 0.7,
    "narkotika": 0.7,
    "hot-vald": 0.6,
    "egendomsbrott": 0.4,
    "fysisk-miljo": 0.5,
    "signaler": 0.3,
    "positivt": 0.7,
}
# Which kinds of place draw which groups of reports (relative weights; missing means never).
PLACE_AFFINITY: dict[str, dict[str, float]] = {
    "station": {
        "ordning": 3,
        "skadegorelse": 2,
        "narkotika": 2,
        "hot-vald": 2,
        "egendomsbrott": 2,
        "nedskrapning": 1,
        "fysisk-miljo": 1,
        "signaler": 1,
    },
    "torg": {
        "ordning": 3,
        "nedskrapning": 2,
        "positivt": 2,
        "skadegorelse": 1,
        "hot-vald": 1,
        "narkotika": 1,
        "signaler": 1,
    },
    "skolgard": {"skadegorelse": 3, "brand": 2, "ordning": 2, "nedskrapning": 1, "narkotika": 1},
    "kopcentrum": {
        "ordning": 2,
        "egendomsbrott": 2,
        "hot-vald": 1,
        "nedskrapning": 1,
        "positivt": 1,
    },
    "garage": {
        "brand": 3,
        "egendomsbrott": 3,
        "skadegorelse": 2,
        "fysisk-miljo": 2,
        "narkotika": 1,
    },
    "park": {"narkotika": 3, "nedskrapning": 2, "ordning": 2, "fysisk-miljo": 2, "brand": 1},
    "fritidsgard": {"positivt": 3, "ordning": 2, "skadegorelse": 1},
    "idrottsplats": {"ordning": 1, "skadegorelse": 1, "nedskrapning": 1, "positivt": 1},
    "busshallplats": {"skadegorelse": 2, "ordning": 1, "nedskrapning": 1},
    "gangtunnel": {"fysisk-miljo": 3, "skadegorelse": 2, "hot-vald": 1, "narkotika": 1},
    "badplats": {"nedskrapning": 2, "ordning": 2, "narkotika": 1},
}
# Spread (metres, standard deviation) of reports around the place they are tied to.
PLACE_SPREAD_M = 40.0
METRES_PER_DEGREE_LAT = 111_320.0

# Who reports which group: weights over ORGANISATION_KINDS.
ORGANISATION_MIX: dict[str, tuple[float, float, float, float]] = {
    "skadegorelse": (3, 1, 4, 2),
    "brand": (2, 2, 3, 2),
    "nedskrapning": (5, 0.3, 3, 1),
    "ordning": (3, 4, 1, 3),
    "narkotika": (2, 5, 1, 2),
    "hot-vald": (2, 5, 1, 2),
    "egendomsbrott": (1, 3, 4, 2),
    "fysisk-miljo": (4, 0.5, 4, 2),
    "signaler": (5, 2, 2, 1),
    "positivt": (5, 2, 2, 1),
}
# Severity 1-3 given the category's checklist weight 0-3: mostly the weight, sometimes either side.
SEVERITY_GIVEN_WEIGHT = np.array(
    [[1.0, 0.0, 0.0], [0.75, 0.2, 0.05], [0.3, 0.55, 0.15], [0.1, 0.4, 0.5]]
)

VANDALISM_CODES = ("klotter", "skadegorelse", "krossade-rutor")
DRUG_CODES = tuple(item.code for item in all_items() if item.group == "narkotika")


@dataclass(frozen=True)
class Episode:
    """A planted episode: the truth that tests and validity scripts look for.

    A "burst" multiplies the categories by `peak` from first_day to last_day (inclusive); a
    "rise" grows linearly from 1 on first_day to `peak` on last_day and stays there after.
    """

    kind: str
    area_index: int
    area_name: str
    category_codes: tuple[str, ...]
    first_day: date
    last_day: date
    peak: float

    @property
    def weeks(self) -> tuple[str, ...]:
        """The ISO weeks the episode covers, like "2026-W05"."""
        first_monday = self.first_day - timedelta(days=self.first_day.weekday())
        n_weeks = (self.last_day - first_monday).days // 7 + 1
        return tuple(_iso_week(first_monday + timedelta(weeks=i)) for i in range(n_weeks))

    def factor(self, days: np.ndarray) -> np.ndarray:
        """The multiplier on the expected count for each day in `days` (datetime64[D])."""
        first, last = np.datetime64(self.first_day, "D"), np.datetime64(self.last_day, "D")
        if self.kind == "burst":
            return np.where((days >= first) & (days <= last), self.peak, 1.0)
        progress = (days - first).astype(float) / max((last - first).astype(float), 1.0)
        return 1.0 + (self.peak - 1.0) * np.clip(progress, 0.0, 1.0)


@dataclass(frozen=True)
class DemoIncidents:
    """Generated incidents as column arrays, sorted by time; row i is one incident."""

    occurred_at: np.ndarray  # int64 seconds since the epoch (UTC)
    local_time: np.ndarray  # datetime64[s], wall-clock time in Europe/Stockholm
    area: np.ndarray  # int, index into `areas`
    category: np.ndarray  # int, index into CATEGORY_CODES
    severity: np.ndarray  # int8, 1 lindrig, 2 allvarlig, 3 mycket allvarlig
    lon: np.ndarray  # float64, WGS 84
    lat: np.ndarray  # float64, WGS 84
    place: np.ndarray  # int, index into `places`, or -1 when not tied to a place
    organisation: np.ndarray  # int, index into ORGANISATION_KINDS
    description: np.ndarray  # object array of str
    areas: tuple[DemoArea, ...]
    places: tuple[DemoPlace, ...]
    episodes: tuple[Episode, ...]

    def __len__(self) -> int:
        return len(self.occurred_at)

    def occurred_datetimes(self) -> list[datetime]:
        """occurred_at as timezone-aware datetimes in Europe/Stockholm (slow for millions)."""
        return [datetime.fromtimestamp(int(t), TIMEZONE) for t in self.occurred_at]

    def records(self) -> Iterator[dict]:
        """One dict per incident with codes and names instead of indices, for loaders."""
        for i, when in enumerate(self.occurred_datetimes()):
            place = self.places[self.place[i]] if self.place[i] >= 0 else None
            yield {
                "occurred_at": when,
                "area_code": self.areas[self.area[i]].code,
                "category_code": CATEGORY_CODES[self.category[i]],
                "severity": int(self.severity[i]),
                "lon": float(self.lon[i]),
                "lat": float(self.lat[i]),
                "place_name": place.name if place else None,
                "organisation_kind": ORGANISATION_KINDS[self.organisation[i]],
                "description": self.description[i],
            }


def default_episodes(areas: Sequence[DemoArea], start: date, end: date) -> tuple[Episode, ...]:
    """The demo's planted episodes for the period [start, end), as far as the period allows.

    - A vandalism burst (x6) in Häggvik in the last three complete ISO weeks, planted only when
      at least eight complete weeks come before it (the baseline a weekly picture uses).
    - A slow rise (to x5 over 26 weeks, ending on the last day) of drug-related reports in
      Helenelund, planted only when at least 26 weeks come before it.

    The areas must include the demo's Häggvik and Helenelund (ValueError otherwise); for other
    areas pass your own episodes to generate_incidents().
    """
    names = [a.name for a in areas]
    episodes = []
    last_day = end - timedelta(days=1)
    last_sunday = last_day - timedelta(days=(last_day.weekday() + 1) % 7)
    last_monday = last_sunday - timedelta(days=6)
    burst_first = last_monday - timedelta(weeks=2)
    if burst_first - timedelta(weeks=8) >= start:
        episodes.append(
            Episode(
                kind="burst",
                area_index=names.index("Häggvik"),
                area_name="Häggvik",
                category_codes=VANDALISM_CODES,
                first_day=burst_first,
                last_day=last_sunday,
                peak=6.0,
            )
        )
    rise_first = last_day - timedelta(weeks=26)
    if rise_first - timedelta(weeks=26) >= start:
        episodes.append(
            Episode(
                kind="rise",
                area_index=names.index("Helenelund"),
                area_name="Helenelund",
                category_codes=DRUG_CODES,
                first_day=rise_first,
                last_day=last_day,
                peak=5.0,
            )
        )
    return tuple(episodes)


def expected_counts(
    areas: Sequence[DemoArea],
    start: date,
    end: date,
    *,
    seed: int,
    scale: float = 1.0,
    episodes: Sequence[Episode] = (),
) -> np.ndarray:
    """Expected number of incidents per local day x area x category over [start, end).

    This is the intensity generate_incidents() draws from, so validity scripts can compare
    what an analysis finds with what was planted. The seed fixes the per-area category mix.
    """
    days = _days(start, end)
    area_weight = _area_weights(areas, seed)  # (A, C)
    models = [CATEGORY_MODELS[code] for code in CATEGORY_CODES]
    curves = season_curves(days)
    season = np.stack([curves[m.season] for m in models])  # (C, D)
    weekday = _day_weights()[_rhythm_index()][:, _weekday(days)]  # (C, D)
    daily = scale * np.array([m.annual for m in models]) / DAYS_PER_YEAR
    expected = (daily[:, None] * season * weekday).T[:, None, :] * area_weight[None, :, :]
    for episode in episodes:
        columns = [CATEGORY_CODES.index(code) for code in episode.category_codes]
        expected[:, episode.area_index, columns] *= episode.factor(days)[:, None]
    return expected


def generate_incidents(
    areas: Sequence[DemoArea],
    places: Sequence[DemoPlace],
    start: date,
    end: date,
    *,
    seed: int,
    scale: float = 1.0,
    episodes: Sequence[Episode] | None = None,
) -> DemoIncidents:
    """Synthetic incidents in the local days [start, end), reproducible from `seed`.

    At scale 1.0 about 3,200 incidents a year (plus what the planted episodes add); `scale`
    multiplies every rate. `episodes=None` plants default_episodes(); pass () for none.
    """
    if episodes is None:
        episodes = default_episodes(areas, start, end)
    days = _days(start, end)
    expected = expected_counts(areas, start, end, seed=seed, scale=scale, episodes=episodes)
    rng = np.random.default_rng([seed, 1])
    counts = rng.poisson(expected)
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    day, area, category = np.unravel_index(cell, counts.shape)
    group = _group_index()[category]

    hour = _draw_hours(rng, category, _weekday(days)[day])
    before_three, from_three = (offset[day] for offset in _utc_offsets(days))
    # 02:00-02:59 does not exist on the spring clock change: such draws read 03:xx, as clocks do.
    hour = np.where((hour == 2) & (from_three > before_three), 3, hour)
    local_seconds = (
        days.astype("datetime64[s]").astype(np.int64)[day]
        + hour * 3600
        + rng.integers(0, 3600, size=len(cell))
    )
    occurred_at = local_seconds - np.where(hour < 3, before_three, from_three)
    severity = _draw_severity(rng, category)
    organisation = _draw(
        rng.random(len(cell)), _cdf(np.array(list(ORGANISATION_MIX.values()))), group
    )
    place, lon, lat = _draw_locations(rng, areas, places, area, category)
    description = _describe(rng, areas, places, area, category, place)

    order = np.argsort(occurred_at, kind="stable")
    return DemoIncidents(
        occurred_at=occurred_at[order],
        local_time=local_seconds[order].astype("datetime64[s]"),
        area=area[order],
        category=category[order],
        severity=severity[order],
        lon=lon[order],
        lat=lat[order],
        place=place[order],
        organisation=organisation[order],
        description=description[order],
        areas=tuple(areas),
        places=tuple(places),
        episodes=tuple(episodes),
    )


def season_curves(days: np.ndarray) -> dict[str, np.ndarray]:
    """Seasonal multipliers per day, each with mean 1 over a calendar year.

    - eld: fires peak around New Year's Eve and Walpurgis Night (30 April).
    - fyrverkeri: fireworks almost only around New Year, a little on Walpurgis Night.
    - sommarkvall: youth gatherings and disorder, high in July, low in January.
    - morker: break-ins, broken lighting, people in stairwells: the dark months.
    - varsommar: litter and overgrowth, after the snow melts and into summer.
    """
    raw = _raw_season_curves(days)
    means = _season_means()
    return {name: curve / means[name] for name, curve in raw.items()}


def _raw_season_curves(days: np.ndarray) -> dict[str, np.ndarray]:
    year = days.astype("datetime64[Y]")
    january_1 = year.astype("datetime64[D]")
    previous_eve, coming_eve = january_1 - 1, (year + 1).astype("datetime64[D]") - 1
    days_to_new_year = np.minimum(np.abs(days - previous_eve), np.abs(days - coming_eve))
    walpurgis = (year.astype("datetime64[M]") + 3).astype("datetime64[D]") + 29  # 30 April
    days_to_walpurgis = np.abs(days - walpurgis)
    day_of_year = (days - january_1).astype(float)

    def bump(distance, width):
        return np.exp(-0.5 * (distance.astype(float) / width) ** 2)

    def wave(peak_day, amplitude):
        return 1.0 + amplitude * np.cos(2 * np.pi * (day_of_year - peak_day) / DAYS_PER_YEAR)

    return {
        "flat": np.ones(len(days)),
        "eld": 1.0 + 5.0 * bump(days_to_new_year, 2.5) + 3.0 * bump(days_to_walpurgis, 1.5),
        "fyrverkeri": 0.2 + 25.0 * bump(days_to_new_year, 2.0) + 4.0 * bump(days_to_walpurgis, 1.0),
        "sommarkvall": wave(196, 0.7),
        "morker": wave(15, 0.45),
        "varsommar": wave(150, 0.4),
    }


@cache
def _season_means() -> dict[str, float]:
    # A reference year (not leap) so that a curve's level does not depend on the period drawn.
    days = np.arange("2023-01-01", "2024-01-01", dtype="datetime64[D]")
    return {name: float(curve.mean()) for name, curve in _raw_season_curves(days).items()}


def _days(start: date, end: date) -> np.ndarray:
    if end <= start:
        raise ValueError(f"empty period: {start} to {end}")
    return np.arange(np.datetime64(start, "D"), np.datetime64(end, "D"))


def _weekday(days: np.ndarray) -> np.ndarray:
    """Monday 0 ... Sunday 6 (1970-01-01 was a Thursday)."""
    return (days.astype(np.int64) + 3) % 7


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@cache
def _week_grid() -> np.ndarray:
    """Weights (rhythm, weekday, hour), each rhythm scaled to a mean daily total of 1."""
    grid = np.empty((len(RHYTHMS), 7, 24))
    hours = np.arange(24)
    for r, (hourly, weekdays) in enumerate(RHYTHMS.values()):
        for d in range(7):
            night_before = hours < NIGHT_ENDS_AT_HOUR
            factor = np.where(night_before, weekdays[(d - 1) % 7], weekdays[d])
            grid[r, d] = np.array(hourly) * factor
        grid[r] *= 7 / grid[r].sum()
    return grid


def _day_weights() -> np.ndarray:
    """(rhythm, weekday): the share of a week's reports falling on each weekday, times 7."""
    return _week_grid().sum(axis=2)


@cache
def _rhythm_index() -> np.ndarray:
    """Per category (CATEGORY_CODES order), its row in RHYTHMS."""
    return np.array([list(RHYTHMS).index(CATEGORY_MODELS[c].rhythm) for c in CATEGORY_CODES])


@cache
def _group_index() -> np.ndarray:
    """Per category (CATEGORY_CODES order), its group's index in GROUP_CODES."""
    return np.array([GROUP_CODES.index(item.group) for item in all_items()])


def _area_weights(areas: Sequence[DemoArea], seed: int) -> np.ndarray:
    """(A, C) share of each category's reports per area; each column sums to 1."""
    population = np.array([max(a.population, 0) for a in areas], dtype=float)
    if population.sum() == 0:
        population = np.ones(len(areas))
    level = np.array([AREA_LEVELS.get(a.name, 1.0) for a in areas])
    rng = np.random.default_rng([seed, 0])
    by_group = rng.lognormal(0.0, AREA_GROUP_SPREAD, size=(len(areas), len(GROUP_CODES)))
    weight = (population * level)[:, None] * by_group[:, _group_index()]
    return weight / weight.sum(axis=0)


def _cdf(weights: np.ndarray) -> np.ndarray:
    """Row-wise cumulative distribution; every row ends exactly at 1 (zero rows are all 1)."""
    cumulative = np.cumsum(weights, axis=-1, dtype=float)
    total = cumulative[..., -1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cumulative >= total, 1.0, cumulative / total)


def _draw(uniform: np.ndarray, cdf: np.ndarray, row: np.ndarray) -> np.ndarray:
    """For each i, the column drawn from distribution cdf[row[i]] by inverse transform.

    All rows are laid end to end as row + cdf, a non-decreasing sequence, so one searchsorted
    samples every incident at once whichever row it uses.
    """
    n_rows, n_cols = cdf.shape
    flat = (np.arange(n_rows)[:, None] + cdf).ravel()
    column = np.searchsorted(flat, row + uniform, side="right") - row * n_cols
    return np.minimum(column, n_cols - 1)  # guards a uniform rounding up to the next row


def _draw_hours(rng: np.random.Generator, category: np.ndarray, weekday: np.ndarray):
    row = _rhythm_index()[category] * 7 + weekday
    return _draw(rng.random(len(category)), _cdf(_week_grid().reshape(-1, 24)), row)


def _utc_offsets(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """UTC offsets in seconds per day: before 03:00 local time, and from 03:00 on.

    Swedish clocks change between 02:00 and 03:00, so the offset at midnight holds before 03:00
    and the offset at noon after. An hour that occurs twice in autumn gets the first offset,
    like zoneinfo's fold=0.
    """

    def offset_at(hour_of_day: int) -> np.ndarray:
        return np.array(
            [
                datetime.fromisoformat(f"{d}T{hour_of_day:02d}:00")
                .replace(tzinfo=TIMEZONE)
                .utcoffset()
                .total_seconds()
                for d in days.astype(str)
            ],
            dtype=np.int64,
        )

    return offset_at(0), offset_at(12)


def _draw_severity(rng: np.random.Generator, category: np.ndarray) -> np.ndarray:
    weight = np.array([item.weight for item in all_items()])
    drawn = _draw(rng.random(len(category)), _cdf(SEVERITY_GIVEN_WEIGHT), weight[category])
    return (drawn + 1).astype(np.int8)


def _draw_locations(
    rng: np.random.Generator,
    areas: Sequence[DemoArea],
    places: Sequence[DemoPlace],
    area: np.ndarray,
    category: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Place index (or -1) and lon/lat for each incident, always inside its area."""
    n = len(area)
    place_weight = _place_weights(areas, places)  # (A, C, max places per area)
    slots = _place_slots(areas, places)  # (A, max places): place index or -1
    has_place = place_weight.sum(axis=2) > 0
    near_share = np.array([NEAR_PLACE[g] for g in GROUP_CODES])[_group_index()]
    near = (rng.random(n) < near_share[category]) & has_place[area, category]
    n_categories = len(CATEGORY_CODES)
    slot = _draw(
        rng.random(n),
        _cdf(place_weight.reshape(-1, place_weight.shape[2])),
        area * n_categories + category,
    )
    place = np.where(near, slots[area, slot], -1)

    lon = np.empty(n)
    lat = np.empty(n)
    place_lon = np.array([p.lon for p in places])
    place_lat = np.array([p.lat for p in places])
    at_place = place >= 0
    spread_lat = PLACE_SPREAD_M / METRES_PER_DEGREE_LAT
    lat[at_place] = place_lat[place[at_place]] + rng.normal(0, spread_lat, at_place.sum())
    spread_lon = spread_lat / np.cos(np.radians(place_lat[place[at_place]]))
    lon[at_place] = place_lon[place[at_place]] + rng.normal(0, 1, at_place.sum()) * spread_lon
    for a, demo_area in enumerate(areas):
        in_area = area == a
        around = in_area & at_place
        outside = around.copy()
        outside[around] = ~shapely.contains_xy(demo_area.polygon, lon[around], lat[around])
        # A jittered point that left the area falls back to the place itself (inside by test).
        lon[outside] = place_lon[place[outside]]
        lat[outside] = place_lat[place[outside]]
        anywhere = in_area & ~at_place
        lon[anywhere], lat[anywhere] = _uniform_in(rng, demo_area.polygon, anywhere.sum())
    return place, lon, lat


def _uniform_in(rng: np.random.Generator, polygon, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n points uniform in `polygon` by rejection from its bounding box.

    Uniform in degrees is uniform in area here: from the south to the north end of the
    municipality the east-west length of a degree of longitude changes by about 0.3 %.
    """
    shapely.prepare(polygon)
    min_lon, min_lat, max_lon, max_lat = polygon.bounds
    fill = polygon.area / ((max_lon - min_lon) * (max_lat - min_lat))
    lons, lats = [np.empty(0)], [np.empty(0)]
    missing = n
    while missing > 0:
        batch = int(missing / fill * 1.2) + 16
        x = rng.uniform(min_lon, max_lon, batch)
        y = rng.uniform(min_lat, max_lat, batch)
        inside = shapely.contains_xy(polygon, x, y)
        lons.append(x[inside][:missing])
        lats.append(y[inside][:missing])
        missing -= len(lons[-1])
    return np.concatenate(lons), np.concatenate(lats)


def _place_slots(areas: Sequence[DemoArea], places: Sequence[DemoPlace]) -> np.ndarray:
    """(A, max places per area): the global index of each area's places, padded with -1."""
    per_area = [[i for i, p in enumerate(places) if p.area_index == a] for a in range(len(areas))]
    slots = np.full((len(areas), max(map(len, per_area), default=0) or 1), -1)
    for a, indices in enumerate(per_area):
        slots[a, : len(indices)] = indices
    return slots


def _place_weights(areas: Sequence[DemoArea], places: Sequence[DemoPlace]) -> np.ndarray:
    """(A, C, max places): how strongly each of an area's places draws each category."""
    slots = _place_slots(areas, places)
    group = _group_index()
    weights = np.zeros((len(areas), len(CATEGORY_CODES), slots.shape[1]))
    for a, s in zip(*np.nonzero(slots >= 0), strict=True):
        affinity = PLACE_AFFINITY.get(places[slots[a, s]].kind, {})
        weights[a, :, s] = [affinity.get(GROUP_CODES[g], 0.0) for g in group]
    return weights


def _describe(
    rng: np.random.Generator,
    areas: Sequence[DemoArea],
    places: Sequence[DemoPlace],
    area: np.ndarray,
    category: np.ndarray,
    place: np.ndarray,
) -> np.ndarray:
    """A short Swedish description per incident, from its category's templates.

    Only a few thousand distinct (template, location) pairs exist, so each is formatted once.
    """
    templates = [t for code in CATEGORY_CODES for t in DESCRIPTIONS[code]]
    counts = np.array([len(DESCRIPTIONS[code]) for code in CATEGORY_CODES])
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pick = np.minimum(
        (rng.random(len(category)) * counts[category]).astype(np.int64), counts[category] - 1
    )
    template = first[category] + pick
    locations = [f"vid {p.phrase}" for p in places] + [f"i {a.name}" for a in areas]
    location = np.where(place >= 0, place, len(places) + area)
    key = template * len(locations) + location
    unique, inverse = np.unique(key, return_inverse=True)
    texts = np.array(
        [
            templates[k // len(locations)].format(plats=locations[k % len(locations)])
            for k in unique
        ],
        dtype=object,
    )
    return texts[inverse]
