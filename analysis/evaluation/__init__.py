"""Evaluation of interventions: did the targeted problem change, compared with comparable areas?

- :func:`difference_in_differences` — negative-binomial DiD with unit and period effects,
  reported as an incidence-rate ratio with its interval, pre-period trends and, with few
  comparison units, a placebo p-value.
- :func:`wdd` — the weighted displacement difference test for one small treated area.
- :func:`wdq` — the weighted displacement quotient for a buffer zone.

Each returns a result with ``verdict`` ("estimate" or "too_few_data") and ``reason``; a
method never returns a bare before/after difference.
"""

from analysis.evaluation.count_models import NEGATIVE_BINOMIAL, POISSON, QUASI_POISSON
from analysis.evaluation.did import DidResult, EventStudy, PreTrend, difference_in_differences
from analysis.evaluation.displacement import WddResult, WdqResult, wdd, wdq
from analysis.evaluation.verdict import ESTIMATE, TOO_FEW_DATA

__all__ = [
    "ESTIMATE",
    "NEGATIVE_BINOMIAL",
    "POISSON",
    "QUASI_POISSON",
    "TOO_FEW_DATA",
    "DidResult",
    "EventStudy",
    "PreTrend",
    "WddResult",
    "WdqResult",
    "difference_in_differences",
    "wdd",
    "wdq",
]
