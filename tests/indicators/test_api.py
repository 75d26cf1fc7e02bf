"""The indicators API: the same visibility as the pages, values by area and period."""

from datetime import date

import pytest

from lagesbild.geography.models import Area
from lagesbild.indicators import services
from tests.api.helpers import bearer
from tests.indicators.helpers import make_indicator

pytestmark = pytest.mark.django_db


def test_members_list_what_they_may_see_and_read_values(coordinator_a, member_a, analyst_a):
    shown = make_indicator(coordinator_a, name="Kostnad")
    make_indicator(coordinator_a, name="Intern", visibility="analysts")
    norr = Area.objects.get(partnership=coordinator_a.partnership, name="Norr")
    services.save_values(
        membership=coordinator_a,
        indicator=shown,
        entries=[services.Entry(norr, date(2026, 2, 1), 1250.5)],
        source_note="Bolaget",
    )
    names = [i["name"] for i in bearer(member_a).get("/api/v1/indicators").json()]
    assert names == ["Kostnad"]
    assert len(bearer(analyst_a).get("/api/v1/indicators").json()) == 2
    values = bearer(member_a).get(f"/api/v1/indicators/{shown.pk}/values").json()
    assert values == [
        {
            "area": norr.pk,
            "area_code": norr.code,
            "period": "2026-02",
            "period_start": "2026-02-01",
            "value": 1250.5,
            "sample_size": None,
            "source_note": "Bolaget",
            "entered_at": values[0]["entered_at"],
        }
    ]


def test_hidden_and_foreign_indicators_are_404_and_reporters_403(
    coordinator_a, member_a, reporter_a, member_b
):
    hidden = make_indicator(coordinator_a, name="Intern", visibility="analysts")
    assert bearer(member_a).get(f"/api/v1/indicators/{hidden.pk}/values").status_code == 404
    assert bearer(member_b).get(f"/api/v1/indicators/{hidden.pk}/values").status_code == 404
    assert bearer(reporter_a).get("/api/v1/indicators").status_code == 403
