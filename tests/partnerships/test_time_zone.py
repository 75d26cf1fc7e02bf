"""One time zone per partnership, everywhere: a partnership in Chicago on a server set to
Stockholm sees its Sunday-evening incident as Sunday evening on every page, in the API and
on the map, and its picture's "computed at" as the PDF says it."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lagesbild.api.models import ApiToken
from lagesbild.incidents import weeks
from lagesbild.pictures import runs
from lagesbild.pictures.exports.edition import Edition
from tests.factories import make_incident

CHICAGO = ZoneInfo("America/Chicago")
SUNDAY_EVENING = datetime(2026, 11, 29, 23, 40, tzinfo=CHICAGO)  # Monday 06:40 in Stockholm
LATER = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def chicago(settings, coordinator_a, member_a):
    settings.TIME_ZONE = "Europe/Stockholm"
    partnership = coordinator_a.partnership
    partnership.time_zone = "America/Chicago"
    partnership.save()
    with time_machine.travel(LATER, tick=False):
        yield make_incident(member_a, occurred_at=SUNDAY_EVENING, description="Sent på söndag")


def test_the_incident_is_in_the_week_of_its_own_sunday(chicago):
    assert chicago.iso_week == 202648
    assert SUNDAY_EVENING.astimezone(ZoneInfo("Europe/Stockholm")).isoweekday() == 1


def test_list_and_detail_show_the_partnership_s_local_time(login, coordinator_a, chicago):
    client = login(coordinator_a)
    for url in (reverse("incidents:list"), reverse("incidents:detail", args=[chicago.pk])):
        html = client.get(url).content.decode()
        assert "2026-11-29 23:40" in html, url
        assert "06:40" not in html, url


def test_the_api_gives_times_with_the_partnership_s_offset(coordinator_a, chicago):
    _token, raw = ApiToken.issue(coordinator_a, "test")
    client = Client(headers={"authorization": f"Bearer {raw}"})
    body = client.get(f"/api/v1/incidents/{chicago.pk}").json()
    assert body["occurred_at"].startswith("2026-11-29T23:40:00")
    assert body["occurred_at"].endswith("-06:00")
    # The zone is the request's only: a later request without a partnership is on the server's.
    assert timezone.get_current_timezone_name() == "Europe/Stockholm"


def test_the_map_dates_the_incident_on_its_sunday(login, coordinator_a, chicago):
    points = login(coordinator_a).get(reverse("incidents:map_points")).json()["points"]
    assert [p[4] for p in points] == ["2026-11-29"]


def test_page_and_pdf_say_the_same_computed_at(login, coordinator_a, chicago):
    iso = weeks.iso(202648)
    with time_machine.travel(LATER, tick=False):
        run = runs.run_now(coordinator_a.partnership, iso)
        html = login(coordinator_a).get(reverse("pictures:week", args=[iso])).content.decode()
    page_time = run.finished_at.astimezone(CHICAGO).strftime("%Y-%m-%d %H:%M")
    assert f"Beräknad {page_time}" in html
    content = {"computed_at": run.finished_at.isoformat()}
    assert Edition(content, coordinator_a).computed() == f"Beräknad {page_time}"
