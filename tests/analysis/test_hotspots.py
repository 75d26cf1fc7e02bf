import warnings
from itertools import combinations

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from analysis.grid import Grid, distance_band, neighbours_from_pairs
from analysis.hotspots import default_bandwidth, gi_star, kernel_density


def _pysal():
    esda = pytest.importorskip("esda", reason="esda (PySAL) is the reference for Gi*")
    libpysal = pytest.importorskip("libpysal", reason="libpysal builds the reference weights")
    return esda, libpysal


def _esda_gi_star(values, w):
    esda, _ = _pysal()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.G_Local(values, w, transform="B", star=True, permutations=0)


def _lattice(nx=12, ny=10, seed=0):
    grid = Grid(0.0, 0.0, 200.0, nx, ny)
    counts = np.random.default_rng(seed).poisson(1.5, grid.size).astype(float)
    return grid, counts


def test_gi_star_equals_esda_on_the_same_distance_band():
    grid, counts = _lattice()
    ours = gi_star(counts, distance_band(grid.centres(), 450))
    _, libpysal = _pysal()
    w = libpysal.weights.DistanceBand(grid.centres(), threshold=450, silence_warnings=True)
    ref = _esda_gi_star(counts, w)
    np.testing.assert_allclose(ours.statistic, ref.Gs, rtol=1e-12)
    np.testing.assert_allclose(ours.z, ref.Zs, rtol=1e-10, atol=1e-12)
    # esda reports the one-sided p of |z|; ours is two-sided
    np.testing.assert_allclose(ours.p, 2 * ref.p_norm, rtol=1e-10)


def test_gi_star_equals_esda_on_areas_sharing_borders():
    pairs = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 0), (1, 3), (5, 6), (2, 5)]
    first, second = np.array(pairs).T
    values = np.array([3.0, 9, 4, 0, 1, 7, 2])
    ours = gi_star(values, neighbours_from_pairs(7, first, second))
    adjacency = {i: [] for i in range(7)}
    for a, b in pairs:
        adjacency[a].append(b)
        adjacency[b].append(a)
    _, libpysal = _pysal()
    ref = _esda_gi_star(values, libpysal.weights.W(adjacency, silence_warnings=True))
    np.testing.assert_allclose(ours.z, ref.Zs, rtol=1e-10)


def _members(neighbours, i):
    return neighbours.indices[neighbours.indptr[i] : neighbours.indptr[i + 1]]


def _exact_two_sided_p(values, neighbours, i):
    """Conditional randomisation by enumeration: every set of k other units, equally likely."""
    members = _members(neighbours, i)
    observed = values[members].sum() - values[i]
    others = np.delete(values, i)
    sums = np.array([sum(c) for c in combinations(others, len(members) - 1)])
    return min(1.0, 2 * min(np.mean(sums >= observed), np.mean(sums <= observed)))


def test_permutation_p_values_agree_with_exact_enumeration_within_monte_carlo_error():
    values = np.array([0.0, 5, 1, 8, 2, 2, 0, 6, 3, 1])
    xy = np.column_stack([np.arange(10) % 5, np.arange(10) // 5]) * 100.0
    neighbours = distance_band(xy, 150)
    result = gi_star(values, neighbours, permutations=999, seed=7)
    exact = np.array([_exact_two_sided_p(values, neighbours, i) for i in range(10)])
    # a two-sided p doubles the one-sided Monte Carlo error; +1/(P+1) is the usual offset
    error = 2 * np.sqrt(exact * (1 - exact) / 999) + 2 / 1000
    assert np.all(np.abs(result.p_sim - exact) <= 4 * error)


def test_permutations_are_reproducible_and_independent_of_threads():
    grid, counts = _lattice(seed=3)
    neighbours = distance_band(grid.centres(), 300)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = gi_star(counts, neighbours, permutations=199, seed=11)
        numba.set_num_threads(threads)
        many = gi_star(counts, neighbours, permutations=199, seed=11)
    finally:
        numba.set_num_threads(threads)
    np.testing.assert_array_equal(one.p_sim, many.p_sim)
    assert not np.array_equal(
        one.p_sim, gi_star(counts, neighbours, permutations=199, seed=12).p_sim
    )


def test_candidates_get_the_same_p_values_as_in_a_full_run():
    grid, counts = _lattice(seed=4)
    neighbours = distance_band(grid.centres(), 300)
    full = gi_star(counts, neighbours, permutations=199, seed=5)
    candidates = full.z > 1.0
    part = gi_star(counts, neighbours, permutations=199, seed=5, candidates=candidates)
    np.testing.assert_array_equal(part.p_sim[candidates], full.p_sim[candidates])
    assert np.isnan(part.p_sim[~candidates]).all()
    assert np.all(part.p_sim_adjusted[~candidates] == 1.0)


def test_a_planted_hot_spot_is_found_and_null_data_give_none():
    grid = Grid(0.0, 0.0, 200.0, 40, 40)
    rng = np.random.default_rng(42)
    null = rng.poisson(0.6, grid.size).astype(float)
    neighbours = distance_band(grid.centres(), 500)
    assert not gi_star(null, neighbours).hot.any()
    planted = null.copy()
    centre = 20 * 40 + 20
    members = _members(neighbours, centre)
    planted[members] += rng.poisson(2.5, len(members))
    result = gi_star(planted, neighbours)
    assert result.hot[centre]
    near = _members(distance_band(grid.centres(), 1000), centre)
    assert set(np.flatnonzero(result.hot)) <= set(near)
    assert not result.cold.any()


def test_constant_values_have_no_hot_spots():
    neighbours = distance_band(Grid(0.0, 0.0, 100.0, 5, 5).centres(), 150)
    result = gi_star(np.full(25, 2.0), neighbours)
    assert np.all(result.z == 0) and not result.hot.any() and not result.cold.any()


def test_neighbour_lists_without_self_are_refused():
    nb = neighbours_from_pairs(3, [0, 1], [1, 2])
    without_self = type(nb)(np.array([0, 1, 3, 4]), np.array([1, 0, 2, 1]))
    with pytest.raises(ValueError, match="self"):
        gi_star([1.0, 2.0, 3.0], without_self)


@given(arrays(np.float64, 30, elements=st.integers(0, 6).map(float)), st.randoms())
@settings(max_examples=30, deadline=None)
def test_relabelling_units_only_relabels_the_result(values, random):
    grid = Grid(0.0, 0.0, 100.0, 6, 5)
    order = np.array(random.sample(range(30), 30))
    before = gi_star(values, distance_band(grid.centres(), 150))
    after = gi_star(values[order], distance_band(grid.centres()[order], 150))
    np.testing.assert_allclose(after.z, before.z[order], atol=1e-12)
    np.testing.assert_array_equal(after.hot, before.hot[order])


def test_bandwidth_rule_is_one_and_a_half_cells_within_250_to_400_m():
    assert [default_bandwidth(c) for c in (100, 200, 250, 500)] == [250, 300, 375, 400]


def test_kernel_density_of_one_point_is_the_quartic_kernel():
    grid = Grid(0.0, 0.0, 100.0, 11, 11)
    density = kernel_density(grid, [550.0], [550.0], bandwidth=300).reshape(11, 11)
    peak = 3 / (np.pi * 300**2) * 1e6
    assert density[5, 5] == pytest.approx(peak)
    assert density[5, 7] == pytest.approx(peak * (1 - 200**2 / 300**2) ** 2)
    assert density[5, 8] == 0.0 and density[5, 2] == 0.0
    np.testing.assert_allclose(density, density.T)
    # the surface holds one point's worth of mass (per km², cells of 0.01 km²)
    assert density.sum() * 0.01 == pytest.approx(1.0, rel=0.02)


def test_kernel_density_scales_with_weights():
    grid = Grid(0.0, 0.0, 200.0, 8, 8)
    x, y = [300.0, 900.0], [500.0, 700.0]
    np.testing.assert_allclose(
        kernel_density(grid, x, y, weights=[2.0, 2.0]), 2 * kernel_density(grid, x, y)
    )


def test_the_picture_layer_marks_only_dense_cells_with_incidents():
    """A busy block among a year of scattered incidents is hot; empty cells next to it and
    cells with a single incident are never drawn, and a uniform window marks nothing."""
    from analysis.hotspots import hot_cells

    rng = np.random.default_rng(7)
    spread_x = rng.uniform(0, 5000, 2000)
    spread_y = rng.uniform(0, 5000, 2000)
    block_x = 2500 + rng.uniform(0, 150, 12)
    block_y = 2500 + rng.uniform(0, 150, 12)
    x = np.concatenate([spread_x, block_x])
    y = np.concatenate([spread_y, block_y])
    window = np.zeros(len(x), dtype=bool)
    window[-12:] = True  # the block's twelve incidents
    window[:60] = True  # and sixty scattered ones in the same four weeks
    found = hot_cells(x, y, window, cell=200.0)
    assert found.tested >= 1
    assert len(found.cells) >= 1
    assert (found.counts >= 3).all()
    centres = found.grid.centres(found.cells)
    assert np.all(np.abs(centres - 2575) < 250)  # the block's cell, nowhere else

    uniform = hot_cells(spread_x, spread_y, np.arange(2000) < 300, cell=200.0)
    assert len(uniform.cells) == 0


def test_permutation_p_is_two_sided_about_twice_esdas_directed_p():
    """docs/method/hotspots.md: our p_sim doubles the smaller tail; esda's default
    ("directed") reports that tail undoubled. Continuous values, so ties play no part."""
    esda, libpysal = _pysal()
    grid = Grid(0.0, 0.0, 200.0, 8, 8)
    values = np.random.default_rng(3).gamma(2.0, size=grid.size)
    ours = gi_star(values, distance_band(grid.centres(), 300), permutations=9999, seed=1)
    w = libpysal.weights.DistanceBand(grid.centres(), threshold=300, silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.G_Local(values, w, transform="B", star=True, permutations=9999, seed=2)
    moderate = (ref.p_sim > 0.02) & (ref.p_sim < 0.4)
    assert moderate.sum() >= 5
    # Monte Carlo error of a p near 0.2 from 9999 draws is about 0.004 per run
    np.testing.assert_allclose(ours.p_sim[moderate], 2 * ref.p_sim[moderate], atol=0.03)
