"""Evaluation of interventions: DiD against statsmodels, WDD against ptools, WDQ by hand."""

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from analysis.evaluation import (
    ESTIMATE,
    NEGATIVE_BINOMIAL,
    POISSON,
    QUASI_POISSON,
    TOO_FEW_DATA,
    difference_in_differences,
    wdd,
    wdq,
)
from analysis.evaluation.count_models import (
    DISPERSION_DID_NOT_CONVERGE,
    DISPERSION_NOT_ESTIMABLE,
    NO_OVERDISPERSION,
)
from analysis.evaluation.displacement import (
    DIFFUSION,
    DISPLACEMENT_GREATER_THAN_EFFECT,
    DISPLACEMENT_LESS_THAN_EFFECT,
    NO_TREATED_IMPROVEMENT,
    STABLE,
    UNSTABLE,
)


def simulate(
    rng,
    n_units=8,
    n_periods=16,
    n_treated=2,
    start=10,
    irr=0.7,
    mean=3.0,
    size=3.0,
    pre_trend=1.0,
):
    """Counts with unit and period effects, NB noise (size None: Poisson) and a planted IRR."""
    unit = rng.lognormal(0, 0.4, n_units)[:, None]
    period = np.exp(0.2 * np.cos(np.arange(n_periods)))[None, :]
    treated = np.arange(n_units) < n_treated
    post = np.arange(n_periods) >= start
    effect = np.where(treated[:, None] & post[None, :], irr, 1.0)
    drift = np.where(treated[:, None], pre_trend ** (np.arange(n_periods) - start), 1.0)
    mu = mean * unit * period * effect * np.where(post[None, :], 1.0, drift)
    counts = rng.poisson(mu) if size is None else rng.negative_binomial(size, size / (size + mu))
    return counts, treated, post


def long_frame(counts, treated, post, exposure=None):
    units, periods = np.indices(counts.shape)
    frame = pd.DataFrame(
        {
            "y": counts.ravel(),
            "unit": units.ravel(),
            "period": periods.ravel(),
            "d": (treated[units] & post[periods]).ravel().astype(float),
        }
    )
    frame["log_exposure"] = 0.0 if exposure is None else np.log(exposure).ravel()
    return frame


FORMULA = "y ~ C(unit) + C(period) + d"


def test_irr_matches_a_direct_statsmodels_negative_binomial_fit():
    rng = np.random.default_rng(7)
    counts, treated, post = simulate(rng)
    # Population that changes over time, so the offset matters beyond the unit effect.
    exposure = rng.integers(1000, 5000, counts.shape[0])[:, None] * np.linspace(1, 1.3, 16)
    result = difference_in_differences(counts, treated, post, exposure=exposure)
    frame = long_frame(counts, treated, post, exposure)
    # Newton converges to the maximum tightly; statsmodels' default BFGS stops near 1e-5.
    reference = smf.negativebinomial(FORMULA, frame, offset=frame.log_exposure).fit(
        disp=0, method="newton", maxiter=200
    )
    assert result.verdict == ESTIMATE
    assert result.model == NEGATIVE_BINOMIAL
    assert result.irr == pytest.approx(math.exp(reference.params["d"]), rel=1e-6)
    assert result.dispersion == pytest.approx(reference.params["alpha"], rel=1e-5)
    # The interval is the NB GLM's at that dispersion, widened by the Pearson dispersion.
    family = sm.families.NegativeBinomial(alpha=reference.params["alpha"])
    glm = smf.glm(FORMULA, frame, family=family, offset=frame.log_exposure)
    pearson = glm.fit().pearson_chi2 / glm.fit().df_resid
    low, high = np.exp(glm.fit(scale=max(pearson, 1.0)).conf_int().loc["d"])
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), rel=1e-5)
    assert result.variance_scale == pytest.approx(max(pearson, 1.0), rel=1e-5)


@pytest.mark.parametrize(("model", "scale"), [(POISSON, None), (QUASI_POISSON, "X2")])
def test_poisson_and_quasi_poisson_match_statsmodels_glm(model, scale):
    counts, treated, post = simulate(np.random.default_rng(11))
    result = difference_in_differences(counts, treated, post, model=model)
    frame = long_frame(counts, treated, post)
    reference = smf.glm(FORMULA, frame, family=sm.families.Poisson()).fit(scale=scale)
    low, high = np.exp(reference.conf_int().loc["d"])
    assert result.model == model
    assert result.irr == pytest.approx(math.exp(reference.params["d"]), rel=1e-6)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), rel=1e-6)
    assert result.p_value == pytest.approx(reference.pvalues["d"], rel=1e-5)


def test_constant_population_is_absorbed_by_the_unit_effect():
    counts, treated, post = simulate(np.random.default_rng(3))
    population = np.arange(1, 9) * 1000.0
    without = difference_in_differences(counts, treated, post)
    with_population = difference_in_differences(counts, treated, post, exposure=population)
    assert with_population.irr == pytest.approx(without.irr, rel=1e-6)


def test_poisson_is_used_and_said_when_counts_are_not_overdispersed():
    rng = np.random.default_rng(5)
    # Binomial counts vary less than Poisson ones: the NB likelihood peaks at no dispersion.
    counts = rng.binomial(8, 0.4, size=(8, 16))
    treated, post = np.arange(8) < 2, np.arange(16) >= 10
    result = difference_in_differences(counts, treated, post)
    assert result.model == POISSON
    assert result.model_note_code == NO_OVERDISPERSION
    assert result.model_note


def test_poisson_is_used_and_said_when_dispersion_is_not_estimable():
    counts = np.array([[30, 14], [25, 26], [40, 35]])
    result = difference_in_differences(
        counts, np.array([True, False, False]), np.array([False, True]), min_comparison_units=2
    )
    assert result.model == POISSON
    assert result.model_note_code == DISPERSION_NOT_ESTIMABLE
    # Saturated 2-period model: the IRR is the ratio of ratios of the counts.
    assert result.irr == pytest.approx((14 / 30) / (61 / 65), rel=1e-6)


def test_quasi_poisson_is_used_and_said_when_the_negative_binomial_fit_breaks_down():
    # Each area has two bursts and almost nothing else: the NB fit cannot settle.
    bursts = np.array(
        [
            [0, 0, 0, 0, 158, 0, 198, 0, 1, 0, 0, 0],
            [91, 0, 0, 0, 0, 0, 0, 0, 0, 0, 130, 0],
            [0, 0, 0, 0, 0, 1, 0, 53, 59, 0, 1, 1],
            [0, 0, 183, 100, 0, 0, 0, 0, 0, 0, 0, 0],
            [0, 0, 0, 172, 70, 0, 0, 0, 0, 0, 0, 0],
            [0, 0, 0, 111, 0, 0, 0, 0, 0, 179, 0, 0],
            [0, 0, 0, 42, 0, 0, 0, 0, 0, 137, 0, 0],
            [104, 0, 62, 0, 0, 0, 0, 0, 0, 1, 0, 0],
        ]
    )
    treated, post = np.arange(8) < 2, np.arange(12) >= 8
    with np.errstate(over="ignore"):
        result = difference_in_differences(bursts, treated, post, placebo_if_fewer_than=0)
    assert result.verdict == ESTIMATE
    assert result.model == QUASI_POISSON
    assert result.model_note_code == DISPERSION_DID_NOT_CONVERGE
    frame = long_frame(bursts, treated, post)
    reference = smf.glm(FORMULA, frame, family=sm.families.Poisson()).fit(scale="X2")
    assert result.irr == pytest.approx(math.exp(reference.params["d"]), rel=1e-6)


def test_irr_interval_covers_the_planted_effect_in_most_simulations():
    rng = np.random.default_rng(2024)
    true_irr, runs = 0.6, 100
    covered, log_irrs = 0, []
    for _ in range(runs):
        counts, treated, post = simulate(
            rng, n_units=10, n_periods=12, n_treated=1, start=8, irr=true_irr, mean=6.0
        )
        result = difference_in_differences(counts, treated, post, placebo_if_fewer_than=0)
        covered += result.ci_low <= true_irr <= result.ci_high
        log_irrs.append(math.log(result.irr))
    # 95 % nominal: fewer than 88 of 100 happens to a correct interval with p < 0.01
    # (a Poisson interval on these overdispersed counts covers about 80).
    assert covered >= 88
    assert abs(np.mean(log_irrs) - math.log(true_irr)) < 0.1


def test_placebo_p_value_reassigns_treated_to_each_comparison_unit():
    counts, treated, post = simulate(
        np.random.default_rng(9), n_units=6, n_treated=1, irr=0.2, mean=8.0
    )
    result = difference_in_differences(counts, treated, post)
    assert len(result.placebo_irrs) == 5
    # The real effect is the most extreme of the six assignments.
    assert result.placebo_p == pytest.approx(1 / 6)


def test_placebo_enumerates_every_other_set_of_treated_units():
    counts, treated, post = simulate(np.random.default_rng(9), n_units=7, n_treated=2, irr=1.0)
    result = difference_in_differences(counts, treated, post)
    assert len(result.placebo_irrs) == math.comb(7, 2) - 1
    assert 1 / 21 <= result.placebo_p <= 1


def test_no_placebo_with_many_comparison_units():
    counts, treated, post = simulate(np.random.default_rng(1), n_units=22, n_treated=1)
    result = difference_in_differences(counts, treated, post)
    assert math.isnan(result.placebo_p)


def test_zero_treated_events_after_gives_irr_zero_with_profile_upper_limit():
    counts, treated, post = simulate(np.random.default_rng(4), n_treated=1, mean=4.0, size=None)
    counts[np.ix_(treated, post)] = 0
    result = difference_in_differences(counts, treated, post, model=POISSON)
    assert result.irr == 0 and result.ci_low == 0
    assert 0 < result.ci_high < 1
    assert result.p_value < 0.001
    assert result.estimate_note
    # At the upper limit the likelihood ratio against the limit fit is the chi2(1) 95 % point.
    frame = long_frame(counts, treated, post)
    limit = smf.glm(
        FORMULA.replace(" + d", ""), frame[frame.d == 0], family=sm.families.Poisson()
    ).fit()
    at_upper = smf.glm(
        FORMULA.replace(" + d", ""),
        frame,
        family=sm.families.Poisson(),
        offset=frame.d * math.log(result.ci_high),
    ).fit()
    assert 2 * (limit.llf - at_upper.llf) == pytest.approx(3.841459, rel=1e-5)


def test_event_study_matches_statsmodels_and_shows_the_drop_after_the_start():
    counts, treated, post = simulate(
        np.random.default_rng(8), n_periods=12, start=8, irr=0.3, mean=20.0, size=None
    )
    result = difference_in_differences(counts, treated, post, model=POISSON, event_bin_size=2)
    study = result.event_study
    assert list(study.bins) == [-4, -3, -2, -1, 0, 1]
    assert study.ratio[study.bins == -1] == 1
    frame = long_frame(counts, treated, post)
    bins = np.array([-4, -4, -3, -3, -2, -2, -1, -1, 0, 0, 1, 1])[frame.period]
    for b in (-4, -3, -2, 0, 1):
        frame[f"bin{b + 4}"] = (treated[frame.unit] & (bins == b)).astype(float)
    columns = " + ".join(f"bin{b + 4}" for b in (-4, -3, -2, 0, 1))
    reference = smf.glm(
        f"y ~ C(unit) + C(period) + {columns}", frame, family=sm.families.Poisson()
    ).fit()
    expected = np.exp(reference.params[[f"bin{b + 4}" for b in (-4, -3, -2, 0, 1)]])
    assert study.ratio[study.bins != -1] == pytest.approx(expected.to_numpy(), rel=1e-6)
    assert np.all(study.ci_high[study.bins >= 0] < 1)


def test_event_study_bin_without_treated_events_is_not_estimable():
    counts, treated, post = simulate(
        np.random.default_rng(8), n_periods=12, start=8, mean=10.0, size=None
    )
    counts[np.ix_(treated, [2])] = 0
    study = difference_in_differences(counts, treated, post, model=POISSON).event_study
    empty = study.bins == 2 - 8
    assert not study.estimable[empty] and study.ratio[empty] == 0
    assert np.isnan(study.ci_low[empty])
    assert study.estimable[~empty].all()


def test_pre_trend_detects_diverging_treated_units_before_the_start():
    counts, treated, post = simulate(
        np.random.default_rng(6), n_periods=20, start=14, mean=10.0, pre_trend=1.08, size=None
    )
    trend = difference_in_differences(counts, treated, post, model=POISSON).pre_trend
    assert trend.p_value < 0.01
    assert trend.ci_low < 1.08 < trend.ci_high


def test_pre_trend_matches_statsmodels():
    counts, treated, post = simulate(np.random.default_rng(6), n_periods=20, start=14)
    trend = difference_in_differences(counts, treated, post, model=POISSON).pre_trend
    frame = long_frame(counts, treated, post)
    frame = frame[frame.period < 14].assign(slope=lambda f: treated[f.unit] * (f.period - 13.0))
    reference = smf.glm(
        "y ~ C(unit) + C(period) + slope", frame, family=sm.families.Poisson()
    ).fit()
    assert trend.ratio_per_period == pytest.approx(math.exp(reference.params["slope"]), rel=1e-6)


def too_few_cases():
    counts, treated, post = simulate(np.random.default_rng(1), n_units=8, n_periods=16)
    few = counts.copy()
    few[np.ix_(treated, ~post)] = 0
    few[0, 0] = 9
    quiet_after = counts.copy()
    quiet_after[np.ix_(~treated, post)] = 0
    quiet_after[2, 15] = 3
    return [
        ("comparison_units", counts[:4], treated[:4], post),
        ("treated_units", counts, np.zeros(8, bool), post),
        ("periods_after", counts, treated, np.zeros(16, bool)),
        ("treated_events_before", few, treated, post),
        ("comparison_events_after", quiet_after, treated, post),
        ("expected_treated_events_after", counts[:, :12], treated, np.arange(12) >= 11),
    ]


@pytest.mark.parametrize(("code", "counts", "treated", "post"), too_few_cases())
def test_too_few_data_gives_a_verdict_and_no_number(code, counts, treated, post):
    result = difference_in_differences(counts, treated, post, min_expected_after=8)
    assert result.verdict == TOO_FEW_DATA
    assert result.reason_code == code
    assert result.reason.startswith("only ")
    assert math.isnan(result.irr) and math.isnan(result.ci_low) and math.isnan(result.p_value)


@pytest.mark.parametrize(
    ("counts", "post"),
    [
        (np.array([[1.5, 2.0], [3, 4], [5, 6], [7, 8]]), [False, True]),
        (np.array([[-1, 2], [3, 4], [5, 6], [7, 8]]), [False, True]),
        (np.ones((4, 3)), [True, False, True]),
    ],
)
def test_malformed_input_is_refused(counts, post):
    with pytest.raises(ValueError):
        difference_in_differences(counts, np.array([True, False, False, False]), np.array(post))


# Reference values: tests/testthat/test-wdd.R in the R package ptools (Andrew P. Wheeler,
# https://github.com/apwheele/ptools), whose wdd() implements Wheeler & Ratcliffe (2018).
# ptools' argument order is wdd(control, treated, disp_control, disp_treated) and its
# area_weights are (control, treated, disp_control, disp_treated).


def test_wdd_local_estimate_and_default_intervals():
    result = wdd(treated=(20, 10), control=(20, 20))
    assert result.estimate_local == -10
    assert result.se == pytest.approx(math.sqrt(70))
    # 90 % interval -23.8 to 3.8 as ptools prints it.
    assert result.ci90 == pytest.approx((-23.7618, 3.7618), abs=1e-4)
    assert result.ci95[0] < result.ci90[0] and result.ci95[1] > result.ci90[1]


def test_wdd_displacement_and_total():
    displaced = wdd((20, 20), (20, 20), displacement=(20, 10), displacement_control=(20, 20))
    assert displaced.estimate_displacement == -10
    total = wdd((20, 10), (20, 20), displacement=(20, 10), displacement_control=(20, 20))
    assert total.estimate == -20


def test_wdd_reproduces_the_paper_example():
    # Wheeler & Ratcliffe (2018), Crime Science 7:11: -118, SE sqrt(1568), Z -2.98,
    # 95 % interval -196 to -40.
    result = wdd((207, 110), (308, 318), displacement=(178, 157), displacement_control=(150, 140))
    assert result.estimate == -118
    assert result.se == pytest.approx(math.sqrt(1568))
    assert round(result.z, 2) == -2.98
    assert (round(result.ci95[0]), round(result.ci95[1])) == (-196, -40)
    assert result.p_value == pytest.approx(0.0029, abs=1e-4)


def test_wdd_time_weights():
    result = wdd((80, 20), (100, 50), time_weights=(2, 1))
    assert result.estimate_local == pytest.approx(-20)
    assert result.se_local == pytest.approx(math.sqrt(115))


def test_wdd_area_weights():
    result = wdd(
        (207, 110),
        (308, 318),
        displacement=(178, 157),
        displacement_control=(150, 140),
        area_weights=(1.2, 0.9, 1.5, 1.6),
    )
    assert result.estimate == pytest.approx(-99.69444444, rel=1e-9)
    assert result.se == pytest.approx(35.4280755, rel=1e-9)
    assert result.z == pytest.approx(-2.813995483, rel=1e-9)
    assert result.ci95 == pytest.approx((-169.1321965, -30.25669241), rel=1e-9)


def test_wdd_with_too_few_events_gives_a_verdict():
    result = wdd((6, 2), (30, 28))
    assert result.verdict == TOO_FEW_DATA
    assert result.reason_code == "treated_events_before"
    assert math.isnan(result.estimate)


def test_wdq_formula_by_hand():
    # A = treated, B = buffer, C = control; counts x 10 keep the bootstrap interval tight.
    result = wdq(treated=(500, 200), buffer=(400, 450), control=(1000, 1000))
    success = 200 / 1000 - 500 / 1000
    moved = 450 / 1000 - 400 / 1000
    assert result.success_measure == pytest.approx(success)
    assert result.displacement_measure == pytest.approx(moved)
    assert result.wdq == pytest.approx(moved / success)
    assert result.reading == DISPLACEMENT_LESS_THAN_EFFECT
    assert result.stability == STABLE and result.stability_note == ""
    assert result.ci_low < result.wdq < result.ci_high


@pytest.mark.parametrize(
    ("buffer", "reading"),
    [((400, 300), DIFFUSION), ((400, 800), DISPLACEMENT_GREATER_THAN_EFFECT)],
)
def test_wdq_readings(buffer, reading):
    assert wdq((500, 200), buffer, (1000, 1000)).reading == reading


def test_wdq_says_in_words_when_the_treated_change_is_near_zero():
    result = wdq(treated=(50, 49), buffer=(40, 20), control=(100, 100))
    assert result.stability == UNSTABLE
    assert "includes zero" in result.stability_note
    assert result.ci_high - result.ci_low > 10


def test_wdq_without_treated_improvement_is_read_as_such():
    assert wdq((200, 500), (400, 450), (1000, 1000)).reading == NO_TREATED_IMPROVEMENT


def test_wdq_with_too_few_events_gives_a_verdict():
    result = wdq(treated=(30, 10), buffer=(3, 2), control=(100, 100))
    assert result.verdict == TOO_FEW_DATA
    assert result.reason_code == "buffer_events_before"
    assert math.isnan(result.wdq)
