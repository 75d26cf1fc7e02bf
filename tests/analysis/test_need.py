"""Combined need: scaling between the lowest and highest area, turning higher-is-better
round, and the weighted mean that leaves the index's order alone when nothing else weighs."""

import numpy as np
import pytest

from analysis.need import combine, scaled


def test_scaled_runs_from_lowest_to_highest_and_keeps_unknowns():
    out = scaled([10.0, 20.0, np.nan, 30.0])
    assert out[[0, 1, 3]].tolist() == [0.0, 0.5, 1.0]
    assert np.isnan(out[2])


def test_higher_is_better_is_turned_round():
    assert scaled([10.0, 20.0, 30.0], higher_better=True).tolist() == [1.0, 0.5, 0.0]


def test_equal_values_separate_no_areas():
    assert scaled([5.0, 5.0]).tolist() == [0.0, 0.0]
    assert np.isnan(scaled([np.nan, np.nan])).all()


def test_with_only_the_index_weighted_the_order_is_the_indexs():
    index = np.array([3.0, 9.0, 1.0, 4.0])
    indicator = np.array([100.0, 0.0, 50.0, np.nan])
    need = combine([scaled(index), scaled(indicator)], [1, 0])
    assert list(np.argsort(-need)) == list(np.argsort(-index))


def test_weights_move_areas_and_a_missing_weighed_part_makes_need_unknown():
    index = scaled([0.0, 10.0, 5.0])
    cost = scaled([300.0, 100.0, np.nan])
    need = combine([index, cost], [1, 3])
    assert need[0] == pytest.approx(0.75)  # lowest index, highest cost
    assert need[1] == pytest.approx(0.25)
    assert np.isnan(need[2])


def test_weights_are_checked():
    with pytest.raises(ValueError):
        combine([[1.0], [2.0]], [1])
    with pytest.raises(ValueError):
        combine([[1.0]], [0])
