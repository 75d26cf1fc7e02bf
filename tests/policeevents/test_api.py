"""The police's notices through the API: the list's filters and checks, cursor pages that
cover the list once in order, refusals in the API's one error shape, members only."""

import pytest

from lagesbild.api.urls import api
from lagesbild.policeevents import services
from tests.api.helpers import API, bearer
from tests.policeevents.conftest import EVENTS, read, record

pytestmark = pytest.mark.django_db

URL = f"{API}/police-events"


@pytest.fixture
def imported(sollentuna):
    services.import_records(read(EVENTS))
    return sollentuna


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["event_id"] for row in response.json()["results"]}


def test_members_list_the_notices_with_their_placing(member_a, imported):
    response = bearer(member_a).get(URL)
    data = response.json()
    assert data["count"] == 4 and data["next_cursor"] is None
    by_id = {row["event_id"]: row for row in data["results"]}
    assert set(by_id) == {410712, 413318, 447706, 581682}
    tureberg = by_id[413318]
    assert (tureberg["level"], tureberg["area_name"]) == ("place_name", "Tureberg")
    assert by_id[410712]["area"] is None and by_id[410712]["level"] == "municipality"
    assert by_id[410712]["occurred_at"].endswith("+01:00")  # the partnership's zone
    assert by_id[410712]["iso_week"] == "2023-W12"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"event_type": "Trafikbrott"}, {413318, 581682}),
        ({"area": "kommun"}, {410712, 447706, 581682}),
        ({"date_from": "2023-04-01", "date_to": "2023-12-31"}, {413318, 447706}),
        ({"week": "2023-W12"}, {410712}),
    ],
)
def test_the_filters_are_the_lists(member_a, imported, query, expected):
    assert ids(bearer(member_a).get(URL, query)) == expected


def test_an_area_filter_takes_its_id(member_a, imported):
    tureberg = imported.areas.get(name="Tureberg")
    assert ids(bearer(member_a).get(URL, {"area": tureberg.pk})) == {413318}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"week": "vecka 99"}, "week"),
        ({"date_from": "2024-01-02", "date_to": "2024-01-01"}, "date_to"),
        ({"area": "99999999"}, "area"),
        ({"area": "x"}, "area"),
        ({"event_type": "Påhittad typ"}, "event_type"),
        ({"cursor": "abc"}, "cursor"),
    ],
)
def test_a_bad_filter_is_422_with_its_reason(member_a, imported, query, field):
    response = bearer(member_a).get(URL, query)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert list(errors) == [field] and all(errors[field])


def test_another_partnerships_area_is_refused(member_a, imported, partnership_b):
    foreign = partnership_b.areas.first()
    assert bearer(member_a).get(URL, {"area": foreign.pk}).status_code == 422


def test_cursor_pages_cover_the_list_once_newest_first(member_a, imported):
    # Three more at the very moment of one of them: ties the cursor must step through.
    first = read(EVENTS)[0]
    services.import_records(
        [record(first["id"], id=990000 + i, datetime=first["datetime"]) for i in range(3)]
    )
    client, seen, cursor = bearer(member_a), [], None
    while True:
        data = client.get(URL, {"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [(row["occurred_at"], row["event_id"]) for row in data["results"]]
        cursor = data["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7
    assert seen == sorted(seen, reverse=True)


def test_reporters_and_other_partnerships_get_nothing(reporter_a, member_b, imported):
    assert bearer(reporter_a).get(URL).status_code == 403
    assert bearer(member_b).get(URL).json() == {"count": 0, "results": [], "next_cursor": None}


def test_the_openapi_description_has_the_list_read_only():
    paths = api.get_openapi_schema(path_prefix="/api/v1")["paths"]
    assert set(paths["/api/v1/police-events"]) == {"get"}
