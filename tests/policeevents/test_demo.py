"""The demo's police notices: the committed subset of the real feed (data/SOURCE.md)."""

import json

import pytest

from lagesbild.policeevents import demo, locate
from lagesbild.policeevents.data.extract import MUNICIPALITIES, may_name_a_person, municipality_of
from lagesbild.policeevents.models import PoliceEvent

pytestmark = pytest.mark.django_db


def demo_records() -> list[dict]:
    return [json.loads(line) for line in demo.demo_file().read_text(encoding="utf-8").splitlines()]


def test_the_subset_is_small_and_holds_only_sollentuna_and_its_neighbours():
    assert len(demo.demo_file().read_bytes()) < 1_000_000
    assert all(municipality_of(r) in MUNICIPALITIES for r in demo_records())


def test_no_kept_summary_looks_like_it_names_a_person():
    assert not [r["id"] for r in demo_records() if may_name_a_person(r["summary"])]
    assert may_name_a_person("Polisen grep Anna Svensson i centrum.")
    assert not may_name_a_person("En bilist i Upplands Väsby greps.")


def test_the_demo_keeps_the_partnerships_municipality_only(sollentuna):
    result = demo.load_demo_events()
    stored = PoliceEvent.objects.filter(partnership=sollentuna)
    assert result.created == stored.count() > 150
    assert result.elsewhere > 500  # the neighbours
    assert set(stored.values_list("municipality_code", flat=True)) == {"0163"}
    # The feed's point for Sollentuna is its usual one, so most notices stay at municipality level.
    assert stored.filter(level=PoliceEvent.Level.MUNICIPALITY).count() > stored.count() / 2


def test_municipalities_are_known_whatever_the_feeds_case():
    assert locate.municipalities()["upplands väsby"][0] == "0114"
    assert "upplands väsby" in locate.feed_points()
    assert set(locate.municipalities()) <= set(locate.feed_points())


def test_the_demo_partnership_gets_sollentunas_notices():
    from lagesbild.demo.seed import seed_demo

    partnership = seed_demo(years=0.1, scale=0.01, with_accounts=False).partnership
    stored = PoliceEvent.objects.filter(partnership=partnership)
    assert stored.count() > 150
    # The demo's areas are named after Sollentuna's districts, so some notices land in one.
    assert stored.exclude(area=None).filter(level=PoliceEvent.Level.PLACE_NAME).exists()
