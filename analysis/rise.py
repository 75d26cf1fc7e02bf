"""The "ökande" (rising) badge: has the level moved up, and has it stayed up?

The weekly test (``analysis.deviations``) asks whether one week is unusually high. This
module asks a different question of the recent weeks that the baseline left out (the
monitored window, 27 weeks by default): did the level shift upwards at some week ``k`` and
stay there until now? A burst of one to four weeks is an outbreak for the weekly flag, not a
rise, and it must not keep the badge on once the weeks after it are back to normal.

For each series, with the in-control expectation ``mu_t`` from its baseline, the week-to-week
variance ``v_t = phi mu_t + theta mu_t^2``, the spread factors ``D_4`` and ``D_13`` (at least
1: how much more the series' baseline sums of 4 and 13 weeks spread than independent weeks
would, from ``deviations``; weeks that stay off the fit together add up to more than their
variances) and ``c`` the squared coefficient of variation of the baseline's expectation for
the window, common to every week of it (for a series with its own GLM, ``deviations`` gives
the error of the window's sum from the fit's covariance, or the target week's, plus the
seasonal levels' year-to-year misfit; ``rise_window_error``):

1. **Winsorise** each week at ``u_t = floor(mu_t + 2.33 sqrt(v_t + c mu_t^2)) + 1``, about
   the predictive 99 % point: one extreme week adds at most a bounded amount of evidence.
2. **Change point.** For every start ``k`` with at least ``min_length`` observed weeks up to
   now, the standardised excess of the winsorised counts
   ``Z_k = (S_k - M_k) / sqrt(V_k + c M_k^2)``, ``S_k = sum y'_t``, ``M_k = sum mu_t``,
   ``V_k = D(L) sum v_t`` over the ``L`` weeks from ``k``, ``D(L)`` ``D_4`` up to 4 weeks,
   ``D_13`` from 13, linear in ``L`` between. The ``c M_k^2`` term is what the old CUSUM
   lacked: an underestimated baseline raises every week of the window at once, and summing
   weeks does not average that away. The statistic is ``Z = max_k Z_k`` at ``k*``;
   ``kappa = S_k* / M_k*`` is the estimated new level relative to the baseline.
3. **Still up.** The last ``recent`` weeks must hold at least the midpoint between the
   baseline and the new level, ``sum y' >= sum mu (1 + kappa) / 2``: once counts are back to
   normal the badge goes (this is the reset: a burst's evidence no longer counts once the
   weeks after it contradict a raised level).
4. **Enough.** At least ``min_count`` incidents since ``k*``, counted after winsorising:
   five incidents in one week of a series that sees one a year are one extreme week, not
   five weeks' evidence, and must not meet the rule alone.

The badge shows when all hold and ``Z`` exceeds a limit ``h``. ``h`` is calibrated by
simulation under the null: stable negative-binomial series whose true mean differs from the
baseline's by a factor with mean 1 and squared CV ``c`` (``calibrate``), on a grid of mean
level, overdispersion and ``c``, so that a stable series shows the badge in one week in
``one_in`` on average. The factor is lognormal for a series with a GLM of its own (its
log-scale estimate is close to normal) and gamma for a pooled one (its exact posterior), as
in ``analysis.predictive``; one table each. The tables are generated once (``python -m
analysis.rise``) and stored in ``analysis/_rise_limits.py``.
"""

from __future__ import annotations

import numpy as np

from analysis.predictive import GAMMA, LOGNORMAL

WINDOW = 27  # the monitored weeks: the 26 the baseline leaves out and the target week
SHORT_RUN, LONG_RUN = 4, 13  # the lengths of the sums whose spread widens V_k
MIN_LENGTH = 4
RECENT = 4
MIN_COUNT = 5
CAP_Z = 2.33
Z_FLOOR = 2.0  # never below: sparse series whose other conditions already make it rare

MEAN_GRID = np.logspace(-2, 2, 13)
THETA_GRID = np.array([0.0, 0.1, 0.3, 1.0, 3.0])
CV2_GRID = np.array([0.0, 0.02, 0.05, 0.15, 0.5, 2.0])
RATE_GRID = np.array([1 / 26, 1 / 52, 1 / 104, 1 / 260, 1 / 520, 1 / 1040, 1 / 2000])


def statistic(
    counts: np.ndarray,
    mean: np.ndarray,
    variance: np.ndarray,
    cv2: np.ndarray,
    *,
    spread: np.ndarray | None = None,
    min_length: int = MIN_LENGTH,
    recent: int = RECENT,
) -> dict[str, np.ndarray]:
    """The change-point statistic over rows x weeks (see the module docstring).

    ``mean`` and ``variance`` are NaN in weeks a series was not observed; ``cv2`` is per row,
    ``spread`` (rows x 2: ``D_4``, ``D_13``; None: 1) too.
    Returns ``z`` (``-inf`` where no start has ``min_length`` observed weeks), ``since`` (the
    column of ``k*``, -1 if none), ``kappa``, ``still_up`` and ``run_count`` (winsorised
    incidents since ``k*``).
    """
    counts = np.asarray(counts, float)
    seen = np.isfinite(mean)
    mu = np.where(seen, mean, 0.0)
    var = np.where(seen, variance, 0.0)
    cv2 = np.asarray(cv2, float)[:, None]
    cap = np.floor(mu + CAP_Z * np.sqrt(var + cv2 * mu * mu)) + 1.0
    y = np.where(seen, counts, 0.0)
    capped = np.minimum(y, cap)

    def tail(values):  # sums from each column to the end
        return np.cumsum(values[:, ::-1], axis=1)[:, ::-1]

    s, m, v, n = tail(capped), tail(mu), tail(var), tail(seen.astype(float))
    if spread is not None:
        short, long = spread[:, :1], spread[:, 1:]
        towards_long = np.clip((n - SHORT_RUN) / (LONG_RUN - SHORT_RUN), 0.0, 1.0)
        v = v * (short + (long - short) * towards_long)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (s - m) / np.sqrt(v + cv2 * m * m)
    z = np.where((n >= min_length) & (m > 0) & seen, z, -np.inf)
    since = np.argmax(z, axis=1)
    rows = np.arange(len(z))
    best = z[rows, since]
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = s[rows, since] / m[rows, since]
    last = slice(max(counts.shape[1] - recent, 0), None)
    still_up = capped[:, last].sum(axis=1) >= mu[:, last].sum(axis=1) * (1 + kappa) / 2
    run_count = s[rows, since]
    found = np.isfinite(best)
    return {
        "z": best,
        "since": np.where(found, since, -1),
        "kappa": np.where(found, kappa, np.nan),
        "still_up": found & still_up & (kappa > 1),
        "run_count": np.where(found, run_count, 0.0),
    }


def badge(stat: dict[str, np.ndarray], limit: np.ndarray, min_count: int = MIN_COUNT):
    """Where the badge shows: above the limit, still up, and enough incidents."""
    return (stat["z"] > limit) & stat["still_up"] & (stat["run_count"] >= min_count)


def limit(
    mean: np.ndarray, theta: np.ndarray, cv2: np.ndarray, one_in: float, mixing: str = GAMMA
) -> np.ndarray:
    """The limit ``h`` on ``Z`` for series of typical weekly ``mean``, NB overdispersion
    ``theta`` (variance ``mean + theta mean^2``) and baseline ``cv2`` whose error has the
    given ``mixing``, such that a stable series shows the badge in one week in ``one_in``
    (interpolated in the stored table)."""
    from analysis._rise_limits import LIMITS

    table = np.asarray(LIMITS[mixing])  # mean x theta x cv2 x rate
    rate = np.log(1.0 / one_in)
    r = np.interp(rate, np.log(RATE_GRID[::-1]), np.arange(len(RATE_GRID))[::-1])
    r0 = min(int(np.floor(r)), len(RATE_GRID) - 2)
    by_rate = table[..., r0] * (1 - (r - r0)) + table[..., r0 + 1] * (r - r0)
    point = [
        _position(np.log(np.clip(mean, MEAN_GRID[0], MEAN_GRID[-1])), np.log(MEAN_GRID)),
        _position(np.clip(theta, THETA_GRID[0], THETA_GRID[-1]), THETA_GRID),
        _position(np.clip(cv2, CV2_GRID[0], CV2_GRID[-1]), CV2_GRID),
    ]
    out = np.zeros(np.broadcast(*[p[0] for p in point]).shape)
    for corner in range(8):
        index, weight = [], 1.0
        for axis, (i0, dx) in enumerate(point):
            upper = (corner >> axis) & 1
            index.append(i0 + upper)
            weight = weight * (dx if upper else 1 - dx)
        out = out + weight * by_rate[tuple(index)]
    return np.maximum(out, Z_FLOOR)


def _position(x: np.ndarray, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    position = np.interp(x, grid, np.arange(len(grid)))
    i0 = np.minimum(np.floor(position).astype(int), len(grid) - 2)
    return i0, position - i0


def null_statistic(
    rng, mean: float, theta: float, cv2: float, n: int, weeks: int = WINDOW, mixing: str = GAMMA
):
    """``Z`` of ``n`` simulated stable series where the badge's other conditions hold, and
    ``-inf`` where they do not: the series' true mean is ``mean`` times a gamma or lognormal
    factor (``mixing``) with mean 1 and squared CV ``cv2`` (the baseline's error), its counts
    negative binomial."""
    level = np.ones(n)
    if cv2 > 0 and mixing == GAMMA:
        level = rng.gamma(1 / cv2, cv2, n)
    elif cv2 > 0:
        s2 = np.log1p(cv2)
        level = np.exp(rng.normal(-s2 / 2, np.sqrt(s2), n))
    truth = np.repeat((mean * level)[:, None], weeks, axis=1)
    if theta > 0:
        truth = rng.gamma(1 / theta, theta * truth)
    counts = rng.poisson(truth)
    mu = np.full((n, weeks), mean)
    stat = statistic(counts, mu, mu + theta * mu * mu, np.full(n, cv2))
    ok = stat["still_up"] & (stat["run_count"] >= MIN_COUNT)
    return np.where(ok, stat["z"], -np.inf)


def calibrate(n: int = 40_000, seed: int = 104, mixing: str = GAMMA) -> np.ndarray:
    """The table of limits: mean x theta x cv2 x rate (``RATE_GRID``)."""
    rng = np.random.default_rng(seed)
    table = np.empty((len(MEAN_GRID), len(THETA_GRID), len(CV2_GRID), len(RATE_GRID)))
    for i, mean in enumerate(MEAN_GRID):
        for j, theta in enumerate(THETA_GRID):
            for k, cv2 in enumerate(CV2_GRID):
                z = np.sort(null_statistic(rng, mean, theta, cv2, n, mixing=mixing))
                for r, rate in enumerate(RATE_GRID):
                    value = z[int(np.ceil((1 - rate) * n)) - 1]
                    table[i, j, k, r] = value if np.isfinite(value) else Z_FLOOR
    return table


def _write(tables: dict[str, np.ndarray], path: str) -> None:
    """Store the tables as a Python module (run ``ruff format`` on it afterwards)."""
    stored = {mixing: np.round(table, 4).tolist() for mixing, table in tables.items()}
    lines = [
        '"""Limits of the rising badge, generated by ``python -m analysis.rise`` (do not edit).',
        "",
        "LIMITS[mixing][mean][theta][cv2][rate] on the grids of ``analysis.rise``.",
        '"""',
        "",
        "LIMITS = " + repr(stored),
        "",
    ]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))


if __name__ == "__main__":
    import pathlib
    import time

    began = time.perf_counter()
    tables = {mixing: calibrate(mixing=mixing) for mixing in (GAMMA, LOGNORMAL)}
    _write(tables, str(pathlib.Path(__file__).with_name("_rise_limits.py")))
    print(f"calibrated in {time.perf_counter() - began:.1f} s")
