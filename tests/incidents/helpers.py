"""Builders and checks shared by the incident tests (and the police notices' tests, whose list
shares the incident list's exports)."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lagesbild.audit.models import Entry

# --- identity numbers: made up, with the check digit from the tests' own Luhn function -------


def luhn_check_digit(payload: str) -> str:
    """Textbook Luhn: from the right, double every other digit, starting with the last one."""
    total = 0
    for position, char in enumerate(reversed(payload)):
        value = int(char) * 2 if position % 2 == 0 else int(char)
        total += value - 9 if value > 9 else value
    return str(-total % 10)


def identity_number(yymmdd: str, serial: str) -> str:
    """A made-up ten-digit YYMMDDNNNC with the right check digit."""
    return yymmdd + serial + luhn_check_digit(yymmdd + serial)


def with_wrong_check_digit(ten: str) -> str:
    return ten[:9] + str((int(ten[9]) + 1) % 10)


# --- pages -----------------------------------------------------------------------------------


def form_data(partnership, **overrides):
    data = {
        "client_id": str(uuid.uuid4()),
        "category": partnership.categories.get(code="klotter").pk,
        "lon": "17.905",
        "lat": "59.435",
        "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "severity": "1",
        "description": "Klotter på busskuren",
    }
    data.update(overrides)
    return data


def run_import(client, job, capture, **data):
    """The wizard's last step, with the worker's task run at once through `capture`."""
    with capture(execute=True):
        response = client.post(reverse("incidents:import_job", args=[job.pk]), data)
    job.refresh_from_db()
    return response


def assert_too_many_for_excel(client, app: str, action: str, query: str, rows: int) -> None:
    """An Excel file of a selection of `rows` rows, one more than the limit set here, is
    refused: the list again with its filters and the message, nothing audited, CSV still
    given. For every list with an Excel download (incidents, the police's notices)."""
    limit = rows - 1
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("lagesbild.incidents.exports.XLSX_MAX_ROWS", limit)
        response = client.get(f"{reverse(f'{app}:export', args=['xlsx'])}?{query}", follow=True)
        assert response.redirect_chain[0][0] == f"{reverse(f'{app}:list')}?{query}"
        text = response.content.decode()
        assert f"Urvalet har {rows} rader, fler än ett Excel-blad rymmer ({limit})." in text
        assert not Entry.objects.filter(action=action).exists()
        assert client.get(f"{reverse(f'{app}:export', args=['csv'])}?{query}").status_code == 200
