"""What a guest authority meets: the approved pictures of its invited areas, its joint
efforts and shared decisions, and nothing else; member pages and the API refuse it."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from lagesbild.interventions.models import Decision, Meeting, ProgressNote
from lagesbild.partnerships.models import Membership
from tests.factories import make_incident, make_intervention
from tests.guests.builders import approve_week

Role = Membership.Role
SECRET = "Klotter på skolans vägg vid entrén"


def test_guest_sees_approved_picture_of_two_invited_areas_and_nothing_else(
    guest, member_a, coordinator_a, partnership_a, vaster, login
):
    """Done means: a Försäkringskassan guest sees the approved picture of its two invited
    areas, not the third area, not an incident's text, and no member page."""
    occurred = timezone.now() - timedelta(days=7)
    for area in [partnership_a.areas.get(name="Norr"), vaster]:
        make_incident(member_a, area=area, occurred_at=occurred, description=SECRET)
    picture = approve_week(partnership_a, coordinator_a, 1)
    client = login(guest)

    start = client.get(reverse("guests:start")).content.decode()
    link = reverse("guests:picture", args=[picture.period, picture.version])
    assert link in start
    page = client.get(link)
    body = page.content.decode()
    assert page.status_code == 200
    assert "<h2" in body and "Norr</h2>" in body and "Söder</h2>" in body
    year, number = picture.period.split("-W")
    assert f"<title>Lägesbild v. {int(number)} {year} – Lägesbild</title>" in body
    assert "Väster" not in body
    assert SECRET not in body
    assert '<th scope="row">Skadegörelse</th>' in body  # groups by name, not id
    assert client.get(reverse("home")).url == reverse("guests:start")
    for name, args in [
        ("pictures:version", [picture.period, picture.version]),
        ("pictures:archive", []),
        ("incidents:list", []),
        ("incidents:map_points", []),
        ("interventions:meetings", []),
        ("partnerships:manage", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    assert client.get("/api/v1/incidents").status_code == 403
    assert client.get("/api/v1/areas").status_code == 403


def test_running_week_picture_is_not_shown_to_guests(guest, this_week, login):
    client = login(guest)
    url = reverse("guests:picture", args=[this_week.period, this_week.version])
    assert client.get(url).status_code == 404
    assert url not in client.get(reverse("guests:start")).content.decode()


def test_guest_picture_of_another_partnership_is_404(guest, partnership_b, login):
    coordinator_b = Membership.objects.create(
        user=guest.user.__class__.objects.create_user("coord_b_pic", password="x" * 12),
        partnership=partnership_b,
        organisation=partnership_b.organisations.create(name="Kommunen B", kind="kommun"),
        role=Role.COORDINATOR,
    )
    picture = approve_week(partnership_b, coordinator_b, 1)
    client = login(guest)
    url = reverse("guests:picture", args=[picture.period, picture.version])
    assert client.get(url).status_code == 404


def test_guest_follows_and_logs_a_joint_effort(guest, member_a, partnership_a, login):
    """A joint effort names the guest's organisation as contributor: the guest sees it and
    writes in its progress log, which the members see; another intervention stays hidden."""
    norr = partnership_a.areas.get(name="Norr")
    due = timezone.localdate() + timedelta(days=30)
    joint = make_intervention(
        partnership=partnership_a,
        title="Gemensam satsning mot svartarbete",
        areas=[norr],
        responsible=member_a.organisation,
        due_date=due,
    )
    joint.contributors.set([guest.organisation])
    other = make_intervention(
        partnership=partnership_a,
        title="Intern belysning",
        areas=[norr],
        responsible=member_a.organisation,
        due_date=due,
    )
    client = login(guest)
    start = client.get(reverse("guests:start")).content.decode()
    assert joint.title in start and other.title not in start
    assert client.get(reverse("guests:effort", args=[other.pk])).status_code == 404
    note = {"done_on": timezone.localdate().isoformat(), "text": "Kontroll av tre företag"}
    response = client.post(reverse("guests:effort_note", args=[joint.pk]), note)
    assert response.status_code == 302
    saved = ProgressNote.objects.get(intervention=joint)
    assert saved.organisation == guest.organisation
    assert client.post(reverse("guests:effort_note", args=[other.pk]), note).status_code == 404
    bad = client.post(reverse("guests:effort_note", args=[joint.pk]), {"done_on": "x", "text": ""})
    assert bad.status_code == 400 and "Skriv vad som gjordes." in bad.content.decode()
    assert ProgressNote.objects.count() == 1
    member_page = login(member_a).get(reverse("interventions:detail", args=[joint.pk]))
    assert "Kontroll av tre företag" in member_page.content.decode()


def test_only_decisions_shared_with_guests_reach_them(guest, coordinator_a, partnership_a, login):
    meeting = Meeting.objects.create(
        partnership=partnership_a,
        held_on=timezone.localdate(),
        period="2026-W47",
        title="Tisdagsmöte",
        minutes="Internt protokoll",
    )
    coordinator = login(coordinator_a)
    url = reverse("interventions:decision", args=[meeting.pk])
    coordinator.post(
        url, {"text": "Gemensam tillsyn med Försäkringskassan", "shared_with_guests": "on"}
    )
    coordinator.post(url, {"text": "Intern fråga om budget"})
    assert Decision.objects.filter(shared_with_guests=True).count() == 1
    start = login(guest).get(reverse("guests:start")).content.decode()
    assert "Gemensam tillsyn med Försäkringskassan" in start
    assert "Intern fråga om budget" not in start
    assert "Internt protokoll" not in start


def test_guest_pages_are_for_guests_only(guest, member_a, coordinator_a, login):
    for member in (member_a, coordinator_a):
        assert login(member).get(reverse("guests:start")).status_code == 403
    assert login(guest).get(reverse("guests:manage")).status_code == 403
