import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.montecarlo import replicate_keys, uniform_below
from analysis.scan import retrospective_space_time_scan, space_time_scan
from tests.analysis.brute_force_scan import brute_force, circles

SETTINGS = {"max_radius": 450.0, "max_days": 10, "min_cases": 3, "max_share": 0.5}


def _brute_force_retrospective(xy, location, days, max_radius, max_days, min_cases, max_share):
    """Most likely cylinder over every circle and every window of 1..max_days days inside
    the first..last day: (LLR, members, first day, days)."""
    total = len(location)
    masks = circles(xy, max_radius)
    first_day, n_days = days.min(), days.max() - days.min() + 1
    counts = np.zeros((len(xy), n_days))
    np.add.at(counts, (location, days - first_day), 1)
    spatial = masks @ counts.sum(axis=1)
    best = (0.0, None, None, None)
    for start in range(n_days):
        for length in range(1, min(max_days, n_days - start) + 1):
            cases = masks @ counts[:, start : start + length].sum(axis=1)
            expected = spatial * counts[:, start : start + length].sum() / total
            valid = (cases >= min_cases) & (cases > expected) & (spatial <= max_share * total)
            with np.errstate(divide="ignore", invalid="ignore"):
                llr = cases * np.log(cases / expected)
                llr += (total - cases) * np.log((total - cases) / (total - expected))
            llr = np.where(valid, llr, 0.0)
            if llr.max() > best[0]:
                circle = np.argmax(llr)
                best = (llr[circle], set(np.flatnonzero(masks[circle])), start + first_day, length)
    return best


def _brute_force_p(xy, location, days, end, replications, seed):
    rng = np.random.default_rng(seed)
    observed = brute_force(xy, location, days, end, **SETTINGS)[0]
    maxima = [
        brute_force(xy, location, rng.permutation(days), end, **SETTINGS)[0]
        for _ in range(replications)
    ]
    return (np.sum(np.array(maxima) >= observed - 1e-9) + 1) / (replications + 1)


def _incidents(n=120, locations=16, days=60, seed=0, lattice=False):
    rng = np.random.default_rng(seed)
    if lattice:
        side = int(np.sqrt(locations))
        xy = np.column_stack(np.divmod(np.arange(side * side), side)) * 200.0
    else:
        xy = rng.uniform(0, 1_500, (locations, 2))
    weights = rng.gamma(2.0, size=len(xy))
    location = rng.choice(len(xy), n, p=weights / weights.sum())
    return xy, location, rng.integers(0, days, n)


def _plant(location, days, centre, cases, seed=1):
    """Add ``cases`` incidents at ``centre`` in the last three days."""
    recent = days.max() - np.random.default_rng(seed).integers(0, 3, cases)
    return np.append(location, np.full(cases, centre)), np.append(days, recent)


@pytest.mark.parametrize("ties", ["satscan", "rings"])
@pytest.mark.parametrize(("seed", "lattice"), [(0, False), (1, False), (2, True), (3, True)])
def test_most_likely_cluster_and_llr_equal_the_brute_force(seed, lattice, ties):
    xy, location, days = _incidents(seed=seed, lattice=lattice)
    location, days = _plant(location, days, centre=5, cases=4, seed=seed)
    result = space_time_scan(xy, location, days, **SETTINGS, replications=9, seed=0, ties=ties)
    llr, members, window = brute_force(xy, location, days, days.max(), **SETTINGS, ties=ties)
    primary = result.clusters[0]
    assert primary.llr == pytest.approx(llr, rel=1e-10)
    assert set(primary.locations.tolist()) == members
    assert primary.days == window
    assert primary.observed > primary.expected


@pytest.mark.parametrize(("seed", "lattice"), [(0, False), (2, True)])
def test_retrospective_most_likely_cluster_equals_the_brute_force(seed, lattice):
    xy, location, days = _incidents(n=150, days=40, seed=seed, lattice=lattice)
    middle = np.full(5, 7)  # five incidents at one place on days 20-22, not at the end
    location = np.append(location, middle)
    days = np.append(days, [20, 20, 21, 22, 22])
    result = retrospective_space_time_scan(xy, location, days, **SETTINGS, replications=19, seed=0)
    llr, members, first, length = _brute_force_retrospective(xy, location, days, **SETTINGS)
    primary = result.clusters[0]
    assert primary.llr == pytest.approx(llr, rel=1e-10)
    assert set(primary.locations.tolist()) == members
    assert (primary.start, primary.days) == (np.datetime64(int(first), "D"), length)
    assert primary.end == primary.start + (length - 1)
    assert primary.observed == np.sum(
        np.isin(location, primary.locations) & (days >= first) & (days < first + length)
    )
    assert np.isnan(primary.recurrence_interval_days)


def test_a_seeded_retrospective_run_is_reproducible_on_any_number_of_threads():
    xy, location, days = _incidents(n=300, locations=25, days=50, seed=11)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = retrospective_space_time_scan(xy, location, days, replications=99, seed=5)
    finally:
        numba.set_num_threads(threads)
    many = retrospective_space_time_scan(xy, location, days, replications=99, seed=5)
    np.testing.assert_array_equal(one.maxima, many.maxima)
    assert len(one.maxima) > 0


def test_p_value_agrees_with_brute_force_replicates_within_monte_carlo_error():
    xy, location, days = _incidents(n=150, seed=4)
    location, days = _plant(location, days, centre=3, cases=3)
    ours = space_time_scan(
        xy, location, days, **SETTINGS, replications=999, seed=1, early_stop=None
    ).clusters[0]
    reference = _brute_force_p(xy, location, days, days.max(), replications=999, seed=2)
    assert 0.005 < reference < 0.5  # a p-value that can disagree
    error = np.sqrt(2 * reference * (1 - reference) / 999) + 2 / 1000
    assert abs(ours.p_value - reference) <= 4 * error


def test_a_planted_cluster_is_found_with_a_long_recurrence_interval():
    xy, location, days = _incidents(n=2_000, locations=100, days=365, seed=5, lattice=True)
    location, days = _plant(location, days, centre=44, cases=12)
    result = space_time_scan(xy, location, days, seed=3)
    primary = result.clusters[0]
    assert 44 in primary.locations
    assert primary.p_value == pytest.approx(1 / 1000)
    assert primary.recurrence_interval_days == pytest.approx(7 * 1000)
    assert primary.p_gumbel < 0.001
    assert result.replications == 999 and not result.stopped_early


def test_null_data_stop_early_with_an_unremarkable_p_value():
    xy, location, days = _incidents(n=2_000, locations=100, days=365, seed=6, lattice=True)
    result = space_time_scan(xy, location, days, seed=3)
    assert result.stopped_early and result.replications < 999
    assert result.clusters[0].p_value == pytest.approx(50 / result.replications)
    assert result.clusters[0].p_value > 0.05


def test_secondary_clusters_share_no_location_and_fall_in_llr():
    xy, location, days = _incidents(n=600, locations=64, days=90, seed=7, lattice=True)
    result = space_time_scan(xy, location, days, replications=19, seed=1, max_clusters=20)
    assert len(result.clusters) > 2
    seen = set()
    for cluster in result.clusters:
        assert seen.isdisjoint(cluster.locations.tolist())
        seen.update(cluster.locations.tolist())
    llrs = [cluster.llr for cluster in result.clusters]
    assert llrs == sorted(llrs, reverse=True)
    assert all(cluster.observed >= 3 for cluster in result.clusters)


def test_only_the_study_period_up_to_the_analysis_date_counts():
    xy, location, days = _incidents(n=300, seed=8)
    end = int(days.max())
    base = space_time_scan(xy, location, days, replications=19, seed=1)
    later = np.full(30, 2)
    earlier = np.full(30, 9)
    padded = space_time_scan(
        xy,
        np.concatenate([location, later, earlier]),
        np.concatenate([days, np.full(30, end + 3), np.full(30, end - 400)]),
        end=end,
        replications=19,
        seed=1,
    )
    assert padded.cases == base.cases == 300
    assert padded.clusters[0].llr == base.clusters[0].llr


def test_a_seeded_run_is_reproducible_on_any_number_of_threads():
    xy, location, days = _incidents(n=500, locations=36, seed=9)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = space_time_scan(xy, location, days, replications=199, seed=5, early_stop=None)
    finally:
        numba.set_num_threads(threads)
    many = space_time_scan(xy, location, days, replications=199, seed=5, early_stop=None)
    np.testing.assert_array_equal(one.maxima, many.maxima)
    other = space_time_scan(xy, location, days, replications=199, seed=6, early_stop=None)
    assert not np.array_equal(one.maxima, other.maxima)


@given(st.randoms(), st.integers(0, 1_000))
@settings(max_examples=15, deadline=None)
def test_the_order_of_incidents_changes_nothing(random, seed):
    xy, location, days = _incidents(n=80, locations=9, days=30, seed=seed)
    order = np.array(random.sample(range(80), 80))
    before = space_time_scan(xy, location, days, replications=19, seed=seed)
    after = space_time_scan(xy, location[order], days[order], replications=19, seed=seed)
    np.testing.assert_array_equal(after.maxima, before.maxima)
    assert [c.llr for c in after.clusters] == [c.llr for c in before.clusters]


def test_dates_are_reported_as_dates():
    xy, location, days = _incidents(n=200, seed=10)
    dates = np.datetime64("2026-01-05") + days
    result = space_time_scan(xy, location, dates, replications=9, seed=1)
    assert result.clusters[0].end == dates.max()
    assert result.clusters[0].start == dates.max() - (result.clusters[0].days - 1)


def test_no_incidents_no_clusters():
    result = space_time_scan(np.zeros((1, 2)), [], [], end="2026-03-01")
    assert result.clusters == [] and result.cases == 0


@pytest.mark.parametrize("planted", [0, 5, 8])
@pytest.mark.parametrize("seed", [21, 22, 23])
def test_early_stopping_gives_the_full_runs_verdict_at_the_reporting_thresholds(seed, planted):
    xy, location, days = _incidents(n=1_500, locations=64, days=200, seed=seed, lattice=True)
    location, days = _plant(location, days, centre=27, cases=planted, seed=seed)
    full = space_time_scan(xy, location, days, seed=seed, early_stop=None)
    sequential = space_time_scan(xy, location, days, seed=seed, early_stop=50)
    assert full.replications == 999 and not full.stopped_early
    # the same replicates, only fewer of them
    np.testing.assert_array_equal(sequential.maxima, full.maxima[: sequential.replications])
    assert len(sequential.clusters) == len(full.clusters) > 0
    for early, complete in zip(sequential.clusters, full.clusters, strict=True):
        assert early.llr == complete.llr
        for threshold in (0.05, 0.01):
            assert (early.p_value <= threshold) == (complete.p_value <= threshold)
    if sequential.stopped_early:
        hits = int(np.sum(sequential.maxima >= sequential.clusters[0].llr - 1e-9))
        assert hits == 50 and sequential.maxima[-1] >= sequential.clusters[0].llr - 1e-9
        assert sequential.clusters[0].p_value == 50 / sequential.replications > 0.05
    else:
        assert [c.p_value for c in sequential.clusters] == [c.p_value for c in full.clusters]


def test_a_strong_clusters_p_value_is_that_of_the_full_run():
    xy, location, days = _incidents(n=2_000, locations=100, days=365, seed=5, lattice=True)
    location, days = _plant(location, days, centre=44, cases=12)
    full = space_time_scan(xy, location, days, seed=3, early_stop=None)
    sequential = space_time_scan(xy, location, days, seed=3, early_stop=50)
    assert not sequential.stopped_early and sequential.replications == 999
    assert sequential.clusters[0].p_value == full.clusters[0].p_value == 1 / 1000
    assert sequential.clusters[0].p_gumbel == full.clusters[0].p_gumbel
    np.testing.assert_array_equal(sequential.maxima, full.maxima)


@pytest.mark.parametrize(("seed", "lattice"), [(12, False), (13, True)])
def test_each_replicates_maximum_equals_the_brute_force_scan_of_its_shuffle(seed, lattice):
    """The replicates' pruned kernel finds each shuffled data set's true highest LLR."""
    xy, location, days = _incidents(n=200, locations=25, days=40, seed=seed, lattice=lattice)
    result = space_time_scan(
        xy, location, days, **SETTINGS, replications=19, seed=seed, early_stop=None
    )
    # the same shuffles, drawn as the kernel draws them from the incidents in canonical order
    order = np.lexsort((days, location))
    canonical, offset = location[order], days.max() - days[order]
    recent = offset < SETTINGS["max_days"]
    window_offsets = np.sort(offset[recent])
    for key, maximum in zip(replicate_keys(seed, 19), result.maxima, strict=True):
        shuffled = canonical.copy()
        for k in range(len(window_offsets)):
            j = k + uniform_below(key, k, len(shuffled) - k)
            shuffled[k], shuffled[j] = shuffled[j], shuffled[k]
        shuffled_offset = np.concatenate([window_offsets, np.sort(offset[~recent])])
        llr = brute_force(xy, shuffled, days.max() - shuffled_offset, days.max(), **SETTINGS)[0]
        assert maximum == pytest.approx(llr, rel=1e-10)
