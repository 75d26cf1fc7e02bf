"""The incident pages as a user meets them: report form, list, detail, weekly table, review."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from lagesbild.audit.models import Entry
from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident
from tests.factories import make_incident
from tests.incidents.helpers import form_data


def test_report_form_creates_incident_and_shows_receipt(login, reporter_a):
    client = login(reporter_a)
    page = client.get(reverse("incidents:report"))
    assert page.status_code == 200
    assert b"Rapportera" in page.content
    response = client.post(
        reverse("incidents:report"), form_data(reporter_a.partnership), follow=True
    )
    assert response.status_code == 200
    incident = Incident.objects.get()
    assert f"nr {incident.pk}".encode() in response.content


def test_double_submit_creates_one_incident(login, reporter_a):
    client = login(reporter_a)
    data = form_data(reporter_a.partnership)
    client.post(reverse("incidents:report"), data)
    response = client.post(reverse("incidents:report"), data, follow=True)
    assert Incident.objects.count() == 1
    assert b"redan mottagen" in response.content


def test_bad_input_shows_swedish_errors_and_saves_nothing(login, reporter_a):
    client = login(reporter_a)
    data = form_data(reporter_a.partnership, category="", occurred_at="igår", lon="", lat="")
    response = client.post(reverse("incidents:report"), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Välj en kategori." in text
    assert "Ange datum och tid" in text
    assert Incident.objects.count() == 0


def test_outside_point_shows_message(login, reporter_a):
    client = login(reporter_a)
    response = client.post(
        reverse("incidents:report"), form_data(reporter_a.partnership, lon="17.2", lat="59.9")
    )
    assert response.status_code == 400
    assert "utanför samverkans områden" in response.content.decode()
    assert Incident.objects.count() == 0


def test_phone_number_asks_for_confirmation_then_saves(login, reporter_a):
    client = login(reporter_a)
    data = form_data(reporter_a.partnership, description="Jouren nås på 08-123 456 78")
    response = client.post(reverse("incidents:report"), data)
    assert response.status_code == 400
    assert 'name="confirm_warnings"' in response.content.decode()
    client.post(reverse("incidents:report"), {**data, "confirm_warnings": "on"})
    assert Incident.objects.count() == 1


def test_list_filters_by_week_and_area(login, member_a):
    now = timezone.now()
    norr = member_a.partnership.areas.get(name="Norr")
    soder = member_a.partnership.areas.get(name="Söder")
    this = make_incident(member_a, area=norr, occurred_at=now - timedelta(minutes=5))
    make_incident(member_a, area=soder, occurred_at=now - timedelta(minutes=5))
    make_incident(member_a, area=norr, occurred_at=now - timedelta(days=21))
    client = login(member_a)
    week = weeks.iso(this.iso_week)
    response = client.get(reverse("incidents:list"), {"week": week, "area": norr.pk})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [this]


def test_list_rejects_bad_week_gracefully(login, member_a):
    response = login(member_a).get(reverse("incidents:list"), {"week": "2026-W99"})
    assert response.status_code == 400  # the page with the message, as a refusal
    assert "Ange veckan som 2026-W47." in response.content.decode()


def test_detail_view_is_audited(login, member_a):
    incident = make_incident(member_a)
    response = login(member_a).get(reverse("incidents:detail", args=[incident.pk]))
    assert response.status_code == 200
    entry = Entry.objects.get(action="incident.view")
    assert (entry.actor, entry.object_id, entry.ip_address) == (
        member_a.user,
        str(incident.pk),
        "127.0.0.1",
    )


def test_weekly_table_counts_changes_and_points(login, member_a):
    now = timezone.now()
    norr = member_a.partnership.areas.get(name="Norr")
    make_incident(member_a, area=norr, category="klotter", severity=2, occurred_at=now)
    make_incident(member_a, area=norr, category="skadegorelse", severity=3, occurred_at=now)
    make_incident(member_a, area=norr, category="klotter", occurred_at=now - timedelta(days=7))
    make_incident(
        member_a, area=norr, category="klotter", occurred_at=now, status=Incident.Status.REJECTED
    )
    week = weeks.week_code(now)
    response = login(member_a).get(reverse("incidents:weekly"), {"week": weeks.iso(week)})
    assert response.status_code == 200
    table = response.context["table"]
    row = next(r for r in table.rows if r.area == norr)
    group = next(
        c
        for c in row.cells
        if c.column_id == member_a.partnership.categories.get(code="grupp-skadegorelse").pk
    )
    # The partnership's first report came last week: the mean is over that one week.
    assert (group.count, group.previous, group.mean8) == (2, 1, 1.0)
    assert row.total.points == 1 * 2 + 2 * 3  # weight x severity
    assert table.grand.count == 2
    # This week is running: no change is shown against whole weeks.
    assert table.in_progress and group.change_previous is None and group.change_mean8 is None

    # Reporting began long before (the coordinator's date): the mean is over eight weeks.
    member_a.partnership.coverage_start = (now - timedelta(weeks=20)).date()
    member_a.partnership.save()
    response = login(member_a).get(
        reverse("incidents:weekly"), {"week": weeks.iso(weeks.shift(week, -1))}
    )
    table = response.context["table"]
    assert not table.in_progress
    assert (table.grand.count, table.grand.previous, table.grand.mean8) == (1, 0, 0.0)
    assert table.grand.change_previous == 1


def test_weekly_table_opens_on_the_last_complete_week_and_never_past_today(login, member_a):
    client = login(member_a)
    this_week = weeks.week_code(timezone.now())
    table = client.get(reverse("incidents:weekly")).context["table"]
    assert table.week == weeks.shift(this_week, -1) and not table.in_progress
    response = client.get(reverse("incidents:weekly"), {"week": weeks.iso(this_week)})
    assert response.context["next_iso"] is None
    assert "Pågående vecka" in response.content.decode()
    future = weeks.iso(weeks.shift(this_week, 3))
    response = client.get(reverse("incidents:weekly"), {"week": future}, follow=True)
    assert response.context["table"].week == weeks.shift(this_week, -1)
    assert "har inte börjat" in response.content.decode()

    before_any_report = client.get(reverse("incidents:weekly")).content.decode()
    assert "Före rapporteringsstarten" in before_any_report
    make_incident(member_a, occurred_at=timezone.now() - timedelta(weeks=1))
    first_week = client.get(reverse("incidents:weekly")).content.decode()
    assert "För kort historik" in first_week


def test_review_accept_reject_and_merge(login, coordinator_a, reporter_a):
    first = make_incident(reporter_a)
    second = make_incident(reporter_a)
    third = make_incident(reporter_a)
    client = login(coordinator_a)
    page = client.get(reverse("incidents:review"))
    assert page.status_code == 200
    client.post(reverse("incidents:accept", args=[first.pk]))
    client.post(reverse("incidents:reject", args=[second.pk]), {f"r{second.pk}-reason": "Test"})
    client.post(reverse("incidents:merge", args=[first.pk]), {"duplicates": [third.pk]})
    statuses = dict(Incident.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "accepted", second.pk: "rejected", third.pk: "merged"}


def test_review_reject_without_reason_shows_error(login, coordinator_a, reporter_a):
    incident = make_incident(reporter_a)
    response = login(coordinator_a).post(
        reverse("incidents:reject", args=[incident.pk]), {f"r{incident.pk}-reason": ""}
    )
    assert response.status_code == 400
    assert "Skriv varför" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == "new"


def test_pages_render_for_member(login, member_a):
    make_incident(member_a)
    client = login(member_a)
    for name in [
        "home",
        "incidents:list",
        "incidents:map",
        "incidents:weekly",
        "incidents:map_points",
        "geography:areas_geojson",
    ]:
        assert client.get(reverse(name)).status_code == 200, name
