"""`manage.py backup` and `restore`: back up, change the data, restore, find it as it was.

On the database the suite runs on: SQLite through the online backup API, PostgreSQL through
pg_dump/pg_restore (skipped where pg_dump is missing)."""

import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from lagesbild.incidents.models import Incident
from lagesbild.partnerships.models import Membership, Partnership
from tests.factories import make_incident, make_member, make_partnership


@pytest.fixture
def engine_tools():
    if connection.vendor == "postgresql" and shutil.which("pg_dump") is None:
        pytest.skip("PostgreSQL without pg_dump/pg_restore on this machine")


@pytest.fixture
def var_dir(tmp_path):
    with override_settings(VAR_DIR=tmp_path / "var"):
        yield tmp_path / "var"


def state() -> dict:
    return {
        "partnerships": sorted(Partnership.objects.values_list("name", flat=True)),
        "incidents": sorted(Incident.objects.values_list("client_id", "description")),
    }


@pytest.mark.django_db(transaction=True)
def test_a_restore_brings_back_the_data_as_it_was(engine_tools, var_dir, tmp_path, capsys):
    partnership = make_partnership("Säkerhetskopia")
    reporter = make_member(partnership, Membership.Role.REPORTER)
    kept = make_incident(reporter, description="Före säkerhetskopian")
    make_incident(reporter, description="Också före")
    before = state()
    path = tmp_path / "lagesbild.backup"

    call_command("backup", "--output", str(path))
    assert str(path) in capsys.readouterr().out
    assert path.stat().st_size > 0
    assert path.stat().st_mode & 0o077 == 0, "a backup holds everything: owner only"

    kept.description = "Ändrad efter säkerhetskopian"
    kept.save()
    make_incident(reporter, description="Ny efter säkerhetskopian")
    make_partnership("Tillkommen")
    changed = state()
    assert changed != before

    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(path))
    assert state() == changed, "a refused restore changes nothing"

    call_command("restore", str(path), "--force")
    assert state() == before

    # What the forced restore overwrote was saved first, and can itself be restored.
    saved = list((var_dir / "backups").glob("before-restore-*"))
    assert len(saved) == 1
    call_command("restore", str(saved[0]), "--force")
    assert state() == changed


@pytest.mark.django_db(transaction=True)
def test_a_database_holding_only_what_migrate_writes_is_restored_without_force(
    engine_tools, var_dir, tmp_path
):
    make_incident(make_member(make_partnership("Tom"), Membership.Role.REPORTER))
    before = state()
    path = tmp_path / "b.backup"
    call_command("backup", "--output", str(path))
    call_command("flush", "--no-input")  # content types and permissions come back
    assert state()["incidents"] == []

    call_command("restore", str(path))
    assert state() == before
    assert not (var_dir / "backups").exists(), "nothing was overwritten, nothing saved"


@pytest.mark.django_db
def test_a_file_that_is_not_a_backup_is_refused_before_anything_changes(tmp_path, var_dir):
    make_partnership("Orörd")
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("inte en säkerhetskopia")
    with pytest.raises(CommandError, match="not a"):
        call_command("restore", str(not_a_backup), "--force")
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "missing.dump"), "--force")
    assert Partnership.objects.filter(name="Orörd").exists()
