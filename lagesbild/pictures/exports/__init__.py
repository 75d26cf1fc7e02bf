"""Exports of the situation picture, one module per format: `pdf` (with its `drawings`),
`excel` and `gis`. What every format is made of, the `Edition`, lives in `edition`; how each
is built, served, named and linked, in `formats`.
"""
