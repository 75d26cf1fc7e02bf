"""The notice list, the map layer's data, the coordinator's categories per type and the
section of the weekly picture."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.incidents.models import Category
from lagesbild.pictures import runs
from lagesbild.policeevents import queries, services
from lagesbild.policeevents.models import PoliceEvent, TypeCategory
from tests.api.helpers import API, bearer
from tests.factories import make_incident
from tests.policeevents.conftest import EVENTS, read, record

pytestmark = pytest.mark.django_db

LIST = reverse("policeevents:list")


@pytest.fixture
def imported(sollentuna):
    services.import_records(read(EVENTS))
    return sollentuna


def ids(response) -> set[int]:
    return {e.event_id for e in response.context["page"].object_list}


def test_the_list_shows_the_partnerships_notices_with_their_level(login, member_a, imported):
    response = login(member_a).get(LIST)
    assert response.status_code == 200
    assert ids(response) == {410712, 413318, 447706, 581682}
    body = response.content.decode()
    assert "I Tureberg rapporterades en lastbilschaufför." in body
    assert "varav 3 på kommunnivå" in body
    assert 'href="https://polisen.se/aktuellt/handelser/2023/' in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"event_type": "Trafikbrott"}, {413318, 581682}),
        ({"area": "kommun"}, {410712, 447706, 581682}),
        ({"date_from": "2023-04-01", "date_to": "2023-12-31"}, {413318, 447706}),
        ({"week": "2023-W12"}, {410712}),
    ],
)
def test_the_list_filters(login, member_a, imported, query, expected):
    assert ids(login(member_a).get(LIST, query)) == expected


def test_the_list_filters_by_area(login, member_a, imported):
    tureberg = imported.areas.get(name="Tureberg")
    assert ids(login(member_a).get(LIST, {"area": tureberg.pk})) == {413318}


@pytest.mark.parametrize(
    "query",
    [
        {"week": "vecka 99"},
        {"area": "99999999999999999999"},
        {"event_type": "<script>"},
        {"date_from": "2024-01-02", "date_to": "2024-01-01"},
        {"page": "x"},
    ],
)
def test_a_bad_filter_is_a_message_not_an_error(login, member_a, imported, query):
    response = login(member_a).get(LIST, query)
    assert response.status_code == 200


def test_a_bad_week_says_how_to_write_it(login, member_a, imported):
    assert "Ange veckan som 2026-W47." in login(member_a).get(LIST, {"week": "x"}).content.decode()


def test_reporters_do_not_get_the_list(login, reporter_a, imported):
    assert login(reporter_a).get(LIST).status_code == 403


def test_the_map_layer_groups_by_area_and_municipality(login, member_a, imported):
    data = login(member_a).get(reverse("policeevents:map_groups")).json()
    by_label = {g["label"]: g for g in data["groups"]}
    assert by_label["Tureberg"]["count"] == 1
    assert by_label["Sollentuna"]["count"] == 3
    assert by_label["Sollentuna"]["area"] == "kommun"
    assert (by_label["Sollentuna"]["lat"], by_label["Sollentuna"]["lon"]) == (59.43911, 17.94148)
    assert data["total"] == 4


def test_the_incident_map_offers_the_police_layer_apart(login, member_a, imported):
    body = login(member_a).get(reverse("incidents:map")).content.decode()
    assert 'id="police-layer-toggle"' in body
    assert reverse("policeevents:map_groups") in body


def test_a_coordinator_sets_a_types_category(login, coordinator_a, imported):
    category = Category.objects.get(partnership=imported, code="farlig-korning")
    client = login(coordinator_a)
    assert "Rattfylleri" in client.get(reverse("policeevents:types")).content.decode()
    response = client.post(
        reverse("policeevents:types"), {"event_type": "Rattfylleri", "category": category.pk}
    )
    assert response.status_code == 302
    assert PoliceEvent.objects.get(event_id=410712).category == category
    response = client.post(reverse("policeevents:types"), {"event_type": "Rattfylleri"})
    assert TypeCategory.objects.get(partnership=imported, event_type="Rattfylleri").category is None


@pytest.mark.parametrize(
    "body",
    [
        {"event_type": "Påhittad typ", "category": ""},
        {"event_type": "Rattfylleri", "category": "999999"},
        {"event_type": "Rattfylleri", "category": "x"},
    ],
)
def test_a_bad_category_choice_changes_nothing(login, coordinator_a, imported, body):
    response = login(coordinator_a).post(reverse("policeevents:types"), body)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert TypeCategory.objects.get(partnership=imported, event_type="Rattfylleri").category is None


def test_another_partnerships_category_is_refused(login, coordinator_a, imported, partnership_b):
    foreign = Category.objects.get(partnership=partnership_b, code="klotter")
    response = login(coordinator_a).post(
        reverse("policeevents:types"), {"event_type": "Rattfylleri", "category": foreign.pk}
    )
    assert response.status_code == 400


def test_the_weekly_picture_has_its_own_police_section(login, member_a, sollentuna):
    code = weeks.shift(weeks.week_code(timezone.now()), -1)
    start = weeks.bounds(code)[0]
    tureberg = sollentuna.areas.get(name="Tureberg")
    make_incident(member_a, area=tureberg, occurred_at=start + timedelta(hours=10))
    day = (start + timedelta(days=1, hours=12)).strftime("%Y-%m-%d %H:%M:%S +01:00")
    services.import_records(
        [
            record(410712, datetime=day, name="Brand, Sollentuna"),
            record(413318, datetime=day, name="Bråk, Sollentuna", summary="Bråk i Tureberg."),
            record(447706, datetime=day, name="Stöld, Sollentuna"),
        ]
    )
    runs.run_now(sollentuna, weeks.iso(code))
    response = login(member_a).get(reverse("pictures:week", args=[weeks.iso(code)]))
    body = response.content.decode()
    assert "Polisens händelsenotiser" in body
    section = response.context["police"]
    assert (section["municipality"], section["total"]) == (2, 3)
    assert section["rows"][0]["name"] == "Tureberg"
    # The report counts stay the reports': one incident, not four.
    assert response.context["matrix"]["grand"]["observed"] == 1


def test_an_approved_picture_keeps_the_notices_it_was_approved_with(
    login, coordinator_a, sollentuna
):
    """A later import (a new version of a notice, a late notice) changes the draft, never an
    approved version: its page shows the counts and notices as they were at approval."""
    code = weeks.shift(weeks.week_code(timezone.now()), -1)
    iso = weeks.iso(code)
    start = weeks.bounds(code)[0]
    make_incident(coordinator_a, area=sollentuna.areas.get(name="Tureberg"), occurred_at=start)
    day = (start + timedelta(days=1, hours=12)).strftime("%Y-%m-%d %H:%M:%S +01:00")
    services.import_records([record(410712, datetime=day, name="Brand, Sollentuna")])
    runs.run_now(sollentuna, iso)
    client = login(coordinator_a)
    client.post(
        reverse("pictures:approve", args=[iso]), {"confirm": "on", "change_note": "På mötet"}
    )
    version = reverse("pictures:version", args=[iso, 1])
    assert client.get(version).context["police"]["total"] == 1

    services.import_records(
        [
            record(410712, datetime=day, name="Brand, Sollentuna", summary="Ny version."),
            record(413318, datetime=day, name="Bråk, Sollentuna", summary="Bråk i Tureberg."),
        ]
    )
    response = client.get(version)
    frozen = response.context["police"]
    assert (frozen["total"], frozen["municipality"], frozen["rows"]) == (1, 1, [])
    assert [e["summary"] for e in frozen["events"]] == [record(410712)["summary"]]
    body = response.content.decode()
    assert "Som notiserna var när versionen godkändes" in body
    assert "Ny version." not in body and "Bråk, Sollentuna" not in body
    draft = client.get(reverse("pictures:week", args=[iso]))
    live = draft.context["police"]
    assert live["total"] == 2
    # The draft's counts lead to today's list; the version's do not (it would show today's).
    assert f"{LIST}?week={iso}&amp;area=kommun" in draft.content.decode()
    assert f"{LIST}?week=" not in body
    assert "Ny version." in [e["summary"] for e in live["events"]]
    client.post(reverse("pictures:approve", args=[iso]), {"confirm": "on", "change_note": "Ny"})
    second = sollentuna.pictures.get(version=2).content
    assert "Polisens notiser: 1 → 2." in second["changes_from_previous"]


def test_a_reporter_sees_the_counts_but_not_the_notices(
    login, coordinator_a, reporter_a, sollentuna
):
    """Where reporters may read the picture: the section's counts, never the notices (the
    notice list is for members and up), on the page and through the API."""
    sollentuna.reporters_see_picture = True
    sollentuna.save()
    code = weeks.shift(weeks.week_code(timezone.now()), -1)
    iso, start = weeks.iso(code), weeks.bounds(code)[0]
    make_incident(coordinator_a, area=sollentuna.areas.get(name="Tureberg"), occurred_at=start)
    day = (start + timedelta(days=1, hours=12)).strftime("%Y-%m-%d %H:%M:%S +01:00")
    services.import_records([record(410712, datetime=day, name="Brand, Sollentuna")])
    runs.run_now(sollentuna, iso)
    login(coordinator_a).post(
        reverse("pictures:approve", args=[iso]), {"confirm": "on", "change_note": "På mötet"}
    )
    response = login(reporter_a).get(reverse("pictures:version", args=[iso, 1]))
    assert response.context["police"]["total"] == 1
    body = response.content.decode()
    assert "Brand, Sollentuna" not in body
    assert reverse("policeevents:list") + "?" not in body
    content = bearer(reporter_a).get(f"{API}/pictures/{iso}/versions/1").json()["content"]
    assert content["police"]["total"] == 1 and content["police"]["events"] == []
    members = bearer(coordinator_a).get(f"{API}/pictures/{iso}/versions/1").json()["content"]
    assert [e["name"] for e in members["police"]["events"]] == ["Brand, Sollentuna"]


def test_a_week_the_notices_reach_into_says_how_far(login, member_a, sollentuna):
    """The running week: the notices are fetched up to the newest one, shown in the
    partnership's time (the section keeps the time as text, for freezing)."""
    code = weeks.week_code(timezone.now())
    start = weeks.bounds(code)[0]
    make_incident(member_a, area=sollentuna.areas.get(name="Tureberg"), occurred_at=start)
    published = start + timedelta(minutes=30)
    stamp = published.strftime("%Y-%m-%d %H:%M:%S %z")
    services.import_records([record(410712, datetime=stamp)])
    PoliceEvent.objects.update(published_at=published)
    runs.run_now(sollentuna, weeks.iso(code))
    response = login(member_a).get(reverse("pictures:week", args=[weeks.iso(code)]))
    assert response.context["police"]["state"] == "partial"
    local = timezone.localtime(published).strftime("%Y-%m-%d %H:%M")
    assert f"Hittills: notiserna är hämtade till {local}." in response.content.decode()


def test_without_a_municipality_there_is_no_section_and_the_list_says_why(
    login, member_a, partnership_a
):
    code = weeks.shift(weeks.week_code(timezone.now()), -1)
    assert queries.week_section(member_a.partnership, code) is None
    body = login(member_a).get(LIST).content.decode()
    assert "Samverkan har ingen kommunkod" in body


def test_the_types_page_and_the_list_run_as_many_queries_for_many_types(
    login, coordinator_a, imported
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(coordinator_a)
    pages = [reverse("policeevents:types"), LIST]

    def counts():
        found = []
        for url in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    few = counts()
    services.import_records(
        [record(410712, id=990000 + i, type=f"Typ {i}", summary="I Tureberg.") for i in range(30)]
    )
    assert counts() == few
