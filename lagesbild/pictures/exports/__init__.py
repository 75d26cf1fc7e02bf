"""Exports of the situation picture, one module per format: `pdf`, `excel` and `gis`.

Each module has `build(edition) -> bytes` (gis has one per file kind). What they share, the
`Edition` an export is made of, lives in `edition`.
"""
