"""Benjamini-Hochberg false-discovery control within families of tests."""

from __future__ import annotations

import numpy as np


def bh_adjust(p: np.ndarray, family: np.ndarray | None = None) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values, computed separately within each family.

    A test is significant at false-discovery rate ``q`` when its adjusted p-value is at most
    ``q``. NaN p-values (series not tested) stay NaN and do not count as tests. ``family``
    (e.g. the partnership of each series) defaults to one family for all.
    """
    p = np.asarray(p, float)
    family = np.zeros(len(p), np.int64) if family is None else np.asarray(family)
    adjusted = np.full(len(p), np.nan)
    tested = ~np.isnan(p)
    for member in np.unique(family[tested]):
        index = np.flatnonzero(tested & (family == member))
        adjusted[index] = _bh(p[index])
    return adjusted


def _bh(p: np.ndarray) -> np.ndarray:
    order = np.argsort(p, kind="stable")
    m = len(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    monotone = np.minimum.accumulate(scaled[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(monotone, 1.0)
    return adjusted
