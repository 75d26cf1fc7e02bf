"""Single-area tests: the weighted displacement difference and the weighted displacement quotient.

WDD (Wheeler & Ratcliffe 2018) is a difference-in-differences on raw counts for one treated
area and one control area, with the Poisson variance (the sum of the counts) and optional
displacement areas and time and area weights. It answers "how many events fewer than the
control area's change predicts", with a standard error.

WDQ (Bowers & Johnson 2003) is a descriptive ratio: the buffer zone's change relative to the
treated area's change, both measured against the control area. It says whether the problem
moved next door (displacement, WDQ < 0) or the benefit spread (diffusion, WDQ > 0).
"""

from dataclasses import dataclass

import numpy as np
from scipy import stats

from analysis.evaluation.verdict import Requirement, Verdict, judge

NO_DISPLACEMENT_AREA = (0, 0)


@dataclass(frozen=True)
class WddResult:
    """A WDD estimate (events per unit time and area) or a "too few data" verdict.

    ``estimate`` and ``se`` are the total over the treated and displacement areas; negative
    means fewer events than the control area's change predicts. The interval tuples are
    (low, high) on the normal approximation.
    """

    verdict: str
    reason_code: str
    reason: str
    estimate_local: float
    se_local: float
    estimate_displacement: float
    se_displacement: float
    estimate: float
    se: float
    z: float
    p_value: float
    ci90: tuple[float, float]
    ci95: tuple[float, float]


def wdd(
    treated: tuple[float, float],
    control: tuple[float, float],
    *,
    displacement: tuple[float, float] = NO_DISPLACEMENT_AREA,
    displacement_control: tuple[float, float] = NO_DISPLACEMENT_AREA,
    time_weights: tuple[float, float] = (1.0, 1.0),
    area_weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0),
    min_events: int = 10,
) -> WddResult:
    """Weighted displacement difference test.

    Each area is given as (before, after) counts. ``time_weights`` are the lengths of the
    before and after periods (e.g. (2, 1) for two years before and one after), so the
    estimate is per unit time. ``area_weights`` are the sizes of (treated, control,
    displacement, displacement_control), so the estimate is per unit area. The normal
    approximation needs counts that are not tiny: with fewer than ``min_events`` events
    before in the treated or the control area the verdict is "too few data".
    """
    verdict = judge(
        [
            _events("treated_events_before", treated[0], min_events, "the treated area before"),
            _events("control_events_before", control[0], min_events, "the control area before"),
        ]
    )
    if not verdict.ok:
        nan = float("nan")
        return WddResult(*_verdict_fields(verdict), *[nan] * 8, (nan, nan), (nan, nan))
    w_treated, w_control, w_displacement, w_displacement_control = area_weights
    local, var_local = _weighted_difference(treated, control, w_treated, w_control, time_weights)
    moved, var_moved = _weighted_difference(
        displacement, displacement_control, w_displacement, w_displacement_control, time_weights
    )
    estimate, se = local + moved, float(np.sqrt(var_local + var_moved))
    z = estimate / se
    return WddResult(
        *_verdict_fields(verdict),
        estimate_local=local,
        se_local=float(np.sqrt(var_local)),
        estimate_displacement=moved,
        se_displacement=float(np.sqrt(var_moved)),
        estimate=estimate,
        se=se,
        z=z,
        p_value=float(2 * stats.norm.sf(abs(z))),
        ci90=_normal_interval(estimate, se, 0.90),
        ci95=_normal_interval(estimate, se, 0.95),
    )


def _events(code: str, observed: float, minimum: int, where: str) -> Requirement:
    return Requirement(code, observed, minimum, f"events in {where}")


def _verdict_fields(verdict: Verdict) -> tuple[str, str, str]:
    return verdict.verdict, verdict.reason_code, verdict.reason


def _weighted_difference(
    area: tuple[float, float],
    control: tuple[float, float],
    area_weight: float,
    control_weight: float,
    time_weights: tuple[float, float],
) -> tuple[float, float]:
    """Difference of weighted changes and its Poisson variance (counts are their own variance)."""
    before_w, after_w = time_weights
    estimate = (area[1] / (after_w * area_weight) - area[0] / (before_w * area_weight)) - (
        control[1] / (after_w * control_weight) - control[0] / (before_w * control_weight)
    )
    variance = (
        area[1] / (after_w * area_weight) ** 2
        + area[0] / (before_w * area_weight) ** 2
        + control[1] / (after_w * control_weight) ** 2
        + control[0] / (before_w * control_weight) ** 2
    )
    return float(estimate), float(variance)


def _normal_interval(estimate: float, se: float, level: float) -> tuple[float, float]:
    half = stats.norm.ppf(0.5 + level / 2) * se
    return (float(estimate - half), float(estimate + half))


# Readings of a WDQ, following Bowers & Johnson (2003), Table 1.
NO_TREATED_IMPROVEMENT = "no_treated_improvement"
DIFFUSION_GREATER_THAN_EFFECT = "diffusion_greater_than_effect"
DIFFUSION = "diffusion"
NO_DISPLACEMENT = "no_displacement_or_diffusion"
DISPLACEMENT_LESS_THAN_EFFECT = "displacement_less_than_effect"
DISPLACEMENT_GREATER_THAN_EFFECT = "displacement_greater_than_effect"

STABLE = "stable"
UNSTABLE = "unstable"


@dataclass(frozen=True)
class WdqResult:
    """A weighted displacement quotient with a Poisson bootstrap interval, or a verdict.

    ``success_measure`` is A1/C1 - A0/C0 (negative: the treated area improved against the
    control area); ``displacement_measure`` is B1/C1 - B0/C0 for the buffer. ``stability`` is
    "unstable" when the success measure's bootstrap interval includes zero: the quotient then
    divides by something that may be nothing and can take any size. ``stability_note`` says so
    in words. ``reading`` is one of the Bowers & Johnson categories above.
    """

    verdict: str
    reason_code: str
    reason: str
    wdq: float
    success_measure: float
    displacement_measure: float
    ci_low: float
    ci_high: float
    stability: str
    stability_note: str
    reading: str


def wdq(
    treated: tuple[float, float],
    buffer: tuple[float, float],
    control: tuple[float, float],
    *,
    level: float = 0.95,
    n_boot: int = 999,
    seed: int = 0,
    min_events: int = 10,
) -> WdqResult:
    """Weighted displacement quotient of a buffer zone around a treated area.

    Each area is given as (before, after) counts. The interval comes from a parametric
    Poisson bootstrap of all six counts (seeded, so a stored result can be reproduced).
    Every area needs at least ``min_events`` events before, and the control area after too,
    or the verdict is "too few data".
    """
    verdict = judge(
        [
            _events("treated_events_before", treated[0], min_events, "the treated area before"),
            _events("buffer_events_before", buffer[0], min_events, "the buffer zone before"),
            _events("control_events_before", control[0], min_events, "the control area before"),
            _events("control_events_after", control[1], min_events, "the control area after"),
        ]
    )
    if not verdict.ok:
        nan = float("nan")
        return WdqResult(*_verdict_fields(verdict), *[nan] * 5, "", "", "")
    counts = np.array([*treated, *buffer, *control], dtype=float)
    success, moved = _wdq_measures(counts)
    draws = np.random.default_rng(seed).poisson(counts, size=(n_boot, 6)).astype(float)
    # A draw with an empty control period has no defined measures; it is left out.
    draws = draws[(draws[:, 4] > 0) & (draws[:, 5] > 0)]
    boot_success, boot_moved = _wdq_measures(draws.T)
    with np.errstate(divide="ignore", invalid="ignore"):
        boot_wdq = boot_moved / boot_success
    tail = (1 - level) / 2
    ci_low, ci_high = np.quantile(boot_wdq[np.isfinite(boot_wdq)], [tail, 1 - tail])
    success_low, success_high = np.quantile(boot_success, [tail, 1 - tail])
    # Near-zero treated change is what makes the quotient explode, whatever its sign.
    stable = success_high < 0 or success_low > 0
    return WdqResult(
        *_verdict_fields(verdict),
        wdq=float(moved / success) if success != 0 else float("nan"),
        success_measure=float(success),
        displacement_measure=float(moved),
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        stability=STABLE if stable else UNSTABLE,
        stability_note=""
        if stable
        else _instability_note(success, success_low, success_high, level),
        reading=_wdq_reading(success, moved),
    )


def _wdq_measures(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Success measure (treated) and displacement measure (buffer), both against control."""
    a0, a1, b0, b1, c0, c1 = counts
    return a1 / c1 - a0 / c0, b1 / c1 - b0 / c0


def _instability_note(success: float, low: float, high: float, level: float) -> str:
    return (
        f"The treated area's change against the control area is {success:.3f}, and its "
        f"{level:.0%} bootstrap interval {low:.3f} to {high:.3f} includes zero. The quotient "
        "divides by this change, so it can take almost any size and sign by chance: do not "
        "read the WDQ as evidence of displacement or diffusion."
    )


def _wdq_reading(success: float, moved: float) -> str:
    """Bowers & Johnson's reading of the quotient; only defined when the treated area improved."""
    if success >= 0:
        return NO_TREATED_IMPROVEMENT
    quotient = moved / success
    if quotient > 1:
        return DIFFUSION_GREATER_THAN_EFFECT
    if quotient > 0:
        return DIFFUSION
    if quotient == 0:
        return NO_DISPLACEMENT
    if quotient >= -1:
        return DISPLACEMENT_LESS_THAN_EFFECT
    return DISPLACEMENT_GREATER_THAN_EFFECT
