"""The demo's synthetic indicators: whole periods only, and the planted changes are the ones
the method flags."""

from datetime import date

import pytest

from analysis import indicators as method
from lagesbild.demo.areas import demo_areas
from lagesbild.demo.indicators import COST, SURVEY, demo_indicators
from lagesbild.demo.seed import seed_demo
from lagesbild.indicators.models import Indicator

TODAY = date(2026, 11, 24)


def generated(seed=2026):
    areas = [(a.name, a.code, a.population) for a in demo_areas()]
    return demo_indicators(areas, start=date(2024, 8, 1), today=TODAY, seed=seed), areas


def outcomes(spec, values, areas, key):
    by_code = {code: name for name, code, _ in areas}
    result = {}
    for code in by_code:
        series = sorted((v for v in values if v.area_code == code), key=lambda v: v.period_start)
        points = [method.Point(*key(v.period_start), v.value, v.sample_size) for v in series]
        result[by_code[code]] = method.assess(spec.scale, spec.period, points[-1], points[:-1])
    return result


def test_only_whole_periods_before_today():
    series, _areas = generated()
    for spec, values in series:
        assert values
        assert max(v.period_start for v in values) < date(TODAY.year, TODAY.month, 1)
        if spec is SURVEY:
            assert all(v.sample_size for v in values)


def test_the_planted_changes_are_flagged():
    series, areas = generated()
    cost = outcomes(COST, series[0][1], areas, lambda d: (d.year, d.month))
    assert cost["Tureberg"].outcome == method.ABOVE
    assert sum(r.outcome == method.ABOVE for r in cost.values()) <= 2
    survey = outcomes(SURVEY, series[2][1], areas, lambda d: (d.year, 1))
    assert survey["Häggvik"].outcome == method.BELOW


@pytest.mark.django_db
def test_the_demo_has_its_indicators():
    partnership = seed_demo(years=1.1, scale=0.05, with_accounts=False).partnership
    indicators = Indicator.objects.filter(partnership=partnership)
    assert indicators.count() == 4
    # The police's real notices counted per area and month (Tureberg is named in many).
    police = indicators.get(counted_from="police_events")
    assert police.values.filter(area__name="Tureberg", value__gt=0).exists()
    cost = indicators.get(name=COST.name)
    assert cost.values.count() >= 12 * len(demo_areas())
