"""The scan against the real SaTScan (10.3.2, batch): its most likely and secondary clusters on
the inputs in ``satscan_reference/`` (see the README there for how they were made)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.scan import retrospective_space_time_scan, space_time_scan

REFERENCE = Path(__file__).parent / "satscan_reference"
# the settings of every reference run (the *.run.prm files)
SATSCAN = {
    "max_radius": 1000.0,
    "max_days": 28,
    "min_cases": 3,
    "max_share": 0.5,
    "early_stop": None,
}


def _input(name):
    """Coordinates of the locations (sorted ids), each event's location row and date."""
    events = pd.read_csv(REFERENCE / f"{name}.csv")
    ids, location = np.unique(events.location_id.to_numpy(), return_inverse=True)
    xy = events.groupby("location_id")[["x", "y"]].first().loc[ids].to_numpy(dtype=float)
    return ids, xy, location, events.date.to_numpy().astype("datetime64[D]")


def _reference(name, analysis):
    return json.loads((REFERENCE / f"{name}.satscan.{analysis}.json").read_text())


def _same_cluster(ours, theirs, ids):
    assert {str(i) for i in ids[ours.locations]} == {loc["id"] for loc in theirs["locations"]}
    assert str(ours.start) == theirs["start"] and str(ours.end) == theirs["end"]
    assert ours.days == theirs["days"]
    assert ours.observed == theirs["recomputed"]["observed"]
    assert ours.expected == pytest.approx(theirs["recomputed"]["expected"], rel=1e-9)
    assert ours.llr == pytest.approx(theirs["recomputed"]["test_statistic"], rel=1e-9)


@pytest.mark.parametrize("name", ["grid_10000", "ev2k"])
def test_the_prospective_most_likely_cluster_is_satscans(name):
    ids, xy, location, dates = _input(name)
    result = space_time_scan(
        xy, location, dates, end="2024-12-30", **SATSCAN, replications=0, seed=1
    )
    _same_cluster(result.clusters[0], _reference(name, "prospective")["most_likely_cluster"], ids)


def test_on_a_grid_whole_rings_miss_satscans_cluster():
    """SaTScan may take 2 of the 6 occupied cells at 559 m; a whole-ring circle cannot."""
    _, xy, location, dates = _input("grid_10000")
    rings = space_time_scan(
        xy, location, dates, end="2024-12-30", **SATSCAN, replications=0, ties="rings"
    ).clusters[0]
    satscan = _reference("grid_10000", "prospective")["most_likely_cluster"]
    assert len(rings.locations) == 19 and satscan["n_locations"] == 15
    assert rings.llr == pytest.approx(271.8417741421, rel=1e-9)
    assert rings.llr < satscan["recomputed"]["test_statistic"]


def test_prospective_secondary_clusters_and_replicate_maxima_agree_with_satscan():
    ids, xy, location, dates = _input("ev2k")
    reference = _reference("ev2k", "prospective")
    result = space_time_scan(
        xy, location, dates, end="2024-12-30", **SATSCAN, replications=999, seed=7
    )
    for ours, theirs in zip(result.clusters[1:], reference["secondary_clusters"], strict=False):
        _same_cluster(ours, theirs, ids)
    assert len(result.clusters) > len(reference["secondary_clusters"])
    assert result.clusters[0].p_value == reference["most_likely_cluster"]["p_value"] == 0.001
    # different random streams: the null distribution agrees only within Monte Carlo error
    # (the standard error of a quantile of 999 maxima with spread ~1.2 is below 0.1)
    quantiles = reference["simulated_max_test_statistic"]
    for q in (50, 90, 95):
        assert np.quantile(result.maxima, q / 100) == pytest.approx(quantiles[f"q{q}"], abs=0.4)


def test_the_retrospective_clusters_are_satscans():
    """Every window of 1-28 days in the year: SaTScan's most likely and all seven secondary
    clusters, and its null distribution within Monte Carlo error."""
    ids, xy, location, dates = _input("ev2k")
    reference = _reference("ev2k", "retrospective")
    result = retrospective_space_time_scan(xy, location, dates, **SATSCAN, replications=499, seed=3)
    theirs = [reference["most_likely_cluster"], *reference["secondary_clusters"]]
    assert len(result.clusters) >= len(theirs) == 8
    for ours, cluster in zip(result.clusters, theirs, strict=False):
        _same_cluster(ours, cluster, ids)
    assert result.clusters[0].p_value == pytest.approx(1 / 500)
    quantiles = reference["simulated_max_test_statistic"]
    for q in (50, 90):
        assert np.quantile(result.maxima, q / 100) == pytest.approx(quantiles[f"q{q}"], abs=0.5)
