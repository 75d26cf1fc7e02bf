"""Space-time clusters: the prospective (and retrospective) space-time permutation scan statistic
(Kulldorff, Heffernan, Hartman, Assunção & Mostashari 2005, PLoS Med 2(3):e59), the method
behind SaTScan's space-time permutation analyses.

Question: is there a place where, in the last days up to the analysis date, more incidents
happened than that place's usual share of incidents would lead us to expect? It needs no
population: a place's own history says how busy it normally is, and the whole area's recent
days say how busy the period is.

With c_zd incidents at location z on day d and C in all, the expected count of a cylinder A (a
circle of locations S times a window of recent days D) is mu_A = C_S · C_D / C. Each cylinder
with c_A > mu_A scores its log-likelihood ratio

    LLR = c_A ln(c_A / mu_A) + (C - c_A) ln((C - c_A) / (C - mu_A)),

and the most likely cluster is the cylinder with the highest LLR. Its p-value comes from Monte
Carlo replicates that shuffle the dates among the incidents (so both margins stay fixed) and
record each replicate's highest LLR. Secondary clusters are the best cylinders of other
centres that share no location with a cluster already reported.
"""

from dataclasses import dataclass

import numpy as np
from numba import get_num_threads, njit, prange
from scipy import stats

from analysis.grid import TIE_TOLERANCE, Neighbours, distance_band
from analysis.montecarlo import replicate_keys, uniform_below

DEFAULT_REPLICATIONS = 999
# Sequential Monte Carlo (Besag & Clifford 1991): once this many replicates reach the observed
# maximum, p > 0.05 is certain at 999 replications and the rest would only refine a dull answer.
DEFAULT_EARLY_STOP = 50
_BATCH = 100
_MIN_BATCH = 10
# How circles take in locations at the same distance from the centre: "satscan" one at a time
# in coordinate order (x, then y), as SaTScan does, so a circle may hold some but not all of
# them; "rings" only whole rings of equidistant locations.
TIE_RULES = ("satscan", "rings")


@dataclass(frozen=True)
class Cluster:
    """One cylinder: the ``locations`` within ``radius`` metres of ``centre`` over the
    ``days`` days from ``start`` to ``end``.

    ``p_value`` is the Monte Carlo p-value, ``p_gumbel`` a Gumbel approximation from the same
    replicates (finer than 1/(R+1) for strong clusters), ``recurrence_interval_days`` how often
    a cluster this strong would turn up by chance in analyses repeated every
    ``analysis_interval_days`` (the interval divided by p).
    """

    centre: int
    locations: np.ndarray
    radius: float
    start: np.datetime64
    end: np.datetime64
    days: int
    observed: int
    expected: float
    llr: float
    p_value: float
    p_gumbel: float
    recurrence_interval_days: float

    @property
    def ratio(self) -> float:
        """Observed over expected incidents."""
        return self.observed / self.expected


@dataclass(frozen=True)
class ScanResult:
    """Clusters, the most likely first, then secondary ones; ``maxima`` are the replicates'
    highest LLRs (fewer than asked for when the run stopped early)."""

    clusters: list[Cluster]
    cases: int
    replications: int
    stopped_early: bool
    maxima: np.ndarray
    seed: int | None


def space_time_scan(
    xy,
    location,
    days,
    *,
    end=None,
    study_days: int | None = 365,
    max_radius: float = 1000.0,
    max_days: int = 28,
    min_cases: int = 3,
    max_share: float = 0.5,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int | None = None,
    early_stop: int | None = DEFAULT_EARLY_STOP,
    max_clusters: int = 10,
    analysis_interval_days: int = 7,
    ties: str = "satscan",
) -> ScanResult:
    """Prospective space-time permutation scan.

    ``xy`` holds the coordinates (metres) of the locations (grid-cell centres or places),
    ``location`` each incident's row in ``xy`` and ``days`` its date (or day number). Cylinders
    are circles around every location up to ``max_radius`` metres and holding at most
    ``max_share`` of all incidents, times windows of 1..``max_days`` days ending on ``end``
    (default: the last date); they need at least ``min_cases`` incidents. Only incidents in the
    ``study_days`` days up to ``end`` count (None: all up to ``end``).

    ``replications`` seeded replicates give the p-values; with ``early_stop`` the run stops
    once that many replicates reach the observed maximum (Besag-Clifford p = hits / runs).
    Incidents are put in a canonical order first, so their input order changes nothing.

    ``ties`` says how circles take in locations at the same distance (see ``TIE_RULES``); the
    default ``"satscan"`` gives SaTScan's circles and so its most likely cluster.
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if ties not in TIE_RULES:
        raise ValueError(f"ties must be one of {TIE_RULES}")
    location, day_number, end_day = _cases(location, days, end, study_days, len(xy))
    total = len(location)
    if total == 0:
        return ScanResult([], 0, 0, False, np.empty(0), seed)
    offset = end_day - day_number  # 0 is the analysis date
    in_window = offset < max_days
    location_total = np.bincount(location, minlength=len(xy)).astype(np.int64)
    day_total = np.cumsum(np.bincount(offset[in_window], minlength=max_days)).astype(np.int64)
    observed = _window_counts(location[in_window], offset[in_window], len(xy), max_days)
    neighbours, scored = _circles(xy, max_radius, ties)
    cylinders = _cylinder_arguments(
        neighbours, scored, location_total, day_total, max_share * total, min_cases
    )
    best = _best_per_centre(observed, cylinders)
    if best[0].max(initial=0.0) <= 0.0:
        return ScanResult([], total, 0, False, np.empty(0), seed)

    # the W window dates, in a fixed order; replicates give them to W random incidents
    window_offsets = np.sort(offset[in_window])

    def replicate(keys, n_chunks):
        return _replicate_maxima(location, window_offsets, keys, n_chunks, *cylinders)

    maxima, stopped = _monte_carlo(replicate, best[0].max(), replications, seed, early_stop)
    clusters = []
    for centre, members in _non_overlapping(neighbours, *best[:2], max_clusters):
        n_days = int(best[2][centre])
        p, p_gumbel = _p_values(best[0][centre], maxima, stopped)
        clusters.append(
            Cluster(
                centre=int(centre),
                locations=np.sort(members),
                radius=float(neighbours.distances[neighbours.indptr[centre] + len(members) - 1]),
                start=np.datetime64(end_day - n_days + 1, "D"),
                end=np.datetime64(end_day, "D"),
                days=n_days,
                observed=int(observed[members, n_days - 1].sum()),
                expected=float(location_total[members].sum() * day_total[n_days - 1] / total),
                llr=float(best[0][centre]),
                p_value=p,
                p_gumbel=p_gumbel,
                recurrence_interval_days=analysis_interval_days / p,
            )
        )
    return ScanResult(clusters, total, len(maxima), stopped, maxima, seed)


def retrospective_space_time_scan(
    xy,
    location,
    days,
    *,
    start=None,
    end=None,
    max_radius: float = 1000.0,
    max_days: int = 28,
    min_cases: int = 3,
    max_share: float = 0.5,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int | None = None,
    early_stop: int | None = DEFAULT_EARLY_STOP,
    max_clusters: int = 10,
    ties: str = "satscan",
) -> ScanResult:
    """Retrospective space-time permutation scan: windows of 1..``max_days`` days that start
    and end anywhere in the study period ``start``..``end`` (default: the first and last
    date), as in SaTScan's retrospective analysis. Looks back for clusters that have been,
    not only ones going on now.

    The other arguments are those of ``space_time_scan``. Replicates shuffle every date among
    the incidents. A retrospective cluster has no recurrence interval (it is NaN): the
    analysis is not repeated.
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if ties not in TIE_RULES:
        raise ValueError(f"ties must be one of {TIE_RULES}")
    day_number = np.asarray(days).astype("datetime64[D]").astype(np.int64)
    if start is None:
        first_day = int(day_number.min()) if len(day_number) else None
    else:
        first_day = int(np.datetime64(start, "D").astype(np.int64))
    location, day_number, end_day = _cases(location, days, end, None, len(xy))
    keep = day_number >= first_day if first_day is not None else slice(None)
    location, day_number = location[keep], day_number[keep]
    total = len(location)
    if total == 0:
        return ScanResult([], 0, 0, False, np.empty(0), seed)
    n_study_days = end_day - first_day + 1
    day = (day_number - first_day).astype(np.int64)  # 0 is the first day of the study
    location_total = np.bincount(location, minlength=len(xy)).astype(np.int64)
    day_cumulative = np.zeros(n_study_days + 1, dtype=np.int64)
    np.cumsum(np.bincount(day, minlength=n_study_days), out=day_cumulative[1:])
    neighbours, scored = _circles(xy, max_radius, ties)
    # ln of every window's incidents: row = last day, column = days - 1 (-inf when empty)
    last = np.arange(n_study_days)[:, None]
    first = last - np.arange(max_days)[None, :]
    window_total = day_cumulative[last + 1] - day_cumulative[np.maximum(first, 0)]
    with np.errstate(divide="ignore"):
        ln_window = np.where(first >= 0, np.log(window_total.astype(float)), -np.inf)
    cylinders = (
        neighbours.indptr,
        neighbours.indices,
        scored,
        location_total,
        day_cumulative.astype(float),
        ln_window,
        total,
        float(max_share * total),
        int(min_cases),
        int(max_days),
        _xlogx(total),
    )
    n = len(xy)
    best = (
        np.zeros(n),
        np.zeros(n, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
    )
    _best_windows(_day_counts(location, day, n, n_study_days), *cylinders, True, *best)
    if best[0].max(initial=0.0) <= 0.0:
        return ScanResult([], total, 0, False, np.empty(0), seed)

    def replicate(keys, n_chunks):
        return _replicate_window_maxima(location, day, n_study_days, keys, n_chunks, *cylinders)

    maxima, stopped = _monte_carlo(replicate, best[0].max(), replications, seed, early_stop)
    clusters = []
    for centre, members in _non_overlapping(neighbours, *best[:2], max_clusters):
        last_day, n_days = int(best[2][centre]), int(best[3][centre])
        p, p_gumbel = _p_values(best[0][centre], maxima, stopped)
        in_window = (day > last_day - n_days) & (day <= last_day)
        cases_in_window = day_cumulative[last_day + 1] - day_cumulative[last_day + 1 - n_days]
        clusters.append(
            Cluster(
                centre=int(centre),
                locations=np.sort(members),
                radius=float(neighbours.distances[neighbours.indptr[centre] + len(members) - 1]),
                start=np.datetime64(first_day + last_day - n_days + 1, "D"),
                end=np.datetime64(first_day + last_day, "D"),
                days=n_days,
                observed=int(np.isin(location[in_window], members).sum()),
                expected=float(location_total[members].sum() * cases_in_window / total),
                llr=float(best[0][centre]),
                p_value=p,
                p_gumbel=p_gumbel,
                recurrence_interval_days=np.nan,
            )
        )
    return ScanResult(clusters, total, len(maxima), stopped, maxima, seed)


def _xlogx(total):
    """c ln c for c = 0..total, with 0 ln 0 = 0."""
    counts = np.arange(total + 1, dtype=float)
    return counts * np.log(np.maximum(counts, 1.0))


@njit(cache=True)
def _day_counts(location, day, n_locations, n_days):
    """Incidents per location before each day: row z, column d counts days 0..d-1."""
    counts = np.zeros((n_locations, n_days + 1), dtype=np.int64)
    for i in range(len(location)):
        counts[location[i], day[i] + 1] += 1
    for z in range(n_locations):
        for d in range(n_days):
            counts[z, d + 1] += counts[z, d]
    return counts


@njit(cache=True)
def _best_windows(
    day_counts,
    indptr,
    indices,
    group_end,
    location_total,
    day_cumulative,
    ln_window,
    total,
    max_spatial,
    min_cases,
    max_days,
    xlogx,
    per_centre,
    best_llr,
    best_members,
    best_last,
    best_days,
):
    """Highest LLR over all cylinders with windows anywhere in the study period; with
    ``per_centre`` also each centre's best cylinder (LLR, neighbours in the circle, last day
    and length of the window) in the ``best_*`` arrays.

    A window whose first or last day has no incident in the circle is never the best one: the
    window without that day has the same count and no more expected, so it is skipped.
    """
    n_days = day_counts.shape[1] - 1
    ln_total = np.log(total)
    inv_total = 1.0 / total
    running = np.zeros(n_days + 1, dtype=np.int64)
    overall = 0.0
    best = 0.0
    for centre in range(len(indptr) - 1):
        if per_centre:
            best = 0.0
        running[:] = 0
        spatial = 0
        start = indptr[centre]
        for k in range(start, indptr[centre + 1]):
            z = indices[k]
            spatial += location_total[z]
            if spatial > max_spatial:
                break
            for d in range(n_days + 1):
                running[d] += day_counts[z, d]
            if not group_end[k] or running[n_days] < min_cases:
                continue
            ln_spatial = np.log(spatial)
            for last in range(n_days):
                if running[last + 1] == running[last]:
                    continue
                earliest = max(0, last + 1 - max_days)
                if running[last + 1] - running[earliest] < min_cases:
                    continue
                for first in range(last, earliest - 1, -1):
                    if first < last and running[first + 1] == running[first]:
                        continue
                    c = running[last + 1] - running[first]
                    if c < min_cases:
                        continue
                    mu = spatial * (day_cumulative[last + 1] - day_cumulative[first]) * inv_total
                    if c <= mu:
                        continue
                    length = last - first
                    lead = xlogx[c] - c * (ln_spatial + ln_window[last, length] - ln_total)
                    if lead - (total - c) * (c - mu) * inv_total <= best:
                        continue
                    llr = lead + xlogx[total - c] - (total - c) * np.log(total - mu)
                    if llr > best:
                        best = llr
                        if per_centre:
                            best_llr[centre] = llr
                            best_members[centre] = k - start + 1
                            best_last[centre] = last
                            best_days[centre] = length + 1
        overall = max(overall, best)
    return overall


@njit(parallel=True, cache=True)
def _replicate_window_maxima(
    location,
    day,
    n_days,
    keys,
    n_chunks,
    indptr,
    indices,
    group_end,
    location_total,
    day_cumulative,
    ln_window,
    total,
    max_spatial,
    min_cases,
    max_days,
    xlogx,
):
    """Highest LLR of each replicate (one per key) with every date shuffled among the
    incidents (a full Fisher-Yates shuffle from the same order on any thread)."""
    n = len(location)
    maxima = np.zeros(len(keys))
    for chunk in prange(n_chunks):
        shuffled = day.copy()
        unused_llr = np.zeros(0)
        unused_index = np.zeros(0, dtype=np.int64)
        for r in range(chunk * len(keys) // n_chunks, (chunk + 1) * len(keys) // n_chunks):
            shuffled[:] = day
            for k in range(n - 1):
                j = k + uniform_below(keys[r], k, n - k)
                shuffled[k], shuffled[j] = shuffled[j], shuffled[k]
            counts = _day_counts(location, shuffled, len(indptr) - 1, n_days)
            maxima[r] = _best_windows(
                counts,
                indptr,
                indices,
                group_end,
                location_total,
                day_cumulative,
                ln_window,
                total,
                max_spatial,
                min_cases,
                max_days,
                xlogx,
                False,
                unused_llr,
                unused_index,
                unused_index,
                unused_index,
            )
    return maxima


def _cases(location, days, end, study_days, n_locations):
    """Incidents inside the study period, in canonical order, and the analysis day."""
    location = np.asarray(location, dtype=np.int64)
    day_number = np.asarray(days).astype("datetime64[D]").astype(np.int64)
    if len(location) != len(day_number):
        raise ValueError("location and days must have the same length")
    if len(location) and (location.min() < 0 or location.max() >= n_locations):
        raise ValueError("every location must be a row of xy")
    if end is None:
        if not len(day_number):
            raise ValueError("no incidents and no analysis date")
        end_day = int(day_number.max())
    else:
        end_day = int(np.datetime64(end, "D").astype(np.int64))
    keep = day_number <= end_day
    if study_days is not None:
        keep &= day_number > end_day - study_days
    order = np.lexsort((day_number[keep], location[keep]))
    return location[keep][order], day_number[keep][order], end_day


def _window_counts(location, offset, n_locations, max_days):
    """Incidents per location in the last 1, 2 ... max_days days (cumulative over days)."""
    counts = np.zeros((n_locations, max_days), dtype=np.int32)
    np.add.at(counts, (location, offset), 1)
    return np.cumsum(counts, axis=1, dtype=np.int32)


def _circles(xy, max_radius, ties):
    """Each centre's neighbours in the order its circles take them in, and which of the
    circles (the first k neighbours, for each k) are scored.

    SaTScan's circles are the k nearest locations for every k, with equidistant locations
    taken one at a time in coordinate order, x then y ("satscan": every circle is scored).
    With "rings" a circle is scored only once the last neighbour at its radius is in.
    """
    neighbours = distance_band(xy, max_radius)
    distances = neighbours.distances
    ring_start = np.ones(len(distances), dtype=np.bool_)
    ring_start[1:] = distances[1:] - distances[:-1] > TIE_TOLERANCE
    ring_start[neighbours.indptr[:-1]] = True
    if ties == "rings":
        ring_end = np.ones(len(distances), dtype=np.bool_)
        ring_end[:-1] = ring_start[1:]
        return neighbours, ring_end
    # ring numbers grow along the CSR rows, so sorting by ring keeps every row in place
    ring = np.cumsum(ring_start)
    indices = neighbours.indices
    order = np.lexsort((indices, xy[indices, 1], xy[indices, 0], ring))
    reordered = Neighbours(neighbours.indptr, indices[order], distances[order])
    return reordered, np.ones(len(distances), dtype=np.bool_)


def _cylinder_arguments(neighbours, group_end, location_total, day_total, max_spatial, min_cases):
    """What every scan of the same incidents shares; only the window counts change.
    ``group_end`` marks the neighbours whose circle (up to and including them) is scored."""
    total = int(location_total.sum())
    counts = np.arange(total + 1, dtype=float)
    with np.errstate(divide="ignore"):
        ln_day_total = np.log(day_total.astype(float))
    return (
        neighbours.indptr,
        neighbours.indices,
        group_end,
        location_total,
        day_total.astype(float),
        ln_day_total,
        total,
        float(max_spatial),
        int(min_cases),
        counts * np.log(np.maximum(counts, 1.0)),  # c ln c, with 0 ln 0 = 0
    )


def _best_per_centre(window_counts, cylinders):
    """Each centre's best cylinder: LLR, number of neighbours in the circle, days."""
    n = len(window_counts)
    best = (np.zeros(n), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64))
    _best_cylinders(window_counts, *cylinders, True, *best)
    return best


def _non_overlapping(neighbours, best_llr, best_members, max_clusters):
    """Centres' best cylinders by falling LLR, skipping any that shares a location with one
    already taken (SaTScan's "no geographical overlap")."""
    taken = np.zeros(neighbours.n, dtype=bool)
    found = 0
    for centre in np.argsort(-best_llr, kind="stable"):
        if best_llr[centre] <= 0.0 or found == max_clusters:
            return
        first = neighbours.indptr[centre]
        members = neighbours.indices[first : first + best_members[centre]]
        if not taken[members].any():
            taken[members] = True
            found += 1
            yield centre, members


def _monte_carlo(replicate, observed_max, replications, seed, early_stop):
    """Replicate maxima, in batches so that a clearly dull result can stop early: once
    ``early_stop`` replicates reach the observed maximum, the run ends at that replicate.
    ``replicate(keys, n_chunks)`` gives the maxima of the replicates with those keys.
    Which replicate ends the run does not depend on the batches; they only decide how many
    replicates past it are computed and thrown away (see ``_batch_size``)."""
    keys = replicate_keys(seed, replications)
    maxima = np.empty(0)
    hits = np.zeros(1, dtype=np.int64)
    while len(maxima) < replications:
        size = _batch_size(len(maxima), int(hits[-1]), early_stop)
        batch = keys[len(maxima) : len(maxima) + size]
        n_chunks = max(1, min(len(batch), get_num_threads()))
        maxima = np.concatenate([maxima, replicate(batch, n_chunks)])
        hits = np.cumsum(maxima >= _reached(observed_max))
        if early_stop is not None and hits[-1] >= early_stop:
            runs = int(np.searchsorted(hits, early_stop)) + 1
            return maxima[:runs], runs < replications
    return maxima, False


def _batch_size(done: int, hits: int, early_stop: int | None) -> int:
    """Replicates to run next: no run stops before ``early_stop`` replicates, and once some
    replicates reach the observed maximum, about as many as the rate so far says are still
    needed to stop, so a dull result wastes few replicates past its stopping point."""
    if early_stop is None:
        return _BATCH
    if done == 0:
        return min(_BATCH, max(early_stop, _MIN_BATCH))
    if hits == 0:
        return _BATCH
    still_needed = -(-(early_stop - hits) * done // hits)  # ceiling
    return min(_BATCH, max(still_needed, _MIN_BATCH))


def _reached(llr: float) -> float:
    """The replicate maximum that counts as reaching ``llr``: equal up to rounding."""
    return llr - 1e-9 * max(1.0, abs(llr))


def _p_values(llr: float, maxima: np.ndarray, stopped: bool) -> tuple[float, float]:
    """Monte Carlo p (Besag-Clifford hits / runs when stopped early) and a Gumbel fit's p."""
    if not len(maxima):
        return np.nan, np.nan
    hits = int((maxima >= _reached(llr)).sum())
    p = hits / len(maxima) if stopped else (hits + 1) / (len(maxima) + 1)
    location, scale = maxima.mean(), maxima.std() * np.sqrt(6) / np.pi
    p_gumbel = float(stats.gumbel_r.sf(llr, location - np.euler_gamma * scale, scale))
    return p, p_gumbel


# How far below the best LLR so far a cylinder's upper bound must fall before the cylinder is
# skipped unscored: far above the rounding error of the LLR itself (about 1e-9 at C = 10^6), so
# the bound never drops a cylinder whose computed LLR would have counted.
_BOUND_MARGIN = 1e-6


@njit(cache=True, inline="always")
def _may_beat(running, spatial, day_share, min_cases, threshold, inv_total):
    """True when some window of the circle may score above ``threshold``; ``day_share`` is
    each window's share of all incidents, so mu = spatial * day_share.

    For c > mu, ln x <= (x - 1)/sqrt(x) (x >= 1) bounds c ln(c/mu) by (c - mu) sqrt(c/mu),
    which is tight to second order near c = mu, where nearly all cylinders lie; with the
    second term's bound, LLR <= (c - mu)(sqrt(c/mu) - 1 + c/C). That exceeds the threshold h
    when q = h + (1 - c/C)(c - mu) is negative or (c - mu)^2 c > q^2 mu. With the circle's
    largest count in place of c, q only gets smaller and the test looser, and it needs
    neither a log, a square root, a division nor a table look-up, so the compiler checks all
    windows at once in vector registers; only a circle that passes is scored window by window.
    """
    slope = 1.0 - running[-1] * inv_total
    passed = 0
    for t in range(len(running)):
        c = running[t]
        mu = spatial * day_share[t]
        excess = c - mu
        q = max(threshold + slope * excess, 0.0)
        passed += (c >= min_cases) & (excess > 0.0) & (excess * excess * c > q * q * mu)
    return passed > 0


@njit(cache=True)
def _best_cylinders(
    window_counts,
    indptr,
    indices,
    group_end,
    location_total,
    day_total,
    ln_day_total,
    total,
    max_spatial,
    min_cases,
    xlogx,
    per_centre,
    best_llr,
    best_members,
    best_days,
):
    """Highest LLR over all cylinders; with ``per_centre`` also each centre's best cylinder
    (LLR, number of neighbours in its circle, days in its window) in the ``best_*`` arrays.

    Circles grow one neighbour at a time and are scored where ``group_end`` says so. c ln c
    comes from the table ``xlogx``, ln mu from logs of the margins. Two upper bounds skip
    work for cylinders that cannot beat the best so far: ``_may_beat`` for all windows of a
    circle at once, then LLR <= c ln(c/mu) - (C - c)(c - mu)/C for each window before the one
    remaining log.

    A neighbour with no incident in the window leaves every window's count c as it was and
    raises mu, and the LLR falls as mu rises while c > mu: a circle that took in only such
    neighbours since it was last scored cannot beat that score and is not scored again. In a
    sparse series most neighbours are such, so this skips most of the work.
    """
    n_days = window_counts.shape[1]
    ln_total = np.log(total)
    inv_total = 1.0 / total
    day_share = day_total * inv_total
    running = np.zeros(n_days)  # exact: counts stay far below 2**53
    overall = 0.0
    best = 0.0
    for centre in range(len(indptr) - 1):
        if per_centre:
            best = 0.0
        running[:] = 0.0
        spatial = 0
        grown = False  # window incidents taken in since the circle was last scored
        start = indptr[centre]
        for k in range(start, indptr[centre + 1]):
            z = indices[k]
            spatial += location_total[z]
            if spatial > max_spatial:
                break
            if window_counts[z, n_days - 1] > 0:  # counts are cumulative over the days
                grown = True
                for t in range(n_days):
                    running[t] += window_counts[z, t]
            if not group_end[k] or not grown or running[n_days - 1] < min_cases:
                continue
            grown = False
            threshold = best - _BOUND_MARGIN * max(1.0, best)
            if not _may_beat(running, spatial, day_share, min_cases, threshold, inv_total):
                continue
            ln_spatial = np.log(spatial)
            for t in range(n_days):
                c = np.int64(running[t])
                if c < min_cases:
                    continue
                mu = spatial * day_total[t] * inv_total
                if c <= mu:
                    continue
                lead = xlogx[c] - c * (ln_spatial + ln_day_total[t] - ln_total)
                if lead - (total - c) * (c - mu) * inv_total <= best:
                    continue
                llr = lead + xlogx[total - c] - (total - c) * np.log(total - mu)
                if llr > best:
                    best = llr
                    if per_centre:
                        best_llr[centre] = llr
                        best_members[centre] = k - start + 1
                        best_days[centre] = t + 1
        overall = max(overall, best)
    return overall


@njit(parallel=True, cache=True)
def _replicate_maxima(
    location,
    window_offsets,
    keys,
    n_chunks,
    indptr,
    indices,
    group_end,
    location_total,
    day_total,
    ln_day_total,
    total,
    max_spatial,
    min_cases,
    xlogx,
):
    """Highest LLR of each replicate (one per key) with the dates shuffled among incidents.

    Only the W incidents that get one of the W window dates matter, and in a uniform shuffle
    they are a uniform random W-subset in random order: a partial Fisher-Yates shuffle of W
    steps draws them, then is undone, so a replicate costs O(W), not O(N), and starts from the
    same order on any thread.
    """
    n = len(location)
    n_window = len(window_offsets)
    n_locations = len(indptr) - 1
    max_days = len(day_total)
    maxima = np.zeros(len(keys))
    for chunk in prange(n_chunks):
        shuffled = location.copy()
        swaps = np.empty(n_window, dtype=np.int64)
        counts = np.zeros((n_locations, max_days))  # float: the kernel adds them as floats
        unused_llr = np.zeros(0)
        unused_index = np.zeros(0, dtype=np.int64)
        for r in range(chunk * len(keys) // n_chunks, (chunk + 1) * len(keys) // n_chunks):
            for k in range(n_window):
                j = k + uniform_below(keys[r], k, n - k)
                swaps[k] = j
                shuffled[k], shuffled[j] = shuffled[j], shuffled[k]
            counts[:] = 0
            for k in range(n_window):
                counts[shuffled[k], window_offsets[k]] += 1
            for z in range(n_locations):
                for t in range(1, max_days):
                    counts[z, t] += counts[z, t - 1]
            maxima[r] = _best_cylinders(
                counts,
                indptr,
                indices,
                group_end,
                location_total,
                day_total,
                ln_day_total,
                total,
                max_spatial,
                min_cases,
                xlogx,
                False,
                unused_llr,
                unused_index,
                unused_index,
            )
            for k in range(n_window - 1, -1, -1):
                j = swaps[k]
                shuffled[k], shuffled[j] = shuffled[j], shuffled[k]
    return maxima
