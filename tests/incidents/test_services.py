"""Reporting and review rules, through the service functions."""

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from lagesbild.audit.models import Entry
from lagesbild.incidents import services
from lagesbild.incidents.models import Incident, IncidentChange


def report(membership, **overrides):
    partnership = membership.partnership
    values = {
        "membership": membership,
        "client_id": uuid.uuid4(),
        "category": partnership.categories.get(code="klotter"),
        "occurred_at": timezone.now() - timedelta(hours=2),
        "severity": 2,
        "lon": 17.905,
        "lat": 59.435,
        "description": "Klotter på gångtunneln vid torget.",
    }
    values.update(overrides)
    return services.report_incident(**values)


def test_report_assigns_area_by_geometry_and_records_history(reporter_a):
    incident, created = report(reporter_a)
    assert created
    assert incident.area.name == "Norr"
    assert incident.status == Incident.Status.NEW
    # the week is the partnership's local one: late on a Sunday in UTC is Monday in Sweden
    local = incident.occurred_at.astimezone(ZoneInfo(incident.partnership.time_zone))
    assert incident.iso_week == int(local.strftime("%G%V"))
    assert incident.changes.get().action == IncidentChange.Action.CREATED
    assert Entry.objects.filter(action="incident.created", object_id=str(incident.pk)).exists()


def test_same_client_id_twice_creates_one_incident(reporter_a):
    client_id = uuid.uuid4()
    first, created_first = report(reporter_a, client_id=client_id)
    second, created_second = report(reporter_a, client_id=client_id, description="annan text")
    assert (created_first, created_second) == (True, False)
    assert first.pk == second.pk
    assert Incident.objects.count() == 1


def test_point_outside_every_area_is_refused_and_nothing_saved(reporter_a):
    with pytest.raises(ValidationError) as exc:
        report(reporter_a, lon=17.5, lat=59.9)
    assert "utanför samverkans områden" in str(exc.value)
    assert Incident.objects.count() == 0


def test_future_time_is_refused(reporter_a):
    with pytest.raises(ValidationError) as exc:
        report(reporter_a, occurred_at=timezone.now() + timedelta(hours=1))
    assert "framtiden" in str(exc.value)


def test_past_time_is_accepted(reporter_a):
    incident, _ = report(reporter_a, occurred_at=timezone.now() - timedelta(days=40))
    assert incident.pk


def test_identity_number_is_refused_even_when_confirmed(reporter_a):
    # 811218-9876 is made up; the check digit is computed to pass the Luhn rule.
    with pytest.raises(ValidationError) as exc:
        report(reporter_a, description="Personen 811218-9876 sprayade", confirmed_warnings=True)
    assert "personnummer" in str(exc.value).lower()
    assert Incident.objects.count() == 0


def test_phone_number_needs_confirmation(reporter_a):
    with pytest.raises(ValidationError) as exc:
        report(reporter_a, description="Ring fastighetsjouren 070-123 45 67")
    assert services.needs_confirmation(exc.value)
    _incident, created = report(
        reporter_a, description="Ring fastighetsjouren 070-123 45 67", confirmed_warnings=True
    )
    assert created


def test_group_category_is_refused(reporter_a):
    group = reporter_a.partnership.categories.get(code="grupp-brand")
    with pytest.raises(ValidationError):
        report(reporter_a, category=group)


def test_other_partnerships_category_is_refused(reporter_a, partnership_b):
    with pytest.raises(ValidationError):
        report(reporter_a, category=partnership_b.categories.get(code="klotter"))


def test_place_gives_position_when_no_point(reporter_a):
    place = reporter_a.partnership.places.get()
    incident, _ = report(reporter_a, lon=None, lat=None, place=place)
    assert (incident.lon, incident.lat, incident.area) == (place.lon, place.lat, place.area)


def test_correct_records_old_and_new_values(reporter_a, coordinator_a):
    incident, _ = report(reporter_a)
    fire = reporter_a.partnership.categories.get(code="bilbrand")
    soder = reporter_a.partnership.areas.get(name="Söder")
    services.correct_incident(
        actor=coordinator_a.user,
        incident=incident,
        category=fire,
        area=soder,
        reason="Fel kategori",
    )
    incident.refresh_from_db()
    assert (incident.category, incident.area, incident.status) == (fire, soder, "accepted")
    change = incident.changes.get(action=IncidentChange.Action.CORRECTED)
    assert change.changes["category"][1]["name"] == fire.name
    assert change.actor == coordinator_a.user
    assert change.reason == "Fel kategori"


def test_reject_needs_a_reason(reporter_a, coordinator_a):
    incident, _ = report(reporter_a)
    with pytest.raises(ValidationError):
        services.reject_incident(actor=coordinator_a.user, incident=incident, reason="  ")
    services.reject_incident(actor=coordinator_a.user, incident=incident, reason="Dubbel")
    incident.refresh_from_db()
    assert (incident.status, incident.rejection_reason) == ("rejected", "Dubbel")


def test_merge_links_duplicates_to_target(reporter_a, coordinator_a):
    target, _ = report(reporter_a)
    duplicate, _ = report(reporter_a)
    services.merge_incidents(actor=coordinator_a.user, target=target, duplicates=[duplicate])
    duplicate.refresh_from_db()
    assert duplicate.status == Incident.Status.MERGED
    assert list(target.absorbed.all()) == [duplicate]
    assert target.changes.filter(action="absorbed").get().changes == {"absorbed": [duplicate.pk]}
    with pytest.raises(ValidationError):
        services.accept_incident(actor=coordinator_a.user, incident=duplicate)


def test_a_group_with_all_categories_disabled_is_still_not_reportable(reporter_a):
    group = reporter_a.partnership.categories.get(code="grupp-positivt")
    group.children.update(active=False)
    with pytest.raises(ValidationError):
        report(reporter_a, category=group)


def test_someone_elses_client_id_is_refused(reporter_a, coordinator_a):
    client_id = uuid.uuid4()
    report(reporter_a, client_id=client_id)
    with pytest.raises(ValidationError) as exc:
        report(coordinator_a, client_id=client_id)
    assert "client_id" in exc.value.message_dict
