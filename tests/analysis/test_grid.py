import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist

from analysis.grid import TIE_TOLERANCE, Grid, distance_band, neighbours_from_pairs

coordinates = st.lists(
    st.tuples(st.floats(670_000, 680_000, allow_nan=False), st.floats(6_580_000, 6_590_000)),
    min_size=1,
    max_size=60,
)


def test_origin_snaps_to_the_cell_size_so_cell_ids_are_stable():
    grid = Grid.covering([674_123.0, 675_950.0], [6_581_010.0, 6_581_399.0], cell=200)
    assert (grid.x0, grid.y0) == (674_000.0, 6_581_000.0)
    assert (grid.nx, grid.ny) == (10, 2)


def test_margin_widens_the_grid_on_every_side():
    grid = Grid.covering([1_000.0], [1_000.0], cell=100, margin=250)
    assert (grid.x0, grid.y0, grid.nx, grid.ny) == (700.0, 700.0, 6, 6)


def test_cell_of_uses_lower_left_corners_and_marks_outside_points():
    grid = Grid(0.0, 0.0, 200.0, nx=3, ny=2)
    cells = grid.cell_of([0.0, 199.9, 200.0, 599.9, 600.0, -0.1, 10.0], [0, 0, 0, 399.9, 0, 0, 400])
    assert cells.tolist() == [0, 0, 1, 5, -1, -1, -1]


def test_centres_fall_in_their_own_cells():
    grid = Grid(100.0, 200.0, 250.0, nx=4, ny=3)
    centres = grid.centres()
    assert grid.cell_of(centres[:, 0], centres[:, 1]).tolist() == list(range(grid.size))
    assert grid.centres([5]).tolist() == [[100.0 + 1.5 * 250, 200.0 + 1.5 * 250]]


@given(coordinates)
@settings(max_examples=40, deadline=None)
def test_counts_keep_every_point_and_weights_sum(points):
    x, y = np.array(points).T
    grid = Grid.covering(x, y, cell=200)
    assert grid.counts(x, y).sum() == len(x)
    weights = np.arange(len(x)) % 3 + 1.0
    assert np.isclose(grid.counts(x, y, weights).sum(), weights.sum())


def test_counts_leave_out_points_outside_the_grid():
    grid = Grid(0.0, 0.0, 100.0, nx=2, ny=1)
    assert grid.counts([50.0, 150.0, 150.0, 250.0], [50.0, 50.0, 60.0, 50.0]).tolist() == [1, 2]


@given(coordinates, st.floats(0, 3_000))
@settings(max_examples=40, deadline=None)
def test_distance_band_is_every_pair_within_the_radius_sorted_by_distance(points, radius):
    xy = np.array(points)
    band = distance_band(xy, radius)
    distances = cdist(xy, xy)
    for i in range(len(xy)):
        row = slice(band.indptr[i], band.indptr[i + 1])
        expected = np.flatnonzero(distances[i] <= radius + TIE_TOLERANCE)
        assert sorted(band.indices[row]) == expected.tolist()
        assert i in band.indices[row]
        assert np.all(np.diff(band.distances[row]) >= 0)
        assert np.allclose(band.distances[row], distances[i, band.indices[row]])


def test_distance_band_on_a_grid_counts_the_cells_within_two_and_a_half_cells():
    grid = Grid(0.0, 0.0, 200.0, nx=9, ny=9)
    band = distance_band(grid.centres(), 500)
    centre = 4 * 9 + 4
    # integer offsets (dx, dy) with dx² + dy² <= 6.25
    assert band.cardinalities[centre] == 21
    assert band.cardinalities[0] == 8  # a corner: offsets with dx, dy >= 0


def test_neighbours_from_pairs_are_symmetric_with_self_and_without_duplicates():
    nb = neighbours_from_pairs(4, [0, 1, 1, 0], [1, 0, 2, 1])
    lists = [nb.indices[nb.indptr[i] : nb.indptr[i + 1]].tolist() for i in range(4)]
    assert lists == [[0, 1], [0, 1, 2], [1, 2], [3]]
    assert nb.distances is None
