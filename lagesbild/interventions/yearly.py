"""The yearly deepened picture (fördjupad EST): a year's problems, interventions and outcomes.

Read from what the group saw and decided: the approved weekly pictures of the year (their
newest versions; flags and assessments as frozen), the interventions active in the year, each
intervention's newest stored evaluation and the group's reflections. Written as input to the
municipality's statutory situation picture and action plan (Lag 2023:196), under headings
that fit one: `YearlyReflection.Heading`, in that order, on the page and in both exports.
"""

from collections import defaultdict
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lagesbild.interventions import presenters, queries
from lagesbild.interventions.models import YearlyReflection
from lagesbild.partnerships.access import scoped
from lagesbild.pictures.models import PeriodKind, Picture


def _weekly_pictures(membership, year: int) -> list[Picture]:
    """The newest version of each approved weekly picture of `year`, oldest week first."""
    latest = {}
    rows = scoped(Picture.objects.all(), membership).filter(
        period_kind=PeriodKind.WEEK, period__startswith=f"{year}-W"
    )
    for picture in rows.order_by("period", "-version"):
        latest.setdefault(picture.period, picture)
    return [latest[p] for p in sorted(latest)]


def _flags(pictures: list[Picture]) -> list[dict]:
    """Area x category group pairs flagged as deviations, with the weeks."""
    found: dict[tuple, dict] = {}
    for picture in pictures:
        content = picture.content
        areas = {a["id"]: a["name"] for a in content.get("areas", [])}
        groups = {g["id"]: g["name"] for g in content.get("groups", [])}
        for series in content.get("series", {}).values():
            if (
                series.get("level") != "avvikelse"
                or not series.get("area")
                or not series.get("group")
            ):
                continue
            key = (series["area"], series["group"])
            entry = found.setdefault(
                key,
                {
                    "area_id": key[0],
                    "group_id": key[1],
                    "area": areas.get(key[0], ""),
                    "group": groups.get(key[1], ""),
                    "weeks": [],
                },
            )
            entry["weeks"].append(picture.period)
    return sorted(found.values(), key=lambda f: (-len(f["weeks"]), f["area"], f["group"]))


def _assessments(pictures: list[Picture]) -> list[dict]:
    """Per area: how many weeks were assessed, the highest and the last level."""
    per_area: dict[str, dict] = {}
    for picture in pictures:
        content = picture.content
        areas = {str(a["id"]): a["name"] for a in content.get("areas", [])}
        for area_id, entry in content.get("assessments", {}).items():
            level = entry.get("level")
            if not level:
                continue
            row = per_area.setdefault(
                area_id, {"area": areas.get(area_id, ""), "weeks": 0, "highest": 0, "last": 0}
            )
            row["weeks"] += 1
            row["highest"] = max(row["highest"], level)
            row["last"] = level
    return sorted(per_area.values(), key=lambda r: (-r["highest"], r["area"]))


CODES = ("drop", "unclear", "rise", "few", "none")
# Column headings of the outcome counts in the exports, in the order of CODES.
OUTCOME_LABELS = (
    gettext_lazy("Minskning"),
    gettext_lazy("Ingen säker skillnad"),
    gettext_lazy("Ökning"),
    gettext_lazy("För lite data"),
    gettext_lazy("Ej utvärderad"),
)


def byline(reflection) -> str:
    """ "Version 2, skriven av Anna Berg 2026-12-04 10:15" for a stored reflection."""
    user = reflection.written_by
    who = (user.get_full_name() or user.username) if user else "–"
    when = timezone.localtime(reflection.written_at).strftime("%Y-%m-%d %H:%M")
    return _("Version %(v)s, skriven av %(who)s %(when)s.") % {
        "v": reflection.version,
        "who": who,
        "when": when,
    }


def outcome_code(result: dict | None) -> str:
    """'drop', 'rise', 'unclear' (interval across 1), 'few' (too few data) or 'none'."""
    if not result:
        return "none"
    did = result["did"]
    if did["verdict"] != "estimate":
        return "few"
    if did["ci_high"] < 1:
        return "drop"
    if did["ci_low"] > 1:
        return "rise"
    return "unclear"


def _targets(intervention, group_id: int) -> bool:
    categories = list(intervention.categories.all())
    return not categories or any(group_id in (c.pk, c.parent_id) for c in categories)


def _outcome_table(counted: dict[str, dict]) -> list[dict]:
    return [
        {"name": name, **{c: counts[c] for c in CODES}, "total": counts["total"]}
        for name, counts in sorted(counted.items(), key=lambda kv: kv[0])
    ]


def yearly_picture(membership, year: int) -> dict:
    """Everything the yearly picture shows, as plain data."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    pictures = _weekly_pictures(membership, year)
    flags = _flags(pictures)
    items = list(
        queries.interventions(membership)
        .filter(Q(start_date__lte=last) | Q(start_date__isnull=True, created_at__date__lte=last))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .prefetch_related("categories")
        .order_by("start_date", "id")
    )
    evaluations = queries.latest_evaluations(membership, items)
    rows = []
    by_type: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    by_area: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for item in items:
        stored = evaluations.get(item.pk)
        result = stored.result if stored else None
        outcome = presenters.short_verdict(result) if result else ""
        evaluable = bool(result) and result["did"]["verdict"] == "estimate"
        sentence = presenters.verdict_sentence(result) if result else ""
        if sentence:
            note = sentence
        elif item.closed_at:
            note = _("avslutad utan utvärdering")
        else:
            note = _("pågår eller planerad")
        rows.append(
            {
                "item": item,
                "outcome": outcome,
                "sentence": sentence,
                "note": note,
                "evaluable": evaluable,
            }
        )
        kind = item.kind.name if item.kind else "–"
        code = outcome_code(result)
        for counts in (by_type[kind], *(by_area[a.name] for a in item.target_areas())):
            counts["total"] += 1
            counts[code] += 1
    unaddressed = [
        f
        for f in flags
        if not any(
            f["area_id"] in {a.pk for a in i.areas.all()} and _targets(i, f["group_id"])
            for i in items
        )
    ]
    reflections = queries.reflections(membership, year)
    sections = [
        {"heading": heading, "title": title, "reflections": reflections.get(heading, [])}
        for heading, title in YearlyReflection.Heading.choices
    ]
    return {
        "year": year,
        "partnership": membership.partnership.name,
        "sections": sections,
        "section": {s["heading"]: s for s in sections},
        "weeks_approved": len(pictures),
        "flags": flags,
        "assessments": _assessments(pictures),
        "interventions": rows,
        "by_type": _outcome_table(by_type),
        "by_area": _outcome_table(by_area),
        "unaddressed": unaddressed,
        "not_evaluable": [r for r in rows if not r["evaluable"]],
    }
