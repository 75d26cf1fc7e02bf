"""Numbers into Swedish sentences: the cluster sentence reads right however often a cluster
would recur by chance."""

import pytest
from django.utils import translation

from lagesbild.pictures import presenters

CLUSTER = {
    "observed": 6,
    "radius": 180.0,
    "days": 5,
    "start": "2026-11-02",
    "end": "2026-11-06",
    "expected": 1.24,
}


@pytest.fixture(autouse=True)
def swedish():
    with translation.override("sv"):
        yield


@pytest.mark.parametrize(
    ("years", "ending"),
    [
        (0.38, "ungefär 3 gånger per år."),
        (0.9, "ungefär en gång per år."),
        (1.2, "ungefär en gång per år."),
        (2.0, "ungefär en gång på 2 år."),
        (19.2, "ungefär en gång på 19 år."),
    ],
)
def test_cluster_sentence_says_how_often_chance_gives_such_a_cluster(years, ending):
    text = presenters.cluster_sentence({**CLUSTER, "recurrence_years": years}, "Brand")
    assert text.startswith("6 händelser (brand) inom 180 m på 5 dagar")
    assert "förväntat 1,2." in text
    assert text.endswith(ending)
    assert "0:e" not in text


def points(**areas) -> dict:
    """area_points as the picture stores them: name -> (points, per 1,000 or None)."""
    return {
        "area_points": {
            name: {"area": name, "points": p, "mean8": None, "per_1000": per}
            for name, (p, per) in areas.items()
        }
    }


def test_map_colours_by_inhabitants_when_every_area_has_a_population():
    shading = presenters.choropleth(points(norr=(8, 8.0), soder=(4, 2.0)))
    assert shading["basis"] == "per_1000"
    assert shading["values"] == {"norr": 8.0, "soder": 2.0}
    assert shading["breaks"] == [2.0, 4.0, 6.0]
    assert shading["classes"][0] == "< 2,0"
    assert "per 1 000 invånare" in shading["title"]


def test_map_falls_back_to_points_and_says_so_when_a_population_is_missing():
    shading = presenters.choropleth(points(norr=(8, None), soder=(4, None)))
    assert shading["basis"] == "points"
    assert shading["values"] == {"norr": 8, "soder": 4}
    assert shading["breaks"] == [2.0, 4.0, 6.0]
    assert "folkmängd saknas" in shading["title"]
    assert "0,0" not in " ".join(shading["classes"])
    # One area without a population: all areas on points, never rates mixed with counts.
    mixed = presenters.choropleth(points(norr=(8, 8.0), soder=(4, None)))
    assert mixed["values"] == {"norr": 8, "soder": 4}


def test_a_week_without_points_colours_nothing_as_high():
    shading = presenters.choropleth(points(norr=(0, 0.0), soder=(0, 0.0)))
    assert shading["breaks"] == []
    assert shading["classes"] == ["Inga poäng denna vecka"]


FLAGGED = {
    "observed": 4,
    "observed_4w": 13,
    "expected": 2.1,
    "normal_low": 0,
    "normal_high": 4,
    "level": "avvikelse",
    "p": 0.04,
}


def test_a_flag_carried_by_the_four_weeks_sum_is_explained_by_that_sum():
    """Four weeks each a little high: the week alone is not unusual (p 0.04), its sum is; the
    sentence must give the sum's count and chance, not understate the evidence."""
    text = presenters.explain({**FLAGGED, "p_4w": 0.0004}, "Tureberg", "Skadegörelse", "2026-W47")
    assert "De fyra senaste veckorna 13 händelser" in text
    assert "färre än 1 gång på 1 000" in text
    assert "ungefär 4 gånger på 100" not in text


def test_a_flag_carried_by_the_week_is_explained_by_the_week():
    for series in ({**FLAGGED, "p": 0.0004, "p_4w": 0.01}, {**FLAGGED, "p": 0.0004}):
        text = presenters.explain(series, "Tureberg", "Skadegörelse", "2026-W47")
        assert "Så många eller fler inträffar av slump färre än 1 gång på 1 000." in text
        assert "fyra senaste veckorna" not in text


def test_trend_text_with_and_without_verdict():
    """The members' files say whether a trend is sure; a guest's page gives the interval only."""
    sure = {"trend": 1.12, "trend_low": 1.05, "trend_high": 1.3, "trend_p": 0.01}
    assert presenters.trend_text(sure) == "+12 % (+5 % – +30 % · säker förändring)"
    assert presenters.trend_text({**sure, "trend_p": 0.2}).endswith("· kan vara slump)")
    assert presenters.trend_text(sure, verdict=False) == "+12 % (+5 % – +30 %)"
    missing = {"trend": None, "trend_reason": "Perioden pågår."}
    assert presenters.trend_text(missing, verdict=False) == "Perioden pågår."
    assert presenters.trend_text({"trend": None}) == "för få händelser"
