"""A guest's periodic pictures and the PDF and Excel files of its pictures: the invited
areas' figures of approved pictures of ended periods, and nothing else. The files are read
back (openpyxl, pdftotext) and searched for what must not be in them."""

import io
import itertools
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lagesbild.audit.models import Entry
from lagesbild.guests.models import GuestOrganisation
from lagesbild.partnerships.models import Membership, Organisation
from lagesbild.pictures import periods
from lagesbild.pictures.models import PeriodKind
from tests.factories import make_incident, make_member
from tests.guests.builders import approve_quarter, approve_week
from tests.pictures.helpers import pdf_text

Role = Membership.Role
SECRET = "Klotter på förskolans staket, Storgatan 7"


@pytest.fixture
def reports(member_a, partnership_a, vaster):
    """Incidents with a description in an invited area (Norr) and another (Väster), in last
    week and in last quarter."""
    quarter = periods.Period.containing(PeriodKind.QUARTER, periods.today_for(partnership_a)).shift(
        -1
    )
    in_quarter = datetime.combine(
        quarter.first_month + timedelta(days=20), time(12), ZoneInfo(partnership_a.time_zone)
    )
    for area in [partnership_a.areas.get(name="Norr"), vaster]:
        for when in [datetime.now(ZoneInfo("UTC")) - timedelta(days=7), in_quarter]:
            make_incident(member_a, area=area, occurred_at=when, description=SECRET)


def test_guest_sees_an_ended_quarter_of_its_invited_areas_only(
    guest, coordinator_a, partnership_a, reports, login
):
    picture = approve_quarter(partnership_a, coordinator_a, 1)
    client = login(guest)
    link = reverse("guests:period", args=[picture.period, picture.version])
    assert link in client.get(reverse("guests:start")).content.decode()
    body = client.get(link).content.decode()
    assert "Norr</th>" in body and "Söder</th>" in body
    assert "Väster" not in body and SECRET not in body
    assert "Rang</th>" not in body  # no place among areas it is not invited to
    for fmt in ("pdf", "xlsx"):
        assert reverse("guests:period_export", args=[picture.period, picture.version, fmt]) in body


def test_running_quarter_and_weekly_urls_for_periods_are_404(
    guest, coordinator_a, partnership_a, last_week, login
):
    running = approve_quarter(partnership_a, coordinator_a, 0)
    client = login(guest)
    url = reverse("guests:period", args=[running.period, running.version])
    assert client.get(url).status_code == 404
    assert url not in client.get(reverse("guests:start")).content.decode()
    # A week is not a period, nor a period a week: each page reads its own kind's content.
    assert client.get(reverse("guests:period", args=[last_week.period, 1])).status_code == 404
    ended = approve_quarter(partnership_a, coordinator_a, 1)
    assert client.get(reverse("guests:picture", args=[ended.period, 1])).status_code == 404
    assert client.get(reverse("guests:period", args=["2025-Q\x00", 1])).status_code == 404


def workbook_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data))
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def download(client, name: str, picture, fmt: str, tmp_path) -> str:
    response = client.get(reverse(name, args=[picture.period, picture.version, fmt]))
    assert response.status_code == 200, response.content[:300]
    assert "-gast." in response["Content-Disposition"]
    if fmt == "pdf":
        return pdf_text(response.content, tmp_path)
    return workbook_text(response.content)


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_guest_files_hold_the_invited_areas_and_no_incident(
    fmt, guest, coordinator_a, partnership_a, reports, login, tmp_path
):
    """Weekly and quarterly files: Norr and Söder with their figures; not Väster, not the
    incidents' text, not the approver or the change note, not a sum over all areas."""
    week = approve_week(partnership_a, coordinator_a, 1)
    quarter = approve_quarter(partnership_a, coordinator_a, 1)
    client = login(guest)
    for name, picture in [("guests:picture_export", week), ("guests:period_export", quarter)]:
        text = download(client, name, picture, fmt, tmp_path)
        assert "Norr" in text and "Söder" in text, text
        assert "Skadegörelse" in text or name == "guests:period_export"  # the weekly groups
        for hidden in ("Väster", SECRET, "Storgatan", coordinator_a.user.username):
            assert hidden not in text, (name, hidden)
        assert "Godkänd trots" not in text and "Granskas i efterhand" not in text
        assert "Totalt" not in text and "Rangintervall" not in text
    exports = Entry.objects.filter(action="picture.export", actor=guest.user)
    assert exports.count() == 2


def test_guest_excel_counts_are_numbers_and_small_ones_are_hidden(
    guest, coordinator_a, partnership_a, reports, login
):
    partnership_a.suppress_below = 3
    partnership_a.save()
    week = approve_week(partnership_a, coordinator_a, 1)
    response = login(guest).get(
        reverse("guests:picture_export", args=[week.period, week.version, "xlsx"])
    )
    book = load_workbook(io.BytesIO(response.content))
    rows = {r[0]: r for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert rows["Norr"][1] == "<3"  # one incident last week
    assert rows["Söder"][1] == 0


def test_guest_page_hides_small_counts_as_the_files_do(
    guest, coordinator_a, partnership_a, reports, login
):
    """The guest is outside the partnership: its page shows what its files show, "<3" for the
    one incident in Norr, and not the flag's sentence, which would name the count."""
    week = approve_week(partnership_a, coordinator_a, 1)
    client = login(guest)
    url = reverse("guests:picture", args=[week.period, week.version])
    assert "1 händelser under veckan" in client.get(url).content.decode()
    partnership_a.suppress_below = 3
    partnership_a.save()
    body = client.get(url).content.decode()
    assert "&lt;3 händelser under veckan" in body
    assert "1 händelser under veckan" not in body
    assert "<td>1</td>" not in body


def test_gis_files_are_refused_to_guests_with_a_sentence(guest, last_week, login):
    client = login(guest)
    page = reverse("guests:picture", args=[last_week.period, last_week.version])
    for fmt in ("geojson", "gpkg"):
        url = reverse("guests:picture_export", args=[last_week.period, last_week.version, fmt])
        response = client.get(url, follow=True)
        assert response.redirect_chain == [(page, 302)]
        assert "GIS-filerna" in response.content.decode()
    url = reverse("guests:picture_export", args=[last_week.period, last_week.version, "docx"])
    assert client.get(url).status_code == 404
    assert not Entry.objects.filter(action="picture.export").exists()


def test_members_exports_refuse_guests(guest, last_week, login):
    client = login(guest)
    for fmt in ("pdf", "xlsx", "geojson"):
        url = reverse("pictures:export_version", args=[last_week.period, last_week.version, fmt])
        assert client.get(url).status_code == 403


def test_guest_of_another_partnership_gets_no_file(
    guest, coordinator_a, partnership_a, partnership_b, login
):
    other = make_member(
        partnership_b, Role.GUEST, "guest_b_files", kind=Organisation.Kind.AUTHORITY
    )
    week = approve_week(partnership_a, coordinator_a, 1)
    quarter = approve_quarter(partnership_a, coordinator_a, 1)
    client = login(other)
    for name, picture in [("guests:picture_export", week), ("guests:period_export", quarter)]:
        url = reverse(name, args=[picture.period, picture.version, "pdf"])
        assert client.get(url).status_code == 404


def test_guest_of_a_sees_nothing_of_b(guest, partnership_b, login):
    """B's approved week and quarter: not on A's guest's page, and 404 by their URLs, files
    included (A has no picture of those periods, so nothing of A's answers either)."""
    coordinator_b = make_member(partnership_b, Role.COORDINATOR, "coord_b_files")
    week = approve_week(partnership_b, coordinator_b, 1)
    quarter = approve_quarter(partnership_b, coordinator_b, 1)
    client = login(guest)
    start = client.get(reverse("guests:start")).content.decode()
    assert "Samverkan B" not in start
    pages = {"guests:picture": week, "guests:period": quarter}
    for name, picture in pages.items():
        url = reverse(name, args=[picture.period, picture.version])
        assert url not in start
        assert client.get(url).status_code == 404
    files = {"guests:picture_export": week, "guests:period_export": quarter}
    for (name, picture), fmt in itertools.product(files.items(), ("pdf", "xlsx", "geojson")):
        assert client.get(reverse(name, args=[picture.period, 1, fmt])).status_code == 404


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_an_area_no_longer_invited_leaves_the_page_and_the_files(
    fmt, guest, coordinator_a, partnership_a, reports, login, tmp_path
):
    """The invitation is read at each request: Söder taken off the invitation is gone from
    the pictures approved while it was on, and their files."""
    week = approve_week(partnership_a, coordinator_a, 1)
    quarter = approve_quarter(partnership_a, coordinator_a, 1)
    GuestOrganisation.objects.get(organisation=guest.organisation).areas.set(
        partnership_a.areas.filter(name="Norr")
    )
    client = login(guest)
    for name, picture in [("guests:picture_export", week), ("guests:period_export", quarter)]:
        text = download(client, name, picture, fmt, tmp_path)
        assert "Norr" in text
        assert "Söder" not in text and "Väster" not in text
    body = client.get(reverse("guests:period", args=[quarter.period, 1])).content.decode()
    assert "Norr</th>" in body and "Söder" not in body
