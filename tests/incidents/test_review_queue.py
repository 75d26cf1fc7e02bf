"""The review queue at volume: filters with counts, orders, pagination that keeps its place,
bulk accept (never of reports flagged for personal data) and the flag itself."""

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lagesbild.audit.models import Entry
from lagesbild.incidents import queries, services
from lagesbild.incidents.models import Incident, IncidentChange
from lagesbild.partnerships.models import Organisation
from tests.factories import make_incident, make_member

QUEUE = reverse("incidents:review")
BULK = reverse("incidents:bulk_accept")


@pytest.fixture
def waiting(reporter_a, member_a):
    """Five waiting reports of two organisations in two areas, one flagged, one imported,
    reported an hour apart (the oldest first), and one already accepted."""
    partnership = reporter_a.partnership
    norr, soder = (partnership.areas.get(name=n) for n in ("Norr", "Söder"))
    now = timezone.now()
    specs = [
        ("old", reporter_a, "klotter", norr, {}),
        ("fire", reporter_a, "bilbrand", soder, {}),
        ("flagged", member_a, "klotter", soder, {"personal_data_flag": True}),
        ("imported", member_a, "nedskrapning", norr, {"source": Incident.Source.IMPORT}),
        ("new", reporter_a, "klotter", soder, {}),
    ]
    made = {}
    for hours, (name, who, category, area, extra) in enumerate(specs):
        # Days apart, so none is another's possible duplicate (same category and area
        # within a day): those are kept out of the bulk accept.
        incident = make_incident(
            who,
            category=category,
            area=area,
            occurred_at=now - timedelta(days=10 - 2 * hours),
            **extra,
        )
        Incident.objects.filter(pk=incident.pk).update(
            reported_at=now - timedelta(hours=10 - hours)
        )
        made[name] = incident
    made["done"] = make_incident(reporter_a, status=Incident.Status.ACCEPTED)
    return made


def ids_in(html: str) -> list[int]:
    return [
        int(pk) for pk in re.findall(r'<article class="review-item[^"]*" id="review-(\d+)"', html)
    ]


def test_queue_lists_waiting_reports_oldest_first(login, coordinator_a, waiting):
    page = login(coordinator_a).get(QUEUE).content.decode()
    names = ["old", "fire", "flagged", "imported", "new"]
    assert ids_in(page) == [waiting[n].pk for n in names]
    assert "5 nya händelser väntar." in page


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-reported", ["new", "imported", "flagged", "fire", "old"]),
        ("area", ["old", "imported", "fire", "flagged", "new"]),  # Norr, then Söder
        ("category", ["fire", "old", "flagged", "new", "imported"]),  # Bilbrand, Klotter, Ned…
    ],
)
def test_queue_orders(login, coordinator_a, waiting, sort, expected):
    page = login(coordinator_a).get(QUEUE, {"sort": sort}).content.decode()
    assert ids_in(page) == [waiting[n].pk for n in expected]


def test_filters_narrow_the_queue_and_count_each_choice(login, coordinator_a, waiting):
    partnership = coordinator_a.partnership
    soder = partnership.areas.get(name="Söder")
    client = login(coordinator_a)

    page = client.get(QUEUE, {"area": soder.pk}).content.decode()
    assert ids_in(page) == [waiting[n].pk for n in ("fire", "flagged", "new")]
    assert "3 väntande händelser matchar filtren." in page
    # Each area's count given the other filters (none): Norr 2, Söder 3.
    assert f'<option value="{soder.pk}" selected>Söder (3)</option>' in page
    assert ">Norr (2)</option>" in page
    # The other filters count within Söder.
    assert ">Flaggade för personuppgifter (1)</option>" in page
    assert ">Utan flagga (2)</option>" in page

    flagged = client.get(QUEUE, {"flagged": "yes"}).content.decode()
    assert ids_in(flagged) == [waiting["flagged"].pk]
    clean = client.get(QUEUE, {"flagged": "no", "source": "import"}).content.decode()
    assert ids_in(clean) == [waiting["imported"].pk]

    police = Organisation.objects.get(partnership=partnership, kind=Organisation.Kind.POLICE)
    by_police = client.get(QUEUE, {"organisation": police.pk}).content.decode()
    assert ids_in(by_police) == [waiting[n].pk for n in ("flagged", "imported")]

    group = partnership.categories.get(code="klotter").parent
    by_group = client.get(QUEUE, {"category": group.pk}).content.decode()
    assert ids_in(by_group) == [waiting[n].pk for n in ("old", "flagged", "new")]
    assert f'<option value="{group.pk}" selected>{group.name} (3)</option>' in by_group


def test_a_bad_filter_says_so_and_shows_the_whole_queue(login, coordinator_a, waiting):
    response = login(coordinator_a).get(QUEUE, {"area": "999999", "flagged": "maybe"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Välj ett giltigt alternativ" in page
    assert len(ids_in(page)) == 5


def test_pages_keep_the_filters(login, coordinator_a, reporter_a):
    for _ in range(23):
        make_incident(reporter_a, occurred_at=timezone.now() - timedelta(days=3))
    client = login(coordinator_a)
    page = client.get(QUEUE, {"sort": "-reported", "flagged": "no"}).content.decode()
    assert "Sida 1 av 2" in page
    assert 'href="?flagged=no&amp;sort=-reported&amp;page=2"' in page
    second = client.get(QUEUE, {"sort": "-reported", "flagged": "no", "page": 2}).content.decode()
    assert len(ids_in(second)) == 3


def test_an_action_without_javascript_returns_to_the_same_page(login, coordinator_a, waiting):
    incident = waiting["fire"]
    response = login(coordinator_a).post(
        reverse("incidents:accept", args=[incident.pk]),
        {"back": "sort=area&page=2&next=https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?sort=area&page=2"


def test_bulk_accept_records_each_report_and_recomputes_each_week_once(
    login, coordinator_a, waiting, monkeypatch, django_capture_on_commit_callbacks
):
    changed = []
    monkeypatch.setattr(services, "_data_changed", lambda p, week: changed.append((p, week)))
    chosen = [waiting[n] for n in ("old", "fire", "imported")]
    with django_capture_on_commit_callbacks(execute=True):
        response = login(coordinator_a).post(
            BULK, {"incidents": [i.pk for i in chosen], "back": "area=1"}
        )
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?area=1"
    for incident in chosen:
        incident.refresh_from_db()
        assert incident.status == Incident.Status.ACCEPTED
        change = incident.changes.get(action=IncidentChange.Action.ACCEPTED)
        assert change.actor == coordinator_a.user
        assert change.changes == {"status": ["new", "accepted"]}
        entry = Entry.objects.get(action="incident.accepted", object_id=str(incident.pk))
        assert entry.actor == coordinator_a.user
    weeks_touched = {(i.partnership_id, queries.weeks.iso(i.iso_week)) for i in chosen}
    assert sorted(changed) == sorted(weeks_touched)  # once per week, as single reviews do
    assert Incident.objects.get(pk=waiting["new"].pk).status == Incident.Status.NEW


def test_bulk_accept_never_takes_a_flagged_report(login, coordinator_a, waiting):
    client = login(coordinator_a)
    response = client.post(
        BULK, {"incidents": [waiting["old"].pk, waiting["flagged"].pk]}, follow=True
    )
    assert "flaggade för personuppgifter" in response.content.decode()
    statuses = set(
        Incident.objects.filter(pk__in=[waiting["old"].pk, waiting["flagged"].pk]).values_list(
            "status", flat=True
        )
    )
    assert statuses == {Incident.Status.NEW}
    assert not IncidentChange.objects.filter(action=IncidentChange.Action.ACCEPTED).exists()


def test_bulk_accept_refuses_reports_outside_the_queue(
    login, coordinator_a, coordinator_b, waiting
):
    other = make_incident(coordinator_b)
    response = login(coordinator_a).post(
        BULK, {"incidents": [waiting["old"].pk, other.pk, waiting["done"].pk]}, follow=True
    )
    assert "väntar inte längre på granskning" in response.content.decode()
    assert Incident.objects.get(pk=waiting["old"].pk).status == Incident.Status.NEW
    assert Incident.objects.get(pk=other.pk).status == Incident.Status.NEW


def test_bulk_accept_is_for_coordinators(login, analyst_a, waiting):
    response = login(analyst_a).post(BULK, {"incidents": [waiting["old"].pk]})
    assert response.status_code == 403
    assert Incident.objects.get(pk=waiting["old"].pk).status == Incident.Status.NEW


def test_queue_offers_bulk_accept_only_for_unproblematic_reports(
    login, coordinator_a, waiting, reporter_a
):
    twin = make_incident(
        reporter_a,
        category="bilbrand",
        area=waiting["fire"].area,
        occurred_at=waiting["fire"].occurred_at + timedelta(hours=1),
    )
    page = login(coordinator_a).get(QUEUE).content.decode()
    offered = {int(pk) for pk in re.findall(r'name="incidents" value="(\d+)"', page)}
    # Flagged: never; 'fire' and its twin: possible duplicates, to be looked at first.
    assert offered == {waiting[n].pk for n in ("old", "imported", "new")}
    assert twin.pk not in offered
    assert "Flaggad för personuppgifter" in page


def test_a_confirmed_warning_flags_the_report(reporter_a):
    incident, _ = services.report_incident(
        membership=reporter_a,
        client_id=uuid.uuid4(),
        category=reporter_a.partnership.categories.get(code="klotter"),
        occurred_at=timezone.now() - timedelta(hours=1),
        severity=1,
        lon=17.905,
        lat=59.435,
        description="Ring 070-123 45 67 om det händer igen",
        confirmed_warnings=True,
    )
    plain, _ = services.report_incident(
        membership=reporter_a,
        client_id=uuid.uuid4(),
        category=reporter_a.partnership.categories.get(code="klotter"),
        occurred_at=timezone.now() - timedelta(hours=1),
        severity=1,
        lon=17.905,
        lat=59.435,
        description="Klotter på elskåpet",
    )
    assert (incident.personal_data_flag, plain.personal_data_flag) == (True, False)


def test_queue_counts_for_another_partnership_stay_apart(coordinator_a, partnership_b, waiting):
    member_b = make_member(partnership_b, "coordinator")
    make_incident(member_b)
    counts = queries.review_counts(coordinator_a, {})
    assert sum(counts["source"].values()) == 5
    assert queries.review_queue(member_b).count() == 1
