"""What an export of the situation picture is made of, and the rules every format follows.

An `Edition` is the picture's content (the live draft or an approved version's frozen
snapshot), the membership of the person exporting and the approved `Picture`, if any. Every
format takes its figures from `content` only, so the page, the snapshot and each export show
the same numbers. The database is read only for what the content points at (the areas'
outlines and the counted incidents), and always through the reader's scope.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lagesbild.geography.queries import areas
from lagesbild.incidents.models import Incident
from lagesbild.indicators import presenters as indicator_presenters
from lagesbild.partnerships.access import scoped
from lagesbild.partnerships.models import Membership
from lagesbild.pictures import periods, presenters
from lagesbild.pictures.models import Picture
from lagesbild.policeevents.constants import POLICE_SITE
from lagesbild.policeevents.queries import section_for as police_section_for


@dataclass(frozen=True)
class Edition:
    """One picture as it is exported by one reader."""

    content: dict
    membership: Membership
    picture: Picture | None = None  # None: the live draft

    @property
    def period(self) -> str:
        return self.content["period"]

    @property
    def suppress_below(self) -> int:
        """The partnership's current rule, also for old versions: it is about handing over."""
        return self.membership.partnership.suppress_below

    @property
    def time_zone(self) -> ZoneInfo:
        return ZoneInfo(self.membership.partnership.time_zone)

    def title(self) -> str:
        """'Lägesbild vecka 47, 2026', and '(pågående vecka, dag 4 av 7)' for a week not
        yet over."""
        year = self.period.split("-W")[0]
        title = _("Lägesbild %(week)s, %(year)s") % {
            "week": presenters.week_label(self.period),
            "year": year,
        }
        if self.content.get("in_progress"):
            title += " " + _("(pågående vecka, dag %(d)s av 7)") % {"d": self.content["days"]}
        return title

    def status(self) -> str:
        """Who approved which version, or that this is an unapproved draft."""
        if self.picture is None:
            return _("UTKAST – ej godkänd")
        user = self.picture.approved_by
        return _("Godkänd version %(v)s av %(who)s %(when)s") % {
            "v": self.picture.version,
            "who": user.get_full_name() or user.username,
            "when": self.picture.approved_at.astimezone(self.time_zone).strftime("%Y-%m-%d %H:%M"),
        }

    def computed(self) -> str:
        """When the figures were computed, in the partnership's time zone."""
        raw = self.content.get("computed_at")
        if not raw:
            return ""
        at = datetime.fromisoformat(raw).astimezone(self.time_zone)
        return _("Beräknad %(when)s") % {"when": at.strftime("%Y-%m-%d %H:%M")}

    def changes(self) -> list[str]:
        """What changed since the version before, for this reader (the page's lines)."""
        return presenters.changes_from_previous(self.membership, self.picture)

    def filename(self, extension: str, variant: str = "") -> str:
        """'lagesbild-2026-W47-v2.pdf', 'lagesbild-2026-W47-utkast.xlsx'."""
        version = f"v{self.picture.version}" if self.picture else "utkast"
        parts = ["lagesbild", self.period, version, variant]
        return "-".join(p for p in parts if p) + f".{extension}"


def shown_count(count: int, below: int) -> int | str:
    """A count as handed over: with `below` set, 1 .. below-1 become '<below', so that a small
    number does not point at identifiable people. Zero stays zero: it points at no one."""
    return f"<{below}" if 0 < count < below else count


def flag_words(series: dict) -> list[str]:
    """The flags of one matrix cell as words, so they survive black-and-white printing."""
    words = {"avvikelse": _("Avvikelse"), "bevaka": _("Bevaka")}
    flags = [words[series["level"]]] if series["level"] in words else []
    if series["rising"]:
        flags.append(_("Ökar"))
    return flags


def scale_name(content: dict, level: int | None) -> str:
    """'3 Ansträngt' for a level of the partnership's assessment scale; '' for none."""
    if level is None:
        return ""
    names = {entry["level"]: entry["name"] for entry in content["scale"]}
    return f"{level} {names.get(level, '')}".strip()


def area_geometries(edition: Edition) -> dict[int, dict]:
    """The GeoJSON (WGS 84) outline of each area of the picture that the reader may see.
    Inactive areas are included: an approved version keeps the areas it was made with, and
    the outlines frozen when it was approved."""
    ids = [a["id"] for a in edition.content["areas"]]
    rows = areas(edition.membership, active_only=False).filter(pk__in=ids)
    frozen = edition.content.get("outlines", {})  # an approved version's own outlines
    return {
        pk: frozen.get(str(pk), geometry) for pk, geometry in rows.values_list("pk", "geometry")
    }


def counted_incidents(edition: Edition) -> QuerySet[Incident]:
    """The incidents the picture counted, as far as the reader's role may see them."""
    return (
        scoped(Incident.objects.all(), edition.membership)
        .filter(pk__in=edition.content["incident_ids"])
        .select_related("category__parent", "area", "place", "organisation")
        .order_by("occurred_at", "pk")
    )


def indicator_sections(edition: Edition) -> list:
    """The picture's "Indikatorer" section for the reader: the indicators they may see with
    each area's latest value of a period begun by the week's end, as on the page (an
    approved version's frozen values, the draft's today's)."""
    last_day = periods.last_day(edition.content["period_kind"], edition.period)
    return indicator_presenters.picture_sections(edition.membership, last_day, edition.picture)


def indicator_note(edition: Edition) -> str:
    """Whether the indicators' values are frozen with the version or today's."""
    return indicator_presenters.values_note(edition.picture)


POLICE_NOTE = gettext_lazy(
    "Polisens publicerade händelsenotiser (polisen.se), en egen källa: de är inte "
    "samverkans rapporter och ingår inte i antalen, matrisen eller avvikelserna."
)


@dataclass(frozen=True)
class PoliceSection:
    """The picture's section of the police's notices as a file shows it: what to know about
    it, the counts per area and at municipality level, and the notices themselves (for
    members and up, who may open the notice list; empty for the others)."""

    notes: list[str]
    counts: list[tuple[str, int]]
    total: int
    events: list[dict]
    known: bool


def police_section(edition: Edition) -> PoliceSection | None:
    """From the content, so an approved version's file shows the notices it was approved
    with. None where the picture has no such section: a partnership without a municipality,
    or a version approved before the notices were frozen with the picture. The counts are
    not suppressed: the notices are public, and members get them one by one beside."""
    police = police_section_for(edition.content.get("police"), edition.membership)
    if police is None:
        return None
    until = police["until"] and datetime.fromisoformat(police["until"]).astimezone(
        edition.time_zone
    )
    notes = [str(POLICE_NOTE)]
    if police["state"] == "unknown":
        notes.append(
            _("Okänt för veckan: de hämtade notiserna sträcker sig till %(until)s.")
            % {"until": until.strftime("%Y-%m-%d")}
            if until
            else _("Okänt: inga notiser har hämtats.")
        )
    elif police["state"] == "partial":
        notes.append(
            _("Hittills: notiserna är hämtade till %(until)s.")
            % {"until": until.strftime("%Y-%m-%d %H:%M")}
        )
    if edition.picture is not None:
        notes.append(
            _("Som notiserna var när versionen godkändes; senare hämtningar ändrar dem inte här.")
        )
    counts = [(row["name"], row["count"]) for row in police["rows"]]
    counts.append((_("Kommunnivå (inget område)"), police["municipality"]))
    events = [
        {
            **event,
            "occurred_at": datetime.fromisoformat(event["occurred_at"])
            .astimezone(edition.time_zone)
            .replace(tzinfo=None),
            "area": event["area"] or _("kommunnivå"),
            "link": POLICE_SITE + event["url"] if event["url"] else "",
        }
        for event in police.get("events", [])
    ]
    return PoliceSection(notes, counts, police["total"], events, police["state"] != "unknown")
