"""Area and place rules in the geography services."""

import pytest
from django.core.exceptions import ValidationError

from lagesbild.geography.services import locate_area, save_area
from tests.factories import square


def test_duplicate_area_code_is_refused(coordinator_a):
    partnership = coordinator_a.partnership
    taken = partnership.areas.first().code
    with pytest.raises(ValidationError) as exc:
        save_area(
            actor=coordinator_a.user,
            partnership=partnership,
            name="Ny",
            code=taken,
            geojson=square(17.95, 59.42),
        )
    assert "Koden används redan" in str(exc.value)


def test_parent_loop_is_refused(coordinator_a):
    partnership = coordinator_a.partnership
    outer = save_area(
        actor=coordinator_a.user,
        partnership=partnership,
        name="Ytter",
        code="Y1",
        geojson=square(17.89, 59.41, 0.05),
    )
    inner = partnership.areas.get(name="Norr")
    save_area(
        actor=coordinator_a.user,
        partnership=partnership,
        area=inner,
        name="Norr",
        code=inner.code,
        parent=outer,
    )
    with pytest.raises(ValidationError) as exc:
        save_area(
            actor=coordinator_a.user,
            partnership=partnership,
            area=outer,
            name="Ytter",
            code="Y1",
            parent=inner,
        )
    assert "inuti sig självt" in str(exc.value)


def test_smallest_containing_area_wins_and_index_follows_changes(coordinator_a):
    partnership = coordinator_a.partnership
    assert locate_area(partnership, 17.905, 59.435).name == "Norr"
    save_area(
        actor=coordinator_a.user,
        partnership=partnership,
        name="Torgkvarteret",
        code="T1",
        geojson=square(17.903, 59.433, 0.004),
    )
    assert locate_area(partnership, 17.905, 59.435).name == "Torgkvarteret"
    with pytest.raises(ValidationError):
        locate_area(partnership, 16.0, 59.0)
