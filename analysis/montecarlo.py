"""Seeded random streams for Monte Carlo replicates that do not depend on thread scheduling.

Each replicate (a permutation, a simulated data set) gets its own 64-bit key drawn from one
seed. Inside compiled kernels the replicate's random numbers are SplitMix64 outputs of
``key + counter``, so replicate ``r`` draws the same numbers whichever thread runs it and however
many threads there are: a seeded run gives the same answer on 1 or 2 cores.
"""

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


def replicate_keys(seed, n: int) -> np.ndarray:
    """One key per replicate, reproducible from ``seed`` (an int or None for fresh entropy)."""
    return np.random.default_rng(seed).integers(0, 2**64, size=n, dtype=np.uint64)


@njit(cache=True, inline="always")
def uniform_below(key, counter, m):
    """The ``counter``-th draw of the stream ``key``: an int uniform on 0..m-1.

    SplitMix64 (Steele, Lea & Flood 2014) turned into 53 uniform bits; the bias of the final
    scaling is below m / 2**53, far under any Monte Carlo error.
    """
    z = key + np.uint64(counter + 1) * _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z = z ^ (z >> np.uint64(31))
    return np.int64((z >> np.uint64(11)) * _TO_UNIT * m)
