"""`manage.py backup [--output FIL]`: a complete backup of the database (docs/operations.md)."""

from django.core.management.base import BaseCommand, CommandError

from lagesbild.operations import backup


class Command(BaseCommand):
    help = (
        "Back up the whole database: pg_dump custom format on PostgreSQL, the online backup "
        "API on SQLite (the app may keep running). Default file: var/backups/."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to write (default var/backups/...)")

    def handle(self, *args, output=None, **options):
        try:
            path = backup.backup(output)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = path.stat().st_size
        self.stdout.write(f"{path} ({size / 1e6:.1f} MB)")
