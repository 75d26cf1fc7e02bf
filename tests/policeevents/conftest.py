"""Recorded feed records (fixtures/README.md) and partnership A set up in Sollentuna, with an
area named after a real district and one that covers the feed's centre point of Sollentuna."""

import copy
import json
from pathlib import Path

import pytest

from tests.factories import make_area

FIXTURES = Path(__file__).parent / "fixtures"
EVENTS = FIXTURES / "events.jsonl"
LATER = FIXTURES / "later_versions.jsonl"
# The feed's point for "Sollentuna" (every notice there has it).
CENTRE = (59.43911, 17.94148)


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def record(event_id: int, **changes) -> dict:
    """A copy of a recorded record, edited."""
    found = next(r for r in read(EVENTS) + read(LATER) if r["id"] == event_id)
    edited = copy.deepcopy(found)
    edited.update(changes)
    return edited


@pytest.fixture
def sollentuna(partnership_a):
    partnership_a.municipality_code = "0163"
    partnership_a.save()
    make_area(partnership_a, "Tureberg", 17.92, 59.42)
    # Contains the feed's centre point: a notice there must still not be placed in it.
    make_area(partnership_a, "Centrum", CENTRE[1] - 0.005, CENTRE[0] - 0.005)
    return partnership_a
