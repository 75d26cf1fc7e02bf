"""Combined need for the periodic ranking: the reports' index and the area indicators the
group chose to weigh in, put on one scale and averaged with the group's weights.

Each part is scaled between the areas' lowest (0) and highest (1) value, so a cost in
kronor and a rate per 1,000 inhabitants can be added; an indicator where higher is better
is turned round, so 1 is always the most need. The combined need is the weighted mean of
the parts; with every indicator weight 0 it is the scaled index alone and orders the areas
exactly as the index does. docs/method/ranking.md explains it in words.
"""

import numpy as np


def scaled(values, higher_better: bool = False) -> np.ndarray:
    """Each value's place between the lowest (0) and the highest (1) known value; unknown
    values (NaN) stay unknown, and when every known value is the same they all get 0 (the
    part then separates no areas)."""
    values = np.asarray(values, dtype=float)
    known = values[~np.isnan(values)]
    if known.size == 0:
        return values.copy()
    low, high = known.min(), known.max()
    spread = high - low
    out = (values - low) / spread if spread else np.where(np.isnan(values), np.nan, 0.0)
    return 1.0 - out if higher_better else out


def combine(parts, weights) -> np.ndarray:
    """The weighted mean of scaled parts (parts x areas) per area; unknown (NaN) for an
    area that lacks a part with a weight above zero, since leaving the part out would rank
    it on other terms than the rest."""
    parts = np.asarray(parts, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if parts.ndim != 2 or parts.shape[0] != weights.size:
        raise ValueError("one weight per part")
    if np.any(weights < 0) or weights.sum() <= 0:
        raise ValueError("weights must be non-negative with a positive sum")
    used = weights > 0
    return (weights[used, None] * parts[used]).sum(axis=0) / weights[used].sum()
