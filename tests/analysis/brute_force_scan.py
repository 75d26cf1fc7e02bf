"""The space-time scan by brute force, the reference the scan is checked against (by
tests/analysis/test_scan.py and benchmarks/analysis_spatial.py): every circle and every window
by the textbook formula, vectorised numpy, no running sums and no pruning."""

import numpy as np


def circles(xy, max_radius, ties="satscan"):
    """Every circle around every location, as membership rows (brute force: no running sums,
    no pruning). SaTScan's circles are the k nearest locations for every k, equal distances
    taken in x, then y order; "rings" circles are every location within each distance."""
    distance = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    masks = []
    for row in distance:
        if ties == "rings":
            for radius in np.unique(row[row <= max_radius]):
                masks.append(row <= radius + 1e-6)
            continue
        order = np.lexsort((xy[:, 1], xy[:, 0], np.round(row, 6)))
        for k in range(1, int(np.sum(row <= max_radius + 1e-6)) + 1):
            mask = np.zeros(len(xy), dtype=bool)
            mask[order[:k]] = True
            masks.append(mask)
    return np.array(masks)


def brute_force(
    xy, location, days, end, max_radius, max_days, min_cases, max_share, ties="satscan"
):
    """Most likely cylinder by the textbook formula over every circle and window."""
    total = len(location)
    masks = circles(xy, max_radius, ties)
    offset = end - days
    counts = np.zeros((len(xy), max_days))
    recent = offset < max_days
    np.add.at(counts, (location[recent], offset[recent]), 1)
    cases = masks @ np.cumsum(counts, axis=1)  # circles x windows
    spatial = masks @ np.bincount(location, minlength=len(xy))
    expected = np.outer(spatial, np.cumsum(np.bincount(offset[recent], minlength=max_days)))
    expected = expected / total
    valid = (cases >= min_cases) & (cases > expected) & (spatial[:, None] <= max_share * total)
    with np.errstate(divide="ignore", invalid="ignore"):
        llr = cases * np.log(cases / expected)
        llr += (total - cases) * np.log((total - cases) / (total - expected))
    llr = np.where(valid, llr, 0.0)
    circle, window = np.unravel_index(np.argmax(llr), llr.shape)
    return llr[circle, window], set(np.flatnonzero(masks[circle])), window + 1
