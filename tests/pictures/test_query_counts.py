"""Heavy pages must not grow N+1 queries: their query count does not depend on how many
incidents, areas or assessments there are."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.pictures import runs
from tests.factories import make_area, make_incident


def _grow(membership, code, areas: int, per_area: int):
    start = weeks.bounds(code)[0] + timedelta(hours=10)
    for k in range(areas):
        area = make_area(membership.partnership, f"Extra {k}", 17.70 + 0.01 * k, 59.50)
        for _ in range(per_area):
            make_incident(membership, area=area, occurred_at=start)


def _count(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


def test_picture_list_and_weekly_pages_have_fixed_query_counts(
    login, coordinator_a, django_assert_max_num_queries
):
    code = weeks.shift(weeks.week_code(timezone.now()), -1)
    iso = weeks.iso(code)
    client = login(coordinator_a)
    pages = [
        reverse("pictures:week", args=[iso]),
        reverse("incidents:list") + f"?week={iso}",
        reverse("incidents:weekly") + f"?week={iso}",
        reverse("incidents:review"),
    ]
    _grow(coordinator_a, code, areas=1, per_area=2)
    runs.run_now(coordinator_a.partnership, iso)
    small = {}
    for url in pages:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        small[url] = len(queries)
    _grow(coordinator_a, code, areas=4, per_area=6)
    runs.run_now(coordinator_a.partnership, iso)
    for url in pages:
        _count(client, url, django_assert_max_num_queries, small[url])


def test_periodic_pages_have_fixed_query_counts(
    login, coordinator_a, django_assert_max_num_queries
):
    """The last quarter's and this year's draft, an approved version and the Excel files run
    as many queries with more incidents, areas and assessments as with few."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lagesbild.pictures import periods

    partnership = coordinator_a.partnership
    today = periods.today_for(partnership)
    quarter = periods.Period.containing("quarter", today).shift(-1)
    year = periods.Period.containing("year", today)
    code = weeks.week_of_date(quarter.first_month + timedelta(days=20))
    client = login(coordinator_a)
    _grow(coordinator_a, code, areas=1, per_area=2)
    client.post(
        reverse("pictures:period_approve", args=[str(quarter)]),
        {"confirm": "on", "change_note": "Ogranskade rapporter"},
    )
    assert partnership.pictures.filter(period=str(quarter), version=1).exists()
    pages = [
        reverse("pictures:period", args=[str(quarter)]),
        reverse("pictures:period", args=[str(year)]),
        reverse("pictures:period_version", args=[str(quarter), 1]),
        reverse("pictures:period_export", args=[str(year), "xlsx"]),
        reverse("pictures:period_export_version", args=[str(quarter), 1, "xlsx"]),
        reverse("pictures:period_export", args=[str(year), "pdf"]),
        reverse("pictures:period_export_version", args=[str(quarter), 1, "pdf"]),
    ]
    small = {}
    for url in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        small[url] = len(queries)
    _grow(coordinator_a, code, areas=4, per_area=6)
    for area in partnership.areas.filter(name__startswith="Extra"):
        client.post(
            reverse("pictures:period_influence", args=[str(quarter), area.pk]),
            {f"i{area.pk}-level": "3", f"i{area.pk}-comment": "Bedömd"},
        )
    for url in pages:
        _count(client, url, django_assert_max_num_queries, small[url])
