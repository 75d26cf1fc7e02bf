"""The area page: everything known about one area on one screen, as each member may see it,
in a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lagesbild.incidents import coverage, weeks
from lagesbild.indicators import services as indicator_services
from lagesbild.interventions.models import Evaluation
from lagesbild.pictures import services
from lagesbild.pictures.models import Picture
from tests.conftest import client_for
from tests.factories import make_incident, make_intervention
from tests.indicators.helpers import make_indicator

pytestmark = pytest.mark.django_db


def _norr(membership):
    return membership.partnership.areas.get(name="Norr")


def _last_week(membership) -> int:
    return coverage.last_complete_week(membership.partnership)


def _page(membership, area) -> str:
    response = client_for(membership).get(reverse("pictures:area", args=[area.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _indicator_with_a_jump(coordinator, name="Kostnad qqCost", **fields):
    indicator = make_indicator(coordinator, name=name, **fields)
    norr = _norr(coordinator)
    history = [100, 104, 98, 101, 99, 102, 100, 103, 97, 100, 101, 99]
    entries = [
        indicator_services.Entry(norr, date(2025, m, 1), v) for m, v in enumerate(history, 1)
    ]
    entries.append(indicator_services.Entry(norr, date(2026, 1, 1), 180))
    indicator_services.save_values(membership=coordinator, indicator=indicator, entries=entries)
    return indicator


def _intervention(coordinator, title, evaluated=True):
    norr = _norr(coordinator)
    item = make_intervention(
        areas=[norr],
        partnership=coordinator.partnership,
        title=title,
        responsible=coordinator.organisation,
        due_date=timezone.localdate() + timedelta(days=7),
    )
    if evaluated:
        Evaluation.objects.create(
            partnership=coordinator.partnership,
            intervention=item,
            computed_at=timezone.now(),
            verdict="estimate",
            result={"did": {"verdict": "estimate", "ci_low": 0.5, "ci_high": 0.8}},
        )
    return item


def test_the_page_shows_incidents_indicators_flags_assessments_and_interventions(
    coordinator_a, member_a
):
    norr = _norr(coordinator_a)
    code = _last_week(coordinator_a)
    start = weeks.bounds(code)[0] + timedelta(hours=10)
    for _ in range(3):
        make_incident(coordinator_a, area=norr, occurred_at=start)
    soder = coordinator_a.partnership.areas.get(name="Söder")
    for _ in range(5):  # another area's incidents are not this area's
        make_incident(coordinator_a, area=soder, occurred_at=start)
    _indicator_with_a_jump(coordinator_a)
    Picture.objects.create(
        partnership=coordinator_a.partnership,
        period_kind="week",
        period=weeks.iso(code),
        approved_by=coordinator_a.user,
        content={
            "series": {
                f"{norr.pk}:1": {
                    "area": norr.pk,
                    "group": 1,
                    "level": "avvikelse",
                    "explanation": "Klotter i Norr qqFlag",
                }
            }
        },
    )
    services.save_assessment(
        actor=coordinator_a.user,
        partnership=coordinator_a.partnership,
        area=norr,
        iso=weeks.iso(code),
        level=3,
        comment="Oro vid torget qqJudged",
    )
    _intervention(coordinator_a, "Städning qqAction")

    text = _page(member_a, norr)
    skadegorelse = text.split('<th scope="row">Skadegörelse', 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">3</td>' in skadegorelse  # the week's count and the total
    assert '<td class="num">5</td>' not in skadegorelse
    assert "Kostnad qqCost" in text
    assert "180 kr" in text and "+81" in text and "Sämre än vanligt" in text
    assert "qqFlag" in text
    assert "qqJudged" in text
    assert "qqAction" in text and "Minskning" in text


def test_indicator_visibility_and_roles(coordinator_a, member_a, analyst_a, reporter_a):
    norr = _norr(coordinator_a)
    _indicator_with_a_jump(coordinator_a, name="Intern qqSecret", visibility="analysts")
    assert "qqSecret" not in _page(member_a, norr)
    assert "qqSecret" in _page(analyst_a, norr)
    reporter = client_for(reporter_a)
    assert reporter.get(reverse("pictures:area", args=[norr.pk])).status_code == 403
    assert reporter.get(reverse("pictures:areas")).status_code == 403


def test_another_partnership_gets_404(coordinator_a, member_b):
    norr = _norr(coordinator_a)
    assert client_for(member_b).get(reverse("pictures:area", args=[norr.pk])).status_code == 404


def test_the_areas_list_and_the_picture_link_to_the_page(coordinator_a, member_a):
    norr = _norr(coordinator_a)
    url = reverse("pictures:area", args=[norr.pk])
    assert url in client_for(member_a).get(reverse("pictures:areas")).content.decode()
    admin = client_for(coordinator_a).get(reverse("partnerships:area_list")).content.decode()
    assert url in admin


def test_the_page_has_a_fixed_query_count(coordinator_a, member_a):
    norr = _norr(coordinator_a)
    client = client_for(member_a)
    url = reverse("pictures:area", args=[norr.pk])
    _indicator_with_a_jump(coordinator_a, name="Första")
    _intervention(coordinator_a, "Första insatsen")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    one = count()
    for k in range(3):
        _indicator_with_a_jump(coordinator_a, name=f"Fler {k}")
        _intervention(coordinator_a, f"Insats {k}", evaluated=k % 2 == 0)
        make_incident(coordinator_a, area=norr)
    assert count() == one


def test_the_last_weeks_draft_flags_show_until_it_is_approved(coordinator_a, member_a):
    from lagesbild.pictures import runs

    norr = _norr(coordinator_a)
    code = _last_week(coordinator_a)
    start = weeks.bounds(code)[0] + timedelta(hours=12)
    for k in range(1, 10):
        for _ in range(2):
            make_incident(coordinator_a, area=norr, occurred_at=start - timedelta(weeks=k))
    for _ in range(10):
        make_incident(coordinator_a, area=norr, occurred_at=start)
    runs.run_now(coordinator_a.partnership, weeks.iso(code))
    text = _page(member_a, norr)
    assert "utkast, inte godkänt" in text
    assert "Skadegörelse i Norr: 10 händelser" in text
