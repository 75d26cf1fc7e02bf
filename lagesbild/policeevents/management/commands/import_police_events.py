"""Import the police's event notices: from a saved file (JSON array or JSON Lines, as
polisen.se/api/events gives them) or with one call to the feed, within its rate limits."""

from django.core.management.base import BaseCommand, CommandError

from lagesbild.partnerships.models import Partnership
from lagesbild.policeevents import feed, polling, services


class Command(BaseCommand):
    help = (
        "Importera polisens händelsenotiser från filer (JSON eller JSON Lines; äldsta först, "
        "senare versioner sist) eller, utan filer, med ett anrop till polisens flöde."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="JSON- eller JSONL-filer att läsa")
        parser.add_argument(
            "--relocate",
            action="store_true",
            help="Placera de sparade notiserna i områden igen (efter ändrade områden eller "
            "platser) i stället för att importera.",
        )

    def handle(self, *args, files, relocate, **options):
        if relocate:
            for partnership in Partnership.objects.exclude(municipality_code=""):
                moved = services.relocate(partnership)
                self.stdout.write(f"{partnership}: {moved} notiser fick ett annat område.")
            return
        try:
            if files:
                for path in files:
                    self._report(path, services.import_records(feed.read_file(path)))
            else:
                call = polling.fetch_now()
                if call.error:
                    raise CommandError(call.error)
                self.stdout.write(
                    f"Hämtade {call.received} notiser: {call.created} nya, "
                    f"{call.updated} uppdaterade."
                )
        except feed.FeedError as exc:
            raise CommandError(str(exc)) from exc

    def _report(self, path, result):
        self.stdout.write(
            f"{path}: {result.received} notiser, {result.created} nya, {result.updated} "
            f"uppdaterade, {result.unchanged} oförändrade, {result.elsewhere} utanför "
            f"samverkans kommuner, {len(result.invalid)} ogiltiga."
        )
        for problem in result.invalid[:10]:
            self.stderr.write(f"  {problem}")
