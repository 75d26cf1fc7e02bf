"""`manage.py import_incidents FILE --partnership SLUG --user USERNAME`: CSV or Excel import."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lagesbild.incidents.importers.tabular import ImportFormatError, read_file
from lagesbild.incidents.services import import_incidents
from lagesbild.partnerships.models import Membership


class Command(BaseCommand):
    help = "Import incidents from a .csv or .xlsx file (all or nothing unless --skip-invalid)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--partnership", required=True, help="the partnership's slug")
        parser.add_argument("--user", required=True, help="the member the import is made as")
        parser.add_argument(
            "--accept-warnings",
            action="store_true",
            help="accept phone numbers, e-mail addresses and licence plates",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid rows even if others are refused",
        )

    def handle(self, *args, **options):
        membership = (
            Membership.objects.select_related("partnership", "user")
            .filter(
                partnership__slug=options["partnership"],
                user__username=options["user"],
                active=True,
            )
            .first()
        )
        if membership is None:
            raise CommandError("Ingen aktiv medlem med det användarnamnet i den samverkan.")
        try:
            rows = read_file(options["file"])
        except (ImportFormatError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        result = import_incidents(
            membership=membership,
            rows=rows,
            accept_warnings=options["accept_warnings"],
            skip_invalid=options["skip_invalid"],
        )
        for number, messages in result.errors:
            self.stderr.write(f"Rad {number}: {' '.join(messages)}")
        self.stdout.write(
            f"{result.created} nya händelser, {result.already_imported} redan "
            f"importerade, {len(result.errors)} rader med fel."
        )
        if result.errors and not options["skip_invalid"]:
            raise CommandError("Inget importerades eftersom rader hade fel.")
