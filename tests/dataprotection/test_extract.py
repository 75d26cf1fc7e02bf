"""Access: a user downloads their own data from their account page as JSON: their account,
roles, reports (with their own text) and audit entries, nobody else's, never a secret."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from lagesbild.api.models import ApiToken
from lagesbild.audit.models import Entry
from lagesbild.audit.record import record
from lagesbild.incidents import services as incidents
from tests.factories import make_app, make_incident


def download(client):
    response = client.get(reverse("dataprotection:my_data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="mina-uppgifter-')
    return json.loads(response.content)


def test_the_extract_holds_the_users_own_data(login, reporter_a, member_a, coordinator_a):
    user = reporter_a.user
    user.email = "rapportor@example.invalid"
    user.save()
    own = make_incident(reporter_a, description="Klotter på förskolans vägg")
    incidents.reject_incident(actor=coordinator_a.user, incident=own, reason="Fel område")
    make_incident(member_a, description="Någon annans rapport")
    _token, raw = ApiToken.issue(reporter_a, "Mobilen")
    make_app(user)
    record(actor=member_a.user, action="test.someone_else", summary="Annans loggpost")

    data = download(login(reporter_a))

    assert data["account"]["username"] == "reporter_a"
    assert data["account"]["email"] == "rapportor@example.invalid"
    assert data["memberships"] == [
        {
            "partnership": "Samverkan A",
            "organisation": reporter_a.organisation.name,
            "role": "reporter",
            "active": True,
            "created_at": reporter_a.created_at.isoformat(),
        }
    ]
    assert data["second_factor"] == {"authenticator_apps": 1, "recovery_codes_left": 0}
    [token] = data["api_tokens"]
    assert (token["name"], token["starts_with"], token["scope"]) == ("Mobilen", raw[:8], "read")
    [report] = data["incidents"]
    assert report["number"] == own.pk
    assert report["description"] == "Klotter på förskolans vägg"
    assert (report["status"], report["rejection_reason"]) == ("rejected", "Fel område")
    assert [h["action"] for h in report["history"]] == ["rejected"]
    actions = [e["action"] for e in data["audit_entries"]]
    assert "account.data_extract" in actions
    text = json.dumps(data, ensure_ascii=False)
    for never in ("Någon annans rapport", "Annans loggpost", raw, "key_hash", "password"):
        assert never not in text
    # Who handled the report is someone else's data.
    assert coordinator_a.user.username not in text


def test_the_download_is_audited(login, member_a):
    download(login(member_a))

    entry = Entry.objects.get(action="account.data_extract")
    assert (entry.actor, entry.partnership, entry.details) == (member_a.user, None, {"via": "web"})


def test_an_administrator_prints_it_for_a_closed_account(reporter_a):
    make_incident(reporter_a, description="Klotter vid skolan")
    reporter_a.user.is_active = False
    reporter_a.user.save()
    out = io.StringIO()

    call_command("user_data", reporter_a.user.username, stdout=out)

    data = json.loads(out.getvalue())
    assert data["account"]["active"] is False
    assert [i["description"] for i in data["incidents"]] == ["Klotter vid skolan"]
    assert Entry.objects.get(action="account.data_extract").details == {"via": "command"}
    with pytest.raises(CommandError):
        call_command("user_data", "finns-inte")


def test_the_account_page_links_to_it(login, member_a):
    page = login(member_a).get(reverse("accounts:account")).content.decode()
    assert page.count(reverse("dataprotection:my_data")) == 1
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "Mitt konto" in title and "<" not in title


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("dataprotection:my_data"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
