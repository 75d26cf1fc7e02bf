"""The register: types, creating and editing, the progress log, Mina insatser, closing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lagesbild.audit.models import Entry
from lagesbild.interventions import services
from lagesbild.interventions.constants import DEFAULT_TYPES
from lagesbild.interventions.models import Intervention, InterventionType, ProgressNote
from lagesbild.partnerships.models import Organisation
from tests.factories import make_intervention, make_member


@pytest.fixture
def intervention(member_a):
    partnership = member_a.partnership
    return make_intervention(
        partnership=partnership,
        title="Belysning vid torget",
        areas=[partnership.areas.get(name="Norr")],
        responsible=member_a.organisation,
        start_date=timezone.localdate() - timedelta(days=10),
        due_date=timezone.localdate() + timedelta(days=14),
    )


def test_every_partnership_starts_with_the_est_types(partnership_a, partnership_b):
    names = list(services.intervention_types(partnership_a).values_list("name", flat=True))
    assert names == [name for name, _ in DEFAULT_TYPES]
    services.intervention_types(partnership_b)
    assert InterventionType.objects.filter(partnership=partnership_b).count() == len(DEFAULT_TYPES)


def test_coordinator_adds_a_type_and_a_duplicate_is_refused(login, coordinator_a):
    client = login(coordinator_a)
    url = reverse("interventions:types")
    assert client.post(url, {"name": "Kameraövervakning", "active": "on"}).status_code == 302
    response = client.post(url, {"name": "kameraövervakning", "active": "on"})
    assert response.status_code == 400
    assert "Det finns redan en insatstyp med det namnet." in response.content.decode()
    assert InterventionType.objects.filter(name__iexact="kameraövervakning").count() == 1


def test_coordinator_registers_an_intervention_with_type_and_contributors(
    login, coordinator_a, member_a
):
    partnership = coordinator_a.partnership
    kind = services.intervention_types(partnership).get(name="Fysisk åtgärd")
    client = login(coordinator_a)
    response = client.post(
        reverse("interventions:create"),
        {
            "title": "Ny belysning i gångtunneln",
            "kind": kind.pk,
            "areas": [partnership.areas.get(name="Söder").pk],
            "categories": [partnership.categories.get(code="klotter").pk],
            "responsible": coordinator_a.organisation.pk,
            "contributors": [member_a.organisation.pk],
            "start_date": timezone.localdate().isoformat(),
            "due_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
    )
    created = Intervention.objects.get()
    assert response.url == reverse("interventions:detail", args=[created.pk])
    assert created.kind == kind
    assert list(created.contributors.all()) == [member_a.organisation]
    page = client.get(response.url).content.decode()
    assert "Fysisk åtgärd" in page and member_a.organisation.name in page


def test_end_before_start_is_refused_and_saves_nothing(login, coordinator_a):
    partnership = coordinator_a.partnership
    client = login(coordinator_a)
    response = client.post(
        reverse("interventions:create"),
        {
            "title": "Något",
            "areas": [partnership.areas.get(name="Söder").pk],
            "responsible": coordinator_a.organisation.pk,
            "start_date": "2026-05-10",
            "end_date": "2026-05-01",
            "due_date": "2026-06-01",
        },
    )
    assert response.status_code == 400
    assert "Slutdatum kan inte ligga före startdatum." in response.content.decode()
    assert not Intervention.objects.exists()


def test_responsible_member_logs_progress_in_the_organisations_name(login, member_a, intervention):
    client = login(member_a)
    response = client.post(
        reverse("interventions:note", args=[intervention.pk]),
        {"done_on": timezone.localdate().isoformat(), "text": "Bytte 12 lampor", "amount": "12"},
    )
    assert response.status_code == 302
    note = ProgressNote.objects.get()
    assert (note.organisation, note.text, note.amount) == (
        member_a.organisation,
        "Bytte 12 lampor",
        "12",
    )
    assert Entry.objects.filter(action="intervention.progress").exists()
    assert (
        "Bytte 12 lampor"
        in client.get(reverse("interventions:detail", args=[intervention.pk])).content.decode()
    )


def test_contributor_logs_but_other_organisations_may_not(login, partnership_a, intervention):
    outsider = make_member(partnership_a, "member", "outsider", kind=Organisation.Kind.SCHOOL)
    body = {"done_on": timezone.localdate().isoformat(), "text": "Samtal med elever"}
    url = reverse("interventions:note", args=[intervention.pk])
    assert login(outsider).post(url, body).status_code == 403
    intervention.contributors.add(outsider.organisation)
    assert login(outsider).post(url, body).status_code == 302
    assert ProgressNote.objects.get().organisation == outsider.organisation


def test_future_or_empty_note_is_refused(login, member_a, intervention):
    client = login(member_a)
    url = reverse("interventions:note", args=[intervention.pk])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(url, {"done_on": tomorrow, "text": "Planerat"})
    assert response.status_code == 400
    assert "Datumet kan inte ligga i framtiden." in response.content.decode()
    assert client.post(url, {"done_on": tomorrow, "text": " "}).status_code == 400
    assert not ProgressNote.objects.exists()


def test_mina_insatser_lists_responsible_and_contributing(login, member_a, intervention):
    other = make_intervention(
        partnership=member_a.partnership,
        title="Fritidsgård på fredagar",
        areas=intervention.areas.all(),
        responsible=Organisation.objects.create(
            partnership=member_a.partnership, name="Fritid", kind="kommun"
        ),
        due_date=timezone.localdate(),
    )
    page = login(member_a).get(reverse("interventions:mine")).content.decode()
    assert "Belysning vid torget" in page and "Fritidsgård" not in page
    other.contributors.add(member_a.organisation)
    page = login(member_a).get(reverse("interventions:mine")).content.decode()
    assert "Fritidsgård" in page


def test_done_closes_and_freezes_an_evaluation(
    login, member_a, intervention, django_capture_on_commit_callbacks
):
    client = login(member_a)
    with django_capture_on_commit_callbacks(execute=True):  # the worker's task, immediate
        client.post(
            reverse("interventions:status", args=[intervention.pk]),
            {f"s{intervention.pk}-status": "done", "next": "detail"},
        )
    intervention.refresh_from_db()
    assert intervention.closed_at is not None and intervention.end_date == timezone.localdate()
    stored = intervention.evaluations.get()
    assert stored.verdict == "too_few_data"  # no incidents at all
    page = client.get(reverse("interventions:evaluation", args=[intervention.pk])).content.decode()
    assert "Fryst version 1" in page and "För lite data för en slutsats" in page


def test_decision_links_the_intervention_to_its_agenda_item(login, coordinator_a):
    from lagesbild.interventions.models import Meeting

    partnership = coordinator_a.partnership
    meeting = Meeting.objects.create(
        partnership=partnership,
        held_on=timezone.localdate(),
        period="2026-W47",
        title="Veckomöte",
        agenda=[
            {"kind": "deviation", "text": "Klotter i Norr: 9 händelser", "area": 1, "group": 2}
        ],
    )
    response = login(coordinator_a).post(
        reverse("interventions:decision", args=[meeting.pk]),
        {
            "text": "Sanera",
            "create_intervention": "on",
            "origin_item": "0",
            "title": "Klottersanering",
            "areas": [partnership.areas.get(name="Norr").pk],
            "responsible": coordinator_a.organisation.pk,
            "due_date": (timezone.localdate() + timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 302
    created = Intervention.objects.get()
    assert created.origin["text"] == "Klotter i Norr: 9 händelser"
    assert created.origin["period"] == "2026-W47" and created.origin_meeting == meeting
    page = login(coordinator_a).get(reverse("interventions:detail", args=[created.pk]))
    assert reverse("pictures:week", args=["2026-W47"]) in page.content.decode()
