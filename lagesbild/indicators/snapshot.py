"""The indicator figures frozen with an approved picture version (docs/method/indicators.md).

When a weekly or periodic picture is approved, `freeze` stores what its "Indikatorer"
section, its map layers and its exports show: for every active indicator of the partnership
(whoever may see it), each area's latest value of a period begun by the end of the picture's
period, the value before it and the deviation test's result. `sections` gives them back for
one reader, as the same objects the live queries give (unsaved), so the page, the map and
the exports show a version exactly as it was approved. Who may see which indicator is
today's rule (`queries.indicators`), as for every other read.
"""

from copy import copy
from dataclasses import asdict, fields
from datetime import date

from analysis import indicators as method
from lagesbild.geography.models import Area
from lagesbild.indicators import queries
from lagesbild.indicators.models import Indicator, IndicatorValue, PictureIndicators
from lagesbild.indicators.queries import AreaSummary
from lagesbild.pictures import periods

# The definition as the version showed it (a later renaming does not rename the version).
DEFINITION = ("name", "unit", "period", "scale", "direction", "source", "visibility")
# What a counted indicator counted (the police's event types): frozen since issue 13, so an
# older section lacks it and its indicator reads as not counted (it shows no event types).
COUNTED = {"counted_from": "", "police_event_types": []}
DEVIATION_FIELDS = tuple(f.name for f in fields(method.Deviation))


def freeze(picture) -> PictureIndicators:
    """Store the indicator figures of the newly approved `picture`."""
    last_day = periods.last_day(picture.period_kind, picture.period)
    sections = [
        {
            "id": indicator.pk,
            **{name: getattr(indicator, name) for name in DEFINITION},
            **{name: getattr(indicator, name) for name in COUNTED},
            "areas": [_area(s) for s in summaries if s.latest is not None],
        }
        for indicator, summaries in queries.approval_summaries(picture.partnership, last_day)
    ]
    return PictureIndicators.objects.create(picture=picture, until=last_day, sections=sections)


def _area(summary: AreaSummary) -> dict:
    return {
        "id": summary.area.pk,
        "name": summary.area.name,
        "latest": _value(summary.latest),
        "previous": _value(summary.previous),
        "deviation": _deviation(summary.deviation),
    }


def _value(value: IndicatorValue | None) -> dict | None:
    if value is None:
        return None
    return {
        "start": value.period_start.isoformat(),
        "value": float(value.value),
        "sample_size": value.sample_size,
    }


def _deviation(deviation: method.Deviation | None) -> dict | None:
    """The test's result as JSON (numpy's floats as plain ones, the period key as a list)."""
    if deviation is None:
        return None
    plain = {}
    for name, item in asdict(deviation).items():
        if isinstance(item, tuple):
            item = [int(part) for part in item]
        elif item is not None and not isinstance(item, str):
            item = float(item) if name != "history" else int(item)
        plain[name] = item
    return plain


def sections(membership, picture) -> list[tuple[Indicator, list[AreaSummary]]] | None:
    """The frozen indicators of `picture` that `membership` may see, with their areas'
    summaries; None for a version approved before indicators were frozen (it shows today's
    values)."""
    if not has_frozen(picture):
        return None
    visible = set(queries.indicators(membership).values_list("pk", flat=True))
    return [
        _thaw(picture.partnership_id, section)
        for section in picture.indicator_snapshot.sections
        if section["id"] in visible
    ]


def has_frozen(picture) -> bool:
    return hasattr(picture, "indicator_snapshot")


def _thaw(partnership_id: int, section: dict) -> tuple[Indicator, list[AreaSummary]]:
    indicator = Indicator(
        pk=section["id"],
        partnership_id=partnership_id,
        **{name: section[name] for name in DEFINITION},
        **{name: copy(section.get(name, empty)) for name, empty in COUNTED.items()},
    )
    summaries = []
    for entry in section["areas"]:
        area = Area(pk=entry["id"], name=entry["name"], partnership_id=partnership_id)
        summaries.append(
            AreaSummary(
                area=area,
                latest=_thawed_value(indicator, area, entry["latest"]),
                previous=_thawed_value(indicator, area, entry["previous"]),
                deviation=_thawed_deviation(entry["deviation"]),
            )
        )
    return indicator, summaries


def _thawed_value(indicator, area, value: dict | None) -> IndicatorValue | None:
    if value is None:
        return None
    return IndicatorValue(
        indicator=indicator,
        area=area,
        period_kind=indicator.period,
        period_start=date.fromisoformat(value["start"]),
        value=value["value"],
        sample_size=value["sample_size"],
    )


def _thawed_deviation(deviation: dict | None) -> method.Deviation | None:
    if deviation is None:
        return None
    known = {name: deviation.get(name) for name in DEVIATION_FIELDS}
    if known["previous_key"] is not None:
        known["previous_key"] = tuple(known["previous_key"])
    return method.Deviation(**known)
