"""`manage.py import_police_events`: from files (the machine may have no internet) or with
one call to the feed (here a local file as its address)."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from lagesbild.geography.services import save_area
from lagesbild.policeevents.models import FeedCall, PoliceEvent
from tests.factories import make_area, square
from tests.policeevents.conftest import EVENTS, LATER, read

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_police_events", *[str(a) for a in args], stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_files_are_imported_oldest_first_and_later_versions_replace(sollentuna):
    output = run(EVENTS, LATER)
    assert "5 notiser, 4 nya" in output
    assert "1 uppdaterade" in output
    assert PoliceEvent.objects.get(event_id=447706).event_type == "Mord/dråp"
    assert not FeedCall.objects.exists()  # files never count as calls to the feed


def test_a_file_that_is_not_the_feeds_format_is_a_clear_error(sollentuna, tmp_path):
    bad = tmp_path / "fel.json"
    bad.write_text("inte json {", encoding="utf-8")
    with pytest.raises(CommandError, match="varken JSON eller JSON Lines"):
        run(bad)
    assert not PoliceEvent.objects.exists()


def test_without_files_it_calls_the_feed_once(sollentuna, settings, tmp_path):
    saved = tmp_path / "api-events.json"
    saved.write_text(json.dumps(read(EVENTS)), encoding="utf-8")
    settings.POLICE_EVENTS_URL = saved.as_uri()
    assert "4 nya" in run()
    assert FeedCall.objects.count() == 1


def test_an_unreachable_feed_is_a_clear_error(sollentuna, settings, tmp_path):
    settings.POLICE_EVENTS_URL = (tmp_path / "saknas.json").as_uri()
    with pytest.raises(CommandError, match="kunde inte hämtas"):
        run()
    assert FeedCall.objects.get().error


def test_relocate_places_stored_notices_against_new_areas(sollentuna):
    run(EVENTS)
    assert PoliceEvent.objects.get(event_id=581682).area is None  # "... gripande i Märsta."
    make_area(sollentuna, "Märsta", 17.80, 59.40)
    assert "1 notiser fick ett annat område" in run("--relocate")
    moved = PoliceEvent.objects.get(event_id=581682)
    assert (moved.area.name, moved.level) == ("Märsta", PoliceEvent.Level.PLACE_NAME)
    assert "0 notiser" in run("--relocate")


def test_notices_follow_an_area_change_in_the_background_job(
    sollentuna, coordinator_a, django_capture_on_commit_callbacks
):
    """The job queued when an area is saved moves the police's notices as well as the
    incidents, so nobody has to run --relocate."""
    run(EVENTS)
    assert PoliceEvent.objects.get(event_id=581682).area is None  # "... gripande i Märsta."
    with django_capture_on_commit_callbacks(execute=True):
        save_area(
            actor=coordinator_a.user,
            partnership=sollentuna,
            name="Märsta",
            code="M1",
            geojson=square(17.80, 59.40),
        )
    moved = PoliceEvent.objects.get(event_id=581682)
    assert (moved.area.name, moved.level) == ("Märsta", PoliceEvent.Level.PLACE_NAME)
