"""Difference-in-differences on counts: did the treated areas change more than comparable ones?

A negative-binomial GLM (statsmodels) with unit and period fixed effects and a treated x post
term. exp(coefficient) is the incidence-rate ratio (IRR): the treated areas' rate after the
start relative to what the comparison areas' change predicts. The result carries the IRR with
its confidence interval and p-value, the pre-period trends (event-study estimates per period
bin and a differential linear pre-trend), and, when there are few comparison units, a placebo
p-value from reassigning "treated" to the comparison units (Fisher's randomisation idea).
"""

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy import optimize, stats

from analysis.evaluation import count_models
from analysis.evaluation.count_models import NEGATIVE_BINOMIAL, CountModel, FitFailed, Panel
from analysis.evaluation.verdict import TOO_FEW_DATA, Requirement, Verdict, judge

MODEL_DID_NOT_FIT = "model_did_not_fit"


@dataclass(frozen=True)
class EventStudy:
    """Treated-vs-comparison rate ratios per bin of periods, relative to the last pre bin.

    ``bins`` are relative bin numbers: -1 is the reference (the last ``bin_size`` periods
    before the start), 0 the first bin after the start. Pre bins far from 1 mean the groups
    were not on parallel paths before the intervention. A bin in which the treated units
    have no events has ratio 0 and no interval (``estimable`` is False there).
    """

    bins: np.ndarray
    ratio: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    p_value: np.ndarray
    estimable: np.ndarray
    treated_events: np.ndarray
    comparison_events: np.ndarray
    bin_size: int


@dataclass(frozen=True)
class PreTrend:
    """Differential linear trend of the treated units before the start (ratio per period).

    A ratio near 1 with a p-value that is not small means no sign of diverging trends.
    """

    ratio_per_period: float
    ci_low: float
    ci_high: float
    p_value: float


@dataclass(frozen=True)
class DidResult:
    """The DiD estimate, or a "too few data" verdict with NaN in every figure.

    ``irr`` below 1 means fewer events in the treated units than the comparison units'
    change predicts. ``model`` is the count model used and ``model_note`` says why when it
    is not the negative binomial. ``estimate_note`` explains an IRR of 0 (no treated events
    after the start; the upper limit then comes from the profile likelihood).
    ``dispersion`` is the NB alpha (variance mu + alpha mu^2) and ``variance_scale`` the
    factor on the model variance behind the interval (Pearson dispersion when above 1, or
    the quasi-Poisson scale).
    ``placebo_p`` is NaN when not computed (enough comparison units for the model interval).
    ``event_study`` is None when the treated units have no events in the reference bin or
    the model cannot be fitted per bin; ``pre_trend`` is None with fewer than 3 periods
    before the start or when its model cannot be fitted.
    """

    verdict: str
    reason_code: str
    reason: str
    irr: float
    ci_low: float
    ci_high: float
    p_value: float
    level: float
    model: str
    model_note_code: str
    model_note: str
    dispersion: float
    variance_scale: float
    estimate_note: str
    placebo_p: float
    placebo_irrs: np.ndarray
    event_study: EventStudy | None
    pre_trend: PreTrend | None
    treated_before: float
    treated_after: float
    comparison_before: float
    comparison_after: float
    n_treated: int
    n_comparison: int
    dropped_units: int
    dropped_periods: int


def difference_in_differences(
    counts: np.ndarray,
    treated: np.ndarray,
    post: np.ndarray,
    *,
    exposure: np.ndarray | None = None,
    model: str = NEGATIVE_BINOMIAL,
    level: float = 0.95,
    min_events: int = 10,
    min_expected_after: float = 5.0,
    min_comparison_units: int = 3,
    placebo_if_fewer_than: int = 20,
    max_placebo_assignments: int = 199,
    event_bin_size: int = 1,
    seed: int = 0,
) -> DidResult:
    """Estimate an intervention's incidence-rate ratio by difference-in-differences.

    ``counts`` is units x periods (whole numbers), ``treated`` a boolean per unit and
    ``post`` a boolean per period: True from the start of the intervention on (periods
    after the start must come after every period before it; drop an implementation gap
    before calling). ``exposure`` (population) is per unit or per unit and period; a
    constant population is absorbed by the unit effect, so it matters only when it changes
    over time. ``model`` is "negative_binomial" (default), "poisson" or "quasi_poisson".

    The verdict is "too few data" with fewer than ``min_comparison_units`` comparison
    units, fewer than ``min_events`` events before in the treated units or before or after
    in the comparison units, or fewer than ``min_expected_after`` treated events expected
    after the start if nothing changed (then not even a large drop could be seen).
    """
    counts, treated, post, offset = _validated(counts, treated, post, exposure)
    totals = _group_totals(counts, treated, post)
    verdict = judge(
        _requirements(treated, post, totals, min_events, min_expected_after, min_comparison_units)
    )
    if not verdict.ok:
        return _too_few(verdict, level, totals, treated)

    panel = _long_panel(counts, offset).without_empty()
    exposed = treated[panel.unit] & post[panel.period]
    try:
        fitted_model, effect = _effect(panel, exposed, model, level)
    except FitFailed as error:
        reason = f"the count model cannot be fitted to these data ({error})"
        return _too_few(Verdict(TOO_FEW_DATA, MODEL_DID_NOT_FIT, reason), level, totals, treated)
    start = int(np.argmax(post))
    placebo_p, placebo_irrs = np.nan, np.empty(0)
    if (~treated).sum() < placebo_if_fewer_than:
        placebo_p, placebo_irrs = _placebo(
            panel, treated, post, fitted_model, effect.irr, max_placebo_assignments, seed
        )
    return DidResult(
        verdict=verdict.verdict,
        reason_code="",
        reason="",
        irr=effect.irr,
        ci_low=effect.ci_low,
        ci_high=effect.ci_high,
        p_value=effect.p_value,
        level=level,
        model=fitted_model.name,
        model_note_code=fitted_model.note_code,
        model_note=fitted_model.note,
        dispersion=fitted_model.alpha,
        variance_scale=effect.variance_scale,
        estimate_note=effect.note,
        placebo_p=placebo_p,
        placebo_irrs=placebo_irrs,
        event_study=_event_study(panel, treated, start, fitted_model, level, event_bin_size),
        pre_trend=_pre_trend(panel, treated, start, fitted_model, level),
        **totals,
        n_treated=int(treated.sum()),
        n_comparison=int((~treated).sum()),
        dropped_units=counts.shape[0] - len(np.unique(panel.unit)),
        dropped_periods=counts.shape[1] - len(np.unique(panel.period)),
    )


def _validated(counts, treated, post, exposure):
    counts = np.asarray(counts, dtype=float)
    treated = np.asarray(treated, dtype=bool)
    post = np.asarray(post, dtype=bool)
    if counts.ndim != 2 or treated.shape != counts.shape[:1] or post.shape != counts.shape[1:]:
        raise ValueError("counts must be units x periods, treated per unit, post per period")
    if not np.all(np.isfinite(counts)) or np.any(counts < 0) or np.any(counts != np.round(counts)):
        raise ValueError("counts must be finite non-negative whole numbers")
    if np.any(np.diff(post.astype(int)) < 0):
        raise ValueError("every period after the start must come after every period before it")
    if exposure is None:
        return counts, treated, post, np.zeros_like(counts)
    exposure = np.broadcast_to(
        np.asarray(exposure, dtype=float).reshape(counts.shape[0], -1), counts.shape
    )
    if not np.all(np.isfinite(exposure)) or np.any(exposure <= 0):
        raise ValueError("exposure must be finite and positive")
    return counts, treated, post, np.log(exposure)


def _group_totals(counts, treated, post) -> dict[str, float]:
    def total(units, periods):
        return float(counts[np.ix_(units, periods)].sum())

    return {
        "treated_before": total(treated, ~post),
        "treated_after": total(treated, post),
        "comparison_before": total(~treated, ~post),
        "comparison_after": total(~treated, post),
    }


def _requirements(
    treated, post, totals, min_events, min_expected_after, min_comparison_units
) -> list[Requirement]:
    comparison_ratio = (
        totals["comparison_after"] / totals["comparison_before"]
        if totals["comparison_before"] > 0
        else 0.0
    )
    return [
        Requirement("treated_units", treated.sum(), 1, "treated units"),
        Requirement("comparison_units", (~treated).sum(), min_comparison_units, "comparison units"),
        Requirement("periods_before", (~post).sum(), 1, "periods before the start"),
        Requirement("periods_after", post.sum(), 1, "periods after the start"),
        Requirement(
            "treated_events_before",
            totals["treated_before"],
            min_events,
            "events in the treated units before",
        ),
        Requirement(
            "comparison_events_before",
            totals["comparison_before"],
            min_events,
            "events in the comparison units before",
        ),
        Requirement(
            "comparison_events_after",
            totals["comparison_after"],
            min_events,
            "events in the comparison units after",
        ),
        Requirement(
            "expected_treated_events_after",
            round(totals["treated_before"] * comparison_ratio, 1),
            min_expected_after,
            "events expected in the treated units after if nothing changed",
        ),
    ]


def _too_few(verdict, level, totals, treated) -> DidResult:
    nan = float("nan")
    return DidResult(
        verdict=verdict.verdict,
        reason_code=verdict.reason_code,
        reason=verdict.reason,
        irr=nan,
        ci_low=nan,
        ci_high=nan,
        p_value=nan,
        level=level,
        model="",
        model_note_code="",
        model_note="",
        dispersion=nan,
        variance_scale=nan,
        estimate_note="",
        placebo_p=nan,
        placebo_irrs=np.empty(0),
        event_study=None,
        pre_trend=None,
        **totals,
        n_treated=int(treated.sum()),
        n_comparison=int((~treated).sum()),
        dropped_units=0,
        dropped_periods=0,
    )


def _long_panel(counts: np.ndarray, offset: np.ndarray) -> Panel:
    units, periods = np.indices(counts.shape)
    return Panel(counts.ravel(), units.ravel(), periods.ravel(), offset.ravel())


@dataclass(frozen=True)
class _Effect:
    irr: float
    ci_low: float
    ci_high: float
    p_value: float
    variance_scale: float
    note: str = ""


def _effect(panel: Panel, exposed: np.ndarray, requested: str, level: float):
    """The count model and the effect of the treated x post term."""
    if panel.y[exposed].sum() == 0:
        return _zero_effect(panel, exposed, requested, level)
    design = count_models.fixed_effects_design(panel, exposed.astype(float))
    model, results = count_models.choose_and_fit(panel, design, requested)
    irr, low, high, p_value = (
        float(value[0]) for value in count_models.wald(results, model, 1, level)
    )
    return model, _Effect(irr, low, high, p_value, count_models.variance_scale(results, model))


def _zero_effect(panel: Panel, exposed: np.ndarray, requested: str, level: float):
    """IRR 0 when the treated units have no events after the start.

    The maximum-likelihood log-IRR is minus infinity, so a Wald interval does not exist.
    The fit without the treated-after cells is that limit; the upper limit is where the
    profile likelihood ratio reaches its chi-squared critical value, and the p-value is the
    likelihood-ratio test of IRR = 1.
    """
    limit_panel = panel.subset(~exposed)
    model, limit = count_models.choose_and_fit(
        limit_panel, count_models.fixed_effects_design(limit_panel), requested
    )
    design = count_models.fixed_effects_design(panel)
    scale = count_models.variance_scale(limit, model)

    def ratio_statistic(log_irr: float) -> float:
        shifted = Panel(panel.y, panel.unit, panel.period, panel.offset + log_irr * exposed)
        profile = count_models.fit(shifted, design, model, start=limit.params)
        return 2 * (limit.llf - profile.llf) / scale

    critical = stats.chi2.ppf(level, 1)
    high = 0.0
    while ratio_statistic(high) < critical:
        high += 1.0
    upper = optimize.brentq(lambda b: ratio_statistic(b) - critical, -30.0, high, xtol=1e-8)
    p_value = float(stats.chi2.sf(ratio_statistic(0.0), 1))
    note = (
        "No events in the treated units after the start: the rate ratio is 0 and its upper "
        "limit comes from the profile likelihood."
    )
    return model, _Effect(0.0, 0.0, float(np.exp(upper)), p_value, scale, note)


def _log_irr(panel: Panel, exposed: np.ndarray, model: CountModel, start: np.ndarray) -> float:
    """Log IRR of one assignment; NaN when the model cannot be fitted to it."""
    if panel.y[exposed].sum() == 0:
        return -np.inf
    design = count_models.fixed_effects_design(panel, exposed.astype(float))
    try:
        return float(count_models.fit(panel, design, model, start=start).params[-1])
    except FitFailed:
        return np.nan


def _placebo(panel, treated, post, model, irr, max_assignments, seed):
    """Share of reassignments of "treated" with an effect at least as large as the real one.

    Every other set of as many units as were treated (all of them when there are at most
    ``max_assignments``, else a seeded random sample) is treated in turn, with the same
    model and dispersion; the real assignment counts among them, so p >= 1/(1 + count).
    An assignment the model cannot be fitted to counts as at least as large (conservative).
    """
    units = np.unique(panel.unit)
    actual = frozenset(units[treated[units]].tolist())
    assignments = _assignments(units, actual, max_assignments, np.random.default_rng(seed))
    in_post = post[panel.period]
    # Every reassignment starts from the no-effect fit, which is where the null puts it.
    no_effect = count_models.fit(panel, count_models.fixed_effects_design(panel), model)
    start = np.append(no_effect.params, 0.0)
    log_irrs = np.array(
        [
            _log_irr(panel, np.isin(panel.unit, list(chosen)) & in_post, model, start)
            for chosen in assignments
        ]
    )
    observed = abs(math.log(irr)) if irr > 0 else np.inf
    as_large = np.sum(~(np.abs(log_irrs) < observed * (1 - 1e-9)))
    return float((1 + as_large) / (1 + len(assignments))), np.exp(log_irrs)


def _assignments(units, actual, max_assignments, rng) -> list[frozenset]:
    k = len(actual)
    if math.comb(len(units), k) - 1 <= max_assignments:
        every = (frozenset(c) for c in combinations(units.tolist(), k))
        return [chosen for chosen in every if chosen != actual]
    seen, chosen_sets = {actual}, []
    while len(chosen_sets) < max_assignments:
        chosen = frozenset(rng.choice(units, k, replace=False).tolist())
        if chosen not in seen:
            seen.add(chosen)
            chosen_sets.append(chosen)
    return chosen_sets


def _relative_bins(periods: np.ndarray, start: int, size: int) -> np.ndarray:
    """Bin number of each period: -1 for the last ``size`` periods before the start, 0 after."""
    return np.where(
        periods < start, -((start - 1 - periods) // size) - 1, (periods - start) // size
    )


def _event_study(panel, treated, start, model, level, bin_size) -> EventStudy | None:
    bins = _relative_bins(panel.period, start, bin_size)
    in_treated = treated[panel.unit]
    labels = np.unique(bins)
    treated_events = np.array([panel.y[in_treated & (bins == b)].sum() for b in labels])
    comparison_events = np.array([panel.y[~in_treated & (bins == b)].sum() for b in labels])
    reference = labels == -1
    if treated_events[reference].sum() == 0:
        return None
    estimable = treated_events > 0
    # Treated cells of an empty bin would push that bin's coefficient to minus infinity;
    # leaving them out is that limit and keeps the other estimates exact.
    fitted = panel.subset(~(in_treated & np.isin(bins, labels[~estimable]))).without_empty()
    fitted_bins = _relative_bins(fitted.period, start, bin_size)
    fitted_treated = treated[fitted.unit]
    estimated = labels[estimable & ~reference]
    columns = [(fitted_treated & (fitted_bins == b)).astype(float) for b in estimated]
    try:
        results = count_models.fit(
            fitted, count_models.fixed_effects_design(fitted, *columns), model
        )
    except FitFailed:
        return None
    ratio = np.where(reference, 1.0, 0.0)
    ci_low, ci_high, p_value = (np.full(len(labels), np.nan) for _ in range(3))
    where = np.isin(labels, estimated)
    if where.any():
        summary = count_models.wald(results, model, int(where.sum()), level)
        ratio[where], ci_low[where], ci_high[where], p_value[where] = summary
    return EventStudy(
        labels,
        ratio,
        ci_low,
        ci_high,
        p_value,
        estimable,
        treated_events,
        comparison_events,
        bin_size,
    )


def _pre_trend(panel, treated, start, model, level, min_periods: int = 3) -> PreTrend | None:
    before = panel.subset(panel.period < start).without_empty()
    if len(np.unique(before.period)) < min_periods:
        return None
    slope = treated[before.unit] * (before.period - (start - 1.0))
    try:
        results = count_models.fit(before, count_models.fixed_effects_design(before, slope), model)
    except FitFailed:
        return None
    return PreTrend(*(float(value[0]) for value in count_models.wald(results, model, 1, level)))
