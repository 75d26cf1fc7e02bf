"""The yearly deepened picture (fördjupad EST): a year's problems, interventions and outcomes.

Read from what the group saw and decided: the approved weekly pictures of the year (their
newest versions; flags and assessments as frozen), the interventions active in the year, and
each intervention's newest stored evaluation. Written as input to the municipality's
statutory situation picture and action plan (Lag 2023:196), under headings that fit one.
"""

from collections import defaultdict
from datetime import date

from django.db.models import Q

from lagesbild.interventions import presenters, queries
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
    for item in items:
        stored = evaluations.get(item.pk)
        result = stored.result if stored else None
        outcome = presenters.short_verdict(result) if result else ""
        evaluable = bool(result) and result["did"]["verdict"] == "estimate"
        rows.append(
            {
                "item": item,
                "outcome": outcome,
                "sentence": presenters.verdict_sentence(result) if result else "",
                "evaluable": evaluable,
            }
        )
        kind = item.kind.name if item.kind else "–"
        by_type[kind]["total"] += 1
        by_type[kind][outcome_code(result)] += 1
    unaddressed = [
        f
        for f in flags
        if not any(i.area_id == f["area_id"] and _targets(i, f["group_id"]) for i in items)
    ]
    return {
        "year": year,
        "weeks_approved": len(pictures),
        "flags": flags,
        "assessments": _assessments(pictures),
        "interventions": rows,
        "by_type": [
            {"kind": kind, **{c: counts[c] for c in CODES}, "total": counts["total"]}
            for kind, counts in sorted(by_type.items(), key=lambda kv: kv[0])
        ],
        "unaddressed": unaddressed,
        "not_evaluable": [r for r in rows if not r["evaluable"]],
    }
