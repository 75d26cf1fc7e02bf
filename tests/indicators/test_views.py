"""Indicator pages: who may see and do what, the entry form, the upload with its preview and
per-row errors, and the section in the weekly picture."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import Workbook

from lagesbild.geography.models import Area
from lagesbild.indicators import services
from lagesbild.indicators.models import Indicator, IndicatorValue
from tests.conftest import client_for
from tests.indicators.helpers import make_indicator

pytestmark = pytest.mark.django_db


def area(partnership, name):
    return Area.objects.get(partnership=partnership, name=name)


def upload(client, indicator, name, content, note=""):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("indicators:upload", args=[indicator.pk]),
        {"file": SimpleUploadedFile(name, content), "source_note": note},
    )


def test_members_read_coordinators_define(coordinator_a, member_a, reporter_a):
    indicator = make_indicator(coordinator_a)
    member = client_for(member_a)
    assert member.get(reverse("indicators:list")).status_code == 200
    assert member.get(reverse("indicators:detail", args=[indicator.pk])).status_code == 200
    assert member.get(reverse("indicators:create")).status_code == 403
    assert member.get(reverse("indicators:enter", args=[indicator.pk])).status_code == 403
    assert member.get(reverse("indicators:upload", args=[indicator.pk])).status_code == 403
    assert client_for(reporter_a).get(reverse("indicators:list")).status_code == 403


def test_analysts_only_indicators_are_hidden_from_members(coordinator_a, member_a, analyst_a):
    hidden = make_indicator(coordinator_a, name="Intern qqHidden", visibility="analysts")
    member = client_for(member_a)
    assert "qqHidden" not in member.get(reverse("indicators:list")).content.decode()
    assert member.get(reverse("indicators:detail", args=[hidden.pk])).status_code == 404
    analyst = client_for(analyst_a)
    assert "qqHidden" in analyst.get(reverse("indicators:list")).content.decode()


def test_another_partnership_gets_404(coordinator_a, coordinator_b):
    indicator = make_indicator(coordinator_a)
    other = client_for(coordinator_b)
    for name in ("detail", "edit", "enter", "upload"):
        assert other.get(reverse(f"indicators:{name}", args=[indicator.pk])).status_code == 404


def test_coordinator_defines_an_indicator(coordinator_a):
    client = client_for(coordinator_a)
    response = client.post(
        reverse("indicators:create"),
        {
            "name": "Anmälda brott",
            "unit": "st",
            "period": "quarter",
            "scale": "count",
            "direction": "higher_worse",
            "source": "Polisen",
            "visibility": "members",
            "active": "on",
        },
    )
    indicator = Indicator.objects.get(name="Anmälda brott")
    assert response.status_code == 302
    assert indicator.partnership == coordinator_a.partnership
    again = client.post(reverse("indicators:create"), {"name": "Anmälda brott"})
    assert again.status_code == 400


def test_the_period_form_saves_every_area_at_once(coordinator_a):
    partnership = coordinator_a.partnership
    indicator = make_indicator(coordinator_a)
    norr, soder = area(partnership, "Norr"), area(partnership, "Söder")
    client = client_for(coordinator_a)
    url = reverse("indicators:enter", args=[indicator.pk]) + "?period=2026-02"
    page = client.get(url)
    assert "Värden för 2026-02" in page.content.decode()
    response = client.post(
        url, {f"value_{norr.pk}": "1 250,5", f"value_{soder.pk}": "", "source_note": "Bolaget"}
    )
    assert response.status_code == 302
    value = IndicatorValue.objects.get(indicator=indicator)
    assert (value.area, value.period_start, value.value) == (norr, date(2026, 2, 1), 1250.5)
    assert value.entered_by == coordinator_a.user
    refused = client.post(url, {f"value_{norr.pk}": "mycket"})
    assert refused.status_code == 400
    assert "Skriv ett tal" in refused.content.decode()


def test_upload_preview_shows_errors_and_import_is_all_or_nothing(coordinator_a):
    indicator = make_indicator(coordinator_a)
    client = client_for(coordinator_a)
    response = upload(
        client, indicator, "v.csv", "Område;Period;Värde\nNorr;2026-01;10\nX;2026-01;1\n".encode()
    )
    assert response.status_code == 302
    preview = client.get(response.url)
    text = preview.content.decode()
    assert "Okänt område: X." in text
    assert "Importera</button>" not in text
    refused = client.post(response.url)
    assert refused.status_code == 400
    assert "Inget importerades" in refused.content.decode()
    assert not IndicatorValue.objects.exists()


def test_an_excel_upload_is_previewed_then_imported(coordinator_a):
    indicator = make_indicator(coordinator_a)
    book = Workbook()
    sheet = book.active
    sheet.append(["Område", "Period", "Värde"])
    for month in range(1, 13):
        sheet.append(["Norr", date(2025, month, 1), 1000 + month])
    data = io.BytesIO()
    book.save(data)
    client = client_for(coordinator_a)
    response = upload(client, indicator, "v.xlsx", data.getvalue(), note="Bolaget 2025")
    preview = client.get(response.url)
    assert "12 nya värden" in preview.content.decode()
    assert not IndicatorValue.objects.exists()  # the preview is a dry run
    done = client.post(response.url, {"source_note": "Bolaget 2025"})
    assert done.status_code == 302
    assert IndicatorValue.objects.filter(indicator=indicator).count() == 12
    assert client.get(response.url).status_code == 404  # the stored file is gone


def test_an_unreadable_file_is_refused_at_once(coordinator_a):
    indicator = make_indicator(coordinator_a)
    client = client_for(coordinator_a)
    wrong = upload(client, indicator, "v.csv", b"namn;antal\nNorr;3\n")
    assert wrong.status_code == 400
    assert "saknar kolumnerna" in wrong.content.decode()
    assert upload(client, indicator, "v.txt", b"x").status_code == 400


def test_another_coordinator_cannot_reach_a_stored_upload(coordinator_a, coordinator_b):
    indicator = make_indicator(coordinator_a)
    response = upload(
        client_for(coordinator_a), indicator, "v.csv", b"omrade;period;varde\nNorr;2026-01;1\n"
    )
    key = response.url.rstrip("/").rsplit("/", 1)[1]
    other_indicator = make_indicator(coordinator_b)
    foreign = reverse("indicators:upload_preview", args=[other_indicator.pk, key])
    assert client_for(coordinator_b).get(foreign).status_code == 404


def test_detail_shows_latest_change_and_flag(coordinator_a, member_a):
    indicator = make_indicator(coordinator_a)
    norr = area(coordinator_a.partnership, "Norr")
    history = [100, 104, 98, 101, 99, 102, 100, 103, 97, 100, 101, 99]
    entries = [services.Entry(norr, date(2025, m, 1), v) for m, v in enumerate(history, 1)]
    entries.append(services.Entry(norr, date(2026, 1, 1), 180))
    services.save_values(membership=coordinator_a, indicator=indicator, entries=entries)
    text = (
        client_for(member_a).get(reverse("indicators:detail", args=[indicator.pk])).content.decode()
    )
    assert "180 kr" in text
    assert "+81" in text
    assert "Sämre än vanligt" in text
    assert "de 12 föregående perioderna" in text


def test_the_weekly_picture_shows_visible_indicators(coordinator_a, member_a):
    from datetime import timedelta

    from django.utils import timezone

    from lagesbild.incidents import weeks
    from lagesbild.pictures import runs
    from tests.factories import make_incident

    code = weeks.shift(weeks.week_code(timezone.now()), -1)
    make_incident(coordinator_a, occurred_at=weeks.bounds(code)[0] + timedelta(hours=10))
    runs.run_now(coordinator_a.partnership, weeks.iso(code))
    indicator = make_indicator(coordinator_a, name="Kostnad qqPic")
    make_indicator(coordinator_a, name="Intern qqSecret", visibility="analysts")
    norr = area(coordinator_a.partnership, "Norr")
    services.save_values(
        membership=coordinator_a,
        indicator=indicator,
        entries=[services.Entry(norr, date(2020, 1, 1), 10)],
    )
    response = client_for(member_a).get(reverse("pictures:week", args=[weeks.iso(code)]))
    text = response.content.decode()
    assert 'id="indikatorer"' in text
    assert "Kostnad qqPic" in text
    assert "qqSecret" not in text


def test_the_picture_section_has_a_fixed_query_count(coordinator_a, member_a):
    from django.db import connection
    from django.template import Context, Template
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    norr = area(coordinator_a.partnership, "Norr")
    request = RequestFactory().get("/")
    request.membership = member_a
    template = Template("{% load indicators %}{% indicator_section content %}")
    content = {"period_kind": "week", "period": "2026-W10"}

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            template.render(Context({"request": request, "content": content}))
        return len(queries)

    first = make_indicator(coordinator_a, name="Första")
    entry = [services.Entry(norr, date(2026, 1, 1), 5)]
    services.save_values(membership=coordinator_a, indicator=first, entries=entry)
    one = count()
    for k in range(3):
        more = make_indicator(coordinator_a, name=f"Fler {k}")
        services.save_values(membership=coordinator_a, indicator=more, entries=entry)
    assert count() == one == 3


def test_a_period_that_has_not_begun_is_refused(coordinator_a):
    indicator = make_indicator(coordinator_a)
    norr = area(coordinator_a.partnership, "Norr")
    client = client_for(coordinator_a)
    url = reverse("indicators:enter", args=[indicator.pk]) + "?period=2099-01"
    assert "Perioden har inte börjat än." in client.get(url).content.decode()
    refused = client.post(url, {f"value_{norr.pk}": "10"})
    assert refused.status_code == 400
    garbage = reverse("indicators:enter", args=[indicator.pk]) + "?period=nej"
    assert client.post(garbage, {f"value_{norr.pk}": "10"}).status_code == 400
    response = upload(client, indicator, "v.csv", b"omrade;period;varde\nNorr;2099-01;1\n")
    assert "Perioden har inte börjat än." in client.get(response.url).content.decode()
    assert not IndicatorValue.objects.exists()


def test_survey_shares_show_their_uncertainty(coordinator_a, member_a):
    indicator = make_indicator(
        coordinator_a, name="Otrygghet", scale="share", period="year", unit="%"
    )
    norr = area(coordinator_a.partnership, "Norr")
    services.save_values(
        membership=coordinator_a,
        indicator=indicator,
        entries=[
            services.Entry(norr, date(2024, 1, 1), 29.3, 410),
            services.Entry(norr, date(2025, 1, 1), 21.0, 400),
        ],
    )
    page = client_for(member_a).get(reverse("indicators:detail", args=[indicator.pk]))
    text = page.content.decode()
    assert "Bättre än vanligt" in text  # fewer feel unsafe, and higher is worse
    assert "21,0 % mot 29,3 % (2024)" in text
    assert "en förändring på −8,3 procentenheter" in text
    assert "95 % intervall 17,3–25,3 %, 400 svar" in text
    assert "Förändringen är större än slumpen förklarar." in text


def test_counts_explain_how_rare_the_flag_is(coordinator_a, member_a):
    indicator = make_indicator(coordinator_a, name="Brott", scale="count", period="quarter")
    norr = area(coordinator_a.partnership, "Norr")
    history = [5, 4, 6, 5, 5, 4, 6, 5]
    starts = [date(2024 + k // 4, 3 * (k % 4) + 1, 1) for k in range(9)]
    entries = [services.Entry(norr, s, v) for s, v in zip(starts, [*history, 19], strict=True)]
    services.save_values(membership=coordinator_a, indicator=indicator, entries=entries)
    text = client_for(member_a).get(reverse("indicators:detail", args=[indicator.pk]))
    text = text.content.decode()
    assert "2026 K1" in text
    assert "Sämre än vanligt" in text
    assert "mindre än 1 gång på 1 000" in text


def test_the_periodic_picture_shows_the_latest_value_of_its_period(coordinator_a, member_a):
    from lagesbild.pictures.periods import Period

    indicator = make_indicator(coordinator_a, name="Kostnad qqPeriod")
    norr = area(coordinator_a.partnership, "Norr")
    services.save_values(
        membership=coordinator_a,
        indicator=indicator,
        entries=[
            services.Entry(norr, date(2025, 3, 1), 4321),
            services.Entry(norr, date(2025, 4, 1), 9876),
        ],
    )
    from datetime import UTC, datetime

    from tests.factories import make_incident

    make_incident(member_a, area=norr, occurred_at=datetime(2025, 1, 15, 12, tzinfo=UTC))
    client = client_for(member_a)
    quarter = Period.parse("2025-Q1")
    text = client.get(reverse("pictures:period", args=[str(quarter)])).content.decode()
    assert "Kostnad qqPeriod" in text
    assert "4321 kr" in text and "9876" not in text  # April is after the first quarter
