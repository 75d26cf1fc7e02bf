"""Count regressions with unit and period fixed effects, fitted with statsmodels' GLM.

The negative-binomial (NB2) dispersion is estimated by maximum likelihood, alternating with
the GLM fit for fixed dispersion until both settle, as R's ``MASS::glm.nb`` does; that is the
joint maximum-likelihood estimate. When the data show no overdispersion the model is Poisson;
when the dispersion cannot be estimated the model falls back to Poisson or quasi-Poisson and
says why.

On that default path every interval is also widened by the Pearson dispersion of its own fit
when that exceeds 1 (SAS's PSCALE, Stata's ``scale(x2)``). With few areas and one effect per
period, maximum likelihood underestimates the dispersion (the effects soak up variation), and
the plain NB interval covers too rarely; the Pearson statistic uses the residual degrees of
freedom and corrects it (coverage figures in ``benchmarks/validity_evaluation.py``).
"""

import warnings
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm
from scipy import optimize, special, stats

NEGATIVE_BINOMIAL = "negative_binomial"
POISSON = "poisson"
QUASI_POISSON = "quasi_poisson"

# Codes for why the fitted model is not the one asked for.
NO_OVERDISPERSION = "no_overdispersion"
DISPERSION_NOT_ESTIMABLE = "dispersion_not_estimable"
DISPERSION_DID_NOT_CONVERGE = "dispersion_did_not_converge"

# Below this many residual degrees of freedom a dispersion estimate is noise.
MIN_DF_FOR_DISPERSION = 10
# The search interval for the NB2 dispersion alpha (variance = mu + alpha * mu^2).
LOG_ALPHA_BOUNDS = (np.log(1e-7), np.log(1e3))
POISSON_LIKE_ALPHA = 1e-6


class FitFailed(RuntimeError):
    """IRLS broke down or did not converge: these data do not support the model."""


@dataclass(frozen=True)
class CountModel:
    """The count model chosen for a data set: family, dispersion and why."""

    name: str
    alpha: float = 0.0
    note_code: str = ""
    note: str = ""
    pearson_scaled: bool = False


@dataclass(frozen=True)
class Panel:
    """A units x periods count matrix in long form, one row per cell kept for fitting."""

    y: np.ndarray
    unit: np.ndarray
    period: np.ndarray
    offset: np.ndarray

    def subset(self, keep: np.ndarray) -> "Panel":
        return Panel(self.y[keep], self.unit[keep], self.period[keep], self.offset[keep])

    def without_empty(self) -> "Panel":
        """Drop units and periods with no events at all.

        Their fixed effects would run off to minus infinity; leaving them out is the limit
        of the maximum-likelihood fit and changes no other estimate.
        """
        panel = self
        while True:
            keep = _has_events(panel.unit, panel.y) & _has_events(panel.period, panel.y)
            if keep.all():
                return panel
            panel = panel.subset(keep)


def _has_events(labels: np.ndarray, y: np.ndarray) -> np.ndarray:
    totals = np.bincount(labels, weights=y)
    return totals[labels] > 0


def fixed_effects_design(panel: Panel, *columns: np.ndarray) -> np.ndarray:
    """Unit dummies, period dummies (first period as reference), then the given columns."""
    units = np.unique(panel.unit, return_inverse=True)[1]
    periods = np.unique(panel.period, return_inverse=True)[1]
    n = len(panel.y)
    unit_dummies = np.zeros((n, units.max() + 1))
    unit_dummies[np.arange(n), units] = 1.0
    period_dummies = np.zeros((n, periods.max() + 1))
    period_dummies[np.arange(n), periods] = 1.0
    return np.column_stack([unit_dummies, period_dummies[:, 1:], *columns])


def fit(panel: Panel, design: np.ndarray, model: CountModel, start=None):
    """Fit one GLM for a fixed model; returns the statsmodels results or raises FitFailed."""
    if model.name == NEGATIVE_BINOMIAL:
        family = sm.families.NegativeBinomial(alpha=model.alpha)
    else:
        family = sm.families.Poisson()
    glm = sm.GLM(panel.y, design, family=family, offset=panel.offset)
    scale = "X2" if model.name == QUASI_POISSON else None
    try:
        with warnings.catch_warnings():
            # Cells with zero counts and tiny fitted means make IRLS warn about its own steps.
            warnings.simplefilter("ignore", RuntimeWarning)
            results = glm.fit(start_params=start, scale=scale)
    except (ValueError, np.linalg.LinAlgError) as error:
        raise FitFailed(str(error)) from error
    if not results.converged or not np.all(np.isfinite(results.params)):
        raise FitFailed(f"the {model.name} fit did not converge")
    return results


def variance_scale(results, model: CountModel) -> float:
    """Factor on the model's variance behind the intervals.

    The quasi-Poisson scale, or the Pearson dispersion (at least 1) for a
    ``pearson_scaled`` model, else 1.
    """
    return float(results.scale) * _pearson_factor(results, model)


def _pearson_factor(results, model: CountModel) -> float:
    if not model.pearson_scaled:
        return 1.0
    return max(1.0, float(results.pearson_chi2 / results.df_resid))


def wald(results, model: CountModel, count: int, level: float):
    """Ratio exp(b), its Wald interval and two-sided p for the last ``count`` coefficients."""
    coef = results.params[-count:]
    # statsmodels' standard errors already carry a quasi-Poisson scale.
    se = results.bse[-count:] * np.sqrt(_pearson_factor(results, model))
    half = stats.norm.ppf(0.5 + level / 2) * se
    with np.errstate(over="ignore"):
        return (
            np.exp(coef),
            np.exp(coef - half),
            np.exp(coef + half),
            2 * stats.norm.sf(np.abs(coef / se)),
        )


def choose_and_fit(panel: Panel, design: np.ndarray, requested: str = NEGATIVE_BINOMIAL):
    """Fit the requested family, estimating the NB dispersion; returns (model, results).

    An explicit "poisson" or "quasi_poisson" is fitted as asked. The default path marks its
    model ``pearson_scaled`` where the residual degrees of freedom allow (see module note).
    """
    poisson = fit(panel, design, CountModel(POISSON))
    if requested == POISSON:
        return CountModel(POISSON), poisson
    if requested == QUASI_POISSON:
        model = CountModel(QUASI_POISSON)
        return model, fit(panel, design, model)
    if poisson.df_resid < MIN_DF_FOR_DISPERSION:
        model = CountModel(
            POISSON,
            note_code=DISPERSION_NOT_ESTIMABLE,
            note=(
                f"Overdispersion is not estimable with {poisson.df_resid:g} residual degrees "
                "of freedom; the Poisson model assumes none, so its interval may be too narrow."
            ),
        )
        return model, poisson
    if _poisson_score_for_alpha(panel.y, poisson.mu) <= 0:
        model = CountModel(
            POISSON,
            note_code=NO_OVERDISPERSION,
            note="The counts vary no more than a Poisson model expects; the Poisson model is used.",
            pearson_scaled=True,
        )
        return model, poisson
    return _fit_negative_binomial(panel, design, poisson)


def _fit_negative_binomial(panel: Panel, design: np.ndarray, poisson, max_rounds: int = 50):
    """Alternate the dispersion's maximum likelihood and the GLM fit until both settle."""
    results = poisson
    log_alpha = np.nan
    try:
        for _ in range(max_rounds):
            new_log_alpha = _ml_log_alpha(panel.y, results.mu)
            settled = abs(new_log_alpha - log_alpha) < 1e-8
            log_alpha = new_log_alpha
            model = CountModel(
                NEGATIVE_BINOMIAL, alpha=float(np.exp(log_alpha)), pearson_scaled=True
            )
            results = fit(panel, design, model, start=results.params)
            if settled:
                break
        else:
            return _quasi_poisson_fallback(panel, design, "did not settle")
    except FitFailed:
        return _quasi_poisson_fallback(panel, design, "broke down")
    if log_alpha >= LOG_ALPHA_BOUNDS[1] - 1e-6:
        return _quasi_poisson_fallback(panel, design, "ran to the upper bound")
    if model.alpha < POISSON_LIKE_ALPHA:
        model = CountModel(
            POISSON,
            note_code=NO_OVERDISPERSION,
            note="The estimated overdispersion is nil; the Poisson model is used.",
            pearson_scaled=True,
        )
        return model, poisson
    return model, results


def _quasi_poisson_fallback(panel: Panel, design: np.ndarray, what: str):
    model = CountModel(
        QUASI_POISSON,
        note_code=DISPERSION_DID_NOT_CONVERGE,
        note=(
            f"The negative-binomial dispersion estimate {what}; quasi-Poisson (Poisson with "
            "standard errors scaled by the Pearson dispersion) is used instead."
        ),
    )
    return model, fit(panel, design, model)


def _poisson_score_for_alpha(y: np.ndarray, mu: np.ndarray) -> float:
    """Score of the NB2 log-likelihood in alpha at alpha = 0 (Cameron & Trivedi 2013, 3.4).

    Not positive means the likelihood is highest at alpha = 0: the data are not overdispersed.
    """
    return float(np.sum((y - mu) ** 2 - y))


def _ml_log_alpha(y: np.ndarray, mu: np.ndarray) -> float:
    """Log of the NB2 dispersion that maximises the likelihood for fixed means.

    The root of the score in log alpha, clipped to ``LOG_ALPHA_BOUNDS``: the lower bound
    when the likelihood still rises towards alpha = 0, the upper when it rises without end.
    """

    def score(log_alpha: float) -> float:
        size = np.exp(-log_alpha)
        by_size = (
            special.digamma(y + size)
            - special.digamma(size)
            - np.log1p(mu / size)
            + (mu - y) / (size + mu)
        )
        return float(-size * by_size.sum())

    low, high = LOG_ALPHA_BOUNDS
    if score(low) <= 0:
        return low
    if score(high) >= 0:
        return high
    return float(optimize.brentq(score, low, high, xtol=1e-12))
