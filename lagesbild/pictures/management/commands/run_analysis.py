"""`manage.py run_analysis [--partnership SLUG] [--week 2026-W47]`: compute weekly pictures.

Meant for cron or a systemd timer when a week closes (Monday morning), and for operators.
Without --week it computes the week that just ended.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.partnerships.models import Partnership
from lagesbild.pictures.runs import run_now


class Command(BaseCommand):
    help = "Compute the weekly analysis (deviations, trends, hot spots, clusters) and store it."

    def add_arguments(self, parser):
        parser.add_argument("--partnership", help="slug; default: every partnership")
        parser.add_argument("--week", help="ISO week, e.g. 2026-W47; default: last week")

    def handle(self, *args, **options):
        partnerships = Partnership.objects.all()
        if options["partnership"]:
            partnerships = partnerships.filter(slug=options["partnership"])
            if not partnerships:
                raise CommandError("Ingen samverkan med det kortnamnet.")
        for partnership in partnerships:
            if options["week"]:
                try:
                    code = weeks.parse(options["week"])
                except ValueError as exc:
                    raise CommandError("Ange veckan som 2026-W47.") from exc
            else:
                code = weeks.shift(weeks.week_code(timezone.now(), partnership.time_zone), -1)
            started = time.perf_counter()
            run = run_now(partnership, weeks.iso(code))
            seconds = time.perf_counter() - started
            self.stdout.write(f"{partnership.slug} {run.period}: {run.status} ({seconds:.1f} s)")
            if run.error:
                self.stderr.write(run.error)
