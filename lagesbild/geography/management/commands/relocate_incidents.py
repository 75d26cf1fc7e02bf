"""`manage.py relocate_incidents [--partnership SLUG]`: move incidents and the police's notices
to the areas that hold them now, as the background worker does after the areas change; for an
operator when the worker was not running."""

from django.core.management.base import BaseCommand, CommandError

from lagesbild.geography.area_import import relocate_all
from lagesbild.partnerships.models import Partnership


class Command(BaseCommand):
    help = (
        "Give each incident and police notice the active area that now holds it, and "
        "re-analyse the incidents' weeks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partnership", help="slug; default: every partnership")

    def handle(self, *args, partnership=None, **options):
        partnerships = Partnership.objects.all()
        if partnership:
            partnerships = partnerships.filter(slug=partnership)
            if not partnerships.exists():
                raise CommandError("Ingen samverkan med det namnet.")
        for each in partnerships.order_by("slug"):
            incidents, notices = relocate_all(each)
            self.stdout.write(
                f"{each.slug}: {incidents.moved} händelser och {notices} polisnotiser fick ett "
                "annat område."
            )
