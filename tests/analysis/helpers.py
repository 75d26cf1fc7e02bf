"""Simulated partnerships for the deviation tests: six years of weekly counts per area and
category, drawn once per seed and shape (cached, as every test of a seed reads the same cube)."""

import datetime as dt
import functools

import numpy as np

from analysis import aggregate, simulation, weeks

FIRST = weeks.week_index(dt.date(2018, 1, 1))
N_WEEKS = 6 * 52


@functools.cache
def partnership(seed, n_areas=10, n_categories=10, per_year=3000.0, peak_share=0.3):
    rng = np.random.default_rng(seed)
    shape = simulation.Partnership(
        n_areas=n_areas,
        n_categories=n_categories,
        incidents_per_year=per_year,
        peak_share=peak_share,
    )
    mean = simulation.expected_cube(rng, shape, FIRST, N_WEEKS)
    cube = simulation.draw_counts(rng, mean, shape.dispersion_size)
    return cube, mean


def table_of(cube):
    return aggregate.stack_series(cube, first_week=FIRST)
