"""Importing notices: municipality, municipality-level detection, areas by place name,
categories per type, deduplication and later versions, and apartness from the reports."""

from datetime import timedelta

import pytest

from lagesbild.audit.models import Entry
from lagesbild.geography.models import Place
from lagesbild.incidents import weeks
from lagesbild.incidents.models import Category, Incident
from lagesbild.policeevents import queries, services
from lagesbild.policeevents.models import PoliceEvent, TypeCategory
from tests.factories import make_area
from tests.policeevents.conftest import CENTRE, EVENTS, LATER, read, record

pytestmark = pytest.mark.django_db

Level = PoliceEvent.Level


def stored(partnership, event_id) -> PoliceEvent:
    return PoliceEvent.objects.get(partnership=partnership, event_id=event_id)


def test_only_the_partnerships_municipality_is_kept(sollentuna, partnership_b):
    partnership_b.municipality_code = "0123"  # Järfälla
    partnership_b.save()
    result = services.import_records(read(EVENTS))
    assert (result.received, result.created, result.elsewhere) == (5, 5, 0)
    mine = set(sollentuna.police_events.values_list("event_id", flat=True))
    assert mine == {410712, 413318, 447706, 581682}
    assert list(partnership_b.police_events.values_list("event_id", flat=True)) == [400089]


def test_notices_of_municipalities_no_partnership_covers_are_not_stored(sollentuna):
    result = services.import_records(read(EVENTS))
    assert result.elsewhere == 1
    assert PoliceEvent.objects.count() == 4


def test_the_feeds_centre_point_counts_at_municipality_level_not_in_the_area_around_it(
    sollentuna,
):
    services.import_records(read(EVENTS))
    event = stored(sollentuna, 410712)
    assert (event.lat, event.lon) == CENTRE
    assert event.level == Level.MUNICIPALITY
    assert event.area is None


def test_a_county_location_is_matched_to_the_municipality_in_the_heading(sollentuna):
    services.import_records(read(EVENTS))
    event = stored(sollentuna, 581682)
    assert event.location_name == "Stockholms län"
    assert (event.municipality_code, event.level, event.area) == ("0163", Level.MUNICIPALITY, None)


def test_an_area_named_in_the_text_places_the_notice_there(sollentuna):
    services.import_records(read(EVENTS))
    event = stored(sollentuna, 413318)  # "I Tureberg rapporterades en lastbilschaufför."
    assert event.level == Level.PLACE_NAME
    assert event.area.name == "Tureberg"


def test_a_place_named_in_the_text_places_the_notice_in_its_area(sollentuna):
    services.import_records([record(410712, summary="Bråk vid Torget under kvällen.")])
    event = stored(sollentuna, 410712)
    assert (event.level, event.area.name) == (Level.PLACE_NAME, "Norr")


def test_a_name_inside_another_word_or_in_lower_case_is_no_place(sollentuna):
    services.import_records([record(410712, summary="Tumult i centrumet; turebergsskolan stängd.")])
    assert stored(sollentuna, 410712).level == Level.MUNICIPALITY


def test_two_areas_named_apart_leave_the_notice_at_municipality_level(sollentuna):
    services.import_records([record(410712, summary="Jakt från Tureberg till Centrum.")])
    assert stored(sollentuna, 410712).area is None


def test_a_place_in_a_named_area_places_it_in_the_inner_area(sollentuna):
    district = make_area(sollentuna, "Nordost", 17.80, 59.50, size=0.1)
    inner = make_area(sollentuna, "Gläntan", 17.81, 59.51, parent=district)
    Place.objects.create(
        partnership=sollentuna, area=inner, name="Lekparken", lon=17.815, lat=59.515
    )
    services.import_records([record(410712, summary="Skadegörelse vid Lekparken i Nordost.")])
    assert stored(sollentuna, 410712).area == inner


def test_a_point_of_its_own_is_located_in_its_area(sollentuna):
    own_point = {"name": "Sollentuna", "gps": f"{CENTRE[0] + 0.002},{CENTRE[1] + 0.002}"}
    services.import_records([record(410712, location=own_point)])
    event = stored(sollentuna, 410712)
    assert (event.level, event.area.name) == (Level.POINT, "Centrum")


def test_the_centre_point_with_fewer_decimals_is_still_the_centre(sollentuna):
    services.import_records(
        [record(410712, location={"name": "Sollentuna", "gps": "59.4391,17.9415"})]
    )
    assert stored(sollentuna, 410712).level == Level.MUNICIPALITY


def test_types_get_the_default_checklists_category_or_none(sollentuna):
    services.import_records(read(EVENTS))
    assert stored(sollentuna, 413318).category.code == "farlig-korning"  # Trafikbrott
    assert stored(sollentuna, 410712).category is None  # Rattfylleri
    mapped = dict(
        TypeCategory.objects.filter(partnership=sollentuna).values_list(
            "event_type", "category__code"
        )
    )
    assert mapped["Trafikbrott"] == "farlig-korning"
    assert mapped["Rattfylleri"] is None


def test_a_coordinators_category_holds_for_stored_and_later_notices(sollentuna, coordinator_a):
    services.import_records(read(EVENTS)[:1])
    other = Category.objects.get(partnership=sollentuna, code="farlig-korning")
    services.set_type_category(membership=coordinator_a, event_type="Rattfylleri", category=other)
    assert stored(sollentuna, 410712).category == other
    services.import_records([record(410712, id=999001)])
    assert stored(sollentuna, 999001).category == other
    entry = Entry.objects.get(action="policeevents.type_category")
    assert entry.details["events"] == 1


def test_the_same_records_again_change_nothing(sollentuna):
    services.import_records(read(EVENTS))
    before = list(PoliceEvent.objects.order_by("pk").values())
    result = services.import_records(read(EVENTS))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert list(PoliceEvent.objects.order_by("pk").values()) == before


def test_a_later_version_replaces_the_stored_one(sollentuna):
    services.import_records(read(EVENTS))
    first = stored(sollentuna, 447706)
    assert first.event_type == "Kontroll person/fordon"
    result = services.import_records(read(LATER))
    assert (result.created, result.updated) == (0, 1)
    event = stored(sollentuna, 447706)
    assert event.pk == first.pk
    assert event.event_type == "Mord/dråp"
    assert event.url.endswith("morddrap-sollentuna/")
    assert event.category.code == "vald"
    assert event.versions == 2
    assert PoliceEvent.objects.filter(event_id=447706).count() == 1


def test_within_one_batch_the_last_version_of_an_id_wins(sollentuna):
    services.import_records(read(EVENTS) + read(LATER))
    assert stored(sollentuna, 447706).event_type == "Mord/dråp"
    assert stored(sollentuna, 447706).versions == 1


def test_broken_records_are_counted_and_the_rest_imported(sollentuna):
    result = services.import_records([{"id": 1}, *read(EVENTS)])
    assert result.created == 4
    assert len(result.invalid) == 1


def test_notices_never_become_incidents(sollentuna):
    services.import_records(read(EVENTS))
    assert Incident.objects.count() == 0


def test_the_weeks_section_counts_per_area_and_at_municipality_level(sollentuna, member_a):
    services.import_records(read(EVENTS))
    services.import_records([record(410712, id=999002, summary="Bråk i Tureberg.")])
    code = weeks.week_code(stored(sollentuna, 410712).occurred_at)
    section = queries.week_section(member_a.partnership, code)
    assert section["state"] == "complete"
    assert section["municipality"] == 1
    assert section["rows"] == [
        {"area_id": stored(sollentuna, 999002).area_id, "name": "Tureberg", "count": 1}
    ]
    assert section["total"] == 2


def test_a_week_outside_the_imported_notices_is_unknown_not_zero(sollentuna, member_a):
    services.import_records(read(EVENTS))
    first = stored(sollentuna, 410712).occurred_at
    assert (
        queries.week_section(member_a.partnership, weeks.week_code(first - timedelta(weeks=2)))[
            "state"
        ]
        == "unknown"
    )
    assert queries.week_section(member_a.partnership, 209901)["state"] == "unknown"
