"""Apply the partnerships' retention schedules now (the worker does it daily by itself)."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from lagesbild.dataprotection import retention
from lagesbild.partnerships.models import Partnership
from lagesbild.policeevents import polling


class Command(BaseCommand):
    help = (
        "Apply each partnership's retention schedule now: remove old free text, move old "
        "points to their area's centre, drop old audit addresses and old police feed calls. "
        "--dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would change; change nothing"
        )
        parser.add_argument(
            "--partnership", help="only this partnership (its slug or id)", default=None
        )

    def handle(self, *args, dry_run: bool, partnership: str | None, **options):
        partnerships = Partnership.objects.order_by("pk")
        if partnership:
            match = Q(slug=partnership) | (Q(pk=partnership) if partnership.isdigit() else Q())
            partnerships = partnerships.filter(match)
            if not partnerships.exists():
                raise CommandError(f"No partnership {partnership!r}.")
        for each in partnerships:
            schedule = retention.schedule_of(each)
            if schedule.keeps_everything:
                self.stdout.write(f"{each.slug}: no schedule, everything kept")
                continue
            if dry_run:
                changes = retention.preview(each, schedule)
                verb = "would change"
            else:
                changes = retention.run_now(each)
                verb = "changed"
            self.stdout.write(
                f"{each.slug}: {verb} {changes.texts_removed} free texts, "
                f"{changes.points_coarsened} points, "
                f"{changes.audit_addresses_removed} audit addresses "
                f"(schedule in months: {schedule.as_dict()})"
            )
        if not dry_run and not partnership:
            removed = retention.remove_old_installation_addresses()
            self.stdout.write(f"installation: removed {removed} audit addresses")
            calls = polling.forget_old_calls()
            self.stdout.write(f"installation: deleted {calls} old calls to the police's feed")
