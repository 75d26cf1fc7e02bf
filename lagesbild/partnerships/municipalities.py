"""Sweden's municipalities by their four-digit SCB code (see data/SOURCE.md).

Plain data read once from the committed CSV; used to check the municipality code given when a
partnership is created and to name the municipality on its pages.
"""

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    county: str


@cache
def municipalities() -> dict[str, Municipality]:
    """Every municipality by code, in code order."""
    path = resources.files("lagesbild.partnerships").joinpath("data", "kommuner.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["municipality_code"]: Municipality(
                row["municipality_code"], row["municipality_name"], row["county_name"]
            )
            for row in csv.DictReader(handle)
        }


def municipality(code: str) -> Municipality | None:
    return municipalities().get(code.strip())


def choices() -> list[tuple[str, str]]:
    """(code, 'code Name') pairs for a select list, in code order."""
    return [(m.code, f"{m.code} {m.name}") for m in municipalities().values()]
