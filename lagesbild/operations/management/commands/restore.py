"""`manage.py restore FIL [--force]`: replace the database with a backup (docs/operations.md).

Stop the app servers and the worker first; run `manage.py migrate` afterwards when the
backup is older than the installed version."""

from django.core.management.base import BaseCommand, CommandError

from lagesbild.operations import backup


class Command(BaseCommand):
    help = (
        "Replace the database's contents with a backup made by `manage.py backup`. Refuses a "
        "database holding data unless --force (which backs it up first)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore over a database holding data (saved to var/backups/ first)",
        )

    def handle(self, *args, path, force, **options):
        try:
            restored = backup.restore(path, force=force)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if restored.overwritten_saved_to:
            self.stdout.write(f"The data overwritten was saved to {restored.overwritten_saved_to}")
        self.stdout.write(f"Restored {restored.source}. Next: manage.py migrate")
