"""The rising badge is shown only with its explanation: the count since the rise began
against what was expected for those weeks."""

from dataclasses import replace

import numpy as np
import pytest

from analysis import aggregate
from analysis.deviations import weekly_deviations
from lagesbild.pictures import presenters
from lagesbild.pictures.compute import PICTURE_CONFIG, SPARK_WEEKS, _rising_evidence, _series
from lagesbild.pictures.inputs import Layout

WEEKS = 300


def table_of(counts):
    table = aggregate.stack_series(np.asarray(counts)[None, None, :], first_week=1000)
    return replace(table, start=np.zeros(table.n_series, dtype=np.int64))


@pytest.fixture
def rising_table():
    rng = np.random.default_rng(3)
    counts = rng.poisson(3, size=WEEKS)
    counts[-10:] = rng.poisson(9, size=10)
    return table_of(counts)


def test_a_real_rise_is_explained_by_its_count_against_the_expected(rising_table):
    target = WEEKS - 1
    dev = weekly_deviations(rising_table, target, PICTURE_CONFIG)
    assert dev.rising.all()
    evidence = _rising_evidence(rising_table, dev, target, 0)
    since, observed, expected = evidence[0]
    # The rise was planted ten weeks ago; the detector dates its start near there, and the
    # badge counts from that start (at most the last twelve weeks).
    began = int(dev.rising_since[0]) - rising_table.first_week
    assert target - 12 <= began <= target - 8
    first = max(began, target - SPARK_WEEKS + 1)
    assert observed == rising_table.counts[0, first:].sum()
    assert observed > 2 * expected > 0
    assert since == presenters_iso(rising_table.first_week + first)


def presenters_iso(index):
    from analysis import weeks as aweeks

    year, week = aweeks.iso_week(index)
    return f"{year}-W{week:02d}"


def test_a_badge_the_counts_do_not_explain_is_not_shown():
    """A detector that says 'rising' on a flat, sparse series (as it did all autumn on two
    sparse cells) gets no badge: its count is not above the expected."""
    rng = np.random.default_rng(5)
    counts = rng.poisson(0.3, size=WEEKS)
    counts[-6:] = 0  # nothing at all since the "rise" began
    flat = table_of(counts)
    target = WEEKS - 1
    dev = weekly_deviations(flat, target, PICTURE_CONFIG)
    forced = replace(
        dev,
        rising=np.ones(flat.n_series, dtype=bool),
        rising_since=np.full(flat.n_series, flat.first_week + target - 5),
    )
    evidence = _rising_evidence(flat, forced, target, 0)
    layout = Layout(
        areas=[_Area()], groups=[_Area()], area_row={}, group_column={}, leaf_categories=[]
    )
    series = _series(layout, flat, forced, target, 0, evidence)
    assert [e[1] for e in evidence.values()] == [0] * flat.n_series
    assert not any(s["rising"] for s in series)
    assert all(s["rising_since"] is None and s["rising_expected"] is None for s in series)

    # The same forced detector on the rising series keeps its badge.
    rng = np.random.default_rng(3)
    counts = rng.poisson(3, size=WEEKS)
    counts[-10:] = rng.poisson(9, size=10)
    busy = table_of(counts)
    forced = replace(weekly_deviations(busy, target, PICTURE_CONFIG), rising=forced.rising)
    forced = replace(forced, rising_since=np.full(busy.n_series, busy.first_week + target - 5))
    kept = _series(layout, busy, forced, target, 0, _rising_evidence(busy, forced, target, 0))
    assert all(s["rising"] for s in kept)


class _Area:
    pk = 1
    name = "Norr"


def test_the_sentence_says_count_and_expected():
    text = presenters.rising_sentence(
        {"rising_since": "2026-W40", "rising_observed": 14, "rising_expected": 6.23},
        "Tureberg",
        "Skadegörelse",
    )
    assert text == (
        "Skadegörelse i Tureberg har ökat stadigt sedan vecka 40: 14 händelser sedan dess, "
        "förväntat 6,2."
    )
