"""What the phone's queue of offline reports (static/js/report-queue.js) counts on from the
report view: a report sent late keeps its own time, a repeat of a client id answers like a
success, CSRF passes with the cookie's token even after a new login, and a session that has
ended answers with the login page, so the phone keeps the report instead of losing it."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lagesbild.incidents.models import Incident
from tests.factories import make_member
from tests.incidents.helpers import form_data

REPORT = reverse("incidents:report")


def csrf_client(membership) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(membership.user)
    client.get(REPORT)  # the form page sets the token cookie the queue sends with
    return client


def cookie_token(client) -> str:
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def test_a_repeat_of_a_queued_report_answers_like_its_first_sending(reporter_a):
    """The answer to the first sending may be lost; the phone sends again and must be told
    "received" (the redirect to the form), not an error, so that it drops the report."""
    client = csrf_client(reporter_a)
    data = form_data(reporter_a.partnership, csrfmiddlewaretoken=cookie_token(client))
    first = client.post(REPORT, data)
    again = client.post(REPORT, data)
    assert (first.status_code, first["Location"]) == (302, REPORT)
    assert (again.status_code, again["Location"]) == (302, REPORT)
    assert Incident.objects.count() == 1
    assert "redan mottagen" in client.get(REPORT).content.decode()


def test_a_report_sent_hours_later_keeps_the_time_it_was_made(reporter_a):
    client = csrf_client(reporter_a)
    made = timezone.localtime().replace(second=0, microsecond=0) - timedelta(hours=7)
    data = form_data(
        reporter_a.partnership,
        occurred_at=made.strftime("%Y-%m-%dT%H:%M"),
        csrfmiddlewaretoken=cookie_token(client),
    )
    assert client.post(REPORT, data).status_code == 302
    assert Incident.objects.get().occurred_at == made


def test_after_a_new_login_the_cookie_token_passes_where_the_cached_forms_does_not(
    reporter_a,
):
    """A form kept in the phone's cache carries the token of the login it was made under;
    a new login changes the token, so the queue sends the cookie's token instead."""
    client = csrf_client(reporter_a)
    cached_form_token = cookie_token(client)
    client.logout()
    client.force_login(reporter_a.user)
    client.get(REPORT)
    assert cookie_token(client) != cached_form_token
    stale = form_data(reporter_a.partnership, csrfmiddlewaretoken=cached_form_token)
    assert client.post(REPORT, stale).status_code == 403
    data = form_data(reporter_a.partnership, csrfmiddlewaretoken=cookie_token(client))
    assert client.post(REPORT, data).status_code == 302
    assert Incident.objects.count() == 1


def test_a_report_sent_after_the_session_ended_goes_to_the_login_and_is_not_filed(
    reporter_a,
):
    client = csrf_client(reporter_a)
    token = cookie_token(client)
    client.logout()
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    response = client.post(REPORT, form_data(reporter_a.partnership, csrfmiddlewaretoken=token))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert Incident.objects.count() == 0


def test_someone_elses_client_id_is_refused_and_the_report_kept_for_correction(
    reporter_a, partnership_a
):
    """The queue keeps a refused report (400) with the page's messages for the reporter."""
    other = make_member(partnership_a, reporter_a.role, "reporter_other")
    client_id = str(uuid.uuid4())
    first = csrf_client(other)
    first.post(
        REPORT,
        form_data(partnership_a, client_id=client_id, csrfmiddlewaretoken=cookie_token(first)),
    )
    client = csrf_client(reporter_a)
    response = client.post(
        REPORT,
        form_data(partnership_a, client_id=client_id, csrfmiddlewaretoken=cookie_token(client)),
    )
    assert response.status_code == 400
    assert "Formulärets id används redan" in response.content.decode()
    assert Incident.objects.get().reporter == other.user
