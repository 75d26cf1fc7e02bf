"""Send the interventions app's e-mail: due and overdue reminders, and the digest of each
newly approved weekly picture. Run it from a scheduler (cron, a systemd timer) every hour;
running it again sends nothing twice."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from lagesbild.interventions import notifications


class Command(BaseCommand):
    help = "Send reminders of due and overdue interventions and digests of approved pictures."

    def add_arguments(self, parser):
        parser.add_argument("--no-reminders", action="store_true", help="Send only digests.")
        parser.add_argument("--no-digests", action="store_true", help="Send only reminders.")

    def handle(self, *args, no_reminders=False, no_digests=False, **options):
        reminders = 0 if no_reminders else notifications.send_due_reminders(timezone.localdate())
        digests = 0 if no_digests else notifications.send_picture_digests(timezone.now())
        self.stdout.write(f"reminders: {reminders} e-mails, digests: {digests} e-mails")
