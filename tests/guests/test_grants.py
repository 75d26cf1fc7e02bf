"""Detail grants: a coordinator grants a guest incident detail of invited areas for a stated
period and purpose; the grant ends by itself; every grant, revocation and read is audited."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from lagesbild.audit.models import Entry
from lagesbild.guests import services
from lagesbild.guests.models import DetailGrant, GuestOrganisation
from lagesbild.incidents.models import Incident
from lagesbild.interventions.models import Meeting
from lagesbild.partnerships.access import scoped
from lagesbild.partnerships.models import Organisation
from tests.factories import make_incident
from tests.guests.builders import NORR_TEXT, days, grant_norr

SODER_TEXT = "Krossad ruta i trapphuset i Söder"
OLD_TEXT = "Gammal händelse före perioden"
HIDDEN_TEXT = "Begränsad uppgift i Norr"


@pytest.fixture
def incidents(member_a, partnership_a, vaster):
    norr = partnership_a.areas.get(name="Norr")
    soder = partnership_a.areas.get(name="Söder")
    now = timezone.now()
    return {
        "norr": make_incident(member_a, area=norr, description=NORR_TEXT),
        "soder": make_incident(member_a, area=soder, description=SODER_TEXT),
        "old": make_incident(
            member_a, area=norr, occurred_at=now - timedelta(days=60), description=OLD_TEXT
        ),
        "restricted": make_incident(
            member_a,
            area=norr,
            description=HIDDEN_TEXT,
            visibility=Incident.Visibility.RESTRICTED,
        ),
    }


def test_without_grant_a_guest_sees_no_incident(guest, incidents):
    assert not scoped(Incident.objects.all(), guest).exists()


def test_grant_shows_detail_of_granted_area_and_period_only(guest, coordinator_a, incidents, login):
    grant_norr(coordinator_a, guest)
    assert set(scoped(Incident.objects.all(), guest)) == {incidents["norr"]}
    body = login(guest).get(reverse("guests:detail")).content.decode()
    assert NORR_TEXT in body
    lat = incidents["norr"].lat
    assert f"{lat:.5f}".replace(".", ",") in body or f"{lat:.5f}" in body
    for text in (SODER_TEXT, OLD_TEXT, HIDDEN_TEXT):
        assert text not in body


def test_every_grant_revocation_and_read_is_audited(guest, coordinator_a, incidents, login):
    grant = grant_norr(coordinator_a, guest)
    entry = Entry.objects.get(action="guest.grant")
    assert entry.actor == coordinator_a.user
    assert entry.details["ends"] == days(14).isoformat()
    client = login(guest)
    client.get(reverse("guests:detail"))
    client.get(reverse("guests:detail"))
    reads = Entry.objects.filter(action="guest.detail_read")
    assert reads.count() == 2
    assert reads.first().actor == guest.user
    assert reads.first().details["incidents"] == [incidents["norr"].pk]
    services.revoke_grant(actor=coordinator_a.user, grant=grant)
    assert Entry.objects.filter(action="guest.revoke", object_id=str(grant.pk)).exists()


def test_grant_ends_by_itself_at_read_time(guest, coordinator_a, incidents, login):
    grant_norr(coordinator_a, guest, ends=days(2))
    client = login(guest)
    assert NORR_TEXT in client.get(reverse("guests:detail")).content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        body = login(guest).get(reverse("guests:detail")).content.decode()
        assert NORR_TEXT not in body
        assert "ingen gällande behörighet" in body
        assert not scoped(Incident.objects.all(), guest).exists()
    # An ended grant's page shows nothing, so its read is not logged as a read of detail.
    assert Entry.objects.filter(action="guest.detail_read").count() == 1


def test_an_area_taken_off_the_invitation_ends_the_grant_there_at_once(
    guest, coordinator_a, partnership_a, incidents, login
):
    grant_norr(coordinator_a, guest)
    services.invite_guest(
        actor=coordinator_a.user,
        partnership=partnership_a,
        organisation=guest.organisation,
        areas=list(partnership_a.areas.filter(name="Söder")),
    )
    assert not scoped(Incident.objects.all(), guest).exists()
    assert NORR_TEXT not in login(guest).get(reverse("guests:detail")).content.decode()
    assert not DetailGrant.objects.get().areas.exists()  # nor does the grant name Norr


def test_revoked_grant_shows_nothing_and_cannot_be_revoked_twice(
    guest, coordinator_a, incidents, login
):
    grant = grant_norr(coordinator_a, guest)
    client = login(coordinator_a)
    assert client.post(reverse("guests:revoke", args=[grant.pk])).status_code == 302
    assert not scoped(Incident.objects.all(), guest).exists()
    response = client.post(reverse("guests:revoke", args=[grant.pk]), follow=True)
    assert "redan återkallad" in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"purpose": "  "}, "purpose", "Skriv syftet"),
        ({"areas": []}, "areas", "Välj minst ett område."),
        ({"ends": days(-20)}, "ends", "före startdatumet"),
        ({"starts": days(-30), "ends": days(-1)}, "ends", "redan passerat"),
        ({"starts": days(-200), "ends": days(200)}, "ends", "högst ett år"),
    ],
)
def test_grant_refuses_bad_input(guest, coordinator_a, changes, field, message):
    with pytest.raises(ValidationError) as caught:
        grant_norr(coordinator_a, guest, **changes)
    assert message in " ".join(caught.value.message_dict[field])
    assert not DetailGrant.objects.exists()
    assert not Entry.objects.filter(action="guest.grant").exists()


def test_grant_only_for_invited_areas(guest, coordinator_a, vaster, login):
    client = login(coordinator_a)
    response = client.post(
        reverse("guests:grant"),
        {
            "guest": GuestOrganisation.objects.get().pk,
            "areas": [vaster.pk],
            "purpose": "Kontroll",
            "starts": days(0).isoformat(),
            "ends": days(10).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "inbjuden till" in response.content.decode()
    assert not DetailGrant.objects.exists()


def test_coordinator_invites_a_guest_organisation(
    coordinator_a, partnership_a, partnership_b, login
):
    skv = Organisation.objects.create(
        partnership=partnership_a, name="Skatteverket", kind=Organisation.Kind.AUTHORITY
    )
    norr = partnership_a.areas.get(name="Norr")
    client = login(coordinator_a)
    response = client.post(reverse("guests:invite"), {"organisation": skv.pk, "areas": [norr.pk]})
    assert response.status_code == 302
    assert list(GuestOrganisation.objects.get(organisation=skv).areas.all()) == [norr]
    assert Entry.objects.filter(action="guest.invite").exists()
    page = client.get(reverse("guests:invite"), {"organisation": skv.pk}).content.decode()
    assert re.search(rf'value="{norr.pk}"[^>]* checked', page)
    foreign = partnership_b.areas.get(name="Norr")
    refused = client.post(reverse("guests:invite"), {"organisation": skv.pk, "areas": [foreign.pk]})
    assert refused.status_code == 400
    assert list(GuestOrganisation.objects.get(organisation=skv).areas.all()) == [norr]


def test_guest_sees_nothing_of_unlisted_models(guest, partnership_a):
    """A model that GUEST_RULES does not name gives a guest no rows: safe by construction."""
    Meeting.objects.create(
        partnership=partnership_a, held_on=days(0), period="2026-W47", title="Möte"
    )
    assert not scoped(Meeting.objects.all(), guest).exists()
    assert not scoped(Organisation.objects.all(), guest).exists()
    assert set(scoped(partnership_a.areas.all(), guest).values_list("name", flat=True)) == {
        "Norr",
        "Söder",
    }


def test_detail_is_paged_and_each_read_names_the_incidents_shown(
    guest, coordinator_a, member_a, partnership_a, incidents, login, monkeypatch
):
    monkeypatch.setattr(services, "DETAIL_PAGE", 1)
    earlier = make_incident(
        member_a,
        area=partnership_a.areas.get(name="Norr"),
        occurred_at=timezone.now() - timedelta(hours=5),
        description="Tidigare i Norr",
    )
    grant_norr(coordinator_a, guest)
    client = login(guest)
    first = client.get(reverse("guests:detail")).content.decode()
    assert NORR_TEXT in first and "Tidigare i Norr" not in first
    second = client.get(reverse("guests:detail"), {"page": "2"}).content.decode()
    assert "Tidigare i Norr" in second and NORR_TEXT not in second
    assert client.get(reverse("guests:detail"), {"page": "abc"}).status_code == 200
    reads = Entry.objects.filter(action="guest.detail_read").order_by("id")
    assert [r.details["incidents"] for r in reads][:2] == [[incidents["norr"].pk], [earlier.pk]]


def test_grant_period_is_whole_days_in_the_partnerships_time_zone(
    guest, coordinator_a, member_a, partnership_a
):
    """From the first minute of `starts` in Stockholm: 00:10 that day is in, 23:50 the day
    before is out."""
    zone = ZoneInfo(partnership_a.time_zone)
    starts = days(-3)
    norr = partnership_a.areas.get(name="Norr")
    inside = make_incident(
        member_a, area=norr, occurred_at=datetime.combine(starts, time(0, 10), zone)
    )
    make_incident(
        member_a,
        area=norr,
        occurred_at=datetime.combine(starts - timedelta(days=1), time(23, 50), zone),
    )
    grant_norr(coordinator_a, guest, starts=starts)
    assert list(scoped(Incident.objects.all(), guest)) == [inside]
