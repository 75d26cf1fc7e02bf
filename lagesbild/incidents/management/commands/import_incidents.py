"""`manage.py import_incidents FILE --partnership SLUG --user USERNAME [--source NAME]
[--review accepted|waiting] [--coordinate-system EPSG:3006]`: CSV or Excel import, streamed
row by row within the limits in settings (IMPORT_MAX_*)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lagesbild.incidents.importers import coordinates
from lagesbild.incidents.importers.tabular import ImportFormatError, open_file
from lagesbild.incidents.imports import Options, import_incidents
from lagesbild.incidents.models import ImportSource, Incident
from lagesbild.partnerships.models import Membership

REVIEW = {"accepted": Incident.Status.ACCEPTED, "waiting": Incident.Status.NEW}


class Command(BaseCommand):
    help = "Import incidents from a .csv or .xlsx file (all or nothing unless --skip-invalid)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--partnership", required=True, help="the partnership's slug")
        parser.add_argument("--user", required=True, help="the member the import is made as")
        parser.add_argument(
            "--source",
            default="",
            help="the import source (as the wizard names it): external ids are unique within "
            "a source, and a file imported again into the same source adds nothing",
        )
        parser.add_argument(
            "--review",
            choices=sorted(REVIEW),
            default="accepted",
            help="the imported incidents' review state: accepted (default: history that was "
            "reviewed where it came from, kept out of the review queue) or waiting (every "
            "row waits in the review queue)",
        )
        parser.add_argument(
            "--coordinate-system",
            choices=list(coordinates.SYSTEMS),
            help="what Longitud and Latitud are written in: EPSG:4326 (WGS 84 degrees), "
            "EPSG:3006 (SWEREF 99 TM metres), EPSG:3007-3018 (local SWEREF 99 zones) or "
            "EPSG:3021 (RT 90 2.5 gon V); default: the source's, as the wizard last saved it, "
            "else WGS 84",
        )
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
        source = None
        if options["source"].strip():
            source, _created = ImportSource.objects.get_or_create(
                partnership=membership.partnership, name=options["source"].strip()[:100]
            )
        try:
            rows = open_file(options["file"])
            result = import_incidents(
                membership=membership,
                rows=rows,
                skip_invalid=options["skip_invalid"],
                options=Options(
                    source_id=source.pk if source else None,
                    coordinate_system=options["coordinate_system"]
                    or (source and source.coordinate_system)
                    or coordinates.WGS84,
                    accept_warnings=options["accept_warnings"],
                    review=REVIEW[options["review"]],
                ),
            )
        except (ImportFormatError, OSError) as exc:
            raise CommandError(f"Inget importerades: {exc}") from exc
        # One line per kind of fault with a few example rows: a file with one systematic
        # fault would otherwise print a line per row and bury the summary.
        for reason, count, examples in result.summary():
            rows = ", ".join(str(n) for n in examples)
            self.stderr.write(f"{count} rader: {reason} (t.ex. rad {rows})")
        if result.errors:
            number, messages = result.errors[0]
            self.stderr.write(f"Första felet, rad {number}: {' '.join(messages)}")
        state = "godkända" if options["review"] == "accepted" else "väntar på granskning"
        self.stdout.write(
            f"{result.created} nya händelser ({state}), {result.already_imported} redan "
            f"importerade, {result.refused} rader med fel av {result.rows}."
        )
        if result.refused and not options["skip_invalid"]:
            raise CommandError("Inget importerades eftersom rader hade fel.")
