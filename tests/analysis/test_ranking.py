"""Area ranking: index, intervals, rank intervals and trend on hand-made data."""

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from analysis.ranking import PER_INHABITANTS, WEIGHTED_COUNT, rank_areas

WEIGHTS = np.array([1.0, 2.0, 3.0, 0.0])  # the last category is "positive": not counted


def cube(per_area_category: list[list[int]], n_periods: int = 4) -> np.ndarray:
    """Spread each area-category total evenly (remainder first) over the periods."""
    totals = np.array(per_area_category)
    base, extra = np.divmod(totals, n_periods)
    counts = np.repeat(base[:, :, None], n_periods, axis=2)
    counts += np.arange(n_periods) < extra[:, :, None]
    return counts


def garwood(n: int, level: float = 0.95) -> tuple[float, float]:
    tail = (1 - level) / 2
    low = stats.chi2.ppf(tail, 2 * n) / 2 if n > 0 else 0.0
    return low, stats.chi2.ppf(1 - tail, 2 * n + 2) / 2


def test_index_is_the_severity_weighted_count_per_1000_inhabitants():
    counts = cube([[4, 2, 1, 9], [10, 0, 0, 0]])
    ranking = rank_areas(counts, WEIGHTS, np.array([2000.0, 500.0]))
    assert ranking.basis == PER_INHABITANTS
    assert ranking.weighted_count == pytest.approx([4 + 4 + 3, 10])
    assert ranking.index == pytest.approx([11 / 2, 10 / 0.5])
    assert ranking.events == pytest.approx([7, 10])
    assert list(ranking.order) == [1, 0]


def test_unit_weights_give_the_exact_poisson_interval():
    counts = cube([[12, 0, 0, 0], [0, 0, 0, 0]])
    ranking = rank_areas(counts, np.array([1.0, 1.0, 1.0, 1.0]))
    assert ranking.basis == WEIGHTED_COUNT
    assert (ranking.index_low[0], ranking.index_high[0]) == pytest.approx(garwood(12))
    assert (ranking.index_low[1], ranking.index_high[1]) == pytest.approx(garwood(0))


def test_constant_weight_scales_the_exact_interval():
    counts = cube([[0, 7, 0, 5]])
    ranking = rank_areas(counts, np.array([2.0, 2.0, 2.0, 0.0]), np.array([1000.0]))
    low, high = garwood(7)
    assert (ranking.index_low[0], ranking.index_high[0]) == pytest.approx((2 * low, 2 * high))


def test_mixed_weights_follow_fay_and_feuer():
    counts = cube([[5, 3, 2, 0]])
    ranking = rank_areas(counts, WEIGHTS, np.array([4000.0]), level=0.9)
    y, v, w_max = 5 + 6 + 6, 5 + 12 + 18, 3
    low = stats.gamma.ppf(0.05, y**2 / v, scale=v / y)
    high = stats.gamma.ppf(
        0.95, (y + w_max) ** 2 / (v + w_max**2), scale=(v + w_max**2) / (y + w_max)
    )
    assert ranking.index_low[0] == pytest.approx(low / 4)
    assert ranking.index_high[0] == pytest.approx(high / 4)
    assert ranking.index_low[0] < ranking.index[0] < ranking.index_high[0]


def test_unknown_population_ranks_every_area_on_weighted_counts():
    counts = cube([[4, 0, 0, 0], [1, 0, 0, 0]])
    ranking = rank_areas(counts, WEIGHTS, np.array([100.0, np.nan]))
    assert ranking.basis == WEIGHTED_COUNT
    assert ranking.index == pytest.approx([4, 1])


def test_order_ranks_and_ties():
    counts = cube([[10, 0, 0, 0], [0, 0, 40, 0], [0, 5, 0, 0], [10, 0, 0, 0], [0, 0, 0, 50]])
    ranking = rank_areas(counts, WEIGHTS)
    # 120 > 10 = 10 = 10 > 0; equal indexes keep input order.
    assert list(ranking.order) == [1, 0, 2, 3, 4]
    assert list(ranking.rank) == [2, 1, 3, 4, 5]


def test_rank_intervals_separate_clear_gaps_and_overlap_close_calls():
    counts = cube([[400, 0, 0, 0], [100, 0, 0, 0], [52, 0, 0, 0], [50, 0, 0, 0]])
    ranking = rank_areas(counts, WEIGHTS)
    assert (ranking.rank_low[:2] == [1, 2]).all() and (ranking.rank_high[:2] == [1, 2]).all()
    assert ranking.rank_low[2] == ranking.rank_low[3] == 3
    assert ranking.rank_high[2] == ranking.rank_high[3] == 4


def test_index_window_takes_the_last_periods():
    counts = np.zeros((2, 4, 6))
    counts[0, 0, :3] = 5  # early events only
    counts[1, 0, 3:] = 1
    ranking = rank_areas(counts, WEIGHTS, index_periods=3)
    assert ranking.weighted_count == pytest.approx([0, 3])
    assert list(ranking.order) == [1, 0]


def test_trend_matches_a_statsmodels_quasi_poisson_fit():
    rng = np.random.default_rng(2)
    rates = np.exp(np.linspace(0, 1.5, 26))
    counts = rng.poisson(np.array([2.0, 1.0, 0.5, 1.0])[None, :, None] * rates * np.ones((3, 1, 1)))
    ranking = rank_areas(counts, WEIGHTS)
    times = sm.add_constant(np.arange(26.0))
    for area in range(3):
        series = counts[area].T @ WEIGHTS
        glm = sm.GLM(series, times, family=sm.families.Poisson())
        # Quasi-Poisson with the Pearson dispersion, floored at the Poisson value 1.
        pearson = glm.fit().pearson_chi2 / 24
        reference = glm.fit(scale=max(pearson, 1.0), use_t=True)
        low, high = np.exp(reference.conf_int()[1])
        assert ranking.trend_ratio[area] == pytest.approx(np.exp(reference.params[1]), rel=1e-8)
        assert (ranking.trend_low[area], ranking.trend_high[area]) == pytest.approx(
            (low, high), rel=1e-8
        )
        assert ranking.trend_p[area] == pytest.approx(reference.pvalues[1], rel=1e-5)
    assert np.all(ranking.trend_low > 1)


def test_trend_is_not_estimated_from_too_few_events_or_a_single_burst():
    counts = np.zeros((3, 4, 10))
    counts[0, 0] = 1  # 10 events, one a period: flat
    counts[1, 0, 4] = 5  # 5 events: too few
    counts[2, 0, -1] = 30  # all in the last period: the slope has no finite estimate
    ranking = rank_areas(counts, WEIGHTS)
    assert list(ranking.trend_estimable) == [True, False, False]
    assert ranking.trend_ratio[0] == pytest.approx(1.0)
    assert np.isnan(ranking.trend_ratio[1:]).all()


@pytest.mark.parametrize(
    ("counts", "weights"),
    [
        (np.ones((2, 4)), WEIGHTS),
        (np.ones((2, 4, 3)) * 0.5, WEIGHTS),
        (np.ones((2, 4, 3)), np.zeros(4)),
        (np.ones((2, 3, 3)), WEIGHTS),
    ],
)
def test_malformed_input_is_refused(counts, weights):
    with pytest.raises(ValueError):
        rank_areas(counts, weights)
