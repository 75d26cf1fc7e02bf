"""Lägesbild's statistics: pure functions over numpy arrays, no Django.

Modules (import the one you need; this package imports nothing heavy on its own):

- ``weeks``: ISO weeks as one integer axis (week index since 1970-W01).
- ``aggregate``: incidents to the area x category x week count cube, roll-ups, rates, and the
  stacked ``SeriesTable`` that the deviation tests read.
- ``farrington``: the batched improved-Farrington (Noufaily) baseline over all series at once.
- ``pooled``: empirical-Bayes Poisson-gamma baselines for sparse and short series.
- ``predictive``: the predictive distribution (negative binomial, or a mixture of them),
  mid-p-values and ranges.
- ``zero_inflation``: which series' categories come and go (quiet weeks and busy ones).
- ``fdr``: Benjamini-Hochberg across the series of a partnership's week.
- ``rise``: the change-point test behind the "sustained rise" (ökande) badge.
- ``deviations``: the weekly deviation flags (avvikelse, bevaka) that combine the above.
- ``explain``: the numbers behind a flag and its one-sentence Swedish explanation.
- ``simulation``: seeded synthetic weekly counts with known outbreaks, for tests and benchmarks.
- ``grid``, ``hotspots``, ``scan``, ``knox``: spatial hot spots and space-time clusters.
- ``evaluation``, ``ranking``: intervention evaluation and area ranking.
"""
