"""The indicators as map layers of the weekly picture: per indicator the latest value of each
area in four classes, the legend (title with unit and periods, class limits) and the areas
whose value deviates from their own history. The same figures as the picture's "Indikatorer"
section, which is the map's accessible alternative (the legend links to it)."""

from datetime import date

from django.utils.translation import gettext as _

from lagesbild.indicators import periods, presenters, queries
from lagesbild.indicators.models import Indicator
from lagesbild.web.numbers import figure

# Class limits at a quarter, half and three quarters between the lowest and highest value:
# an indicator's values rarely start at zero (a survey share of 20-30 %), so limits from zero
# would put every area in the top class.
FRACTIONS = (0.25, 0.5, 0.75)


def _classes(indicator: Indicator, values: list[float]) -> tuple[list[float], list[str]]:
    low, high = min(values), max(values)
    if high == low:
        return [], [_("Alla områden: %(v)s") % {"v": presenters.value_text(indicator, low)}]
    places = presenters.decimals(indicator, high - low)
    breaks = [low + (high - low) * f for f in FRACTIONS]
    limits = [figure(b, places) for b in breaks]
    return breaks, [
        f"< {limits[0]}",
        f"{limits[0]}–{limits[1]}",
        f"{limits[1]}–{limits[2]}",
        f"≥ {limits[2]}",
    ]


def _periods_text(indicator: Indicator, starts: set[date]) -> str:
    first, last = min(starts), max(starts)
    if first == last:
        return periods.label(indicator.period, first)
    return _("%(first)s till %(last)s (områdenas senaste värden är från olika perioder)") % {
        "first": periods.label(indicator.period, first),
        "last": periods.label(indicator.period, last),
    }


def _class_of(value: float, breaks: list[float]) -> int:
    """The class a value falls in: how many class limits it reaches."""
    return sum(value >= b for b in breaks)


def layer(indicator: Indicator, known: list[queries.AreaSummary]) -> dict:
    """One indicator's layer from the areas that have a value. Each area carries its class
    as a number (the map's colour) and in words (the legend's list of areas, so the class is
    never told by colour alone)."""
    breaks, classes = _classes(indicator, [s.latest.value for s in known])
    areas = {}
    for s in sorted(known, key=lambda s: s.area.name):
        state = presenters.flag(indicator, s.deviation)
        shade = _class_of(s.latest.value, breaks)
        areas[str(s.area.pk)] = {
            "name": s.area.name,
            "value": s.latest.value,
            "text": presenters.value_text(indicator, s.latest.value),
            "period": periods.label(indicator.period, s.latest.period_start),
            "class": shade,
            "class_text": classes[shade],
            "deviates": state in (presenters.WORSE, presenters.BETTER),
            "flag": str(presenters.FLAG_LABELS[state]),
        }
    return {
        "id": indicator.pk,
        "name": indicator.name,
        "title": _("%(name)s, senaste värde per område (%(unit)s)")
        % {"name": indicator.name, "unit": indicator.unit},
        "periods": _("Period: %(p)s")
        % {"p": _periods_text(indicator, {s.latest.period_start for s in known})},
        "classes": classes,
        "deviating": _("Streckad röd kant: värdet avviker från områdets egen historik"),
        "table": f"#indicator-{indicator.pk}-h",
        "areas": areas,
    }


def layers(membership, until: date, picture=None) -> list[dict]:
    """The layers of the indicators the picture's section shows, as of `until` (the end of
    the picture's week), in the queries of one picture section: an approved version's
    (`picture`) frozen values, the draft's today's."""
    sections = presenters.picture_sections(membership, until, picture)
    return [layer(i, known) for i, known in sections]
