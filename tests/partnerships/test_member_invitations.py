"""A coordinator invites members by a link that works once: the invitee chooses their own
user name and password, and joins through the organisation and in the role the coordinator
chose. Only the link's hash is kept, and the members page follows each invitation."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from lagesbild.accounts.models import Invitation
from lagesbild.audit.models import Entry
from lagesbild.partnerships.models import Membership
from tests.factories import PASSWORD

URL = reverse("partnerships:member_invite")


def form(organisation, **overrides) -> dict:
    return {
        "first_name": "Kim",
        "last_name": "Andersson",
        "email": "kim@example.org",
        "organisation": organisation.pk,
        "role": Membership.Role.REPORTER,
        **overrides,
    }


def link_token(response) -> str:
    match = re.search(r"/konto/inbjudan/([\w-]+)/", response.content.decode())
    assert match, "the page shows the invitation link"
    return match.group(1)


def test_an_invited_reporter_joins_through_the_link(login, coordinator_a, reporter_a):
    client = login(coordinator_a)
    housing = reporter_a.organisation

    response = client.post(URL, form(housing))

    assert response.status_code == 201
    page = response.content.decode()
    assert "blir rapportör" in page and "kim@example.org" in page
    token = link_token(response)
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash  # only the hash is kept
    assert Entry.objects.filter(action="invitation.create").count() == 1
    accepted = Client().post(
        reverse("accounts:invitation", args=[token]),
        {"username": "kim", "password": PASSWORD, "password_again": PASSWORD},
    )
    assert accepted.status_code == 302
    member = Membership.objects.get(user__username="kim")
    assert (member.partnership, member.organisation, member.role) == (
        coordinator_a.partnership,
        housing,
        Membership.Role.REPORTER,
    )
    listed = client.get(URL).content.decode()
    assert "Antagen (kim)" in listed


def test_bad_input_is_explained_and_invites_no_one(login, coordinator_a, coordinator_b):
    client = login(coordinator_a)
    foreign = coordinator_b.organisation

    missing = client.post(URL, form(coordinator_a.organisation, email="inte-en-adress"))
    wrong_org = client.post(URL, form(foreign))
    wrong_role = client.post(URL, form(coordinator_a.organisation, role="kung"))

    assert missing.status_code == wrong_org.status_code == wrong_role.status_code == 400
    assert "Ange en giltig e-postadress." in missing.content.decode()
    assert not Invitation.objects.exists()
    assert not get_user_model().objects.filter(username="kim").exists()


@pytest.mark.parametrize("fixture", ["member_a", "reporter_a"])
def test_only_coordinators_invite(login, request, fixture, coordinator_a):
    client = login(request.getfixturevalue(fixture))
    assert client.get(URL).status_code == 403
    assert client.post(URL, form(coordinator_a.organisation)).status_code == 403
    assert not Invitation.objects.exists()


def test_the_members_page_offers_the_link(login, coordinator_a):
    page = login(coordinator_a).get(reverse("partnerships:member_list")).content.decode()
    assert f'href="{URL}"' in page


# --- the link by e-mail ------------------------------------------------------------------


def test_the_link_is_emailed_and_the_page_says_so(login, coordinator_a, mailoutbox):
    """pytest-django's locmem backend stands for a configured mail server."""
    response = login(coordinator_a).post(URL, form(coordinator_a.organisation))

    assert response.status_code == 201
    token = link_token(response)
    (mail,) = mailoutbox
    assert mail.to == ["kim@example.org"]
    assert coordinator_a.partnership.name in mail.subject
    assert f"/konto/inbjudan/{token}/" in mail.body
    assert "Hej Kim!" in mail.body and "rapportör" in mail.body
    assert "Länken är skickad med e-post till kim@example.org." in response.content.decode()
    entry = Entry.objects.get(action="invitation.mail")
    assert entry.details["delivery"] == "sent"
    assert token not in str(entry.details) + entry.summary  # the link is never logged


def test_the_mail_is_in_english_for_an_english_coordinator(login, coordinator_a, mailoutbox):
    client = login(coordinator_a)
    client.post(URL, form(coordinator_a.organisation), headers={"accept-language": "en"})
    assert "Invitation to" in mailoutbox[0].subject


def test_without_mail_the_page_says_to_pass_the_link_on(login, coordinator_a, settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    response = login(coordinator_a).post(URL, form(coordinator_a.organisation))

    assert response.status_code == 201
    page = response.content.decode()
    assert "installationen har ingen e-post inställd. Ge länken nedan vidare själv." in page
    link_token(response)
    assert not mailoutbox


def test_a_failing_mail_server_is_said_and_the_invitation_stands(
    login, coordinator_a, settings, caplog
):
    """A real SMTP connection to a port where nothing listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 5
    response = login(coordinator_a).post(URL, form(coordinator_a.organisation))

    assert response.status_code == 201
    page = response.content.decode()
    assert "E-posten kunde inte skickas" in page and 'role="alert"' in page
    token = link_token(response)
    invitation = Invitation.objects.get()
    assert invitation.email == "kim@example.org"
    assert Entry.objects.get(action="invitation.mail").details["delivery"] == "failed"
    assert "the e-mail could not be sent" in caplog.text
    assert token not in caplog.text
    accepted = Client().post(
        reverse("accounts:invitation", args=[token]),
        {"username": "kim", "password": PASSWORD, "password_again": PASSWORD},
    )
    assert accepted.status_code == 302
