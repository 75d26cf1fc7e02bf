"""`manage.py run_analysis [--partnership SLUG] [--week 2026-W47 | --from 2024-W01 --to 2026-W47]`:
compute weekly pictures.

Meant for cron or a systemd timer when a week closes (Monday morning), and for operators
(a range of weeks after importing history). Without --week or --from it computes the week
that just ended.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.partnerships.models import Partnership
from lagesbild.pictures.runs import analyse_weeks


def _week(text: str) -> int:
    try:
        return weeks.parse(text)
    except ValueError as exc:
        raise CommandError("Ange veckan som 2026-W47.") from exc


class Command(BaseCommand):
    help = "Compute the weekly analysis (deviations, trends, hot spots, clusters) and store it."

    def add_arguments(self, parser):
        parser.add_argument("--partnership", help="slug; default: every partnership")
        parser.add_argument("--week", help="ISO week, e.g. 2026-W47; default: last week")
        parser.add_argument("--from", dest="first", help="first ISO week of a range")
        parser.add_argument("--to", dest="last", help="last ISO week of a range (with --from)")

    def _range(self, options, partnership) -> tuple[int, int]:
        if options["week"] and (options["first"] or options["last"]):
            raise CommandError("Ange antingen --week eller --from och --to.")
        if options["first"] or options["last"]:
            if not (options["first"] and options["last"]):
                raise CommandError("Ange både --from och --to.")
            first, last = _week(options["first"]), _week(options["last"])
            if first > last:
                raise CommandError("--from ska vara en vecka före --to.")
            return first, last
        if options["week"]:
            code = _week(options["week"])
        else:
            code = weeks.shift(weeks.week_code(timezone.now(), partnership.time_zone), -1)
        return code, code

    def handle(self, *args, **options):
        partnerships = Partnership.objects.all()
        if options["partnership"]:
            partnerships = partnerships.filter(slug=options["partnership"])
            if not partnerships:
                raise CommandError("Ingen samverkan med det kortnamnet.")
        for partnership in partnerships:
            first, last = self._range(options, partnership)
            started = time.perf_counter()
            for run in analyse_weeks(partnership, first, last):
                self.stdout.write(f"{partnership.slug} {run.period}: {run.status}")
                if run.error:
                    self.stderr.write(run.error)
            seconds = time.perf_counter() - started
            self.stdout.write(f"{partnership.slug}: {seconds:.1f} s")
