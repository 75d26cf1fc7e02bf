"""Area and place rules in the geography services."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from lagesbild.geography.services import locate_area, save_area
from tests.factories import make_area, make_incident, square


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


def test_an_area_drawn_by_hand_takes_its_incidents_once_saved(
    coordinator_a, django_capture_on_commit_callbacks
):
    """A new or redrawn outline moves the incidents in it, by the background job queued when
    the change commits, as an area import does."""
    partnership = coordinator_a.partnership
    inside = make_incident(coordinator_a)  # at 17.905, 59.435 in Norr
    with django_capture_on_commit_callbacks(execute=True):
        corner = save_area(
            actor=coordinator_a.user,
            partnership=partnership,
            name="Torgkvarteret",
            code="T1",
            geojson=square(17.903, 59.433, 0.004),
        )
    inside.refresh_from_db()
    assert inside.area_id == corner.pk
    with django_capture_on_commit_callbacks(execute=True):
        save_area(
            actor=coordinator_a.user,
            partnership=partnership,
            area=corner,
            name="Torgkvarteret",
            code="T1",
            geojson=square(17.95, 59.42, 0.004),  # drawn again somewhere else
        )
    inside.refresh_from_db()
    assert inside.area.name == "Norr"


def test_the_command_relocates_what_the_worker_did_not(coordinator_a):
    partnership = coordinator_a.partnership
    inside = make_incident(coordinator_a)
    corner = make_area(partnership, "Torgkvarteret", 17.903, 59.433, size=0.004)
    out = io.StringIO()
    call_command("relocate_incidents", "--partnership", partnership.slug, stdout=out)
    assert f"{partnership.slug}: 1 händelser och 0 polisnotiser fick" in out.getvalue()
    inside.refresh_from_db()
    assert inside.area_id == corner.pk
    with pytest.raises(CommandError):
        call_command("relocate_incidents", "--partnership", "finns-inte")
