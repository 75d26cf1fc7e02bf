"""The periodic picture's combined need: the reports' index beside the area indicators the
group weighs in (analysis/need.py), every part shown with its value, its place between the
areas (0 to 1) and its weight, so the combined figure is never an unexplained score. Frozen
with an approved version like the rest of the content."""

from datetime import date

import numpy as np
from django.utils.translation import gettext as _

from analysis.need import combine, scaled
from lagesbild.indicators import periods as indicator_periods
from lagesbild.indicators import presenters as indicator_presenters
from lagesbild.indicators.models import Indicator
from lagesbild.indicators.queries import need_values
from lagesbild.web.numbers import MISSING, figure

INDEX_WEIGHT = 1  # the reports' index always weighs 1; indicators weigh 0-3 beside it


def _number(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 4)


def _score(value: float) -> str:
    return MISSING if np.isnan(value) else figure(value, 2)


def combined_need(partnership, until: date, ranking: list[dict], basis: str) -> dict | None:
    """The parts, weights and per-area combined need of the ranked areas, most need first;
    None when no indicator weighs in (the ranking is then the index's alone)."""
    weighted = need_values(partnership, until)
    if not weighted or not ranking:
        return None
    index_unit = _("poäng/1 000 inv.") if basis == "per_inhabitants" else _("poäng")
    parts = [
        {
            "name": _("Rapporternas index"),
            "unit": index_unit,
            "weight": INDEX_WEIGHT,
            "direction": _("Högre är sämre"),
        }
    ]
    index = np.array([r["index"] if r["index"] is not None else np.nan for r in ranking])
    columns = [scaled(index)]
    texts = [[f"{figure(v, 1)} {index_unit}" if not np.isnan(v) else MISSING for v in index]]
    for indicator, latest in weighted:
        better = indicator.direction == Indicator.Direction.HIGHER_BETTER
        parts.append(
            {
                "name": indicator.name,
                "unit": indicator.unit,
                "weight": indicator.need_weight,
                "direction": str(indicator.get_direction_display()),
            }
        )
        found = [latest.get(r["area"]) for r in ranking]
        columns.append(scaled([v.value if v else np.nan for v in found], higher_better=better))
        texts.append(
            [
                f"{indicator_presenters.value_text(indicator, v.value)} "
                f"({indicator_periods.label(indicator.period, v.period_start)})"
                if v
                else MISSING
                for v in found
            ]
        )
    need = combine(columns, [p["weight"] for p in parts])
    rows = []
    for i, r in enumerate(ranking):
        missing = [
            p["name"] for p, column in zip(parts, columns, strict=True) if np.isnan(column[i])
        ]
        rows.append(
            {
                "area": r["area"],
                "name": r["name"],
                "index_rank": r["rank"],
                "need": _number(need[i]),
                "need_text": _score(need[i]),
                "parts": [
                    {
                        "value": texts[k][i],
                        "score": _number(columns[k][i]),
                        "score_text": _score(columns[k][i]),
                    }
                    for k in range(len(parts))
                ],
                "missing": missing,
            }
        )
    rows.sort(key=lambda row: (row["need"] is None, -(row["need"] or 0), row["index_rank"]))
    for place, row in enumerate(rows, 1):
        row["rank"] = place if row["need"] is not None else None
    return {"parts": parts, "rows": rows}
