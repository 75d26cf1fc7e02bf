"""The evaluation of an intervention: assemble weekly counts, call `analysis.evaluation`, store.

Nothing here computes a statistic: the difference-in-differences (with its pre-trend check,
event study and placebo p-value) and the WDQ of the displacement buffer come from the
reference-tested functions in `analysis/evaluation/`. This module chooses the data they get
(the target areas, whose counts are summed into one treated unit, the comparison areas,
the buffer around their union, the periods and the targeted categories) and stores their
figures as plain JSON, so a closed intervention's verdict is frozen like an approved picture.
Words are made from the stored figures by `presenters`.
"""

import logging
import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import shapely
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from shapely.geometry import shape

from analysis.evaluation import ESTIMATE, difference_in_differences, wdq
from lagesbild.audit.record import record
from lagesbild.geography.geometry import geometry_to_sweref
from lagesbild.geography.models import Area
from lagesbild.incidents import weeks
from lagesbild.incidents.models import Category, Incident
from lagesbild.incidents.queries import COUNTED
from lagesbild.interventions import constants
from lagesbild.interventions.models import Evaluation, EvaluationRequest, Intervention

log = logging.getLogger(__name__)

# The minimums the app asks of the engine (its defaults, named here so the Swedish "too few
# data" sentences can quote them).
MIN_EVENTS = 10
MIN_EXPECTED_AFTER = 5.0
MIN_COMPARISON_UNITS = 3
EVENT_BIN_WEEKS = 4


@dataclass(frozen=True)
class Periods:
    """ISO week codes: the before period ends the week before the start week; the after
    period runs from the start week."""

    before_first: int
    before_last: int
    after_first: int
    after_last: int | None  # None: no complete week after the start yet

    def codes(self) -> list[int]:
        last = self.after_last if self.after_last is not None else self.before_last
        return week_range(self.before_first, last)


def week_range(first: int, last: int) -> list[int]:
    codes, code = [], first
    while code <= last:
        codes.append(code)
        code = weeks.shift(code, 1)
    return codes


def periods(intervention: Intervention, today: date | None = None) -> Periods:
    """Before: `weeks_before` weeks up to the start. After: from the start week to the end
    date (or the last complete week while it runs), at most `weeks_after` (default 52)."""
    today = today or timezone.localdate()
    start = weeks.week_of_date(intervention.start_date or intervention.created_at.date())
    last_complete = weeks.shift(weeks.week_of_date(today), -1)
    end = weeks.week_of_date(intervention.end_date) if intervention.end_date else last_complete
    length = intervention.weeks_after or constants.MAX_WEEKS_AFTER
    after_last = min(end, last_complete, weeks.shift(start, length - 1))
    return Periods(
        before_first=weeks.shift(start, -intervention.weeks_before),
        before_last=weeks.shift(start, -1),
        after_first=start,
        after_last=after_last if after_last >= start else None,
    )


def targeted_categories(intervention: Intervention) -> list[int]:
    """Ids of the categories counted: the chosen ones and every category inside a chosen
    group; with none chosen, every category that counts in the index (weight above 0)."""
    chosen = list(intervention.categories.all())
    partnership = intervention.partnership_id
    if not chosen:
        return list(
            Category.objects.filter(partnership=partnership, weight__gt=0).values_list(
                "id", flat=True
            )
        )
    ids = {c.pk for c in chosen}
    ids |= set(
        Category.objects.filter(partnership=partnership, parent__in=ids).values_list(
            "id", flat=True
        )
    )
    return sorted(ids)


def candidate_areas(intervention: Intervention) -> list[Area]:
    """The partnership's active leaf areas: the units an evaluation can compare."""
    return list(
        Area.objects.filter(partnership=intervention.partnership_id, active=True)
        .exclude(children__active=True)
        .distinct()
        .order_by("name")
    )


def target_ids(intervention: Intervention) -> list[int]:
    """Ids of the intervention's target areas, in id order (the treated unit's rows)."""
    return sorted(a.pk for a in intervention.areas.all())


def neighbours(intervention: Intervention, areas: list[Area]) -> list[Area]:
    """Areas within `BUFFER_METRES` of the target areas' union (in SWEREF 99 TM), the
    target areas themselves left out: the default buffer ring for displacement and
    diffusion."""
    targets = list(intervention.areas.all())
    union = shapely.union_all([geometry_to_sweref(shape(a.geometry)) for a in targets])
    ring = shapely.buffer(union, constants.BUFFER_METRES)
    own = {a.pk for a in targets}
    return [
        a
        for a in areas
        if a.pk not in own and ring.intersects(geometry_to_sweref(shape(a.geometry)))
    ]


def buffer_areas(intervention: Intervention, areas: list[Area]) -> list[Area]:
    if intervention.buffer_chosen:
        return list(intervention.buffer_areas.all().order_by("name"))
    return neighbours(intervention, areas)


def weekly_counts(
    partnership_id: int, area_ids: list[int], category_ids: list[int], codes: list[int]
) -> np.ndarray:
    """Counted incidents of the categories, areas x weeks."""
    counts = np.zeros((len(area_ids), len(codes)))
    if not codes or not area_ids:
        return counts
    row = {a: i for i, a in enumerate(area_ids)}
    column = {c: j for j, c in enumerate(codes)}
    cells = (
        Incident.objects.filter(
            partnership=partnership_id,
            status__in=COUNTED,
            area__in=area_ids,
            category__in=category_ids,
            iso_week__gte=codes[0],
            iso_week__lte=codes[-1],
        )
        .values("area", "iso_week")
        .annotate(n=Count("id"))
    )
    for cell in cells:
        counts[row[cell["area"]], column[cell["iso_week"]]] = cell["n"]
    return counts


def group_counts(partnership_id: int, area_ids: list[int], first: int, last: int) -> np.ndarray:
    """Counted incidents per category group in the weeks, areas x groups."""
    groups = {
        c["id"]: c["parent"] or c["id"]
        for c in Category.objects.filter(partnership=partnership_id).values("id", "parent")
    }
    group_ids = sorted(set(groups.values()))
    column = {g: j for j, g in enumerate(group_ids)}
    row = {a: i for i, a in enumerate(area_ids)}
    mix = np.zeros((len(area_ids), len(group_ids)))
    cells = (
        Incident.objects.filter(
            partnership=partnership_id,
            status__in=COUNTED,
            area__in=area_ids,
            iso_week__gte=first,
            iso_week__lte=last,
        )
        .values("area", "category")
        .annotate(n=Count("id"))
    )
    for cell in cells:
        mix[row[cell["area"]], column[groups[cell["category"]]]] += cell["n"]
    return mix


def shares(mix: np.ndarray) -> np.ndarray:
    """Each row's share per category group (a row of zeros stays zeros)."""
    totals = mix.sum(axis=1, keepdims=True)
    return np.divide(mix, totals, out=np.zeros_like(mix), where=totals > 0)


def summed_counts(
    partnership_id: int, units: list[list[int]], category_ids: list[int], codes: list[int]
) -> np.ndarray:
    """Counted incidents of the categories, units x weeks, where a unit is a list of areas
    whose counts are summed (the target areas are one unit, each comparison area another)."""
    flat = [pk for unit in units for pk in unit]
    counts = weekly_counts(partnership_id, flat, category_ids, codes)
    bounds = np.cumsum([0, *(len(unit) for unit in units)])
    return np.array(
        [counts[bounds[i] : bounds[i + 1]].sum(axis=0) for i in range(len(units))]
    ).reshape(len(units), len(codes))


def _log_trend(series: np.ndarray) -> float:
    """Relative change per week: the slope of log(count + 0.5) on the week number."""
    if len(series) < 2:
        return 0.0
    x = np.arange(len(series), dtype=float)
    return float(np.polyfit(x, np.log(series + 0.5), 1)[0])


def propose_comparisons(
    target_series: np.ndarray,
    target_mix: np.ndarray,
    candidates: list[Area],
    series: np.ndarray,
    mixes: np.ndarray,
    limit: int = constants.PROPOSED_COMPARISONS,
) -> list[dict]:
    """The candidates most like the target before the start, with the figures that say why.

    Similarity is the sum of three distances: level (|log| of the ratio of weekly means),
    trend (difference of the weekly log-linear slopes, times 10 so that 1 % a week weighs
    like a 10 % level difference) and category mix (total variation distance of the shares
    per category group). Areas without any targeted incident before the start are left out:
    they cannot show a change."""
    level_t, trend_t = float(target_series.mean()), _log_trend(target_series)
    proposals = []
    for k, area in enumerate(candidates):
        if series[k].sum() == 0:
            continue
        level = float(series[k].mean())
        trend = _log_trend(series[k])
        mix_similarity = 1 - 0.5 * float(np.abs(mixes[k] - target_mix).sum())
        distance = (
            abs(math.log((level + 0.5) / (level_t + 0.5)))
            + 10 * abs(trend - trend_t)
            + (1 - mix_similarity)
        )
        proposals.append(
            {
                "id": area.pk,
                "name": area.name,
                "level": level,
                "target_level": level_t,
                "trend": trend,
                "target_trend": trend_t,
                "mix_similarity": mix_similarity,
                "distance": distance,
            }
        )
    proposals.sort(key=lambda p: (p["distance"], p["name"]))
    return proposals[:limit]


def _number(value) -> float | None:
    """JSON has no NaN: a figure the engine could not give is stored as None."""
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def _numbers(values) -> list[float | None]:
    return [_number(v) for v in values]


def _did_json(result) -> dict:
    study = result.event_study
    trend = result.pre_trend
    return {
        "verdict": result.verdict,
        "reason_code": result.reason_code,
        "reason": result.reason,
        "irr": _number(result.irr),
        "ci_low": _number(result.ci_low),
        "ci_high": _number(result.ci_high),
        "p_value": _number(result.p_value),
        "level": result.level,
        "model": result.model,
        "model_note": result.model_note,
        "estimate_note": result.estimate_note,
        "placebo_p": _number(result.placebo_p),
        "treated_before": result.treated_before,
        "treated_after": result.treated_after,
        "comparison_before": result.comparison_before,
        "comparison_after": result.comparison_after,
        "n_comparison": result.n_comparison,
        "pre_trend": None
        if trend is None
        else {
            "ratio_per_period": _number(trend.ratio_per_period),
            "ci_low": _number(trend.ci_low),
            "ci_high": _number(trend.ci_high),
            "p_value": _number(trend.p_value),
        },
        "event_study": None
        if study is None
        else {
            "bins": [int(b) for b in study.bins],
            "ratio": _numbers(study.ratio),
            "ci_low": _numbers(study.ci_low),
            "ci_high": _numbers(study.ci_high),
            "estimable": [bool(e) for e in study.estimable],
            "bin_size": study.bin_size,
        },
    }


def _wdq_json(result) -> dict:
    return {
        "verdict": result.verdict,
        "reason_code": result.reason_code,
        "reason": result.reason,
        "wdq": _number(result.wdq),
        "ci_low": _number(result.ci_low),
        "ci_high": _number(result.ci_high),
        "success_measure": _number(result.success_measure),
        "displacement_measure": _number(result.displacement_measure),
        "stability": result.stability,
        "reading": result.reading,
    }


def evaluate(intervention: Intervention, today: date | None = None) -> dict:
    """Every figure of the intervention's evaluation as JSON-ready data (not stored)."""
    span = periods(intervention, today)
    category_ids = targeted_categories(intervention)
    areas = candidate_areas(intervention)
    buffer = buffer_areas(intervention, areas)
    buffer_ids = {a.pk for a in buffer}
    targets = target_ids(intervention)
    k = len(targets)
    partnership = intervention.partnership_id
    before_codes = week_range(span.before_first, span.before_last)
    others = [a for a in areas if a.pk not in targets and a.pk not in buffer_ids]
    units_before = targets + [a.pk for a in others]
    pre = weekly_counts(partnership, units_before, category_ids, before_codes)
    mixes = group_counts(partnership, units_before, span.before_first, span.before_last)
    proposal = propose_comparisons(
        pre[:k].sum(axis=0),
        shares(mixes[:k].sum(axis=0, keepdims=True))[0],
        others,
        pre[k:],
        shares(mixes[k:]),
    )
    chosen = list(intervention.comparison_areas.all().order_by("name"))
    comparison_ids = [a.pk for a in chosen] if chosen else [p["id"] for p in proposal]
    names = {a.pk: a.name for a in areas} | {a.pk: a.name for a in chosen}
    result = {
        "computed_at": timezone.now().isoformat(),
        "target": {"ids": targets, "name": intervention.area_names},
        "categories": [c.name for c in intervention.categories.all()],
        "comparison": [{"id": pk, "name": names.get(pk, "")} for pk in comparison_ids],
        "comparison_chosen": bool(chosen),
        "proposal": proposal,
        "buffer": [{"id": a.pk, "name": a.name} for a in buffer],
        "buffer_chosen": intervention.buffer_chosen,
        "periods": {
            "before": [weeks.iso(span.before_first), weeks.iso(span.before_last)],
            "after": [weeks.iso(span.after_first), weeks.iso(span.after_last)]
            if span.after_last is not None
            else None,
        },
    }
    codes = span.codes()
    units = [targets, *([pk] for pk in comparison_ids)]
    counts = summed_counts(partnership, units, category_ids, codes)
    post = np.array([code >= span.after_first for code in codes])
    treated = np.zeros(len(units), dtype=bool)
    treated[0] = True
    did = difference_in_differences(
        counts,
        treated,
        post,
        min_events=MIN_EVENTS,
        min_expected_after=MIN_EXPECTED_AFTER,
        min_comparison_units=MIN_COMPARISON_UNITS,
        event_bin_size=EVENT_BIN_WEEKS,
    )
    result["did"] = _did_json(did)
    result["series"] = {
        "weeks": [weeks.iso(c) for c in codes],
        "target": [int(v) for v in counts[0]],
        "comparison_mean": _numbers(counts[1:].mean(axis=0)) if len(units) > 1 else [],
        "start_index": int(np.argmax(post)) if post.any() else None,
    }
    result["wdq"] = None
    if buffer and span.after_last is not None and comparison_ids:
        buffered = weekly_counts(partnership, sorted(buffer_ids), category_ids, codes).sum(axis=0)
        control = counts[1:].sum(axis=0)
        result["wdq"] = _wdq_json(
            wdq(
                (counts[0][~post].sum(), counts[0][post].sum()),
                (buffered[~post].sum(), buffered[post].sum()),
                (control[~post].sum(), control[post].sum()),
                min_events=MIN_EVENTS,
            )
        )
    result["verdict"] = did.verdict
    return result


def latest(intervention: Intervention) -> Evaluation | None:
    return intervention.evaluations.order_by("-version").first()


@transaction.atomic
def store_evaluation(*, actor, intervention: Intervention, request=None) -> Evaluation:
    """Compute and store the next version of the intervention's evaluation."""
    Intervention.objects.select_for_update().filter(pk=intervention.pk).first()
    result = evaluate(intervention)
    version = (intervention.evaluations.aggregate(v=Max("version"))["v"] or 0) + 1
    evaluation = Evaluation.objects.create(
        partnership_id=intervention.partnership_id,
        intervention=intervention,
        version=version,
        computed_at=timezone.now(),
        computed_by=actor,
        verdict=result["verdict"],
        result=result,
    )
    record(
        actor=actor,
        action="intervention.evaluate",
        obj=intervention,
        partnership=intervention.partnership,
        request=request,
        summary=f"{intervention.title} v{version}",
        verdict=result["verdict"],
    )
    return evaluation


def pending_request(intervention: Intervention) -> EvaluationRequest | None:
    """The queued or running computation of the intervention's evaluation, if one is on its
    way; one older than the analysis queue's limit (`ANALYSIS_QUEUE_SECONDS`) was lost with
    its worker and no longer counts, so the page offers to compute again."""
    since = timezone.now() - timedelta(seconds=settings.ANALYSIS_QUEUE_SECONDS)
    return (
        intervention.evaluation_requests.filter(
            status__in=(EvaluationRequest.Status.QUEUED, EvaluationRequest.Status.RUNNING),
            requested_at__gt=since,
        )
        .order_by("-requested_at")
        .first()
    )


def request_evaluation(*, actor, intervention: Intervention) -> EvaluationRequest:
    """Queue the computation of the intervention's next evaluation version for the
    background worker (after the caller's transaction commits); one already on its way is
    returned instead of queueing a second."""
    with transaction.atomic():
        Intervention.objects.select_for_update().filter(pk=intervention.pk).first()
        pending = pending_request(intervention)
        if pending is not None:
            return pending
        queued = EvaluationRequest.objects.create(
            partnership_id=intervention.partnership_id,
            intervention=intervention,
            requested_by=actor,
        )
        transaction.on_commit(lambda: _enqueue(queued.pk))
    return queued


def _enqueue(request_id: int) -> None:
    from lagesbild.interventions.tasks import compute_evaluation

    compute_evaluation.enqueue(request_id)


def run_request(request_id: int) -> EvaluationRequest | None:
    """Compute and store the requested evaluation (the worker's task). The request is
    claimed with a conditional update, so two workers never compute it twice; a failure is
    kept on the request and shown on the page."""
    claimed = EvaluationRequest.objects.filter(
        pk=request_id, status=EvaluationRequest.Status.QUEUED
    ).update(status=EvaluationRequest.Status.RUNNING)
    if not claimed:
        return None
    queued = EvaluationRequest.objects.select_related(
        "intervention__partnership", "requested_by"
    ).get(pk=request_id)
    try:
        stored = store_evaluation(actor=queued.requested_by, intervention=queued.intervention)
    except Exception as exc:
        log.exception("evaluation request %s failed", request_id)
        queued.status, queued.error = EvaluationRequest.Status.FAILED, repr(exc)[:2000]
    else:
        queued.status, queued.evaluation = EvaluationRequest.Status.DONE, stored
    queued.finished_at = timezone.now()
    queued.save(update_fields=["status", "error", "evaluation", "finished_at"])
    return queued


def is_estimate(result: dict) -> bool:
    return result["did"]["verdict"] == ESTIMATE
