"""What a guest organisation's members see, each read starting from `access.scoped`, whose
GUEST_RULES decide it: approved pictures of ended weeks, quarters, tertials and years limited
to the invited areas, the joint efforts the organisation takes part in, decisions shared with
guests and active grants."""

from django.db.models import Max, Prefetch
from django.http import Http404
from django.utils.translation import gettext as _

from lagesbild.guests.models import DetailGrant, GuestOrganisation
from lagesbild.incidents import weeks
from lagesbild.interventions.models import Decision, Intervention, ProgressNote
from lagesbild.partnerships.access import scoped
from lagesbild.pictures import presenters
from lagesbild.pictures.exports.edition import shown_count
from lagesbild.pictures.models import PeriodKind, Picture
from lagesbild.pictures.periodic import influence_text
from lagesbild.pictures.periods import Period


def invitations(membership):
    """The partnership's guest organisations with their areas and members (a coordinator's
    list; a guest gets only its own)."""
    return scoped(
        GuestOrganisation.objects.select_related("organisation"), membership
    ).prefetch_related("areas", "organisation__memberships__user")


def grants(membership):
    return scoped(
        DetailGrant.objects.select_related("guest__organisation"), membership
    ).prefetch_related("areas")


def invited_area_ids(membership) -> set[int]:
    guest = scoped(GuestOrganisation.objects.all(), membership).first()
    return set(guest.areas.values_list("pk", flat=True)) if guest else set()


def _of_kind(membership, weekly: bool):
    rows = scoped(Picture.objects.all(), membership)
    return (
        rows.filter(period_kind=PeriodKind.WEEK)
        if weekly
        else rows.exclude(period_kind=PeriodKind.WEEK)
    )


def pictures(membership, *, weekly: bool = True) -> list[dict]:
    """The approved weekly (or quarter, tertial and year) pictures a guest may open, the
    newest version of each period, newest period first."""
    rows = (
        _of_kind(membership, weekly)
        .values("period_kind", "period")
        .annotate(version=Max("version"))
        .order_by("-period")
    )
    if weekly:
        return list(rows)
    return [{**row, "label": Period.parse(row["period"]).label()} for row in rows]


def picture(membership, period: str, version: int, *, weekly: bool = True) -> Picture:
    """One approved version the guest may open; 404 for anything else, a weekly picture
    asked for as a periodic one included (their contents differ). A period that does not
    parse (a NUL byte, which PostgreSQL refuses, included) never reaches a query."""
    try:
        weeks.parse(period) if weekly else Period.parse(period)
    except ValueError as exc:
        raise Http404 from exc
    found = _of_kind(membership, weekly).filter(period=period, version=version).first()
    if found is None:
        raise Http404
    return found


def picture_areas(content: dict, area_ids: set[int], below: int) -> list[dict]:
    """The invited areas of an approved picture: per category group the count, what was
    expected and the flag with its sentence, and the group's assessment level. Nothing about
    single incidents, and not the assessment's comment (free text written for members).
    A guest is outside the partnership, so counts from 1 to `below` - 1 are "shown" as
    "<below" here as in every file the partnership hands over, and the sentence, which
    names the count, is left out for them."""
    series = content["series"]
    levels = {s["level"]: s["name"] for s in content.get("scale", [])}
    out = []
    for area in sorted(content["areas"], key=lambda a: a["name"]):
        if area["id"] not in area_ids:
            continue
        assessment = content["assessments"].get(str(area["id"]), {})
        total = _cell(series, area["id"], None, below)
        rows = [
            # The cell's own "group" is the group's id: the name goes after it.
            {**_cell(series, area["id"], group["id"], below), "group": group["name"]}
            for group in content["groups"]
        ]
        _hide_total_with_one_group(rows, total)
        out.append(
            {
                "name": area["name"],
                "total": total,
                "level": levels.get(assessment.get("level")),
                "rows": rows,
            }
        )
    return out


def count_note(below: int, *, weekly: bool = True) -> list[str]:
    """What "<n" and what is hidden with it mean, for the guest's page and files alike."""
    if below <= 1:
        return []
    return [
        _('Antal från 1 till %(n)s visas som "<%(m)s".') % {"n": below - 1, "m": below},
        _('"dold": summan döljs, eftersom ett litet antal annars kunde räknas fram ur den.')
        if weekly
        else _(
            "Index, intervall och trend visas inte för ett område med dolt antal händelser, "
            "eftersom antalet annars kunde räknas fram ur dem."
        ),
    ]


def _hidden(cell: dict) -> bool:
    return cell["shown"] != cell["observed"]


def _hide_total_with_one_group(rows: list[dict], total: dict) -> None:
    """With one group's count hidden and the area's total shown, the total minus the other
    groups would give the hidden count: then the total is hidden too ("dold"). (Hiding a
    second group instead leaks through the order: a reader who knows it was the smallest
    other count can often pin both down.)"""
    if not _hidden(total) and sum(_hidden(r) for r in rows) == 1:
        total.update(shown=_("dold"), explanation="", withheld=True)


def _cell(series: dict, area_id: int, group_id: int | None, below: int) -> dict:
    found = series[f"{area_id}:{group_id or ''}"]
    shown = shown_count(found["observed"], below)
    return {
        **found,
        "shown": shown,
        "explanation": found.get("explanation") if shown == found["observed"] else "",
        "level_word": presenters.level_word(found["level"]),
    }


def periodic_areas(content: dict, area_ids: set[int], below: int) -> list[dict]:
    """The invited areas of an approved periodic picture in the order of need: the index
    with its interval, the number of incidents, the trend with its interval and the group's
    judgement of what can be influenced (its level; the comment is free text written for
    members). Not the rank, nor the development per category group: the one places the area
    among areas the guest is not invited to, the other sums over all of them."""
    out = []
    for r in content["ranking"]:
        if r["area"] not in area_ids:
            continue
        level = content["influence"].get(str(r["area"]), {}).get("level")
        events = shown_count(r["events"], below)
        # The index and the trend are made of the hidden count: with the categories' weights
        # (and the population) they would give it back.
        small = events != r["events"]
        interval = f"{presenters.num(r['low'])}–{presenters.num(r['high'])}"
        out.append(
            {
                "name": r["name"],
                "index": None if small else r["index"],
                "interval": "–" if small else interval,
                "events": events,
                "trend": "–" if small else presenters.trend_text(r, verdict=False),
                "influence": influence_text(level),
            }
        )
    return out


def periodic_explanation(content: dict) -> str:
    """What the index and the trend of a periodic picture are."""
    basis = (
        _("Index = viktade poäng (kategorins vikt × antal) per 1 000 invånare under perioden.")
        if content["basis"] == "per_inhabitants"
        else _("Index = viktade poäng (kategorins vikt × antal) under perioden.")
    )
    trend = _("Trenden är förändringen per period %(a)s–%(b)s, med 95 %%-intervall.") % {
        "a": content["trend_periods"][0],
        "b": content["trend_periods"][-1],
    }
    return f"{basis} {trend}"


def joint_efforts(membership):
    """The interventions the guest's organisation is responsible for or contributes to,
    with their progress logs."""
    notes = ProgressNote.objects.select_related("organisation").order_by("-done_on", "-id")
    return (
        scoped(Intervention.objects.all(), membership)
        .select_related("responsible")
        .prefetch_related("areas", "contributors", Prefetch("progress_notes", queryset=notes))
        .order_by("-due_date")
    )


def shared_decisions(membership):
    return scoped(Decision.objects.select_related("meeting"), membership).order_by(
        "-meeting__held_on", "-id"
    )[:50]


def active_grants(membership) -> list[DetailGrant]:
    return list(grants(membership).holding())
