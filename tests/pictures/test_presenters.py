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
