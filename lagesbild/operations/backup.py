"""Backing up and restoring the whole database, for `manage.py backup` and `restore`.

PostgreSQL: pg_dump's custom format (compressed, restored with pg_restore, table by table if
need be). SQLite: the online backup API, which copies a consistent snapshot while the app
keeps running. A backup is written next to its final name and renamed when complete, so a
half-written file never looks like a backup.

A restore replaces everything in the database. It refuses a database that holds data unless
forced, and then first saves what it is about to overwrite.
"""

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

# Rows `migrate` writes into an empty database: a database holding only these is empty.
BOOKKEEPING_TABLES = {"django_migrations", "django_content_type", "auth_permission"}
SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"


class BackupError(Exception):
    """Something an operator must fix; the message says what."""


@dataclass
class Restored:
    source: Path
    overwritten_saved_to: Path | None


def engine() -> str:
    return connection.vendor  # "postgresql" or "sqlite"


def default_path(prefix: str = "lagesbild") -> Path:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    suffix = "dump" if engine() == "postgresql" else "sqlite3"
    folder = settings.VAR_DIR / "backups"
    path, number = folder / f"{prefix}-{stamp}.{suffix}", 1
    while path.exists():  # never over another backup, such as the one being restored
        number += 1
        path = folder / f"{prefix}-{stamp}-{number}.{suffix}"
    return path


def tables_with_data() -> list[str]:
    """The tables holding rows, leaving out what `migrate` itself writes."""
    connection.ensure_connection()
    found = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in BOOKKEEPING_TABLES:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone():
                found.append(table)
    return found


def backup(path: Path | None = None) -> Path:
    """Write a complete backup of the database to `path` (default under var/backups/)."""
    path = Path(path or default_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        if engine() == "postgresql":
            _pg_dump(partial)
        elif engine() == "sqlite":
            _sqlite_backup(partial)
        else:
            raise BackupError(f"Backups of {engine()} databases are not supported.")
        partial.chmod(0o600)  # it holds every report and account
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def restore(path: Path, *, force: bool = False) -> Restored:
    """Replace the database's contents with the backup at `path`. Refuses a database that
    holds data unless `force`; then what was there is backed up first."""
    path = Path(path)
    _check_backup_file(path)
    if connection.in_atomic_block:
        raise BackupError("A restore cannot run inside a transaction.")
    saved = None
    in_use = tables_with_data()
    if in_use:
        if not force:
            raise BackupError(
                f"The database holds data ({len(in_use)} tables with rows, e.g. "
                f"{', '.join(in_use[:3])}). Restore over it with --force; it is then "
                "backed up first."
            )
        saved = backup(default_path("before-restore"))
    if engine() == "postgresql":
        _pg_restore(path)
    else:
        _sqlite_restore(path)
    return Restored(path, saved)


def _check_backup_file(path: Path) -> None:
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    with path.open("rb") as file:
        head = file.read(16)
    expected = PG_CUSTOM_HEADER if engine() == "postgresql" else SQLITE_HEADER
    if not head.startswith(expected):
        kind = "pg_dump custom-format" if engine() == "postgresql" else "SQLite"
        raise BackupError(
            f"{path} is not a {kind} backup: this installation's database is {engine()}."
        )


# --- SQLite --------------------------------------------------------------------------------


def _sqlite_backup(target: Path) -> None:
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()


def _sqlite_restore(source_path: Path) -> None:
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        (result,) = source.execute("PRAGMA quick_check").fetchone()
        if result != "ok":
            raise BackupError(f"{source_path} is damaged: {result}")
        connection.ensure_connection()
        try:
            source.backup(connection.connection)
        except sqlite3.OperationalError as exc:
            raise BackupError(
                f"Could not write the database ({exc}): stop the app and the worker first."
            ) from exc
    finally:
        source.close()


# --- PostgreSQL ----------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found: install the PostgreSQL client tools "
            "(Debian: postgresql-client) of the server's major version or newer."
        )
    return found


def _pg_environment() -> dict[str, str]:
    """libpq variables for the database Django uses (the password never on a command line)."""
    config = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if config.get(key):
            env[variable] = str(config[key])
    options = config.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _run(command: list[str]) -> None:
    done = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _pg_dump(target: Path) -> None:
    _run([_pg_tool("pg_dump"), "--format=custom", "--file", str(target)])


def _pg_restore(source: Path) -> None:
    pg_restore = _pg_tool("pg_restore")
    _run([pg_restore, "--list", str(source)])  # readable, before anything is dropped
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if tables:
            names = ", ".join(connection.ops.quote_name(t) for t in tables)
            cursor.execute(f"DROP TABLE IF EXISTS {names} CASCADE")
    connection.close()  # pg_restore works on its own connection
    _run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            connection.settings_dict["NAME"],
            str(source),
        ]
    )
