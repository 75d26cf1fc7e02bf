"""`manage.py relocate_incidents [--partnership SLUG]`: move incidents to the areas that hold
them now, as the background worker does after the areas change; for an operator when the
worker was not running."""

from django.core.management.base import BaseCommand, CommandError

from lagesbild.geography.area_import import relocate_incidents
from lagesbild.partnerships.models import Partnership


class Command(BaseCommand):
    help = "Give each incident the active area that now holds it, and re-analyse its weeks."

    def add_arguments(self, parser):
        parser.add_argument("--partnership", help="slug; default: every partnership")

    def handle(self, *args, partnership=None, **options):
        partnerships = Partnership.objects.all()
        if partnership:
            partnerships = partnerships.filter(slug=partnership)
            if not partnerships.exists():
                raise CommandError("Ingen samverkan med det namnet.")
        for each in partnerships.order_by("slug"):
            moved = relocate_incidents(each).moved
            self.stdout.write(f"{each.slug}: {moved} händelser fick ett annat område.")
