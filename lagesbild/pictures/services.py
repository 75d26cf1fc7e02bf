"""The situation picture: assemble its content from stored analysis results and the group's
assessments, save assessments, approve (freeze) versions and compare weeks.

`assemble()` returns one plain dict, the picture's content. The page, the approved snapshot
and every export are made from such a dict, so they show the same numbers.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lagesbild.audit.record import record
from lagesbild.geography.models import Area
from lagesbild.geography.queries import areas as scoped_areas
from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident
from lagesbild.incidents.privacy import validate_no_identity_numbers
from lagesbild.incidents.queries import COUNTED, map_points
from lagesbild.indicators import snapshot as indicator_snapshot
from lagesbild.interventions.services import due_interventions
from lagesbild.partnerships.access import scoped
from lagesbild.pictures import presenters
from lagesbild.pictures.models import AnalysisRun, Assessment, PeriodKind, Picture
from lagesbild.policeevents.queries import week_section as police_section

WEEK = PeriodKind.WEEK


def _key(area, group) -> str:
    return f"{area or ''}:{group or ''}"


def assemble(partnership, code: int, run: AnalysisRun) -> dict:
    """The content of the weekly picture for ISO week `code` from a finished run."""
    results = run.results
    iso = weeks.iso(code)
    in_progress = not results.get("complete", True)
    areas = {a["id"]: a for a in results["areas"]}
    groups = {g["id"]: g for g in results["groups"]}
    series = {_key(s["area"], s["group"]): s for s in results["series"]}
    for s in series.values():
        area_name = areas[s["area"]]["name"] if s["area"] else ""
        group_name = groups[s["group"]]["name"] if s["group"] else ""
        s["in_progress"] = in_progress
        s["explanation"] = presenters.explain(s, area_name, group_name, iso)
        if s["rising"]:
            s["rising_text"] = presenters.rising_sentence(s, area_name, group_name)
    assessments = _assessments(partnership, iso, results, series)
    counted = Incident.objects.filter(partnership=partnership, iso_week=code, status__in=COUNTED)
    content = {
        "period_kind": WEEK,
        "period": iso,
        # A running week: counts so far, no expectations or flags (compute.py).
        "in_progress": in_progress,
        "days": results.get("days", 7),
        "covered_from": results.get("covered_from"),
        # Reports not yet reviewed are counted (they may still be rejected or corrected).
        "unreviewed": counted.filter(status=Incident.Status.NEW).count(),
        "unreviewed_counted": Incident.Status.NEW in COUNTED,
        "week_start": weeks.monday(code).isoformat(),
        "computed_at": run.finished_at.isoformat() if run.finished_at else None,
        "data_version": run.data_version,
        "partnership": partnership.name,
        "scale": partnership.assessment_scale,
        "areas": results["areas"],
        "groups": results["groups"],
        "series": series,
        "area_points": {str(p["area"]): p for p in results["area_points"]},
        "trends": results["trends"],
        "hotspots": results["hotspots"],
        "clusters": [
            {
                **c,
                "text": presenters.cluster_sentence(
                    c, groups[c["group"]]["name"] if c["group"] else None
                ),
            }
            for c in results["clusters"]
        ],
        "assessments": assessments,
        "incident_ids": sorted(counted.values_list("id", flat=True)),
        "organisations": counted.values("organisation").distinct().count(),
        "interventions_due": _interventions_due(partnership, code),
        # A source of its own, shown apart; frozen with the rest on approval.
        "police": police_section(partnership, code),
    }
    content["summary"] = _summary(content, series, areas, groups)
    return content


def flagged(series: dict) -> list[dict]:
    return sorted(
        (s for s in series.values() if s["level"] == "avvikelse" and s["area"] and s["group"]),
        key=_strength,
    )


def _strength(series: dict) -> float:
    """The p-value the flag was decided on: the week's and the four weeks' sum combined
    (pictures computed before the sum was tested stored only the week's)."""
    p = series.get("p_series", series["p"])
    return p if p is not None else 1


def _summary(content: dict, series: dict, areas: dict, groups: dict) -> list[str]:
    """The Swedish sentences at the top of the picture."""
    iso = content["period"]
    total = series[_key(None, None)]
    incidents = ngettext("%(n)s händelse", "%(n)s händelser", total["observed"]) % {
        "n": total["observed"]
    }
    organisations = ngettext(
        "%(n)s organisation", "%(n)s organisationer", content["organisations"]
    ) % {"n": content["organisations"]}
    figures = {
        "week": presenters.week_label(iso).capitalize(),
        "incidents": incidents,
        "organisations": organisations,
    }
    if content["in_progress"]:
        sentences = [
            _(
                "%(week)s pågår (dag %(day)s av 7): hittills har %(incidents)s rapporterats "
                "från %(organisations)s. Förväntat antal och flaggor visas när veckan är slut."
            )
            % {**figures, "day": content["days"]}
        ]
    elif total["expected"] is None:
        sentences = [
            _(
                "%(week)s rapporterades %(incidents)s från %(organisations)s (för kort "
                "historik för en jämförelse)."
            )
            % figures
        ]
    else:
        sentences = [
            _(
                "%(week)s rapporterades %(incidents)s från %(organisations)s "
                "(förväntat %(exp)s, normalt %(low)s–%(high)s)."
            )
            % {
                **figures,
                "exp": presenters.num(total["expected"]),
                "low": int(total["normal_low"] or 0),
                "high": int(total["normal_high"] or 0),
            }
        ]
    sentences.append(presenters.unreviewed_sentence(content))
    deviations = flagged(series)
    watch = [s for s in series.values() if s["level"] == "bevaka" and s["area"] and s["group"]]
    if deviations:
        sentences.append(_("Avvikelser: %(n)s.") % {"n": len(deviations)})
        sentences.extend(s["explanation"] for s in deviations[:5])
    elif not content["in_progress"] and total["expected"] is not None:
        sentences.append(_("Inga avvikelser denna vecka."))
    if watch:
        sentences.append(
            _("Att bevaka: %(n)s område och kategori med högre tal än vanligt.") % {"n": len(watch)}
        )
    rising = [s for s in series.values() if s["rising"] and s["area"] and s["group"]]
    sentences.extend(s["rising_text"] for s in rising[:3])
    changes = sorted(
        (
            (p["points"] - p["mean8"], p["area"])
            for p in content["area_points"].values()
            if p["points"] is not None and p["mean8"] is not None
        ),
        reverse=True,
    )
    if changes and changes[0][0] > 0:
        delta, area = changes[0]
        sentences.append(
            _(
                "Störst ökning i viktade poäng: %(area)s (%(d)s mot snittet av de "
                "åtta veckorna före)."
            )
            % {"area": areas[area]["name"], "d": "+" + presenters.num(delta)}
        )
    if content["clusters"]:
        sentences.append(_("Kluster i tid och rum: %(n)s.") % {"n": len(content["clusters"])})
    if content["interventions_due"]:
        overdue = sum(1 for i in content["interventions_due"] if i["overdue"])
        sentences.append(
            _("Insatser som ska vara klara senast veckans slut: %(n)s, varav %(o)s försenade.")
            % {"n": len(content["interventions_due"]), "o": overdue}
        )
    return sentences


def _interventions_due(partnership, code: int) -> list[dict]:
    """Open interventions due by the end of the week (overdue ones marked)."""
    end = weeks.monday(code) + timedelta(days=6)
    return [
        {
            "id": i.pk,
            "title": i.title,
            "area": i.area_names,
            "responsible": i.responsible.name,
            "due_date": i.due_date.isoformat(),
            "overdue": i.due_date < weeks.monday(code),
        }
        for i in due_interventions(partnership, end)
    ]


def propose_level(series: dict, area_id: int, points: dict, scale: list[dict]) -> tuple[int, str]:
    """A level on the partnership's scale from the area's figures, with the reason."""
    own = [s for s in series.values() if s["area"] == area_id and s["group"]]
    deviations = [s for s in own if s["level"] == "avvikelse"]
    watch = [s for s in own if s["level"] == "bevaka"]
    rising = [s for s in own if s["rising"]]
    ratio = (points["points"] / points["mean8"]) if points.get("mean8") else None
    if len(deviations) >= 2 or (deviations and ratio and ratio >= 2):
        step, reason = 4, _("flera avvikelser eller avvikelse med dubbla poängen mot snittet")
    elif deviations or rising:
        step, reason = 3, _("avvikelse eller stadig ökning")
    elif watch or (ratio and ratio >= 1.25):
        step, reason = 2, _("något högre än vanligt (bevaka eller poäng över snittet)")
    else:
        step, reason = 1, _("inget utöver det vanliga")
    levels = [entry["level"] for entry in scale]
    index = round((step - 1) * (len(levels) - 1) / 3)
    return levels[index], reason


def _assessments(partnership, iso: str, results: dict, series: dict) -> dict:
    saved = {
        a.area_id: a
        for a in Assessment.objects.filter(
            partnership=partnership, period_kind=WEEK, period=iso
        ).select_related("updated_by")
    }
    points = {p["area"]: p for p in results["area_points"]}
    in_progress = not results.get("complete", True)
    out = {}
    for area in results["areas"]:
        if in_progress:
            # No flags yet: a proposal of "nothing unusual" would be a guess.
            proposed, reason = None, _("inget förslag förrän veckan är slut")
        else:
            proposed, reason = propose_level(
                series, area["id"], points[area["id"]], partnership.assessment_scale
            )
        entry = saved.get(area["id"])
        out[str(area["id"])] = {
            "level": entry.level if entry else None,
            "comment": entry.comment if entry else "",
            "proposed_level": proposed,
            "proposed_reason": reason,
            "by": entry.updated_by.get_full_name() if entry and entry.updated_by else "",
        }
    return out


@transaction.atomic
def save_assessment(
    *,
    actor,
    partnership,
    area: Area,
    iso: str,
    level: int | None,
    comment: str,
    period_kind: str = WEEK,
    scale: list[dict] | None = None,
    request=None,
) -> Assessment:
    """Record the group's judgement of an area for a period (coordinators decide): the
    state on the partnership's scale for a week, the possibility to influence for a
    periodic picture."""
    if area.partnership_id != partnership.pk:
        raise ValidationError(_("Området hör inte till samverkan."))
    validate_no_identity_numbers(comment)
    levels = [entry["level"] for entry in (scale or partnership.assessment_scale)]
    if level is not None and level not in levels:
        raise ValidationError({"level": _("Välj en nivå på skalan.")})
    assessment, _created = Assessment.objects.get_or_create(
        partnership=partnership, area=area, period_kind=period_kind, period=iso
    )
    old = (assessment.level, assessment.comment)
    assessment.level, assessment.comment, assessment.updated_by = level, comment.strip(), actor
    assessment.save()
    record(
        actor=actor,
        action="assessment.save",
        obj=assessment,
        partnership=partnership,
        request=request,
        summary=f"{area.name} {iso}",
        old=list(old),
        new=[level, assessment.comment],
    )
    return assessment


def approval_warnings(content: dict) -> list[str]:
    """What the coordinator must confirm, with a note, before approving: a period that is
    not over, and reports counted in the figures that nobody has reviewed yet."""
    warnings = []
    if content.get("in_progress"):
        if content["period_kind"] == WEEK:
            warnings.append(
                _(
                    "%(week)s är inte slut (dag %(d)s av 7): siffrorna kan ändras, och förväntat "
                    "antal och flaggor saknas."
                )
                % {
                    "week": presenters.week_label(content["period"]).capitalize(),
                    "d": content["days"],
                }
            )
        else:
            warnings.append(_("Perioden är inte slut: siffrorna kan ändras."))
    unreviewed = content.get("unreviewed", 0)
    if unreviewed and content.get("unreviewed_counted", True):
        warnings.append(
            ngettext(
                "%(n)s rapport i siffrorna är inte granskad än.",
                "%(n)s rapporter i siffrorna är inte granskade än.",
                unreviewed,
            )
            % {"n": unreviewed}
        )
    return warnings


@transaction.atomic
def approve_picture(
    *,
    actor,
    partnership,
    content: dict,
    change_note: str = "",
    confirmed: bool = False,
    request=None,
) -> Picture:
    """Freeze `content` as the next version of the period's approved picture.

    A picture with `approval_warnings` is approved only when the coordinator has confirmed
    them (`confirmed`) and written a note; both are frozen with the version."""
    period = content["period"]
    warnings = approval_warnings(content)
    if warnings and not (confirmed and change_note.strip()):
        raise ValidationError(
            {
                "change_note": _(
                    "Bekräfta att du vill godkänna trots varningarna och skriv en kommentar "
                    "om varför: %(w)s"
                )
                % {"w": " ".join(warnings)}
            }
        )
    previous = (
        Picture.objects.select_for_update()
        .filter(partnership=partnership, period_kind=content["period_kind"], period=period)
        .order_by("-version")
        .first()
    )
    if previous is not None and not change_note.strip():
        raise ValidationError(
            {
                "change_note": _(
                    "Bilden är redan godkänd. Skriv vad rättelsen gäller för att godkänna en "
                    "ny version."
                )
            }
        )
    frozen = dict(content, outlines=_outlines(partnership, content))
    if warnings:
        frozen["approval_warnings"] = warnings
        frozen["approval_note"] = change_note.strip()[:500]
    if previous is not None:
        frozen["changes_from_previous"] = differences(previous.content, content)
    picture = Picture.objects.create(
        partnership=partnership,
        period_kind=content["period_kind"],
        period=period,
        version=(previous.version + 1) if previous else 1,
        supersedes=previous,
        approved_by=actor,
        change_note=change_note.strip()[:500],
        content=frozen,
        approved_at=timezone.now(),
    )
    # The indicator values the version shows, kept apart from `content` (indicators.snapshot).
    indicator_snapshot.freeze(picture)
    record(
        actor=actor,
        action="picture.approve",
        obj=picture,
        partnership=partnership,
        request=request,
        summary=f"{period} v{picture.version}",
        incidents=len(content["incident_ids"]),
    )
    return picture


def approved_version(membership, period: str, version: int) -> Picture:
    """One approved version of a period's picture that `membership` may see, or 404.

    A period's text tells its kind ("2026-W47", "2026-Q3", "2026-T2", "2026"), so period and
    version name one picture."""
    picture = (
        scoped(Picture.objects.select_related("approved_by", "supersedes"), membership)
        .filter(period=period, version=version)
        .first()
    )
    if picture is None:
        raise Http404
    return picture


def latest_approved(partnership, iso: str) -> Picture | None:
    return (
        Picture.objects.filter(partnership=partnership, period_kind=WEEK, period=iso)
        .select_related("approved_by")
        .order_by("-version")
        .first()
    )


def approved_periods(partnership) -> list[dict]:
    """Every approved period with its newest version, newest period first."""
    rows = (
        Picture.objects.filter(partnership=partnership)
        .values("period_kind", "period")
        .annotate(version=Max("version"))
        .order_by("-period")
    )
    return list(rows)


def differences(old: dict, new: dict) -> list[str]:
    """What changed between two versions of a picture, in words."""
    lines = (
        _periodic_differences(old, new)
        if new["period_kind"] != WEEK
        else _weekly_differences(old, new)
    )
    removed = len(set(old["incident_ids"]) - set(new["incident_ids"]))
    added = len(set(new["incident_ids"]) - set(old["incident_ids"]))
    if removed or added:
        lines.append(
            _("Underlaget: %(a)s händelser tillkom, %(r)s föll bort.") % {"a": added, "r": removed}
        )
    return lines


def _periodic_differences(old: dict, new: dict) -> list[str]:
    lines = []
    before = {r["area"]: r for r in old["ranking"]}
    for r in new["ranking"]:
        was = before.get(r["area"])
        if was and (was["rank"], was["index"]) != (r["rank"], r["index"]):
            lines.append(
                _("%(a)s: rang %(r1)s → %(r2)s, index %(i1)s → %(i2)s.")
                % {
                    "a": r["name"],
                    "r1": was["rank"],
                    "r2": r["rank"],
                    "i1": presenters.num(was["index"]),
                    "i2": presenters.num(r["index"]),
                }
            )
        old_level = old["influence"].get(str(r["area"]), {}).get("level")
        new_level = new["influence"].get(str(r["area"]), {}).get("level")
        if old_level != new_level:
            lines.append(
                _("Påverkbarhet %(a)s: %(o)s → %(n)s.")
                % {"a": r["name"], "o": old_level or "–", "n": new_level or "–"}
            )
    return lines


def _weekly_differences(old: dict, new: dict) -> list[str]:
    lines = []
    names = {str(a["id"]): a["name"] for a in new["areas"]}
    groups = {str(g["id"]): g["name"] for g in new["groups"]}
    for key, s in new["series"].items():
        before = old["series"].get(key)
        area, group = key.split(":")
        if not area or not group:
            continue
        where = presenters.place_phrase(groups.get(group, ""), names.get(area, ""))
        if before is None:
            continue
        if before["observed"] != s["observed"]:
            lines.append(
                _("%(where)s: %(a)s → %(b)s händelser.")
                % {"where": where, "a": before["observed"], "b": s["observed"]}
            )
        if before["level"] != s["level"]:
            lines.append(
                _("%(where)s: flagga %(a)s → %(b)s.")
                % {
                    "where": where,
                    "a": presenters.level_word(before["level"]),
                    "b": presenters.level_word(s["level"]),
                }
            )
    was, now = (old.get("police") or {}).get("total"), (new.get("police") or {}).get("total")
    if was is not None and now is not None and was != now:
        lines.append(_("Polisens notiser: %(a)s → %(b)s.") % {"a": was, "b": now})
    for area_id, entry in new["assessments"].items():
        before = old.get("assessments", {}).get(area_id, {})
        if before.get("level") != entry["level"]:
            lines.append(
                _("Bedömning %(area)s: %(a)s → %(b)s.")
                % {
                    "area": names.get(area_id, area_id),
                    "a": before.get("level") or "–",
                    "b": entry["level"] or "–",
                }
            )
    return lines


def compare_weeks(current: dict, previous: dict) -> dict:
    """New, continuing and resolved deviations and the assessment changes between weeks."""

    def flagged(content):
        return {
            k
            for k, s in content["series"].items()
            if s["level"] == "avvikelse" and s["area"] and s["group"]
        }

    now, before = flagged(current), flagged(previous)
    worse, better = [], []
    for area_id, entry in current["assessments"].items():
        old = previous["assessments"].get(area_id, {}).get("level")
        if entry["level"] and old and entry["level"] != old:
            (worse if entry["level"] > old else better).append(area_id)
    return {
        "new": sorted(now - before),
        "continuing": sorted(now & before),
        "resolved": sorted(before - now),
        "worse": worse,
        "better": better,
    }


def _outlines(partnership, content: dict) -> dict[str, dict]:
    """The areas' outlines as they are now, frozen with an approved version: a later import
    that redraws an area must not redraw what the group saw and decided on."""
    ids = [a["id"] for a in content.get("areas", [])]
    ids += [r["area"] for r in content.get("ranking", [])]  # a periodic picture's areas
    rows = Area.objects.filter(partnership=partnership, pk__in=ids).values_list("pk", "geometry")
    return {str(pk): geometry for pk, geometry in rows}


def map_layers(membership, content: dict) -> dict:
    """GeoJSON-ready layers for the picture map: areas with the severity index, Gi* hot
    cells, space-time clusters and the week's incident points (ids from the content, so a
    version's map shows the incidents it counted, as far as the viewer may see them)."""
    index = content["area_points"]
    shading = presenters.choropleth(content)["values"]
    features = []
    # A version keeps its areas and outlines (`outlines`, frozen at approval; older versions
    # have none and show today's), even of areas deactivated or redrawn since.
    frozen = content.get("outlines", {})
    chosen = scoped_areas(membership, active_only=False).filter(
        pk__in=[a["id"] for a in content["areas"]]
    )
    for area in chosen:
        figures = index.get(str(area.pk), {})
        features.append(
            {
                "type": "Feature",
                "geometry": frozen.get(str(area.pk), area.geometry),
                "properties": {
                    "id": area.pk,
                    "name": area.name,
                    "url": reverse("pictures:area", args=[area.pk]),
                    "points": figures.get("points"),
                    "per_1000": figures.get("per_1000"),
                    "value": shading.get(str(area.pk)),  # what the map colours by
                    "level": content["assessments"].get(str(area.pk), {}).get("level"),
                },
            }
        )
    incidents = scoped(Incident.objects.all(), membership).filter(pk__in=content["incident_ids"])
    return {
        "period": content["period"],
        "in_progress": content.get("in_progress", False),
        "areas": {"type": "FeatureCollection", "features": features},
        "hotspots": content["hotspots"],
        "clusters": content["clusters"],
        "points": map_points(incidents, 20000),
    }
