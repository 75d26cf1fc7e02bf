"""Reminders of due and overdue interventions and the weekly digest (återkoppling)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from lagesbild.interventions import notifications
from lagesbild.interventions.models import Intervention
from lagesbild.partnerships.models import Organisation
from lagesbild.pictures.models import Picture
from tests.factories import make_intervention, make_member


def _email(membership, address):
    membership.user.email = address
    membership.user.save(update_fields=["email"])
    return membership


@pytest.fixture
def overdue(member_a, coordinator_a):
    _email(member_a, "polis@example.org")
    _email(coordinator_a, "samordnare@example.org")
    return make_intervention(
        partnership=member_a.partnership,
        title="Belysning vid torget",
        areas=[member_a.partnership.areas.get(name="Norr")],
        responsible=member_a.organisation,
        due_date=timezone.localdate() - timedelta(days=2),
    )


def test_overdue_reminder_goes_to_the_responsible_organisation_once(overdue):
    call_command("send_reminders", "--no-digests", stdout=StringIO())
    assert [m.to for m in mail.outbox] == [["polis@example.org"]]
    message = mail.outbox[0]
    assert "Belysning vid torget" in message.body and "försenad" in message.body
    assert f"/insatser/{overdue.pk}/" in message.body
    call_command("send_reminders", "--no-digests", stdout=StringIO())
    assert len(mail.outbox) == 1  # nothing twice


def test_contributors_are_reminded_and_reminded_again_a_week_later(overdue, partnership_a):
    school = _email(
        make_member(partnership_a, "member", "skola", kind=Organisation.Kind.SCHOOL),
        "skola@example.org",
    )
    overdue.contributors.add(school.organisation)
    today = timezone.localdate()
    assert notifications.send_due_reminders(today) == 2
    assert notifications.send_due_reminders(today + timedelta(days=3)) == 0
    assert notifications.send_due_reminders(today + timedelta(days=7)) == 2


def test_no_reminder_for_closed_or_distant_interventions(overdue):
    overdue.status = Intervention.Status.DONE
    overdue.save()
    make_intervention(
        partnership=overdue.partnership,
        title="Senare",
        areas=overdue.areas.all(),
        responsible=overdue.responsible,
        due_date=timezone.localdate() + timedelta(days=30),
    )
    call_command("send_reminders", "--no-digests", stdout=StringIO())
    assert mail.outbox == []


def test_digest_of_an_approved_picture_reaches_every_member_once(
    coordinator_a, member_a, reporter_a, member_b
):
    for m, address in [
        (coordinator_a, "samordnare@example.org"),
        (member_a, "polis@example.org"),
        (reporter_a, "rapportor@example.org"),
        (member_b, "b@example.org"),
    ]:
        _email(m, address)
    Picture.objects.create(
        partnership=coordinator_a.partnership,
        period_kind="week",
        period="2026-W47",
        approved_by=coordinator_a.user,
        content={"period": "2026-W47", "summary": ["12 händelser i veckan."]},
    )
    call_command("send_reminders", "--no-reminders", stdout=StringIO())
    assert sorted(m.to[0] for m in mail.outbox) == ["polis@example.org", "samordnare@example.org"]
    body = mail.outbox[0].body
    assert "12 händelser i veckan." in body and "/lagesbild/vecka/2026-W47/" in body
    call_command("send_reminders", "--no-reminders", stdout=StringIO())
    assert len(mail.outbox) == 2
